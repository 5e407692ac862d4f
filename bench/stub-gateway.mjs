// A thin gateway stub for the upload and deploy benchmarks, in its own
// process: it answers every request after a fixed latency, speaks both
// SDKs' wires for the same workload, and handles S3 parts identically for
// both, so what is compared is the client's work, not the wire:
//
//   ours (seed-era wire):   POST /storage/v1/uploads → part PUTs → POST /storage/v1/uploads/{id}/complete
//                           POST /deploy/v2/plans → POST /content/v1/plans → part PUTs
//                           → POST /storage/v1/uploads/{id}/complete (each) → POST /content/v1/plans/{id}/commit
//                           → POST /deploy/v2/plans/{id}/commit
//   3.3.3 (contract §6):    the same under /apply/v1, snake_case spec, no per-session complete;
//                           assets.put is an apply with an `assets.put` slice (answered with asset_entries)
//
// S3: presigned part URLs on this server; every PUT is checked for its
// Content-Length and x-amz-checksum-sha256 (base64 SHA-256 of the body) and
// answered with an ETag; an upload's whole SHA-256 is checked against the
// content's before it may complete (multipart parts are kept until then).
// Nothing is verified about auth (neither SDK's sign-in is being measured).
//
// Usage: node bench/stub-gateway.mjs [latencyMs=20] [partMiB=8]; prints
// {"url": ...} on its first line, then serves until its stdin closes.
// GET /__stats answers the request counts by route since the last
// POST /__reset, which also empties the CAS and forgets every session.

import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";

const [latency = 20, partMib = 8] = process.argv.slice(2).map(Number);
const PART = partMib * 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = (bytes) => createHash("sha256").update(bytes).digest();
const isRef = (v) => v !== null && typeof v === "object" && typeof v.sha256 === "string" && /^[0-9a-f]{64}$/.test(v.sha256);

let base;
let seq = 0;
const id = (prefix) => `${prefix}_${(++seq).toString(36)}${randomBytes(3).toString("hex")}`;
/** Upload sessions by id: {sha256 (hex, or null until complete for a stream blob), size, parts, received, done, blob?}. */
const uploads = new Map();
/** Content plans by id: the sessions they issued. */
const contentPlans = new Map();
/** Content that has been uploaded and completed (the CAS), by sha256. */
const cas = new Set();
/** Deploy plans by id: the refs they need. */
const plans = new Map();
let stats = {};

function layout(size) {
  if (size <= PART) return [[0, size - 1]];
  const out = [];
  for (let start = 0; start < size; start += PART) out.push([start, Math.min(start + PART, size) - 1]);
  return out;
}

/** A new upload session for `size` bytes; its parts' presigned URLs point here. */
function session(sha256, size, extra = {}) {
  const uploadId = id("upl");
  const ranges = layout(size);
  const parts = ranges.map(([s, e], i) => ({ part_number: i + 1, url: `${base}/s3/${uploadId}?partNumber=${i + 1}&X-Amz-Signature=stub`, byte_start: s, byte_end: e }));
  uploads.set(uploadId, { sha256, size, ranges, received: new Map(), done: false, ...extra });
  return {
    upload_id: uploadId,
    mode: parts.length > 1 ? "multipart" : "single",
    parts,
    part_count: parts.length,
    part_size_bytes: PART,
    staging_key: `staging/${uploadId}`,
    expires_at: new Date(Date.now() + 900_000).toISOString(),
  };
}

/** Completes an upload: every part there, the bytes' SHA-256 the expected one. Returns an error text or null. */
function complete(uploadId, expectedSha) {
  const u = uploads.get(uploadId);
  if (!u) return "no such upload";
  if (u.done) return null;
  if (u.received.size !== u.ranges.length) return `parts missing: ${u.received.size} of ${u.ranges.length}`;
  const want = expectedSha ?? u.sha256;
  const got = u.ranges.length === 1 ? u.received.get(1).sha : (() => {
    const h = createHash("sha256");
    for (let n = 1; n <= u.ranges.length; n++) h.update(u.received.get(n).bytes);
    return h.digest("hex");
  })();
  if (want !== null && got !== want) return `sha256 mismatch: got ${got}, expected ${want}`;
  u.done = true;
  u.sha256 = got;
  u.received.clear(); // the bytes are not needed past this check
  cas.add(got);
  return null;
}

