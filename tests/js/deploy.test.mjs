// r.deploy through the built package against the simulator's deploy v2 and
// content services: sites from every byte source (multipart included) served
// back byte for byte, the events of apply and start, patches, migrations and
// their failures, the warning gate, base conflicts retried and exhausted,
// resume, dry runs, the low-level plan/upload/commit path, every read, abort
// mid-upload, fs-file sources and wrong keys.
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";

import { fault, rejectsKind, sdk, sim, simulator, streamOf, walletAuth, withProject, WALLET_KEY } from "./helpers.mjs";
import { installFileReader } from "../../pkg/host.js";

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const bytesOf = (n, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 255);
const wallet = () => ({ auth: walletAuth(WALLET_KEY) });

/** A client whose fetch goes through `hook(url, init)` first (it may wait) and records every request. */
async function hooked(credentials, hook = async () => {}) {
  const seen = [];
  const f = async (url, init = {}) => {
    const u = String(url);
    seen.push(`${init.method ?? "GET"} ${new URL(u).pathname}`);
    await hook(u, init);
    return fetch(url, init);
  };
  const r = new sdk.Run402({ apiBase: await simulator(), credentials, fetch: f });
  return { r, seen };
}

const label = (e) => e.type === "commit.phase" ? `commit.phase:${e.phase}:${e.status}` : e.type;

let storageBefore;
before(async () => {
  await sim("deploy/config", { step_ms: 5, plan_shape: "flat" });
  storageBefore = await sim("storage");
});
after(async () => {
  await sim("storage", { partSizeBytes: storageBefore.partSizeBytes });
});

