// apps.bundleDeploy, the seed's legacy one-call deploy, through the built
// package against the simulator: run as deploy.apply, so its migrations
// land in Postgres, its functions run, its site is served and its
// subdomain resolves; its secret values go through secrets.set, never into
// the release spec; its refusals happen before anything is written.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";

import { rejectsKind, sdk, simulator, walletAuth, withProject, WALLET_KEY } from "./helpers.mjs";

const wallet = () => ({ auth: walletAuth(WALLET_KEY) });

/** A client whose fetch records every request (method, path and JSON body) on the way out. */
async function recorded(credentials) {
  const sent = [];
  const fetch = async (url, init = {}) => {
    let body;
    try {
      body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    } catch {
      body = undefined;
    }
    sent.push({ line: `${init.method ?? "GET"} ${new URL(String(url)).pathname}`, body });
    return globalThis.fetch(url, init);
  };
  return { r: new sdk.Run402({ apiBase: await simulator(), credentials, fetch }), sent };
}

const served = async (url) => {
  const res = await fetch(url);
  assert.equal(res.status, 200, String(url));
  return res.text();
};

describe("apps.bundleDeploy", () => {
  let ctx;
  before(async () => {
    ctx = await withProject(wallet());
  });

  it("deploys migrations, rls, secrets, functions, site files and a subdomain as one release", async () => {
    const { credentials, id } = ctx;
    const { r, sent } = await recorded(credentials);
    const subdomain = `bundle-${id.slice(-8).toLowerCase().replace(/[^a-z0-9]/g, "x")}`;
    const result = await r.apps.bundleDeploy(id, {
      migrations: "CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL, user_id uuid);",
      rls: { template: "user_owns_rows", tables: [{ table: "posts", owner_column: "user_id" }] },
      secrets: [{ key: "GREETING", value: "hello from a secret" }],
      functions: [{ name: "greet", code: "export default async () => new Response(process.env.GREETING)", config: { timeout: 10, memory: 128 } }],
      files: [
        { file: "index.html", data: "<h1>bundled</h1>" },
        { file: "js/app.js", data: Buffer.from("console.log('é');").toString("base64"), encoding: "base64" },
      ],
      subdomain,
      inherit: true,
    });
    assert.equal(result.project_id, id);
    assert.match(result.site_url, /^http:\/\/127\.0\.0\.1:\d+\/__sites\//);
    assert.match(result.deployment_id, /\S/);
    assert.equal(result.warnings, undefined, "no warnings: the secret was set before the plan");

    // The secret went through secrets.set; the release spec only requires its key.
    const lines = sent.map((s) => s.line);
    const secretAt = lines.indexOf(`POST /projects/v1/admin/${id}/secrets`);
    const planAt = lines.indexOf("POST /deploy/v2/plans");
    assert.ok(secretAt >= 0 && planAt > secretAt, lines.join(", "));
    const plan = sent[planAt].body.spec;
    assert.deepEqual(plan.secrets, { require: ["GREETING"] });
    assert.ok(!JSON.stringify(sent.filter((s) => s.line.startsWith("POST /deploy/")).map((s) => s.body)).includes("hello from a secret"), "no secret value in any deploy request");
    assert.match(plan.database.migrations[0].id, /^bundle_legacy_[0-9a-f]{16}$/);
    assert.deepEqual(plan.database.expose.tables, [{ name: "posts", expose: true, policy: "user_owns_rows", owner_column: "user_id" }]);
    assert.deepEqual(plan.functions.replace.greet.config, { timeoutSeconds: 10, memoryMb: 128 });
    assert.deepEqual(plan.subdomains, { set: [subdomain] });

    // What the release did: the table exists, the function runs with the secret, the site is served.
    const { rows } = await r.projects.sql(id, "SELECT count(*)::int AS n FROM posts");
    assert.deepEqual(rows, [{ n: 0 }]);
    assert.equal((await r.functions.invoke(id, "greet", { method: "GET" })).body, "hello from a secret");
    assert.equal(await served(new URL("index.html", result.site_url)), "<h1>bundled</h1>");
    assert.equal(await served(new URL("js/app.js", result.site_url)), "console.log('é');");
    assert.ok(result.site_url.includes(subdomain), `the site URL is the subdomain's: ${result.site_url}`);
    assert.ok((await r.subdomains.list(id)).some((s) => s.name === subdomain));

    // The same SQL again is the same migration: a no-op, not a second CREATE TABLE.
    const again = await r.apps.bundleDeploy(id, { migrations: "CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL, user_id uuid);", files: [{ file: "index.html", data: "<h1>v2</h1>" }] });
    assert.equal(await served(new URL("index.html", again.site_url ?? result.site_url)), "<h1>v2</h1>");
  });

  it("on a scoped client it drops the project id", async () => {
    const p = await ctx.r.project(ctx.id);
    const result = await p.apps.bundleDeploy({ files: [{ file: "index.html", data: "<p>scoped</p>" }] });
    assert.equal(result.project_id, ctx.id);
    const active = await ctx.r.deploy.getActiveRelease({ project: ctx.id });
    assert.equal(active.site.paths.map((x) => x.path).join(","), "index.html");
  });

  it("refuses bad input before any request, and writes no secret when the spec is bad", async () => {
    const { credentials, id } = ctx;
    const { r, sent } = await recorded(credentials);
    await rejectsKind(r.apps.bundleDeploy("prj_unknown", { files: [{ file: "a.html", data: "x" }] }), "project_not_found");
    await rejectsKind(r.apps.bundleDeploy(id, { rls: "user_owns_rows" }), "deploy_error", (e) => assert.deepEqual([e.code, e.resource], ["INVALID_SPEC", "rls"]));
    await rejectsKind(r.apps.bundleDeploy(id, { secrets: [{ key: "lower", value: "v" }] }), "deploy_error", (e) => assert.deepEqual([e.code, e.resource], ["INVALID_SPEC", "secrets"]));
    await rejectsKind(r.apps.bundleDeploy(id, { files: [{ file: "logo.png", data: Buffer.from([0x89, 0xff, 0]).toString("base64"), encoding: "base64" }] }), "local_error", (e) => assert.match(e.message, /logo\.png.*Uint8Array/));
    await rejectsKind(r.apps.bundleDeploy(id, { functions: "greet" }), "local_error");
    // A function config the release spec refuses: caught before the secret is written.
    const badConfig = { secrets: [{ key: "NEVER_WRITTEN", value: "v" }], functions: [{ name: "f", code: "x", config: { memory: -1 } }] };
    await rejectsKind(r.apps.bundleDeploy(id, badConfig), "deploy_error", (e) => assert.deepEqual([e.code, e.context], ["INVALID_SPEC", "validating spec"]));
    // Nothing deployable: the engine's MANIFEST_EMPTY, before any request.
    await rejectsKind(r.apps.bundleDeploy(id, {}), "deploy_error", (e) => assert.equal(e.code, "MANIFEST_EMPTY"));
    assert.deepEqual(sent.map((s) => s.line), []);
    assert.ok(!(await r.secrets.list(id)).secrets.some((s) => s.key === "NEVER_WRITTEN"));
  });
});
