// /storage/v1/*: upload sessions, blob downloads, listing, deletion, signed
// URLs and the CDN diagnose probe (contract §1.2, §4). Every call names its
// project by key: `apikey` (and bearer) must be the project's service key.
// The bytes themselves go to the S3 origin (storage.mjs), never through here.

import { requireApiKey } from "../auth.mjs";
import { fail, json, jsonObjectBody } from "../http-util.mjs";
import {
  MAX_BLOB_BYTES, applyStorageConfig, completeSession, createSession, deleteBlob, edgeLookup, getBlob, listBlobs,
  serveBytes, sessionStart, sessionView, signBlob,
} from "../storage.mjs";

/** The project of the service key the request carries; an anon key is refused. */
function serviceProject(ctx) {
  const { project, role } = requireApiKey(ctx);
  if (role !== "service_role") fail(403, "forbidden", "Storage calls need the project's service_key, not its anon_key.", "SERVICE_KEY_REQUIRED");
  return project;
}

const failWith = (status, code, message) => fail(status, code.toLowerCase(), message, code);

/** A blob key: 1 to 1024 bytes, relative, no empty, "." or ".." segments, no control characters. */
function checkKey(key) {
  if (typeof key !== "string" || key.length === 0 || Buffer.byteLength(key) > 1024) failWith(400, "INVALID_KEY", 'Field "key" must be a string of 1 to 1024 bytes.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key) || key.split("/").some((s) => s === "" || s === "." || s === "..")) {
    failWith(400, "INVALID_KEY", `Key "${key}" must be a relative path without empty, "." or ".." segments or control characters.`);
  }
  return key;
}

function startUpload(ctx) {
  const project = serviceProject(ctx);
  const body = jsonObjectBody(ctx, { allowed: ["key", "size_bytes", "content_type", "visibility", "immutable", "sha256"] });
  const key = checkKey(body.key);
  const size = body.size_bytes;
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_BLOB_BYTES) {
    failWith(400, "INVALID_FIELD", `Field "size_bytes" must be an integer from 0 to ${MAX_BLOB_BYTES}.`);
  }
  if (body.content_type !== undefined && typeof body.content_type !== "string") failWith(400, "INVALID_FIELD", 'Field "content_type" must be a string.');
  const visibility = body.visibility ?? "public";
  if (visibility !== "public" && visibility !== "private") failWith(400, "INVALID_FIELD", 'Field "visibility" must be "public" or "private".');
  const immutable = body.immutable ?? false;
  if (typeof immutable !== "boolean") failWith(400, "INVALID_FIELD", 'Field "immutable" must be a boolean.');
  if (body.sha256 !== undefined && !(typeof body.sha256 === "string" && /^[0-9a-fA-F]{64}$/.test(body.sha256))) {
    failWith(400, "INVALID_FIELD", 'Field "sha256" must be 64 hex digits.');
  }
  const session = createSession(ctx.state.storage, project.id, { key, size, contentType: body.content_type, visibility, immutable, sha256: body.sha256 }, failWith);
  return json(201, sessionStart(ctx.state.storage, session));
}

function sessionFor(ctx, project) {
  const session = ctx.state.storage.sessions.get(ctx.params.id);
  // Another project's session is as good as absent.
  if (!session || session.projectId !== project.id) failWith(404, "UPLOAD_NOT_FOUND", `No upload ${ctx.params.id} in this project.`);
  return session;
}

function showUpload(ctx) {
  const project = serviceProject(ctx);
  return json(200, sessionView(ctx.state.storage, sessionFor(ctx, project)));
}

async function completeUpload(ctx) {
  // A deploy content session (deploy/content.mjs) takes the content service's auth instead.
  const pending = ctx.state.storage.sessions.get(ctx.params.id);
  const project = pending?.authorize ? await pending.authorize(ctx) : serviceProject(ctx);
  const session = sessionFor(ctx, project);
  const body = jsonObjectBody(ctx, { allowed: ["parts", "sha256"], optional: true });
  return json(200, completeSession(ctx.state.storage, session, body, failWith));
}

