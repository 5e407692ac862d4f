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

before(async () => {
  if (!base) {
    const { start } = await import("../gateway/server.mjs");
    own = await start({ port: 0, adminWallets: [ADMIN_ADDRESS] });
    base = own.url;
  }
  await control("/__sim/deploy/config", { step_ms: 5, plan_shape: "flat" });
});
after(() => own?.close());

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
