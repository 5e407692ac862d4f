// The simulator's deploy v2 and content services through plain fetch (no
// SDK): content plans and S3 part PUTs, plans, commits, operations polled to
// ready, the released site's bytes over HTTP, and the failure paths of
// contract §3 (migrations, checksum mismatch, base conflicts, resume).
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";

import { siwxHeaders } from "../gateway/test-signer.mjs";
import { ADMIN_ADDRESS, WALLET_KEY } from "./wallets.mjs";

const OTHER_KEY = `0x${"33".repeat(32)}`;
let base = process.env.RUN402_SIM_URL;
let own = null;
let configBefore = null;

before(async () => {
  if (!base) {
    const { start } = await import("../gateway/server.mjs");
    own = await start({ port: 0, adminWallets: [ADMIN_ADDRESS] });
    base = own.url;
  }
  configBefore = await (await fetch(`${base}/__sim/deploy/config`)).json();
  await control("/__sim/deploy/config", { step_ms: 5, plan_shape: "flat" });
});
// The runner's simulator is shared with later files: its config goes back as it was.
after(async () => {
  if (configBefore) await control("/__sim/deploy/config", configBefore);
  await own?.close();
});

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const b64sha = (bytes) => createHash("sha256").update(bytes).digest("base64");

async function control(path, body) {
  const res = await fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.ok(res.status < 300, `${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** A gateway call: `as` = wallet key to sign in with (null: none), `project` adds its anon key. */
async function call(path, { method = "GET", json, as = WALLET_KEY, project, apikey, headers = {} } = {}) {
  const h = { ...headers };
  if (as) Object.assign(h, await siwxHeaders(as, base, path));
  if (apikey ?? project) h.apikey = apikey ?? project.anon_key;
  if (json !== undefined) h["content-type"] = "application/json";
  const res = await fetch(base + path, { method, headers: h, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: res.status, body, text, headers: res.headers };
}

async function provision(as = WALLET_KEY) {
  const res = await call("/projects/v1", { method: "POST", json: {}, as });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** A ContentRef for bytes (camelCase contentType, as the v1.69.7 SDK sends). */
function ref(bytes, contentType) {
  return { sha256: sha(bytes), size: bytes.length, contentType };
}

/** Uploads bytes through a content plan: S3 part PUTs with checksums, complete per session, commit. */
async function upload(project, items, { complete = true } = {}) {
  const plan = await call("/content/v1/plans", { method: "POST", project, json: { content: items.map(({ bytes, contentType }) => ({ sha256: sha(bytes), size: bytes.length, content_type: contentType })) } });
  assert.equal(plan.status, 201, plan.text);
  for (const session of plan.body.missing) {
    const { bytes } = items.find((i) => sha(i.bytes) === session.sha256);
    const parts = [];
    for (const part of session.parts) {
      const slice = bytes.subarray(part.byte_start, part.byte_end + 1);
      const headers = new URL(part.url).searchParams.has("x-amz-checksum-sha256") ? {} : { "x-amz-checksum-sha256": b64sha(slice) };
      const put = await fetch(part.url, { method: "PUT", headers, body: slice });
      assert.equal(put.status, 200, await put.text());
      parts.push({ part_number: part.part_number, etag: put.headers.get("etag") });
    }
    if (complete) {
      const done = await call(`/storage/v1/uploads/${session.upload_id}/complete`, { method: "POST", project, json: session.mode === "multipart" ? { parts } : {} });
      assert.equal(done.status, 200, done.text);
    }
  }
  const commit = await call(`/content/v1/plans/${plan.body.plan_id}/commit`, { method: "POST", project, json: {} });
  assert.equal(commit.status, 200, commit.text);
  return plan.body;
}

async function plan(spec, { dryRun = false, key, as } = {}) {
  return call(`/deploy/v2/plans${dryRun ? "?dry_run=true" : ""}`, { method: "POST", as, json: { spec, ...(key ? { idempotency_key: key } : {}) } });
}

async function poll(project, opId, { until = (s) => ["ready", "failed", "needs_repair", "activation_pending"].includes(s.status) } = {}) {
  for (let i = 0; i < 400; i++) {
    const snap = await call(`/deploy/v2/operations/${opId}`, { project });
    assert.equal(snap.status, 200, snap.text);
    if (until(snap.body)) return snap.body;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`operation ${opId} did not settle`);
}

/** Plans, uploads what is missing, commits and polls: the operation's final snapshot (and the plan). */
async function deploy(project, spec, files = []) {
  const p = await plan({ project: project.project_id, ...spec });
  assert.equal(p.status, 201, p.text);
  const missing = p.body.missing_content.filter((m) => !m.present);
  if (missing.length) await upload(project, files.filter((f) => missing.some((m) => m.sha256 === sha(f.bytes))));
  const c = await call(`/deploy/v2/plans/${p.body.plan_id}/commit`, { method: "POST", json: {} });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.operation_id, p.body.operation_id);
  const snap = c.body.status === "ready" || c.body.status === "failed" ? c.body : await poll(project, c.body.operation_id);
  return { plan: p.body, commit: c.body, snap };
}

const file = (text, contentType = "text/html; charset=utf-8") => ({ bytes: Buffer.from(text), contentType });

describe("deploy v2: a site end to end", () => {
  let project;
  before(async () => {
    project = await provision();
  });

  it("content plan, S3 parts, complete, commit, plan, commit, poll to ready, GET the bytes", async () => {
    const index = file("<!doctype html><h1>hello</h1>");
    const css = file("body{color:red}", "text/css; charset=utf-8");
    const { plan: p, snap } = await deploy(project, { site: { replace: { "index.html": ref(index.bytes, index.contentType), "app.css": ref(css.bytes, css.contentType) } } }, [index, css]);
    assert.equal(p.kind, "plan_response");
    assert.deepEqual(p.site.added.map((a) => a.path), ["app.css", "index.html"]);
    assert.equal(p.static_assets.newly_uploaded_cas_bytes, index.bytes.length + css.bytes.length);
    assert.equal(snap.status, "ready");
    assert.match(snap.release_id, /^rel_/);
    const site = await fetch(snap.urls.project + "index.html");
    assert.equal(site.status, 200);
    assert.deepEqual(Buffer.from(await site.arrayBuffer()), index.bytes);
    assert.equal(site.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(site.headers.get("etag"), `"${sha(index.bytes)}"`);
    const root = await fetch(snap.urls.project);
    assert.equal(await root.text(), index.bytes.toString());
    const cssRes = await fetch(snap.urls.site + "app.css");
    assert.equal(cssRes.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal((await fetch(snap.urls.project + "nope.html")).status, 404);
    assert.equal((await fetch(snap.urls.project, { headers: { "if-none-match": `"${sha(index.bytes)}"` } })).status, 304);
  });
});

/** A migration entry and its SQL file (checksum defaults to the SQL's sha256, as the SDK sends it). */
function migration(id, sql, extra = {}) {
  const f = file(sql, "application/sql");
  return { entry: { id, checksum: sha(f.bytes), sql_ref: ref(f.bytes, "application/sql"), ...extra }, file: f };
}

async function sql(project, text) {
  const res = await fetch(`${base}/projects/v1/admin/${project.project_id}/sql`, { method: "POST", headers: { authorization: `Bearer ${project.service_key}`, "content-type": "text/plain" }, body: text });
  return { status: res.status, body: await res.json() };
}

describe("deploy v2: releases on top of releases", () => {
  let project;
  let first;
  const a = file("<h1>a</h1>");
  const b = file("<h1>b</h1>");
  const c = file("<p>c</p>");
  before(async () => {
    project = await provision();
    first = await deploy(project, { site: { replace: { "index.html": ref(a.bytes, a.contentType), "b.html": ref(b.bytes, b.contentType) } } }, [a, b]);
    assert.equal(first.snap.status, "ready");
  });

  it("a patch applies to the base release's files, and the diff says so", async () => {
    const { plan: p, snap } = await deploy(project, { site: { patch: { put: { "c.html": ref(c.bytes, c.contentType) }, delete: ["b.html"] } } }, [c]);
    assert.equal(p.base_release_id, first.snap.release_id);
    assert.deepEqual(p.site.added.map((x) => x.path), ["c.html"]);
    assert.deepEqual(p.site.removed, ["b.html"]);
    assert.equal(p.static_assets.unchanged, 1);
    assert.equal(p.static_assets.reused_cas_bytes, a.bytes.length);
    assert.equal(snap.status, "ready");
    assert.equal(await (await fetch(snap.urls.project + "c.html")).text(), "<p>c</p>");
    assert.equal((await fetch(snap.urls.project + "b.html")).status, 404);
    assert.equal(await (await fetch(snap.urls.project)).text(), "<h1>a</h1>");
    // The first release's deployment still serves its own files.
    assert.equal(await (await fetch(first.snap.urls.release + "b.html")).text(), "<h1>b</h1>");

    const old = await call(`/deploy/v2/releases/${first.snap.release_id}`, { project });
    assert.equal(old.status, 200, old.text);
    assert.equal(old.body.status, "superseded");
    assert.equal(old.body.kind, "release_inventory");
    assert.deepEqual(old.body.site.paths.map((x) => x.path), ["b.html", "index.html"]);
    const active = await call("/deploy/v2/releases/active?site_limit=1", { project });
    assert.equal(active.body.release_id, snap.release_id);
    assert.equal(active.body.parent_id, first.snap.release_id);
    assert.equal(active.body.state_kind, "current_live");
    assert.equal(active.body.site.paths.length, 1);
    assert.equal(active.body.site.totals.paths, 2);

    const diff = await call(`/deploy/v2/releases/diff?from=${first.snap.release_id}&to=active`, { project });
    assert.equal(diff.status, 200, diff.text);
    assert.equal(diff.body.kind, "release_diff");
    assert.equal(diff.body.from_release_id, first.snap.release_id);
    assert.equal(diff.body.to_release_id, snap.release_id);
    assert.deepEqual(diff.body.site.added.map((x) => x.path), ["c.html"]);
    assert.deepEqual(diff.body.site.removed, ["b.html"]);
    assert.equal(diff.body.is_noop, false);
    const fromEmpty = await call("/deploy/v2/releases/diff?from=empty&to=active", { project });
    assert.deepEqual(fromEmpty.body.site.added.map((x) => x.path), ["c.html", "index.html"]);
    assert.equal(fromEmpty.body.from_release_id, null);
    assert.equal((await call("/deploy/v2/releases/rel_nope", { project })).body.code, "RELEASE_NOT_FOUND");
  });

  it("a dry run answers the diff without plan or operation, and keeps nothing", async () => {
    const before = await call("/deploy/v2/operations", { project });
    const res = await plan({ project: project.project_id, site: { patch: { delete: ["index.html"] } } }, { dryRun: true });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.plan_id, null);
    assert.equal(res.body.operation_id, null);
    assert.deepEqual(res.body.site.removed, ["index.html"]);
    const later = await call("/deploy/v2/operations", { project });
    assert.equal(later.body.operations.length, before.body.operations.length);
  });

  it("the same idempotency key and spec answer the same plan; another spec with it is refused", async () => {
    const spec = { project: project.project_id, site: { patch: { delete: ["c.html"] } } };
    const one = await plan(spec, { key: "k-1" });
    const two = await plan(spec, { key: "k-1" });
    assert.equal(one.status, 201);
    assert.equal(two.status, 200);
    assert.equal(two.body.plan_id, one.body.plan_id);
    const other = await plan({ ...spec, site: { patch: { delete: ["index.html"] } } }, { key: "k-1" });
    assert.equal(other.status, 409);
    assert.equal(other.body.code, "IDEMPOTENCY_KEY_REUSED");
  });

  it("lists operations newest first with a cursor, and their events", async () => {
    const page = await call("/deploy/v2/operations?limit=1", { project });
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.operations.length, 1);
    assert.equal(typeof page.body.cursor, "string");
    const next = await call(`/deploy/v2/operations?limit=1&cursor=${page.body.cursor}`, { project });
    assert.notEqual(next.body.operations[0].operation_id, page.body.operations[0].operation_id);
    const events = await call(`/deploy/v2/operations/${first.snap.operation_id}/events`, { project });
    assert.deepEqual(
      events.body.events.filter((e) => e.type === "commit.phase" && e.status === "started").map((e) => e.phase),
      ["stage", "migrate-gate", "migrate", "schema-settle", "activate"],
    );
    assert.deepEqual(events.body.events.at(-1), { type: "ready", releaseId: first.snap.release_id, urls: first.snap.urls });
  });
});

describe("deploy v2: migrations", () => {
  let project;
  before(async () => {
    project = await provision();
  });

  it("runs migrations in the project's schema once, records them, and skips them later", async () => {
    const m1 = migration("001_items", "CREATE TABLE items (id serial primary key, name text); INSERT INTO items (name) VALUES ('one');");
    const { plan: p, snap } = await deploy(project, { database: { migrations: [m1.entry] } }, [m1.file]);
    assert.deepEqual(p.migrations.new.map((m) => m.id), ["001_items"]);
    assert.equal(snap.status, "ready", JSON.stringify(snap.error));
    const rows = await sql(project, "SELECT name FROM items");
    assert.equal(rows.status, 200, JSON.stringify(rows.body));
    assert.deepEqual(rows.body.rows, [{ name: "one" }]);
    const again = await deploy(project, { database: { migrations: [m1.entry] } }, [m1.file]);
    assert.deepEqual(again.plan.migrations.noop.map((m) => m.id), ["001_items"]);
    assert.equal(again.snap.status, "ready");
    assert.equal((await sql(project, "SELECT count(*)::int AS n FROM items")).body.rows[0].n, 1);
    const inv = await call("/deploy/v2/releases/active", { project });
    assert.deepEqual(inv.body.migrations_applied.map((m) => [m.migration_id, m.checksum_hex]), [["001_items", m1.entry.checksum]]);
  });

  it("applies database.expose after the migrations, so REST serves the new table", async () => {
    const m = migration("010_posts", "CREATE TABLE posts (id serial primary key, title text); INSERT INTO posts (title) VALUES ('first');");
    const { snap } = await deploy(project, { database: { migrations: [m.entry], expose: { version: "1", tables: [{ name: "posts", expose: true, policy: "public_read_authenticated_write" }] } } }, [m.file]);
    assert.equal(snap.status, "ready", JSON.stringify(snap.error));
    const rest = await fetch(`${base}/rest/v1/posts?select=title`, { headers: { apikey: project.anon_key } });
    assert.equal(rest.status, 200);
    assert.deepEqual(await rest.json(), [{ title: "first" }]);
    const bad = await deploy(project, { database: { expose: { version: "1", tables: [{ name: "no_table", expose: true, policy: "public_read" }] } } });
    assert.equal(bad.snap.status, "failed");
    assert.deepEqual([bad.snap.error.code, bad.snap.error.phase], ["EXPOSE_INVALID", "schema-settle"]);
  });

  it("a failing migration fails the operation with MIGRATION_FAILED and activates nothing", async () => {
    const activeBefore = (await call("/deploy/v2/releases/active", { project })).body.release_id;
    const bad = migration("002_bad", "CREATE TABLE good_one (id int); SELECT * FROM no_such_table;");
    const page = file("<p>never</p>");
    const { snap } = await deploy(project, { database: { migrations: [bad.entry] }, site: { replace: { "index.html": ref(page.bytes, page.contentType) } } }, [bad.file, page]);
    assert.equal(snap.status, "failed");
    assert.equal(snap.error.code, "MIGRATION_FAILED");
    assert.equal(snap.error.phase, "migrate");
    assert.equal(snap.error.resource, "database.migrations.002_bad");
    assert.match(snap.error.message, /no_such_table/);
    assert.ok(Array.isArray(snap.error.logs));
    assert.equal((await call("/deploy/v2/releases/active", { project })).body.release_id, activeBefore);
    // The migration's transaction rolled back.
    assert.equal((await sql(project, "SELECT to_regclass('good_one') IS NULL AS gone")).body.rows[0].gone, true);
  });

  it("an applied migration id with another checksum fails with MIGRATION_CHECKSUM_MISMATCH", async () => {
    const changed = migration("001_items", "CREATE TABLE items2 (id int);");
    const { plan: p, snap } = await deploy(project, { database: { migrations: [changed.entry] } }, [changed.file]);
    assert.ok(p.warnings.some((w) => w.code === "MIGRATION_CHECKSUM_MISMATCH"));
    assert.equal(snap.status, "failed");
    assert.equal(snap.error.code, "MIGRATION_CHECKSUM_MISMATCH");
    assert.equal((await sql(project, "SELECT to_regclass('items2') IS NULL AS gone")).body.rows[0].gone, true);
  });
});

describe("deploy v2: conflicts, failures and resume", () => {
  let project;
  const page = file("<p>page</p>");
  before(async () => {
    project = await provision();
    await deploy(project, { site: { replace: { "index.html": ref(page.bytes, page.contentType) } } }, [page]);
  });

  it("a commit after the active release moved fails with BASE_RELEASE_CONFLICT, safe to retry", async () => {
    const p = await plan({ project: project.project_id, site: { patch: { delete: ["x.html"] } } });
    assert.equal(p.status, 201, p.text);
    await control("/__sim/deploy/advance", { project_id: project.project_id });
    const c = await call(`/deploy/v2/plans/${p.body.plan_id}/commit`, { method: "POST", json: {} });
    assert.equal(c.status, 409, c.text);
    assert.equal(c.body.code, "BASE_RELEASE_CONFLICT");
    assert.equal(c.body.safe_to_retry, true);
    assert.equal(c.body.retryable, true);
    // A plan pinned to the release it names does not conflict.
    const active = (await call("/deploy/v2/releases/active", { project })).body.release_id;
    const pinned = await plan({ project: project.project_id, base: { release_id: active }, site: { patch: { delete: ["x.html"] } } });
    await control("/__sim/deploy/advance", { project_id: project.project_id });
    const ok = await call(`/deploy/v2/plans/${pinned.body.plan_id}/commit`, { method: "POST", json: {} });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await poll(project, ok.body.operation_id)).status, "ready");
  });

  it("after a conflict, the same idempotency key plans afresh (as the SDK's retry does)", async () => {
    const spec = { project: project.project_id, site: { patch: { delete: ["w.html"] } } };
    const first = await plan(spec, { key: "retry-key" });
    await control("/__sim/deploy/advance", { project_id: project.project_id });
    const conflict = await call(`/deploy/v2/plans/${first.body.plan_id}/commit`, { method: "POST", json: { idempotency_key: "retry-key" } });
    assert.equal(conflict.body.code, "BASE_RELEASE_CONFLICT");
    const second = await plan(spec, { key: "retry-key" });
    assert.equal(second.status, 201, second.text);
    assert.notEqual(second.body.plan_id, first.body.plan_id);
    const ok = await call(`/deploy/v2/plans/${second.body.plan_id}/commit`, { method: "POST", json: { idempotency_key: "retry-key" } });
    assert.equal((await poll(project, ok.body.operation_id)).status, "ready");
  });

  it("a second deploy committed in between makes the first plan's commit conflict", async () => {
    const first = await plan({ project: project.project_id, site: { patch: { delete: ["y.html"] } } });
    const second = await deploy(project, { site: { patch: { delete: ["z.html"] } } });
    assert.equal(second.snap.status, "ready");
    const c = await call(`/deploy/v2/plans/${first.body.plan_id}/commit`, { method: "POST", json: {} });
    assert.equal(c.body.code, "BASE_RELEASE_CONFLICT");
    const snap = await call(`/deploy/v2/operations/${first.body.operation_id}`, { project });
    assert.equal(snap.body.status, "failed");
    assert.equal(snap.body.error.code, "BASE_RELEASE_CONFLICT");
  });

  it("a commit refuses while content is missing", async () => {
    const fresh = file(`<p>${randomBytes(8).toString("hex")}</p>`);
    const p = await plan({ project: project.project_id, site: { patch: { put: { "new.html": ref(fresh.bytes, fresh.contentType) } } } });
    assert.deepEqual(p.body.missing_content, [{ sha256: sha(fresh.bytes), size: fresh.bytes.length, present: false }]);
    const c = await call(`/deploy/v2/plans/${p.body.plan_id}/commit`, { method: "POST", json: {} });
    assert.equal(c.status, 409, c.text);
    assert.equal(c.body.code, "CONTENT_MISSING");
    assert.deepEqual(c.body.details.missing.map((m) => m.sha256), [sha(fresh.bytes)]);
    await upload(project, [fresh]);
    const again = await call(`/deploy/v2/plans/${p.body.plan_id}/commit`, { method: "POST", json: {} });
    assert.equal(again.status, 200, again.text);
    assert.equal((await poll(project, again.body.operation_id)).status, "ready");
  });

  it("an injected needs_repair activation resumes to ready; resuming a ready one is NOT_RESUMABLE", async () => {
    await control("/__sim/deploy/fail", { project_id: project.project_id, phase: "activate", status: "needs_repair", code: "ACTIVATION_FAILED" });
    const { snap } = await deploy(project, { site: { patch: { delete: ["q.html"] } } });
    assert.equal(snap.status, "needs_repair");
    assert.equal(snap.error.code, "ACTIVATION_FAILED");
    assert.equal(snap.error.phase, "activate");
    assert.equal(snap.activate_attempts, 0);
    const r = await call(`/deploy/v2/operations/${snap.operation_id}/resume`, { method: "POST" });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.error, null);
    const done = await poll(project, snap.operation_id);
    assert.equal(done.status, "ready");
    assert.match(done.release_id, /^rel_/);
    const again = await call(`/deploy/v2/operations/${snap.operation_id}/resume`, { method: "POST" });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, "NOT_RESUMABLE");
    const unknown = await call("/deploy/v2/operations/op_nope/resume", { method: "POST" });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, "OPERATION_NOT_FOUND");
  });

  it("activation_pending waits for resume", async () => {
    await control("/__sim/deploy/fail", { project_id: project.project_id, phase: "activate", status: "activation_pending" });
    const { snap } = await deploy(project, { site: { patch: { delete: ["r.html"] } } });
    assert.equal(snap.status, "activation_pending");
    await new Promise((r) => setTimeout(r, 30));
    assert.equal((await call(`/deploy/v2/operations/${snap.operation_id}`, { project })).body.status, "activation_pending");
    await call(`/deploy/v2/operations/${snap.operation_id}/resume`, { method: "POST" });
    assert.equal((await poll(project, snap.operation_id)).status, "ready");
  });

  it("an injected stage failure fails the operation in that phase", async () => {
    await control("/__sim/deploy/fail", { project_id: project.project_id, phase: "stage", code: "STORAGE_UNAVAILABLE" });
    const { snap } = await deploy(project, { site: { patch: { delete: ["s.html"] } } });
    assert.equal(snap.status, "failed");
    assert.deepEqual([snap.error.code, snap.error.phase], ["STORAGE_UNAVAILABLE", "stage"]);
  });

  it("with step_ms 0 the commit answers ready with release_id and urls", async () => {
    await control("/__sim/deploy/config", { step_ms: 0 });
    try {
      const p = await plan({ project: project.project_id, site: { patch: { delete: ["t.html"] } } });
      const c = await call(`/deploy/v2/plans/${p.body.plan_id}/commit`, { method: "POST", json: {} });
      assert.equal(c.body.status, "ready");
      assert.match(c.body.release_id, /^rel_/);
      assert.equal(typeof c.body.urls.project, "string");
      // A repeated commit answers the same operation.
      const again = await call(`/deploy/v2/plans/${p.body.plan_id}/commit`, { method: "POST", json: {} });
      assert.deepEqual(again.body, c.body);
    } finally {
      await control("/__sim/deploy/config", { step_ms: 5 });
    }
  });
});

describe("deploy v2: spec sections", () => {
  let project;
  before(async () => {
    project = await provision();
  });

  it("functions from the spec are invokable, and function and static routes apply on the site", async () => {
    const code = file("export default async (req) => new Response(JSON.stringify({ hi: new URL(req.url).pathname, secret: process.env.API_TOKEN ?? null }), { headers: { 'content-type': 'application/json' } });", "text/javascript; charset=utf-8");
    const about = file("<p>about</p>");
    const secret = await fetch(`${base}/projects/v1/admin/${project.project_id}/secrets`, { method: "POST", headers: { authorization: `Bearer ${project.service_key}`, "content-type": "application/json" }, body: JSON.stringify({ key: "API_TOKEN", value: "s3cret" }) });
    assert.equal(secret.status, 201);
    const { plan: p, snap } = await deploy(project, {
      functions: { replace: { api: { source: ref(code.bytes, code.contentType), config: { timeoutSeconds: 5, memoryMb: 128 } } } },
      site: { replace: { "about.html": ref(about.bytes, about.contentType) } },
      secrets: { require: ["API_TOKEN"] },
      routes: { replace: [{ pattern: "/api/*", target: { type: "function", name: "api" } }, { pattern: "/about", methods: ["GET"], target: { type: "static", file: "about.html" } }] },
    }, [code, about]);
    assert.deepEqual(p.functions.added, ["api"]);
    assert.equal(p.routes.added.length, 2);
    assert.deepEqual(p.warnings, []);
    assert.equal(snap.status, "ready", JSON.stringify(snap.error));
    const invoked = await fetch(`${base}/functions/v1/api`, { headers: { apikey: project.anon_key } });
    assert.equal(invoked.status, 200);
    assert.deepEqual(await invoked.json(), { hi: "/functions/v1/api", secret: "s3cret" });
    const routed = await fetch(snap.urls.project + "api/users");
    assert.equal(routed.status, 200);
    assert.equal((await routed.json()).hi, `/__sites/${project.project_id}/api/users`);
    assert.equal(await (await fetch(snap.urls.project + "about")).text(), "<p>about</p>");
    assert.equal((await fetch(snap.urls.project + "about", { method: "POST" })).status, 405);
    const inv = await call("/deploy/v2/releases/active", { project });
    assert.deepEqual(inv.body.functions.map((f) => [f.name, f.timeout_seconds, f.code_hash]), [["api", 5, sha(code.bytes)]]);
    assert.deepEqual(inv.body.routes.entries.map((r) => r.kind), ["prefix", "exact"]);

    // Over the tier's limits: the activation refuses before installing anything.
    const big = await deploy(project, { functions: { patch: { set: { other: { source: ref(code.bytes, code.contentType) }, huge: { source: ref(code.bytes, code.contentType), config: { memoryMb: 4096 } } } } } }, [code]);
    assert.equal(big.snap.status, "failed");
    assert.deepEqual([big.snap.error.code, big.snap.error.resource, big.snap.error.details.gateway_code], ["FUNCTION_BUILD_FAILED", "functions.huge", "TIER_LIMIT_EXCEEDED"]);
    assert.equal((await fetch(`${base}/functions/v1/other`, { headers: { apikey: project.anon_key } })).status, 404);

    // Dropping the function from a replace removes it from the runtime.
    const next = await deploy(project, { functions: { replace: {} }, routes: null });
    assert.deepEqual(next.plan.functions.removed, ["api"]);
    assert.equal(next.snap.status, "ready");
    assert.equal((await fetch(`${base}/functions/v1/api`, { headers: { apikey: project.anon_key } })).status, 404);
  });

  it("resolve says which file or route a host and path hit", async () => {
    const page = file("<p>r</p>");
    const code = file("export default async () => new Response('fn');", "text/javascript; charset=utf-8");
    const { snap } = await deploy(project, {
      site: { replace: { "index.html": ref(page.bytes, page.contentType), "docs/index.html": ref(page.bytes, page.contentType) } },
      functions: { replace: { api: { source: ref(code.bytes, code.contentType) } } },
      routes: { replace: [{ pattern: "/api/*", methods: ["GET", "POST"], target: { type: "function", name: "api" } }] },
      subdomains: { set: [`res-${randomBytes(4).toString("hex")}`] },
    }, [page, code]);
    assert.equal(snap.status, "ready", JSON.stringify(snap.error));
    const host = `${snap.urls.deployment_id}.sites.run402.com`;
    const r = async (path, method) => (await call(`/deploy/v2/resolve?host=${host}&path=${encodeURIComponent(path)}${method ? `&method=${method}` : ""}`, { project })).body;
    const root = await r("/");
    assert.deepEqual([root.match, root.asset_path, root.result, root.authorized, root.static_sha256], ["static_index", "index.html", 200, true, sha(page.bytes)]);
    assert.equal(root.release_id, snap.release_id);
    assert.equal((await r("/index.html")).match, "static_exact");
    assert.equal((await r("/docs/")).asset_path, "docs/index.html");
    const fn = await r("/api/x", "POST");
    assert.deepEqual([fn.match, fn.target_type, fn.target_name, fn.route.pattern], ["route_function", "function", "api", "/api/*"]);
    const miss = await r("/api/x", "DELETE");
    assert.deepEqual([miss.match, miss.result, miss.allow], ["route_method_miss", 405, ["GET", "POST"]]);
    assert.deepEqual([(await r("/nothing")).match, (await r("/nothing")).result], ["none", 404]);
    // The simulator's own URLs of the release resolve as given.
    const own = new URL(snap.urls.project + "docs/");
    const local = await call(`/deploy/v2/resolve?host=${own.hostname}&path=${encodeURIComponent(own.pathname)}`, { project });
    assert.deepEqual([local.body.match, local.body.asset_path, local.body.normalized_path], ["static_index", "docs/index.html", "/docs/"]);
    const other = await call("/deploy/v2/resolve?host=example.com&path=%2F", { project });
    assert.equal(other.body.match, "host_missing");
  });

  it("subdomains in the spec are claimed, resolve to the release, are served, and subdomains.list shows them", async () => {
    const name = `sd-${randomBytes(4).toString("hex")}`;
    const page = file("<p>sub</p>");
    const { plan: p, snap } = await deploy(project, { site: { replace: { "index.html": ref(page.bytes, page.contentType) } }, subdomains: { set: [name] } }, [page]);
    assert.deepEqual(p.subdomains.added, [name]);
    assert.equal(snap.urls.site, `${base}/__sites/${name}/`);
    assert.equal(await (await fetch(`${base}/__sites/${name}/`)).text(), "<p>sub</p>");
    const list = await fetch(`${base}/subdomains/v1`, { headers: { authorization: `Bearer ${project.service_key}` } });
    const entry = (await list.json()).subdomains.find((s) => s.name === name);
    assert.equal(entry.deployment_id, snap.urls.deployment_id);
    // By Host header too (node:http; fetch cannot set Host).
    const { request } = await import("node:http");
    const byHost = await new Promise((resolve, reject) => {
      request(`${base}/`, { headers: { host: `${name}.run402.com` } }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c)).on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      }).on("error", reject).end();
    });
    assert.deepEqual(byHost, { status: 200, text: "<p>sub</p>" });
    const resolved = await call(`/deploy/v2/resolve?host=${name}.run402.com&path=%2F`, { project });
    assert.equal(resolved.body.match, "static_index");
    // Another project cannot take the name.
    const other = await provision();
    const taken = await plan({ project: other.project_id, subdomains: { set: [name] }, site: { replace: { "index.html": ref(page.bytes, page.contentType) } } });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.code, "SUBDOMAIN_TAKEN");
    // Removing it frees the name.
    const removed = await deploy(project, { subdomains: { remove: [name] } });
    assert.deepEqual(removed.plan.subdomains.removed, [name]);
    assert.equal((await fetch(`${base}/__sites/${name}/`)).status, 404);
  });

  it("warns MISSING_REQUIRED_SECRET when secrets.require names a secret the project lacks", async () => {
    const res = await plan({ project: project.project_id, secrets: { require: ["NOT_SET", "API_TOKEN"] } }, { dryRun: true });
    assert.equal(res.status, 200, res.text);
    const w = res.body.warnings.find((x) => x.code === "MISSING_REQUIRED_SECRET");
    assert.equal(w.requires_confirmation, true);
    assert.deepEqual(w.affected, ["NOT_SET"]);
  });

  it("reads the spec from the CAS through manifest_ref", async () => {
    const page = file("<p>manifest</p>");
    await upload(project, [page]);
    const manifest = Buffer.from(JSON.stringify({ project: project.project_id, site: { replace: { "index.html": ref(page.bytes, page.contentType) } } }));
    await upload(project, [{ bytes: manifest, contentType: "application/vnd.run402.deploy-manifest+json" }]);
    const p = await call("/deploy/v2/plans", { method: "POST", json: { spec: { project: project.project_id }, manifest_ref: ref(manifest, "application/vnd.run402.deploy-manifest+json") } });
    assert.equal(p.status, 201, p.text);
    assert.equal(p.body.manifest_digest, sha(manifest));
    const c = await call(`/deploy/v2/plans/${p.body.plan_id}/commit`, { method: "POST", json: {} });
    const snap = await poll(project, c.body.operation_id);
    assert.equal(await (await fetch(snap.urls.project)).text(), "<p>manifest</p>");
    const unknown = await call("/deploy/v2/plans", { method: "POST", json: { spec: { project: project.project_id }, manifest_ref: ref(Buffer.from("nope"), "application/json") } });
    assert.equal(unknown.status, 409);
    assert.equal(unknown.body.code, "MANIFEST_NOT_FOUND");
  });

  it("/apply/v1 takes the 3.3.3 snake_case spec, inline and through manifest_ref", async () => {
    const page = file("<p>apply</p>");
    const code = file("export default async () => new Response('applied');", "text/javascript; charset=utf-8");
    await upload(project, [page, code]);
    const wireRef = (f) => ({ sha256: sha(f.bytes), size: f.bytes.length, content_type: f.contentType });
    const spec = {
      project_id: project.project_id,
      site: { replace: { "index.html": wireRef(page) } },
      functions: { replace: { applied: { source: wireRef(code), config: { timeout_seconds: 7, memory_mb: 64 } } } },
      routes: null,
    };
    const p = await call("/apply/v1/plans", { method: "POST", json: { spec } });
    assert.equal(p.status, 201, p.text);
    assert.deepEqual(p.body.missing_content.map((m) => m.present), [true, true]);
    const c = await call(`/apply/v1/plans/${p.body.plan_id}/commit`, { method: "POST", json: {} });
    assert.equal(c.status, 200, c.text);
    let snap;
    for (let i = 0; i < 200 && !["ready", "failed"].includes(snap?.status); i++) snap = (await call(`/apply/v1/operations/${c.body.operation_id}`, { project })).body;
    assert.deepEqual([snap.status, snap.error], ["ready", null]);
    const inv = (await call("/apply/v1/releases/active", { project })).body;
    assert.deepEqual([inv.functions[0].timeout_seconds, inv.functions[0].memory_mb, inv.site.paths[0].content_type], [7, 64, page.contentType]);
    // manifest_ref: the snake_case manifest in the CAS, a {project_id} stub inline.
    const manifest = Buffer.from(JSON.stringify({ ...spec, site: { patch: { delete: ["index.html"] } } }));
    await upload(project, [{ bytes: manifest, contentType: "application/vnd.run402.deploy-manifest+json" }]);
    const viaRef = await call("/apply/v1/plans?dry_run=true", { method: "POST", json: { spec: { project_id: project.project_id }, manifest_ref: { sha256: sha(manifest), size: manifest.length, content_type: "application/vnd.run402.deploy-manifest+json" } } });
    assert.equal(viaRef.status, 200, viaRef.text);
    assert.deepEqual(viaRef.body.site.removed, ["index.html"]);
  });

  it("the nested plan shape puts the buckets under diff", async () => {
    await control("/__sim/deploy/config", { plan_shape: "nested" });
    try {
      const res = await plan({ project: project.project_id, site: { patch: { delete: ["zz.html"] } } }, { dryRun: true });
      assert.equal(res.body.kind, undefined);
      assert.ok(Array.isArray(res.body.diff.site.added));
      assert.ok(Array.isArray(res.body.warnings));
    } finally {
      await control("/__sim/deploy/config", { plan_shape: "flat" });
    }
  });

  it("rejects bad specs with 400 INVALID_SPEC naming the field", async () => {
    const bad = async (spec) => (await plan({ project: project.project_id, ...spec }, { dryRun: true })).body;
    const unknown = await bad({ nope: 1 });
    assert.deepEqual([unknown.code, unknown.fix.path], ["INVALID_SPEC", "nope"]);
    assert.equal((await bad({ site: { replace: { "/abs.html": { sha256: "0".repeat(64), size: 1 } } } })).code, "INVALID_SPEC");
    assert.equal((await bad({ site: { replace: { "a.html": { sha256: "xyz", size: 1 } } } })).fix.path, "site.replace.a.html.sha256");
    assert.equal((await bad({ routes: { replace: [{ pattern: "/a/*", target: { type: "static", file: "a.html" } }] } })).code, "INVALID_SPEC");
    assert.equal((await bad({ subdomains: { set: ["aaa", "bbb"] } })).code, "SUBDOMAIN_MULTI_NOT_SUPPORTED");
    assert.equal((await bad({ routes: { replace: [{ pattern: "/x", target: { type: "function", name: "ghost" } }] } })).code, "INVALID_SPEC");
    const missing = await plan({ project: "prj_nope", site: { replace: {} } });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, "PROJECT_NOT_FOUND");
  });
});

describe("deploy v2: content uploads", () => {
  let project;
  before(async () => {
    project = await provision();
  });

  it("multipart sessions verify parts and the whole sha256; a 3.3.3-style commit completes uncompleted sessions", async () => {
    const storage = await fetch(`${base}/__sim/storage`).then((r) => r.json());
    await control("/__sim/storage", { partSizeBytes: 1024 });
    try {
      const big = { bytes: randomBytes(3000), contentType: "application/octet-stream" };
      const p = await upload(project, [big], { complete: false });
      assert.equal(p.missing[0].mode, "multipart");
      assert.equal(p.missing[0].part_count, 3);
      const again = await call("/content/v1/plans", { method: "POST", project, json: { content: [{ sha256: sha(big.bytes), size: big.bytes.length }] } });
      assert.deepEqual(again.body.entries, [{ sha256: sha(big.bytes), missing: false }]);
      assert.deepEqual(again.body.missing, []);
    } finally {
      await control("/__sim/storage", { partSizeBytes: storage.partSizeBytes });
    }
  });

  it("bytes that do not hash to the declared sha256 are refused", async () => {
    const declared = Buffer.from("declared");
    const plan1 = await call("/content/v1/plans", { method: "POST", project, json: { content: [{ sha256: sha(declared), size: 8 }] } });
    const part = plan1.body.missing[0].parts[0];
    const put = await fetch(part.url, { method: "PUT", body: Buffer.from("DECLARED") });
    assert.equal(put.status, 400); // the single part's URL carries the declared checksum
    const commit = await call(`/content/v1/plans/${plan1.body.plan_id}/commit`, { method: "POST", project, json: {} });
    assert.equal(commit.status, 409);
    assert.equal(commit.body.code, "CONTENT_NOT_UPLOADED");
  });

  it("content and deploy calls check keys and wallets", async () => {
    const items = { content: [{ sha256: "a".repeat(64), size: 1 }] };
    const noKey = await call("/content/v1/plans", { method: "POST", json: items });
    assert.equal(noKey.status, 401);
    assert.equal(noKey.body.code, "MISSING_API_KEY");
    const badKey = await call("/content/v1/plans", { method: "POST", json: items, apikey: "nope" });
    assert.equal(badKey.status, 401);
    // A wallet names the project by apikey, not by project_id (that is for CI sessions).
    assert.equal((await call("/content/v1/plans", { method: "POST", json: { ...items, project_id: project.project_id } })).status, 401);
    const noWallet = await call("/content/v1/plans", { method: "POST", json: items, project, as: null });
    assert.equal(noWallet.status, 401);
    const stranger = await call("/content/v1/plans", { method: "POST", json: items, project, as: OTHER_KEY });
    assert.equal(stranger.status, 403);
    const strangerPlan = await plan({ project: project.project_id, site: { replace: {} } }, { as: OTHER_KEY });
    assert.equal(strangerPlan.status, 403);
    assert.equal((await plan({ project: project.project_id, site: { replace: {} } }, { as: null })).status, 401);
    assert.equal((await call("/deploy/v2/releases/active", { as: null, project })).status, 401);
    assert.equal((await call("/deploy/v2/operations", {})).status, 401);
    const other = await provision(OTHER_KEY);
    const wrongProject = await call("/deploy/v2/releases/active", { project: other });
    assert.equal(wrongProject.status, 403);
  });
});

describe("deploy v2: CI sessions", () => {
  let project;
  let token;
  before(async () => {
    project = await provision();
    const { signCiDelegation } = await import("@run402/sdk/node");
    const { privateKeyToAccount } = await import("viem/accounts");
    const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const values = {
      project_id: project.project_id,
      subject_match: "repo:acme/site:ref:refs/heads/main",
      allowed_actions: ["deploy"],
      allowed_events: ["push", "workflow_dispatch"],
      route_scopes: ["/api/*"],
      github_repository_id: null,
      expires_at: null,
      nonce: randomBytes(16).toString("hex"),
    };
    // The reference's Node signer reads the wallet from an allowance file.
    const dir = mkdtempSync(join(tmpdir(), "sim-deploy-ci-"));
    try {
      const allowancePath = join(dir, "allowance.json");
      writeFileSync(allowancePath, JSON.stringify({ address: privateKeyToAccount(WALLET_KEY).address, privateKey: WALLET_KEY }));
      const signed_delegation = signCiDelegation(values, { allowancePath, apiBase: base });
      const binding = await call("/ci/v1/bindings", { method: "POST", json: { ...values, provider: "github-actions", signed_delegation } });
      assert.equal(binding.status, 201, binding.text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const oidc = await control("/__sim/oidc/tokens", { repository: "acme/site", ref: "refs/heads/main" });
    const exchange = await call("/ci/v1/token-exchange", {
      method: "POST",
      as: null,
      json: { grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token: oidc.value, subject_token_type: "urn:ietf:params:oauth:token-type:jwt", project_id: project.project_id },
    });
    assert.equal(exchange.status, 200, exchange.text);
    token = exchange.body.access_token;
  });

  const ci = () => ({ as: null, headers: { authorization: `Bearer ${token}` } });

  it("a CI session uploads (project_id, no apikey, no per-session complete), plans, commits and polls its binding's project", async () => {
    const page = file("<p>from ci</p>");
    const code = file("export default async () => new Response('ci api');", "text/javascript; charset=utf-8");
    const content = await call("/content/v1/plans", { method: "POST", ...ci(), json: { project_id: project.project_id, content: [page, code].map((f) => ({ sha256: sha(f.bytes), size: f.bytes.length, content_type: f.contentType })) } });
    assert.equal(content.status, 201, content.text);
    for (const session of content.body.missing) {
      const { bytes } = [page, code].find((f) => sha(f.bytes) === session.sha256);
      assert.equal((await fetch(session.parts[0].url, { method: "PUT", body: bytes })).status, 200);
    }
    const committed = await call(`/content/v1/plans/${content.body.plan_id}/commit`, { method: "POST", ...ci(), json: {} });
    assert.equal(committed.status, 200, committed.text);
    const p = await call("/deploy/v2/plans", { method: "POST", ...ci(), json: { spec: {
      project: project.project_id,
      base: { release: "current" },
      site: { replace: { "index.html": ref(page.bytes, page.contentType) } },
      functions: { replace: { api: { source: ref(code.bytes, code.contentType) } } },
      routes: { replace: [{ pattern: "/api/*", target: { type: "function", name: "api" } }] },
    } } });
    assert.equal(p.status, 201, p.text);
    assert.ok(p.body.missing_content.every((m) => m.present));
    const c = await call(`/deploy/v2/plans/${p.body.plan_id}/commit`, { method: "POST", ...ci(), json: {} });
    assert.equal(c.status, 200, c.text);
    let snap;
    for (let i = 0; i < 200 && snap?.status !== "ready"; i++) {
      snap = (await call(`/deploy/v2/operations/${c.body.operation_id}`, ci())).body;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(snap.status, "ready", JSON.stringify(snap));
    assert.equal(await (await fetch(snap.urls.project)).text(), "<p>from ci</p>");
    assert.equal(await (await fetch(snap.urls.project + "api/x")).text(), "ci api");
    const list = await call("/deploy/v2/operations", ci());
    assert.equal(list.body.operations[0].operation_id, c.body.operation_id);
  });

  it("the CI guard refuses fields a session may not ship, routes outside its scopes, and other projects", async () => {
    const refused = async (spec) => (await call("/deploy/v2/plans", { method: "POST", ...ci(), json: { spec: { project: project.project_id, ...spec } } })).body;
    assert.equal((await refused({ secrets: { require: ["X"] } })).code, "forbidden_spec_field");
    assert.equal((await refused({ subdomains: { set: ["ci-site"] } })).code, "forbidden_spec_field");
    assert.equal((await refused({ base: { release: "empty" }, site: { replace: {} } })).code, "forbidden_spec_field");
    const outside = await refused({ routes: { replace: [{ pattern: "/admin", methods: ["GET"], target: { type: "static", file: "index.html" } }] } });
    assert.equal(outside.code, "CI_ROUTE_SCOPE_DENIED");
    const other = await provision();
    const foreign = await call("/deploy/v2/plans", { method: "POST", ...ci(), json: { spec: { project: other.project_id, site: { replace: {} } } } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.code, "insufficient_scope");
    const foreignContent = await call("/content/v1/plans", { method: "POST", ...ci(), json: { project_id: other.project_id, content: [{ sha256: "b".repeat(64), size: 1 }] } });
    assert.deepEqual([foreignContent.status, foreignContent.body.code], [403, "insufficient_scope"]);
  });
});