function blobKey(ctx) {
  const key = ctx.params.key;
  checkKey(key);
  return key;
}

function download(ctx) {
  const project = serviceProject(ctx);
  const blob = getBlob(ctx.state.storage, project.id, blobKey(ctx));
  if (!blob) failWith(404, "BLOB_NOT_FOUND", `No blob "${ctx.params.key}" in this project.`);
  return serveBytes(ctx, blob.bytes, {
    "content-type": blob.contentType,
    etag: `"${blob.md5}"`,
    "x-run402-blob-cache-kind": blob.visibility === "private" ? "private" : blob.immutable ? "immutable" : "mutable",
    "last-modified": new Date(blob.updatedAt).toUTCString(),
  });
}

function remove(ctx) {
  const project = serviceProject(ctx);
  const key = blobKey(ctx);
  if (!deleteBlob(ctx.state.storage, project.id, key)) failWith(404, "BLOB_NOT_FOUND", `No blob "${key}" in this project.`);
  return json(200, { status: "deleted", key });
}

/** POST /storage/v1/blob/{key}/sign: the only POST under /blob/. */
function sign(ctx) {
  const project = serviceProject(ctx);
  const segments = ctx.params.key.split("/");
  if (segments.length < 2 || segments.pop() !== "sign") fail(405, "method_not_allowed", "POST is only allowed on /storage/v1/blob/{key}/sign.", "METHOD_NOT_ALLOWED");
  const key = checkKey(segments.join("/"));
  const body = jsonObjectBody(ctx, { allowed: ["ttl_seconds"], optional: true });
  const ttl = body.ttl_seconds ?? 3600;
  if (!Number.isSafeInteger(ttl) || ttl < 60 || ttl > 604800) failWith(400, "INVALID_FIELD", 'Field "ttl_seconds" must be an integer from 60 to 604800.');
  const blob = getBlob(ctx.state.storage, project.id, key);
  if (!blob) failWith(404, "BLOB_NOT_FOUND", `No blob "${key}" in this project.`);
  return json(200, { signed_url: signBlob(ctx.state.storage, blob, ttl), expires_at: new Date(Date.now() + ttl * 1000).toISOString(), expires_in: ttl });
}

function list(ctx) {
  const project = serviceProject(ctx);
  const q = ctx.url.searchParams;
  const unknown = [...q.keys()].filter((k) => !["prefix", "limit", "cursor"].includes(k));
  if (unknown.length) failWith(400, "UNKNOWN_PARAMETER", `Unknown query parameter(s): ${unknown.join(", ")}.`);
  const limit = q.has("limit") ? Number(q.get("limit")) : 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000 || !/^\d+$/.test(q.get("limit") ?? "1")) failWith(400, "INVALID_LIMIT", "limit must be an integer from 1 to 1000.");
  let after = null;
  if (q.has("cursor")) {
    after = Buffer.from(q.get("cursor"), "base64url").toString("utf8");
    if (after === "" || Buffer.from(after).toString("base64url") !== q.get("cursor")) failWith(400, "INVALID_CURSOR", "cursor is not one this endpoint returned.");
  }
  const { page, more } = listBlobs(ctx.state.storage, project.id, { prefix: q.get("prefix") ?? "", after, limit });
  return json(200, {
    blobs: page.map((b) => ({ key: b.key, size_bytes: b.bytes.length, content_type: b.contentType, visibility: b.visibility, created_at: b.createdAt, updated_at: b.updatedAt })),
    next_cursor: more ? Buffer.from(page.at(-1).key).toString("base64url") : null,
  });
}