describe("deploy.apply", () => {
  let ctx;
  before(async () => {
    ctx = await withProject(wallet());
  });

  it("deploys a site from a string, bytes, a Blob, a stream and a multipart file, and serves their bytes", async () => {
    const { r, id } = ctx;
    await sim("storage", { partSizeBytes: 64 * 1024 });
    const big = bytesOf(200 * 1024, 3);
    const streamed = bytesOf(5000, 4);
    const events = [];
    const out = await r.deploy.apply({
      project: id,
      site: {
        replace: {
          "index.html": "<h1>hello</h1>",
          "raw.bin": bytesOf(300, 2),
          "blob.txt": new Blob(["blob text"], { type: "text/x-blob" }),
          "stream.bin": streamOf(streamed),
          "big.bin": big,
          "wrapped.dat": { data: "wrapped", contentType: "application/x-wrapped" },
        },
      },
    }, { onEvent: (e) => { events.push(e); throw new Error("listeners' exceptions are swallowed"); } });
    assert.match(out.release_id, /^rel_/);
    assert.match(out.operation_id, /^op_/);
    assert.deepEqual(out.warnings, []);
    assert.equal(out.diff.site.added.length, 6);
    const types = events.map(label);
    assert.deepEqual(types.slice(0, 2), ["plan.started", "plan.diff"]);
    assert.equal(types.filter((t) => t === "content.upload.progress").length, 6);
    assert.ok(types.indexOf("commit.phase:validate:started") > types.lastIndexOf("content.upload.progress"));
    assert.equal(types.at(-1), "ready");
    assert.deepEqual(events.at(-1), { type: "ready", releaseId: out.release_id, urls: out.urls });
    const progress = events.filter((e) => e.type === "content.upload.progress");
    assert.deepEqual(progress.map((e) => e.done).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
    assert.ok(progress.every((e) => e.total === 6));

    const get = async (path) => fetch(out.urls.project + path);
    const index = await get("index.html");
    assert.equal(index.status, 200);
    assert.equal(await index.text(), "<h1>hello</h1>");
    assert.match(index.headers.get("content-type"), /^text\/html/);
    assert.deepEqual(new Uint8Array(await (await get("big.bin")).arrayBuffer()), big);
    assert.deepEqual(new Uint8Array(await (await get("stream.bin")).arrayBuffer()), streamed);
    assert.deepEqual(new Uint8Array(await (await get("raw.bin")).arrayBuffer()), bytesOf(300, 2));
    const blob = await get("blob.txt");
    assert.equal(await blob.text(), "blob text");
    assert.equal(blob.headers.get("content-type"), "text/x-blob");
    assert.equal((await get("wrapped.dat")).headers.get("content-type"), "application/x-wrapped");
    await sim("storage", { partSizeBytes: storageBefore.partSizeBytes });
  });

  it("patches on top of the live release, uploading only what changed", async () => {
    const { r, id } = ctx;
    const events = [];
    const out = await r.deploy.apply({ project: id, site: { patch: { put: { "index.html": "<h1>v2</h1>", "raw.bin": bytesOf(300, 2) }, delete: ["blob.txt"] } } },
      { onEvent: (e) => events.push(e) });
    assert.equal(await (await fetch(out.urls.project + "index.html")).text(), "<h1>v2</h1>");
    assert.equal((await fetch(out.urls.project + "blob.txt")).status, 404);
    assert.deepEqual(new Uint8Array(await (await fetch(out.urls.project + "big.bin")).arrayBuffer()), bytesOf(200 * 1024, 3));
    const skipped = events.filter((e) => e.type === "content.upload.skipped");
    assert.deepEqual(skipped.map((e) => [e.label, e.reason]), [["raw.bin", "present"]]);
    assert.equal(events.filter((e) => e.type === "content.upload.progress").length, 1);
  });

  it("runs migrations, and a failing one is a Run402DeployError with its fields", async () => {
    const { r, id } = ctx;
    await r.deploy.apply({ project: id, database: { migrations: [{ id: "001_items", sql: "CREATE TABLE items (id serial primary key, name text); INSERT INTO items (name) VALUES ('one');" }] } });
    const rows = await r.projects.sql(id, "SELECT name FROM items");
    assert.deepEqual(rows.rows.map((x) => x.name), ["one"]);
    const active = await r.deploy.getActiveRelease({ project: id });
    assert.deepEqual(active.migrations_applied.map((m) => m.migration_id), ["001_items"]);

    const events = [];
    const e = await rejectsKind(
      r.deploy.apply({ project: id, database: { migrations: [{ id: "002_bad", sql: "SELECT * FROM no_such_table;" }] } }, { onEvent: (ev) => events.push(ev) }),
      "deploy_error",
    );
    assert.ok(e instanceof sdk.Run402DeployError);
    assert.equal(e.code, "MIGRATION_FAILED");
    assert.equal(e.phase, "migrate");
    assert.equal(e.resource, "database.migrations.002_bad");
    assert.match(e.operationId, /^op_/);
    assert.match(e.planId, /^plan_/);
    assert.match(e.message, /no_such_table/);
    assert.ok(Array.isArray(e.logs));
    assert.equal(e.retryable, false);
    assert.equal(e.status, null);
    // Which phases the polls saw depends on timing; none was done, nothing went live.
    assert.ok(!events.some((ev) => ev.type === "ready" || (ev.type === "commit.phase" && ev.status === "done" && ev.phase === "migrate")), JSON.stringify(events));
    assert.equal((await r.deploy.getActiveRelease({ project: id })).release_id, active.release_id, "nothing activated");
  });

  it("stops at warnings that need confirmation unless allowWarnings", async () => {
    const { r, id } = ctx;
    const spec = { project: id, secrets: { require: ["NOT_SET_ANYWHERE"] }, site: { patch: { put: { "w.html": "<p>w</p>" } } } };
    const events = [];
    const e = await rejectsKind(r.deploy.apply(spec, { onEvent: (ev) => events.push(ev) }), "deploy_error");
    assert.equal(e.code, "MISSING_REQUIRED_SECRET");
    assert.equal(e.phase, "plan");
    assert.equal(e.resource, "warnings");
    assert.deepEqual(e.fix, { action: "review_warnings", path: "warnings" });
    assert.deepEqual(events.map(label), ["plan.started", "plan.diff", "plan.warnings"]);
    const out = await r.deploy.apply(spec, { allowWarnings: true });
    assert.ok(out.warnings.some((w) => w.code === "MISSING_REQUIRED_SECRET"));
    assert.equal(await (await fetch(out.urls.project + "w.html")).text(), "<p>w</p>");
  });

  it("retries a safe BASE_RELEASE_CONFLICT with a new plan, then gives up", async () => {
    const { credentials, id } = ctx;
    const base = await simulator();
    let conflicts = 1;
    const { r } = await hooked(credentials, async (url, init) => {
      if (init.method === "POST" && /\/deploy\/v2\/plans\/[^/]+\/commit$/.test(new URL(url).pathname) && conflicts > 0) {
        conflicts--;
        await fetch(`${base}/__sim/deploy/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ project_id: id }) });
      }
    });
    const events = [];
    const out = await r.deploy.apply({ project: id, site: { patch: { put: { "c.html": "<p>c</p>" } } } }, { onEvent: (e) => events.push(e) });
    assert.match(out.release_id, /^rel_/);
    const retries = events.filter((e) => e.type === "deploy.retry");
    assert.equal(retries.length, 1);
    assert.equal(retries[0].code, "BASE_RELEASE_CONFLICT");
    assert.deepEqual([retries[0].attempt, retries[0].nextAttempt, retries[0].maxAttempts], [1, 2, 3]);
    assert.ok(retries[0].delayMs >= 250 && retries[0].delayMs <= 350);
    assert.equal(events.filter((e) => e.type === "plan.started").length, 2, "a new plan per attempt");

    conflicts = 99;
    const e = await rejectsKind(r.deploy.apply({ project: id, site: { patch: { put: { "d.html": "<p>d</p>" } } } }, { maxRetries: 1 }), "deploy_error");
    assert.equal(e.code, "BASE_RELEASE_CONFLICT");
    assert.equal(e.attempts, 2);
    assert.equal(e.maxRetries, 1);
    assert.equal(e.lastRetryCode, "BASE_RELEASE_CONFLICT");
    assert.equal(e.body.attempts, 2);
    assert.equal(e.body.last_retry_code, "BASE_RELEASE_CONFLICT");
    assert.equal(conflicts, 97, "one commit per attempt, two attempts");
  });

  it("a dry-run plan reaching commit is DRY_RUN_PLAN_NOT_COMMITTABLE, and nothing is committed", async () => {
    const { credentials, id } = ctx;
    const { r, seen } = await hooked(credentials);
    const dry = await r.deploy.plan({ project: id, site: { patch: { put: { "dry.html": "<p>dry</p>" } } } }, { dryRun: true });
    assert.equal(dry.plan.plan_id, null);
    assert.equal(dry.plan.operation_id, null);
    assert.ok(dry.byteReaders instanceof Map);
    // apply meets the same answer (no plan or operation row) when the
    // gateway's plan comes back with the dry run's null ids.
    const asDryRun = async (url, init) => {
      const res = await fetch(url, init);
      if (!(init?.method === "POST" && new URL(String(url)).pathname === "/deploy/v2/plans")) return res;
      const body = { ...(await res.json()), plan_id: null, operation_id: null };
      return new Response(JSON.stringify(body), { status: res.status, headers: { "content-type": "application/json" } });
    };
    const drySeen = [];
    const wrapped = new sdk.Run402({ apiBase: await simulator(), credentials, fetch: (url, init) => { drySeen.push(`${init?.method ?? "GET"} ${new URL(String(url)).pathname}`); return asDryRun(url, init); } });
    const e = await rejectsKind(wrapped.deploy.apply({ project: id, site: { patch: { put: { "dry.html": "<p>dry</p>" } } } }), "deploy_error");
    assert.equal(e.code, "DRY_RUN_PLAN_NOT_COMMITTABLE");
    assert.ok(!drySeen.some((s) => /\/deploy\/v2\/plans\/[^/]+\/commit$/.test(s)), drySeen.join(", "));
    assert.ok(!seen.some((s) => s.endsWith("/commit")));
  });

  it("stops mid-upload when its signal aborts, committing nothing", async () => {
    const { credentials, id } = ctx;
    const { r, seen } = await hooked(credentials);
    const controller = new AbortController();
    await fault({ match: { method: "PUT", path: "/sim-blobs/" }, count: 1, delayMs: 3000 });
    const started = Date.now();
    const e = await rejectsKind(
      r.deploy.apply({ project: id, site: { patch: { put: { "abort.bin": bytesOf(5000, 9) } } } }, {
        signal: controller.signal,
        onEvent: (ev) => { if (ev.type === "plan.diff") setTimeout(() => controller.abort(), 200); },
      }),
      "network_error",
    );
    assert.equal(e.code, "ABORTED");
    assert.ok(Date.now() - started < 2500, "the delayed PUT was abandoned");
    assert.ok(seen.some((s) => s.startsWith("PUT ")), "the upload had started");
    assert.ok(!seen.some((s) => /\/deploy\/v2\/plans\/[^/]+\/commit$/.test(s)), `no commit: ${seen.join(", ")}`);
    const active = await r.deploy.getActiveRelease({ project: id, siteLimit: 100 });
    assert.ok(!active.site.paths.some((p) => p.path === "abort.bin"));
  });
});

describe("deploy.start and the low-level path", () => {
  let ctx;
  before(async () => {
    ctx = await withProject(wallet());
  });

  it("start resolves after planning; events() replays then streams to ready; snapshot() reads the operation", async () => {
    const { r, id } = ctx;
    const seen = [];
    const op = await r.deploy.start({ project: id, site: { replace: { "index.html": "<p>started</p>" } } }, { onEvent: (e) => seen.push(e.type) });
    assert.match(op.id, /^op_/);
    const events = [];
    for await (const e of op.events()) events.push(e);
    const types = events.map(label);
    assert.deepEqual(types.slice(0, 2), ["plan.started", "plan.diff"]);
    assert.ok(types.includes("content.upload.progress"));
    assert.ok(types.includes("commit.phase:validate:started"));
    assert.equal(types.at(-1), "ready");
    const out = await op.result();
    assert.equal(out.operation_id, op.id);
    assert.deepEqual(events.at(-1), { type: "ready", releaseId: out.release_id, urls: out.urls });
    // A second iterator replays everything.
    const again = [];
    for await (const e of op.events()) again.push(e);
    assert.deepEqual(again, events);
    assert.deepEqual(seen, events.map((e) => e.type));
    const snap = await op.snapshot();
    assert.equal(snap.status, "ready");
    assert.equal(snap.release_id, out.release_id);
    assert.equal(await op.snapshot(), snap, "cached once terminal");
    assert.equal(await (await fetch(out.urls.project + "index.html")).text(), "<p>started</p>");
  });

  it("start rejects when planning fails", async () => {
    const { r, id } = ctx;
    const e = await rejectsKind(r.deploy.start({ project: id, secrets: { require: ["NOPE_NOT_SET"] } }), "deploy_error");
    assert.equal(e.code, "MISSING_REQUIRED_SECRET");
  });

  it("plan, upload and commit one step at a time", async () => {
    const { r, id } = ctx;
    const spec = { project: id, site: { replace: { "index.html": "<p>low</p>", "x.bin": bytesOf(2000, 5) } } };
    const { plan, byteReaders } = await r.deploy.plan(spec);
    assert.match(plan.plan_id, /^plan_/);
    assert.ok(Array.isArray(plan.warnings));
    assert.ok(plan.diff && typeof plan.diff === "object");
    assert.equal(byteReaders.size, 2);
    const reader = byteReaders.get(sha("<p>low</p>"));
    assert.equal(reader.label, "index.html");
    assert.equal(reader.contentType, "text/html; charset=utf-8");
    assert.deepEqual(await reader(), new TextEncoder().encode("<p>low</p>"));
    const events = [];
    await r.deploy.upload(plan, { project: id, byteReaders, onEvent: (e) => events.push(e) });
    assert.equal(events.filter((e) => e.type === "content.upload.progress").length, 2);
    const out = await r.deploy.commit(plan.plan_id, { project: id });
    assert.deepEqual(out.diff, {});
    assert.deepEqual(out.warnings, []);
    assert.deepEqual(new Uint8Array(await (await fetch(out.urls.project + "x.bin")).arrayBuffer()), bytesOf(2000, 5));

    // Your own readers work too.
    const mine = { project: id, site: { patch: { put: { "mine.txt": { sha256: sha("mine"), size: 4, contentType: "text/plain" } } } } };
    const second = await r.deploy.plan(mine);
    const own = new Map([[sha("mine"), async () => new TextEncoder().encode("mine")]]);
    await r.deploy.upload(second.plan, { project: id, byteReaders: own });
    const done = await r.deploy.commit(second.plan.plan_id, { project: id });
    assert.equal(await (await fetch(done.urls.project + "mine.txt")).text(), "mine");
  });

  it("a ContentRef the gateway lacks fails the upload with CONTENT_UPLOAD_FAILED", async () => {
    const { r, id } = ctx;
    const e = await rejectsKind(r.deploy.apply({ project: id, site: { patch: { put: { "ghost.txt": { sha256: sha("never uploaded"), size: 14 } } } } }), "deploy_error");
    assert.equal(e.code, "CONTENT_UPLOAD_FAILED");
  });

  it("resume picks up an operation that needs repair", async () => {
    const { r, id } = ctx;
    await sim("deploy/fail", { project_id: id, phase: "activate", status: "needs_repair", code: "ACTIVATION_FAILED" });
    const e = await rejectsKind(r.deploy.apply({ project: id, site: { patch: { put: { "rep.html": "<p>rep</p>" } } } }), "deploy_error");
    assert.equal(e.code, "ACTIVATION_FAILED");
    const events = [];
    const out = await r.deploy.resume(e.operationId, { project: id, onEvent: (ev) => events.push(ev) });
    assert.equal(out.operation_id, e.operationId);
    assert.deepEqual(out.diff, {});
    assert.equal(events.at(-1).type, "ready");
    assert.equal(await (await fetch(out.urls.project + "rep.html")).text(), "<p>rep</p>");
    const again = await rejectsKind(r.deploy.resume(e.operationId, { project: id }), "deploy_error");
    assert.equal(again.code, "NOT_RESUMABLE");
    const local = await rejectsKind(r.deploy.resume("rel_x"), "deploy_error");
    assert.equal(local.code, "OPERATION_NOT_FOUND");
  });

  it("reads: status, list, events, releases, diff, resolve (root and scoped)", async () => {
    const { r, id } = ctx;
    const list = await r.deploy.list(id);
    assert.ok(list.operations.length >= 3);
    const paged = await r.deploy.list({ project: id, limit: 1 });
    assert.equal(paged.operations.length, 1);
    const op = list.operations.find((o) => o.status === "ready");
    const status = await r.deploy.status(op.operation_id, { project: id });
    assert.equal(status.status, "ready");
    const recorded = await r.deploy.events(op.operation_id, { project: id });
    assert.equal(recorded.events.at(-1).type, "ready");
    const active = await r.deploy.getActiveRelease({ project: id });
    assert.equal(active.state_kind, "current_live");
    const rel = await r.deploy.getRelease({ project: id, releaseId: active.release_id, siteLimit: 1 });
    assert.equal(rel.release_id, active.release_id);
    assert.equal(rel.site.paths.length, 1);
    const diff = await r.deploy.diff({ project: id, from: "empty", to: "active" });
    assert.equal(diff.kind, "release_diff");
    const host = new URL(active.release_id ? status.urls.release : "http://x/").pathname.split("/")[2];
    const resolved = await r.deploy.resolve({ project: id, host: `${host}.sites.run402.com`, path: "/index.html", method: "get" });
    assert.equal(resolved.match, "static_exact");
    const byUrl = await r.deploy.resolve({ project: id, url: `https://${host}.sites.run402.com/index.html?x=1#y` });
    assert.equal(byUrl.match, "static_exact");
    const p = await r.project(id);
    const scoped = await p.deploy.getRelease(active.release_id);
    assert.equal(scoped.release_id, active.release_id);
    assert.equal((await p.deploy.list({ limit: 1 })).operations.length, 1);
    const missing = await rejectsKind(r.deploy.status("op_does_not_exist", { project: id }), "deploy_error");
    assert.equal(missing.code, "OPERATION_NOT_FOUND");
    await rejectsKind(r.deploy.events("op_1", {}), "local_error");
    await rejectsKind(r.deploy.resolve({ project: id, url: "ftp://x/" }), "local_error");
  });
});

describe("deploy sources and keys", () => {
  it("fs-file sources need the Node entry's reader; with one installed they deploy", async () => {
    const { r, id } = await withProject(wallet());
    const file = { __source: "fs-file", path: "/virtual/site/index.html" };
    const e = await rejectsKind(r.deploy.apply({ project: id, site: { replace: { "index.html": file } } }), "local_error");
    assert.match(e.message, /@run402\/sdk-wasm\/node/);
    const asked = [];
    installFileReader(async (path) => {
      asked.push(path);
      return new TextEncoder().encode(`<p>from ${path}</p>`);
    });
    try {
      const out = await r.deploy.apply({ project: id, site: { replace: { "index.html": file } } });
      // Read to hash it, then again to upload it: a file's bytes are not
      // held from hashing to upload (a directory's deploy holds the files in
      // flight, not the site).
      assert.deepEqual(asked, ["/virtual/site/index.html", "/virtual/site/index.html"]);
      assert.equal(await (await fetch(out.urls.project)).text(), "<p>from /virtual/site/index.html</p>");
      // Content the gateway has is hashed, not read again.
      await r.deploy.apply({ project: id, site: { replace: { "index.html": file } } });
      assert.equal(asked.length, 3);
    } finally {
      installFileReader(undefined);
    }
  });

  it("installFileReader, a public export, refuses what is not a function with a LocalError", async () => {
    const { installFileReader: install, LocalError } = await import("../../pkg/entry-node.js");
    assert.throws(() => install("not a function"), (e) => e instanceof LocalError && /takes a function/.test(e.message) && e.context === "installing a file reader");
  });

  it("a wrong anon key is refused at the content service; an invalid spec sends nothing", async () => {
    const { r, id, credentials } = await withProject(wallet());
    credentials.projects.set(id, { ...credentials.projects.get(id), anon_key: "not-the-key" });
    await rejectsKind(r.deploy.apply({ project: id, site: { replace: { "index.html": "<p>k</p>" } } }), "unauthorized");
    const { r: quiet, seen } = await hooked(credentials);
    const bad = await rejectsKind(quiet.deploy.apply({ project: id, site: { replace: { "index.html": 42 } } }), "deploy_error");
    assert.equal(bad.code, "INVALID_SPEC");
    assert.deepEqual(bad.fix, { action: "set_field", path: 'site.replace["index.html"]' });
    assert.deepEqual(seen, []);
  });
});
