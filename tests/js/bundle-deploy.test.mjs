// apps.bundleDeploy, the seed's legacy one-call deploy, through the built
// package against the simulator: run as deploy.apply, so its migrations
// land in Postgres, its functions run, its site is served and its
// subdomain resolves; its secret values go through secrets.set, never into
// the release spec; its refusals happen before anything is written. The
// bundle is translated in JS (js/bundle-deploy.js): the plan request's spec
// is what that translation made of it.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import { rejectsKind, sdk, simulator, walletAuth, withProject, WALLET_KEY } from "./helpers.mjs";
import { reshape } from "../../pkg/bundle-deploy.js";

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

const sha256 = (text) => createHash("sha256").update(text, "utf8").digest("hex");

/** The spec of the first plan request a bundle made, whatever became of the deploy after it. */
async function planned(credentials, id, opts) {
  const { r, sent } = await recorded(credentials);
  let outcome;
  try {
    outcome = await r.apps.bundleDeploy(id, opts);
  } catch (e) {
    outcome = e;
  }
  const plan = sent.find((s) => s.line === "POST /deploy/v2/plans");
  assert.ok(plan, `no plan request (${outcome?.message ?? "succeeded"})`);
  return { spec: plan.body.spec, outcome, lines: sent.map((s) => s.line) };
}

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
    // The project is judged before the bundle, whatever is wrong with both.
    await rejectsKind(r.apps.bundleDeploy("prj_unknown", { rls: "user_owns_rows" }), "project_not_found");
    await rejectsKind(r.apps.bundleDeploy("", { rls: "user_owns_rows" }), "local_error", (e) => assert.match(e.message, /^apps\.bundleDeploy: /));
    await rejectsKind(r.apps.bundleDeploy(id, "index.html"), "local_error", (e) => assert.match(e.message, /`opts` must be an object/));
    await rejectsKind(r.apps.bundleDeploy(id, { rls: "user_owns_rows" }), "deploy_error", (e) => assert.deepEqual([e.code, e.resource], ["INVALID_SPEC", "rls"]));
    await rejectsKind(r.apps.bundleDeploy(id, { secrets: [{ key: "lower", value: "v" }] }), "deploy_error", (e) => assert.deepEqual([e.code, e.resource], ["INVALID_SPEC", "secrets"]));
    await rejectsKind(r.apps.bundleDeploy(id, { functions: "greet" }), "local_error");
    // A function config the release spec refuses: caught before the secret is written.
    const badConfig = { secrets: [{ key: "NEVER_WRITTEN", value: "v" }], functions: [{ name: "f", code: "x", config: { memory: -1 } }] };
    await rejectsKind(r.apps.bundleDeploy(id, badConfig), "deploy_error", (e) => assert.deepEqual([e.code, e.context], ["INVALID_SPEC", "validating spec"]));
    // Nothing deployable: the engine's MANIFEST_EMPTY, before any request.
    await rejectsKind(r.apps.bundleDeploy(id, {}), "deploy_error", (e) => assert.equal(e.code, "MANIFEST_EMPTY"));
    await rejectsKind(r.apps.bundleDeploy(id), "deploy_error", (e) => assert.equal(e.code, "MANIFEST_EMPTY"));
    await rejectsKind(r.apps.bundleDeploy(id, { inherit: true, migrations: null, rls: null, functions: [], files: [] }), "deploy_error", (e) => assert.equal(e.code, "MANIFEST_EMPTY"));
    assert.deepEqual(sent.map((s) => s.line), []);
    assert.ok(!(await r.secrets.list(id)).secrets.some((s) => s.key === "NEVER_WRITTEN"));
  });

  it("refuses a malformed rls or secret as the reference's INVALID_SPEC, never quoting a value", async () => {
    const { credentials, id } = ctx;
    const { r, sent } = await recorded(credentials);
    const big = "x".repeat(4097);
    for (const [opts, resource, context] of [
      [{ rls: "user_owns_rows" }, "rls", "translating bundle to release spec"],
      [{ rls: { template: "user_owns_rows" } }, "rls", "translating bundle to release spec"],
      [{ secrets: [{ key: "lower", value: "v" }] }, "secrets", "validating bundle deploy secrets"],
      [{ secrets: [{ value: "v" }] }, "secrets", "validating bundle deploy secrets"],
      [{ secrets: [{ key: "A", value: "1" }, { key: "A", value: "2" }] }, "secrets", "validating bundle deploy secrets"],
      [{ secrets: [{ key: "A", value: 7 }] }, "secrets.A", "validating bundle deploy secrets"],
      [{ secrets: [{ key: "BIG", value: big }] }, "secrets.BIG", "validating bundle deploy secrets"],
      // 4096 UTF-8 bytes is the limit, counted in bytes (é is two).
      [{ secrets: [{ key: "MAX", value: `${"é".repeat(2048)}x` }] }, "secrets.MAX", "validating bundle deploy secrets"],
    ]) {
      const e = await rejectsKind(r.apps.bundleDeploy(id, opts), "deploy_error");
      assert.ok(e instanceof sdk.Run402DeployError);
      assert.deepEqual(
        { code: e.code, resource: e.resource, phase: e.phase, retryable: e.retryable, fix: e.fix, context: e.context, status: e.status, body: e.body },
        { code: "INVALID_SPEC", resource, phase: "validate", retryable: false, fix: { action: "set_field", path: resource }, context, status: null, body: null },
        JSON.stringify(opts).slice(0, 80),
      );
      assert.match(e.message, /^bundleDeploy: /);
      assert.ok(!e.message.includes("x".repeat(100)) && !JSON.stringify(e).includes("x".repeat(100)), "a value is never quoted");
    }
    assert.deepEqual(sent.map((s) => s.line), []);
  });

  it("refuses malformed options as LocalErrors before any request", async () => {
    const { credentials, id } = ctx;
    const { r, sent } = await recorded(credentials);
    for (const [opts, message] of [
      [{ migrations: 7 }, "`opts.migrations` must be a string of SQL"],
      [{ functions: {} }, "`opts.functions` must be an array"],
      [{ functions: [{ name: "f" }] }, "each `opts.functions` entry needs a string `code`"],
      [{ functions: [{ code: "x" }] }, "each `opts.functions` entry needs a string `name`"],
      [{ files: "index.html" }, "`opts.files` must be an array"],
      [{ files: [{ file: "a.html" }] }, "each `opts.files` entry needs a string `data`"],
      [{ files: [{ file: "a.html", data: "x", encoding: "latin1" }] }, 'file a.html: `encoding` must be "utf-8" or "base64"'],
      [{ files: [{ file: "a.bin", data: "!!!", encoding: "base64" }] }, "file a.bin: base64 data: not base64"],
      [{ files: [{ file: "a.bin", data: "QQ=A", encoding: "base64" }] }, "file a.bin: base64 data: not base64"],
      [{ files: [{ file: "a.bin", data: "Q", encoding: "base64" }] }, "file a.bin: base64 data: truncated base64"],
      [{ subdomain: 5 }, "`opts.subdomain` must be a string"],
      [{ rls: { template: 1, tables: [] } }, "`opts.rls.template` must be a string"],
      [{ rls: { template: "user_owns_rows", tables: [{ owner_column: "u" }] } }, "each `opts.rls.tables` entry needs a string `table`"],
      // A getter that throws reads as an absent field, as everywhere in the SDK.
      [{ files: [{ get file() { throw new Error("hostile"); }, data: "d" }] }, "each `opts.files` entry needs a string `file`"],
    ]) {
      await rejectsKind(r.apps.bundleDeploy(id, opts), "local_error", (e) => {
        assert.ok(e instanceof sdk.LocalError);
        assert.equal(e.message, `apps.bundleDeploy: ${message}`);
        assert.equal(e.context, "deploying bundle");
      });
    }
    // A schedule with no JSON form is refused while translating (JSON.stringify's own words).
    await rejectsKind(r.apps.bundleDeploy(id, { functions: [{ name: "f", code: "x", schedule: 10n }] }), "local_error", (e) => assert.equal(e.context, "translating bundle to release spec"));
    assert.deepEqual(sent.map((s) => s.line), []);
  });

  it("translates a full bundle into the reference's release spec", async () => {
    const { credentials, id } = ctx;
    const sql = "CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, user_id uuid);";
    const sha = sha256(sql);
    const { spec } = await planned(credentials, id, {
      migrations: sql,
      rls: { template: "user_owns_rows", tables: [{ table: "notes", owner_column: "user_id" }, { table: "tags", owner_column: "" }], i_understand_this_is_unrestricted: true },
      secrets: [{ key: "OPENAI_API_KEY", value: "sk-test" }],
      functions: [
        { name: "summarize", code: "export default () => new Response('ok')", config: { timeout: 10, memory: 256, other: 1 }, schedule: "*/5 * * * *" },
        { name: "plain", code: "export default () => new Response('p')", schedule: null },
      ],
      subdomain: "",
      inherit: true,
    });
    assert.deepEqual(spec.database.migrations.map(({ id: mid, checksum }) => ({ id: mid, checksum })), [{ id: `bundle_legacy_${sha.slice(0, 16)}`, checksum: sha }]);
    assert.deepEqual(spec.database.expose, {
      version: "1",
      tables: [
        { name: "notes", expose: true, policy: "user_owns_rows", owner_column: "user_id" },
        { name: "tags", expose: true, policy: "user_owns_rows" },
      ],
      views: [],
      rpcs: [],
    });
    assert.deepEqual(spec.secrets, { require: ["OPENAI_API_KEY"] });
    assert.deepEqual(spec.functions.replace.summarize.config, { timeoutSeconds: 10, memoryMb: 256 });
    assert.equal(spec.functions.replace.summarize.schedule, "*/5 * * * *");
    assert.equal(spec.functions.replace.plain.schedule, null);
    assert.equal(spec.functions.replace.plain.config, undefined);
    assert.equal(spec.subdomains, undefined, "an empty subdomain sets none");
    assert.ok(!JSON.stringify(spec).includes("sk-test"));
  });

  it("acknowledges the unrestricted template per table, and only for it", async () => {
    const { credentials, id } = ctx;
    const tables = async (rls) => (await planned(credentials, id, { rls, files: [{ file: "index.html", data: "x" }] })).spec.database.expose.tables;
    const guestbook = [{ table: "guestbook" }];
    assert.equal((await tables({ template: "public_read_write_UNRESTRICTED", tables: guestbook, i_understand_this_is_unrestricted: true }))[0].i_understand_this_is_unrestricted, true);
    assert.equal((await tables({ template: "public_read_write_UNRESTRICTED", tables: guestbook, i_understand_this_is_unrestricted: false }))[0].i_understand_this_is_unrestricted, undefined);
  });

  it("gives the same SQL the same migration id, and blank SQL none", async () => {
    const { credentials, id } = ctx;
    const ids = [];
    for (const sql of ["SELECT 1", "SELECT 1", "SELECT 2"]) {
      ids.push((await planned(credentials, id, { migrations: sql, files: [{ file: "index.html", data: "m" }] })).spec.database.migrations[0].id);
    }
    assert.equal(ids[0], ids[1]);
    assert.notEqual(ids[0], ids[2]);
    assert.equal(ids[0], `bundle_legacy_${sha256("SELECT 1").slice(0, 16)}`);
    const blank = await planned(credentials, id, { migrations: " \n\u0085", files: [{ file: "index.html", data: "m" }] });
    assert.equal(blank.spec.database?.migrations, undefined);
  });

  it("names a migration by its SQL's digest where crypto.subtle is missing too (an insecure page)", async () => {
    const { credentials, id } = ctx;
    const real = Object.getOwnPropertyDescriptor(globalThis, "crypto");
    const { getRandomValues } = globalThis.crypto;
    Object.defineProperty(globalThis, "crypto", { value: { getRandomValues: getRandomValues.bind(globalThis.crypto) }, configurable: true, writable: true });
    let spec;
    try {
      assert.equal(globalThis.crypto.subtle, undefined);
      ({ spec } = await planned(credentials, id, { migrations: "SELECT 'ünïcode'", files: [{ file: "index.html", data: "m" }] }));
    } finally {
      Object.defineProperty(globalThis, "crypto", real);
    }
    const sum = sha256("SELECT 'ünïcode'");
    assert.deepEqual(spec.database.migrations.map(({ id: mid, checksum }) => ({ id: mid, checksum })), [{ id: `bundle_legacy_${sum.slice(0, 16)}`, checksum: sum }]);
  });

  it("deploys a base64 file that is not text as its bytes", async () => {
    const { credentials, id } = ctx;
    const { r } = await recorded(credentials);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80]);
    const result = await r.apps.bundleDeploy(id, {
      files: [
        { file: "index.html", data: "<img src=logo.png>" },
        { file: "logo.png", data: png.toString("base64"), encoding: "base64" },
        // A UTF-8 byte order mark is text: kept, not stripped.
        { file: "bom.txt", data: Buffer.from("\ufeffhi").toString("base64url"), encoding: "base64" },
      ],
    });
    const res = await fetch(new URL("logo.png", result.site_url));
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), png);
    assert.deepEqual(Buffer.from(await (await fetch(new URL("bom.txt", result.site_url))).arrayBuffer()), Buffer.from("\ufeffhi"));
  });

  it("reshapes the deploy's result as the legacy one", () => {
    const result = { release_id: "rel_1", urls: { site: "https://s.example/", deployment_id: "dpl_1", subdomain: "https://my.run402.com", project: "https://p.example/" }, warnings: [] };
    assert.deepEqual(reshape("prj_1", result), { project_id: "prj_1", site_url: "https://s.example/", deployment_id: "dpl_1", subdomain_url: "https://my.run402.com" });
    assert.deepEqual(reshape("prj_1", { urls: { site: "" }, warnings: [{ code: "W" }] }), { project_id: "prj_1", warnings: [{ code: "W" }] });
    // A structured `urls.functions` (the JSON text of an array) is passed on; anything else is not.
    assert.deepEqual(reshape("prj_1", { urls: { functions: '[{"name":"f","url":"u"}]' } }).functions, [{ name: "f", url: "u" }]);
    assert.equal(reshape("prj_1", { urls: { functions: "{}" } }).functions, undefined);
    assert.equal(reshape("prj_1", { urls: { functions: "not json" } }).functions, undefined);
  });
});