/** GET /storage/v1/blobs/diagnose?url=: one probe of the CDN, as the gateway makes from its vantage point. */
function diagnose(ctx) {
  const project = serviceProject(ctx);
  const storage = ctx.state.storage;
  const raw = ctx.url.searchParams.get("url");
  if (!raw) failWith(400, "MISSING_URL", "Pass the blob URL as ?url=.");
  const prefix = `${storage.cdnUrl}/pr-`;
  let parsed;
  try {
    parsed = new URL(raw);
  } catch {
    failWith(400, "INVALID_URL", "url is not a valid URL.");
  }
  const m = /^\/pr-([0-9a-f]+)\/_blob\/(.+)$/.exec(parsed.pathname);
  // SSRF guard: only the project CDN's own blob URLs are probed.
  if (!raw.startsWith(prefix) || !m || parsed.search !== "") failWith(400, "URL_NOT_ALLOWED", "Only run402 blob CDN URLs (…/pr-<id>/_blob/<key>) can be diagnosed.");
  const owner = storage.publicIds.get(m[1]);
  if (owner !== project.id) failWith(403, "CROSS_PROJECT_URL", "That URL belongs to another project.");
  let path;
  try {
    path = m[2].split("/").map(decodeURIComponent).join("/");
  } catch {
    failWith(400, "INVALID_URL", "url has invalid percent-encoding.");
  }
  const found = edgeLookup(storage, m[1], path);
  if (!found) failWith(404, "BLOB_NOT_FOUND", `Nothing is stored at ${raw}.`);
  const key = found.key;
  const origin = getBlob(storage, project.id, key);
  const expected = found.kind === "immutable" ? found.sha256 : (origin?.sha256 ?? null);
  const observed = found.kind === "private" ? null : found.sha256;
  const inv = storage.invalidations.get(`${project.id}\n${key}`);
  const stale = observed !== null && observed !== expected;
  return json(200, {
    projectId: project.id,
    key,
    expectedSha256: expected,
    observedSha256: observed,
    vantage: "gateway-us-east-1",
    probeMethod: "GET_RANGE_0_0",
    acceptEncoding: "identity",
    observedAt: new Date().toISOString(),
    probeMayHaveWarmedCache: true,
    canonicalUrl: raw,
    pathKind: found.kind === "immutable" ? "blob-immutable" : "blob-mutable",
    cache: { xCache: found.kind === "private" ? null : found.hit ? "Hit from cloudfront" : "Miss from cloudfront", ageSeconds: found.age ?? null, cacheKind: found.kind },
    invalidation: { id: inv?.id ?? null, status: inv?.status ?? null },
    hint: stale ? "The edge still serves the previous bytes; the invalidation is in progress." : "The edge serves the current bytes.",
  });
}

export function register(router) {
  router.add("POST", "/storage/v1/uploads", startUpload);
  router.add("GET", "/storage/v1/uploads/:id", showUpload);
  router.add("POST", "/storage/v1/uploads/:id/complete", completeUpload);
  router.add("GET", "/storage/v1/blobs", list);
  router.add("GET", "/storage/v1/blobs/diagnose", diagnose);
  router.add("GET", "/storage/v1/blob/:key*", download);
  router.add("DELETE", "/storage/v1/blob/:key*", remove);
  router.add("POST", "/storage/v1/blob/:key*", sign);
}

/** /__sim/storage: part size, presign and session lifetimes, invalidation delay; GET reads them with the upload stats. */
export function registerControl(router) {
  const settings = (ctx) => {
    const body = jsonObjectBody(ctx, { allowed: ["partSizeBytes", "presignTtlSeconds", "invalidationMs", "sessionTtlSeconds", "resetStats"], optional: true });
    const { resetStats, ...config } = body;
    applyStorageConfig(ctx.state.storage, config, (message) => fail(400, "invalid_field", message, "INVALID_FIELD"));
    if (resetStats) Object.assign(ctx.state.storage.stats, { partPuts: 0, maxInFlight: 0, bytesReceived: 0 });
    return json(200, { ...ctx.state.storage.config, stats: ctx.state.storage.stats, s3Url: ctx.state.storage.s3Url, cdnUrl: ctx.state.storage.cdnUrl });
  };
  router.add("POST", "/__sim/storage", settings);
  router.add("GET", "/__sim/storage", settings);
}