function reply(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

function refsOf(spec) {
  const refs = new Map();
  const walk = (v) => {
    if (v === null || typeof v !== "object") return;
    if (isRef(v) && (typeof v.size === "number" || typeof v.size_bytes === "number")) {
      refs.set(v.sha256, v.size ?? v.size_bytes);
      return;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(spec);
  return refs;
}

function planResponse(spec) {
  const refs = refsOf(spec);
  const planId = id("plan");
  const operationId = id("op");
  plans.set(planId, { refs, operationId });
  const missing = [...refs].map(([sha256, size]) => ({ sha256, size, present: cas.has(sha256) }));
  const uploaded = missing.filter((m) => !m.present).reduce((n, m) => n + m.size, 0);
  const total = missing.reduce((n, m) => n + m.size, 0);
  const siteFiles = Object.keys(spec?.site?.replace ?? {});
  const none = { added: [], removed: [], changed: [] };
  const out = {
    kind: "plan_response",
    schema_version: "agent-deploy-observability.v1",
    plan_id: planId,
    operation_id: operationId,
    base_release_id: null,
    manifest_digest: sha(JSON.stringify(spec ?? null)).toString("hex"),
    is_noop: false,
    summary: `${siteFiles.length} site path(s) added`,
    expected_events: [],
    missing_content: missing,
    warnings: [],
    payment_required: null,
    migrations: { new: [], noop: [] },
    site: { added: siteFiles.map((path) => ({ path })), removed: [], changed: [], totals: { added: siteFiles.length, removed: 0, changed: 0 } },
    functions: none,
    secrets: { added: [], removed: [] },
    subdomains: { added: [], removed: [] },
    routes: { added: [], removed: [], changed: [], totals: { added: 0, removed: 0, changed: 0 } },
    static_assets: { newly_uploaded_cas_bytes: uploaded, reused_cas_bytes: total - uploaded, deployment_copy_bytes_eliminated: total - uploaded },
  };
  const assets = spec?.assets?.put;
  if (Array.isArray(assets)) {
    out.asset_entries = assets.map((a) => {
      const b64 = Buffer.from(a.sha256, "hex").toString("base64");
      const url = `${base}/__blobs/${encodeURIComponent(a.key)}`;
      return {
        key: a.key, sha256: a.sha256, size_bytes: a.size_bytes, content_type: a.content_type, visibility: a.visibility ?? "public",
        status: cas.has(a.sha256) ? "present" : "upload_pending",
        asset_ref: { url, immutable_url: `${url}?v=${a.sha256.slice(0, 16)}`, cdn_url: url, cdn_immutable_url: `${url}?v=${a.sha256.slice(0, 16)}`, sri: `sha256-${b64}`, etag: `"sha256-${a.sha256}"`, content_digest: `sha-256=:${b64}:` },
      };
    });
  }
  return out;
}

function count(what) {
  stats[what] = (stats[what] ?? 0) + 1;
}

const server = createServer(async (req, res) => {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    chunks.push(c);
  }
  await sleep(latency);
  const url = new URL(req.url, "http://stub");
  const path = url.pathname;
  const json = () => JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  try {
    if (path === "/__stats") return reply(res, 200, stats);
    if (path === "/__reset" && req.method === "POST") {
      // Between runs: each SDK meets an empty CAS, so each uploads everything.
      for (const m of [uploads, contentPlans, cas, plans]) m.clear();
      stats = {};
      return reply(res, 200, {});
    }
    // S3 part PUTs.
    const s3 = /^\/s3\/(upl_[a-z0-9]+)$/.exec(path);
    if (req.method === "PUT" && s3) {
      count("PUT part");
      const u = uploads.get(s3[1]);
      const n = Number(url.searchParams.get("partNumber"));
      const range = u?.ranges[n - 1];
      if (!range) return reply(res, 404, { error: "NoSuchUpload" });
      const body = Buffer.concat(chunks);
      const digest = sha(body);
      if (req.headers["content-length"] !== String(size) || size !== range[1] - range[0] + 1) return reply(res, 400, { error: "BadDigest", message: "length" });
      if (req.headers["x-amz-checksum-sha256"] !== digest.toString("base64")) return reply(res, 400, { error: "BadDigest", message: "x-amz-checksum-sha256" });
      u.received.set(n, { sha: digest.toString("hex"), bytes: u.ranges.length > 1 ? body : undefined });
      return reply(res, 200, undefined, { etag: `"${digest.subarray(0, 16).toString("hex")}"` });
    }
    // Seed-era blob uploads (ours).
    if (req.method === "POST" && path === "/storage/v1/uploads") {
      count(path);
      const init = json();
      return reply(res, 201, session(init.sha256 ?? null, init.size_bytes, { blob: init }));
    }
    const done = /^\/storage\/v1\/uploads\/([^/]+)\/complete$/.exec(path);
    if (req.method === "POST" && done) {
      count("/storage/v1/uploads/{id}/complete");
      const u = uploads.get(done[1]);
      const body = json();
      const why = complete(done[1], body.sha256 ?? null);
      if (why) return reply(res, 400, { error: why });
      if (!u.blob) return reply(res, 200, { sha256: u.sha256, size: u.size, status: "staged" });
      const blobUrl = `${base}/__blobs/${encodeURIComponent(u.blob.key)}`;
      return reply(res, 200, {
        key: u.blob.key, size_bytes: u.size, sha256: u.sha256, visibility: u.blob.visibility, content_type: u.blob.content_type,
        immutable_suffix: u.sha256.slice(0, 16), url: blobUrl, immutable_url: `${blobUrl}?v=${u.sha256.slice(0, 16)}`,
        cdn_url: blobUrl, cdn_immutable_url: `${blobUrl}?v=${u.sha256.slice(0, 16)}`,
      });
    }
    // The content service (both).
    if (req.method === "POST" && path === "/content/v1/plans") {
      count(path);
      const planId = id("cplan");
      const wanted = json().content ?? [];
      const missing = [];
      const sessions = [];
      for (const c of wanted) {
        if (cas.has(c.sha256)) continue;
        const s = session(c.sha256, c.size);
        sessions.push(s.upload_id);
        missing.push({ sha256: c.sha256, ...s });
      }
      contentPlans.set(planId, sessions);
      return reply(res, 201, { plan_id: planId, expires_at: new Date(Date.now() + 900_000).toISOString(), missing, entries: wanted.map((c) => ({ sha256: c.sha256, missing: !cas.has(c.sha256) })) });
    }
    const contentCommit = /^\/content\/v1\/plans\/([^/]+)\/commit$/.exec(path);
    if (req.method === "POST" && contentCommit) {
      count("/content/v1/plans/{id}/commit");
      for (const u of contentPlans.get(contentCommit[1]) ?? []) {
        const why = complete(u, null);
        if (why) return reply(res, 409, { error: why, code: "CONTENT_NOT_UPLOADED" });
      }
      return reply(res, 200, { plan_id: contentCommit[1], status: "committed", committed: true });
    }
    // Deploy plans and commits: /deploy/v2 (ours) and /apply/v1 (3.3.3).
    const deploy = /^\/(deploy\/v2|apply\/v1)\/plans(?:\/([^/]+)\/commit)?$/.exec(path);
    if (req.method === "POST" && deploy && !deploy[2]) {
      count(`/${deploy[1]}/plans`);
      return reply(res, 201, planResponse(json().spec));
    }
    if (req.method === "POST" && deploy) {
      count(`/${deploy[1]}/plans/{id}/commit`);
      const plan = plans.get(deploy[2]);
      if (!plan) return reply(res, 404, { error: "plan not found", code: "PLAN_NOT_FOUND" });
      const missing = [...plan.refs.keys()].filter((s) => !cas.has(s));
      if (missing.length) return reply(res, 409, { error: "content missing", code: "CONTENT_MISSING", details: { missing } });
      const releaseId = id("rel");
      const deploymentId = id("dpl");
      return reply(res, 200, { operation_id: plan.operationId, status: "ready", release_id: releaseId, urls: { project: `${base}/__sites/prj/`, release: `${base}/__sites/${releaseId}/`, site: `${base}/__sites/prj/`, deployment_id: deploymentId } });
    }
    count(`unknown ${req.method} ${path}`);
    return reply(res, 404, { error: "not_found", message: `${req.method} ${path}` });
  } catch (e) {
    return reply(res, 500, { error: String(e?.message ?? e) });
  }
});
server.keepAliveTimeout = 60_000;
await new Promise((r) => server.listen(0, "127.0.0.1", r));
base = `http://127.0.0.1:${server.address().port}`;
console.log(JSON.stringify({ url: base }));
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
