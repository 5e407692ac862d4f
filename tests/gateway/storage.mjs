// Blob storage behind the simulated gateway: the objects and upload sessions
// of every project, a separate "S3" origin on its own port (presigned part
// PUTs and GETs whose signatures expire, byte ranges and
// x-amz-checksum-sha256 verified, ETags returned, S3's XML errors), and a
// CDN origin on another port that serves public blobs at their mutable and
// content-addressed URLs with the cache headers of their cache kind. The CDN
// keeps an edge copy of mutable URLs that goes stale when the blob is
// overwritten, until a simulated invalidation completes, which is what
// `diagnose` (and so `blobs.waitFresh`) observes.
//
// Exported for the gateway routes (routes/blobs.mjs) and for later users of
// the same sessions (deploy content uploads): startStorage, createSession,
// sessionView, completeSession, blob lookups, presign.

import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

export const BUCKET = "sim-blobs";
const MiB = 1024 * 1024;
export const MAX_BLOB_BYTES = 5 * 1024 * MiB;
const MAX_PARTS = 10_000;

/** Storage settings, changed through POST /__sim/storage. */
export const STORAGE_KEYS = ["partSizeBytes", "presignTtlSeconds", "invalidationMs", "sessionTtlSeconds"];

export function createStorage() {
  return {
    config: { partSizeBytes: 8 * MiB, presignTtlSeconds: 900, invalidationMs: 300, sessionTtlSeconds: 24 * 3600 },
    secret: randomBytes(32),
    s3Url: "",
    cdnUrl: "",
    blobs: new Map(), // "projectId\nkey" → blob
    versions: new Map(), // "projectId\nimmutable name" → {bytes, sha256, contentType} (content-addressed, kept until rm)
    sessions: new Map(), // upload_id → session
    edge: new Map(), // "projectId\nkey" → {bytes, sha256, contentType, cachedAt} (the CDN's copy of mutable URLs)
    invalidations: new Map(), // "projectId\nkey" → {id, status, completesAt}
    publicIds: new Map(), // public id → project id
    stats: { partPuts: 0, inFlight: 0, maxInFlight: 0, bytesReceived: 0 },
  };
}

/** Validates and applies a /__sim/storage body; returns the config. */
export function applyStorageConfig(storage, input, fail) {
  for (const k of Object.keys(input)) if (!STORAGE_KEYS.includes(k)) fail(`Unknown storage setting ${k}; use ${STORAGE_KEYS.join(", ")}.`);
  const next = { ...storage.config };
  for (const k of STORAGE_KEYS) {
    if (input[k] === undefined) continue;
    const v = input[k];
    const min = k === "partSizeBytes" ? 1 : 0;
    if (!Number.isSafeInteger(v) || v < min) fail(`"${k}" must be an integer of at least ${min}.`);
    next[k] = v;
  }
  Object.assign(storage.config, next);
  return storage.config;
}

const id = (projectId, key) => `${projectId}\n${key}`;
export const sha256Hex = (bytes) => createHash("sha256").update(bytes).digest("hex");
const b64 = (hex) => Buffer.from(hex, "hex").toString("base64");
export const encodeSegments = (key) => key.split("/").map(encodeURIComponent).join("/");

/** The stable public id of a project's CDN host (`pr-<public id>`). */
export function publicIdOf(storage, projectId) {
  const pid = createHmac("sha256", storage.secret).update(projectId).digest("hex").slice(0, 12);
  storage.publicIds.set(pid, projectId);
  return pid;
}

/** `dir/name-<8hex>.ext` (or `name-<8hex>` without an extension). */
export function immutableName(key, sha) {
  const suffix = sha.slice(0, 8);
  const slash = key.lastIndexOf("/");
  const dot = key.lastIndexOf(".");
  return dot > slash + 1 ? `${key.slice(0, dot)}-${suffix}${key.slice(dot)}` : `${key}-${suffix}`;
}

// ── Presigned URLs ──

function amzDate(ms) {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function signature(storage, method, path, params) {
  const canonical = [...params].filter(([k]) => k !== "X-Amz-Signature").sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHmac("sha256", storage.secret).update(`${method}\n${path}\n${new URLSearchParams(canonical)}`).digest("hex");
}

/** A presigned URL on the S3 origin for `method` on `path`, valid `ttl` seconds. */
export function presign(storage, method, path, extra = {}, ttl = storage.config.presignTtlSeconds) {
  const params = new URLSearchParams({
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": "SIMULATOR/s3/aws4_request",
    "X-Amz-Date": amzDate(Date.now()),
    "X-Amz-Expires": String(ttl),
    "X-Amz-SignedHeaders": "host",
    ...extra,
  });
  params.set("X-Amz-Signature", signature(storage, method, path, params));
  return `${storage.s3Url}${path}?${params}`;
}

/** Null if the request's presigned query is valid now, else the S3 error. */
function checkPresign(storage, method, url) {
  const params = url.searchParams;
  const given = params.get("X-Amz-Signature");
  if (!given) return s3Error(403, "AccessDenied", "Query-string authentication requires the Signature, Expires and Credential parameters.");
  const want = signature(storage, method, url.pathname, params);
  if (given.length !== want.length || !timingSafeEqual(Buffer.from(given), Buffer.from(want))) {
    return s3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(params.get("X-Amz-Date") ?? "");
  const signedAt = m ? Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
  if (!(Date.now() < signedAt + Number(params.get("X-Amz-Expires")) * 1000)) return s3Error(403, "AccessDenied", "Request has expired");
  return null;
}

function s3Error(status, code, message) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${randomBytes(8).toString("hex").toUpperCase()}</RequestId></Error>`;
  return { status, headers: { "content-type": "application/xml" }, body };
}

// ── Sessions ──

/** The parts of a `size`-byte upload: `[start, end]` inclusive ranges. */
function layout(size, partSize) {
  if (size <= partSize) return [[0, size - 1]];
  const parts = [];
  for (let start = 0; start < size; start += partSize) parts.push([start, Math.min(start + partSize, size) - 1]);
  return parts;
}

/** Starts a session from checked fields; throws `fail(status, code, message)` errors. */
export function createSession(storage, projectId, { key, size, contentType, visibility, immutable, sha256 }, fail) {
  const ranges = layout(size, storage.config.partSizeBytes);
  if (ranges.length > MAX_PARTS) fail(400, "TOO_MANY_PARTS", `An upload has at most ${MAX_PARTS} parts; this one would need ${ranges.length}.`);
  const now = Date.now();
  const session = {
    id: `upl_${randomBytes(12).toString("hex")}`,
    projectId,
    key,
    size,
    contentType: contentType ?? null,
    visibility,
    immutable,
    sha256: sha256?.toLowerCase() ?? null,
    mode: ranges.length === 1 ? "single" : "multipart",
    ranges,
    status: "active",
    createdAt: now,
    expiresAt: now + storage.config.sessionTtlSeconds * 1000,
    uploaded: new Map(), // part number → {bytes, etag, sha256}
  };
  storage.sessions.set(session.id, session);
  return session;
}

function statusOf(session) {
  return session.status === "active" && Date.now() >= session.expiresAt ? "expired" : session.status;
}

/** Freshly presigned part URLs; a single upload's with its checksum in the query when the content's hash is known. */
function partsOf(storage, session) {
  return session.ranges.map(([start, end], i) => {
    const extra = { uploadId: session.id, partNumber: String(i + 1) };
    if (session.mode === "single" && session.sha256) extra["x-amz-checksum-sha256"] = b64(session.sha256);
    return { part_number: i + 1, url: presign(storage, "PUT", `/${BUCKET}/staging/${session.id}`, extra), byte_start: start, byte_end: end };
  });
}

/** What POST /storage/v1/uploads answers. */
export function sessionStart(storage, session) {
  return {
    upload_id: session.id,
    key: session.key,
    mode: session.mode,
    parts: partsOf(storage, session),
    part_count: session.ranges.length,
    part_size_bytes: storage.config.partSizeBytes,
    expires_at: new Date(session.expiresAt).toISOString(),
  };
}

/** What GET /storage/v1/uploads/{id} answers. */
export function sessionView(storage, session) {
  const status = statusOf(session);
  return {
    upload_id: session.id,
    status,
    key: session.key,
    mode: session.mode,
    size_bytes: session.size,
    content_type: session.contentType,
    visibility: session.visibility,
    immutable: session.immutable,
    part_count: session.ranges.length,
    part_size_bytes: storage.config.partSizeBytes,
    expires_at: new Date(session.expiresAt).toISOString(),
    ...(status === "active" ? { parts: partsOf(storage, session) } : {}),
    uploaded_parts: [...session.uploaded].sort(([a], [b]) => a - b).map(([n, p]) => ({ part_number: n, etag: p.etag, size_bytes: p.bytes.length })),
  };
}

/**
 * Completes a session: checks every part (ETags, per-part and whole-content
 * SHA-256), stores the blob and answers the AssetRef fields.
 */
export function completeSession(storage, session, body, fail) {
  const status = statusOf(session);
  if (status === "completed") fail(409, "UPLOAD_ALREADY_COMPLETED", `Upload ${session.id} is already completed.`);
  if (status !== "active") fail(410, "UPLOAD_EXPIRED", `Upload ${session.id} is ${status}; start a new one.`);
  const count = session.ranges.length;
  if (session.mode === "multipart") {
    if (!Array.isArray(body.parts) || body.parts.length !== count) {
      fail(400, "INVALID_PARTS", `A multipart completion lists all ${count} parts as {part_number, etag, sha256?}, in order.`);
    }
    body.parts.forEach((p, i) => {
      if (p === null || typeof p !== "object" || p.part_number !== i + 1 || typeof p.etag !== "string") {
        fail(400, "INVALID_PARTS", `parts[${i}] must be {part_number: ${i + 1}, etag, sha256?}.`);
      }
      const got = session.uploaded.get(i + 1);
      if (!got) fail(400, "PART_NOT_UPLOADED", `Part ${i + 1} was never uploaded.`);
      if (p.etag.replace(/^"|"$/g, "") !== got.etag.replace(/^"|"$/g, "")) fail(400, "INVALID_PART", `Part ${i + 1}'s ETag does not match the uploaded part.`);
      if (p.sha256 !== undefined && String(p.sha256).toLowerCase() !== got.sha256) fail(400, "PART_SHA256_MISMATCH", `Part ${i + 1}'s sha256 does not match its bytes.`);
    });
  } else if (body.parts !== undefined) {
    fail(400, "INVALID_PARTS", "A single-part upload completes with {} (no parts).");
  } else if (!session.uploaded.has(1)) {
    fail(400, "PART_NOT_UPLOADED", "The upload's content was never PUT.");
  }
  if (body.sha256 !== undefined && !(typeof body.sha256 === "string" && /^[0-9a-fA-F]{64}$/.test(body.sha256))) {
    fail(400, "INVALID_FIELD", 'Field "sha256" must be 64 hex digits.');
  }
  const bytes = Buffer.concat([...Array(count).keys()].map((i) => session.uploaded.get(i + 1).bytes));
  const actual = sha256Hex(bytes);
  const claimed = [session.sha256, body.sha256?.toLowerCase()].filter(Boolean);
  if (claimed.some((c) => c !== actual)) fail(400, "SHA256_MISMATCH", "The uploaded bytes do not hash to the sha256 this upload declared.");
  if (session.immutable && claimed.length === 0) fail(400, "SHA256_REQUIRED", "An immutable upload declares its sha256 (at the start or with complete).");
  session.status = "completed";
  session.uploaded.clear();
  // Deploy content sessions (deploy/content.mjs) land in the project's CAS instead of the blob store.
  if (session.onComplete) return session.onComplete(bytes, actual);
  return storeBlob(storage, session, bytes, actual, claimed.length > 0);
}

function storeBlob(storage, session, bytes, sha, attested) {
  const { projectId, key } = session;
  const now = new Date().toISOString();
  const previous = storage.blobs.get(id(projectId, key));
  const blob = {
    projectId,
    key,
    bytes,
    sha256: sha,
    attested,
    contentType: session.contentType ?? "application/octet-stream",
    visibility: session.visibility,
    immutable: session.immutable && session.visibility === "public",
    md5: createHash("md5").update(bytes).digest("hex"),
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  storage.blobs.set(id(projectId, key), blob);
  if (blob.immutable) {
    storage.versions.set(id(projectId, immutableName(key, sha)), { key, bytes, sha256: sha, contentType: blob.contentType });
  }
  // The CDN still holds the old bytes of a mutable URL until an
  // invalidation has gone through.
  let invalidation = null;
  const cached = storage.edge.get(id(projectId, key));
  if (previous && cached && cached.sha256 !== sha) {
    invalidation = { id: `I${randomBytes(7).toString("hex").toUpperCase()}`, status: "InProgress", completesAt: Date.now() + storage.config.invalidationMs };
    storage.invalidations.set(id(projectId, key), invalidation);
  }
  return assetFields(storage, blob, invalidation);
}

/** The completion answer (contract §4.1 step 5). */
function assetFields(storage, blob, invalidation) {
  const pub = blob.visibility === "public";
  const base = `${storage.cdnUrl}/pr-${publicIdOf(storage, blob.projectId)}/_blob/`;
  const cdnUrl = pub ? base + encodeSegments(blob.key) : null;
  const immutableUrl = blob.immutable ? base + encodeSegments(immutableName(blob.key, blob.sha256)) : null;
  return {
    key: blob.key,
    size_bytes: blob.bytes.length,
    sha256: blob.attested ? blob.sha256 : null,
    visibility: blob.visibility,
    content_type: blob.contentType,
    immutable_suffix: blob.immutable ? blob.sha256.slice(0, 8) : null,
    etag: `"${blob.md5}"`,
    url: cdnUrl,
    immutable_url: immutableUrl,
    cdn_url: cdnUrl,
    cdn_immutable_url: immutableUrl,
    cdn: {
      version: "blob-gateway-v2",
      invalidationId: invalidation?.id ?? null,
      invalidationStatus: invalidation?.status ?? null,
      ready: blob.immutable || invalidation === null,
    },
  };
}

// ── Blobs ──

export function getBlob(storage, projectId, key) {
  return storage.blobs.get(id(projectId, key)) ?? null;
}

export function listBlobs(storage, projectId, { prefix = "", after = null, limit }) {
  const keys = [...storage.blobs.values()].filter((b) => b.projectId === projectId && b.key.startsWith(prefix) && (after === null || b.key > after));
  keys.sort((a, b) => (a.key < b.key ? -1 : 1));
  return { page: keys.slice(0, limit), more: keys.length > limit };
}

export function deleteBlob(storage, projectId, key) {
  const blob = storage.blobs.get(id(projectId, key));
  if (!blob) return false;
  storage.blobs.delete(id(projectId, key));
  storage.edge.delete(id(projectId, key));
  storage.invalidations.delete(id(projectId, key));
  for (const [name, version] of storage.versions) {
    if (name.startsWith(`${projectId}\n`) && version.key === key) storage.versions.delete(name);
  }
  return true;
}

/** A presigned S3 GET of a blob's current bytes. */
export function signBlob(storage, blob, ttl) {
  return presign(storage, "GET", `/${BUCKET}/objects/${blob.projectId}/${encodeSegments(blob.key)}`, {}, ttl);
}

// ── The CDN ──

function invalidationOf(storage, projectId, key) {
  const inv = storage.invalidations.get(id(projectId, key));
  if (inv && inv.status === "InProgress" && Date.now() >= inv.completesAt) {
    inv.status = "Completed";
    storage.edge.delete(id(projectId, key));
  }
  return inv ?? null;
}

/**
 * What the CDN serves at a path under `/pr-<public id>/_blob/`: a
 * content-addressed version, or the edge copy of a mutable URL (filled from
 * the origin on a miss). Null when nothing is there.
 */
export function edgeLookup(storage, publicId, path) {
  const projectId = storage.publicIds.get(publicId);
  if (projectId === undefined) return null;
  const version = storage.versions.get(id(projectId, path));
  if (version) return { projectId, kind: "immutable", hit: true, age: 0, ...version };
  const blob = storage.blobs.get(id(projectId, path));
  if (!blob) return null;
  if (blob.visibility === "private") return { projectId, key: path, kind: "private", blob };
  invalidationOf(storage, projectId, path);
  let entry = storage.edge.get(id(projectId, path));
  const hit = entry !== undefined;
  if (!hit) {
    entry = { bytes: blob.bytes, sha256: blob.sha256, contentType: blob.contentType, cachedAt: Date.now() };
    storage.edge.set(id(projectId, path), entry);
  }
  return { projectId, key: path, kind: "mutable", hit, age: Math.floor((Date.now() - entry.cachedAt) / 1000), ...entry };
}

const CACHE_CONTROL = { immutable: "public, max-age=31536000, immutable", mutable: "public, max-age=60", private: "private, no-store" };

/** Bytes with their headers, honouring a `Range: bytes=a-b` request. */
export function serveBytes(req, bytes, headers) {
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
  if (range && (range[1] !== "" || range[2] !== "")) {
    const size = bytes.length;
    let start = range[1] === "" ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    let end = range[1] === "" || range[2] === "" ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start > end || start >= size) {
      return { status: 416, headers: { ...headers, "content-range": `bytes */${size}` }, body: null };
    }
    return { status: 206, headers: { ...headers, "content-range": `bytes ${start}-${end}/${size}`, "accept-ranges": "bytes" }, body: bytes.subarray(start, end + 1) };
  }
  return { status: 200, headers: { ...headers, "accept-ranges": "bytes" }, body: bytes };
}

function cdnReply(storage, req, url) {
  const m = /^\/pr-([0-9a-f]+)\/_blob\/(.+)$/.exec(url.pathname);
  if (!m || (req.method !== "GET" && req.method !== "HEAD")) return s3Error(404, "NoSuchKey", "The specified key does not exist.");
  let path;
  try {
    path = m[2].split("/").map(decodeURIComponent).join("/");
  } catch {
    return s3Error(400, "InvalidURI", "Couldn't parse the specified URI.");
  }
  const found = edgeLookup(storage, m[1], path);
  if (!found) return s3Error(404, "NoSuchKey", "The specified key does not exist.");
  if (found.kind === "private") return s3Error(403, "AccessDenied", "Access Denied");
  return serveBytes(req, found.bytes, {
    "content-type": found.contentType,
    "cache-control": CACHE_CONTROL[found.kind],
    "x-run402-blob-cache-kind": found.kind,
    etag: `"sha256-${found.sha256}"`,
    "content-digest": `sha-256=:${b64(found.sha256)}:`,
    "x-cache": found.hit ? "Hit from cloudfront" : "Miss from cloudfront",
    age: String(found.age),
    "access-control-allow-origin": "*",
    "access-control-expose-headers": "etag, content-digest, x-cache, age, x-run402-blob-cache-kind, content-range",
  });
}

// ── The S3 origin ──

/** A fault queued for the S3 origin: only faults whose path names the bucket (so gateway faults never land here). */
function takeS3Fault(state, method, pathname) {
  const i = state.faults.findIndex(({ match }) => match.path?.startsWith(`/${BUCKET}`) && pathname.startsWith(match.path) && (!match.method || match.method === method));
  if (i === -1) return null;
  const fault = state.faults[i];
  if (--fault.remaining === 0) state.faults.splice(i, 1);
  return fault;
}

async function readAll(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), size };
}

async function putPart(storage, req, url) {
  const denied = checkPresign(storage, "PUT", url);
  if (denied) return denied;
  const session = storage.sessions.get(url.searchParams.get("uploadId") ?? "");
  const n = Number(url.searchParams.get("partNumber"));
  if (!session || url.pathname !== `/${BUCKET}/staging/${session.id}` || statusOf(session) !== "active") {
    return s3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
  }
  const range = session.ranges[n - 1];
  if (!range) return s3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive.");
  if (req.headers["content-length"] === undefined) return s3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.");
  const expected = range[1] - range[0] + 1;
  const { bytes, size } = await readAll(req, expected);
  if (size !== expected || Number(req.headers["content-length"]) !== expected) {
    return s3Error(400, "IncompleteBody", `Part ${n} covers bytes ${range[0]}-${range[1]} (${expected} bytes); ${size} were sent.`);
  }
  const sha = sha256Hex(bytes);
  const fromQuery = url.searchParams.get("x-amz-checksum-sha256");
  const fromHeader = req.headers["x-amz-checksum-sha256"];
  if (fromQuery !== null && fromHeader !== undefined && fromQuery !== fromHeader) {
    return s3Error(400, "InvalidRequest", "The x-amz-checksum-sha256 header conflicts with the signed checksum.");
  }
  const claimed = fromHeader ?? fromQuery;
  if (claimed !== undefined && claimed !== null && claimed !== b64(sha)) {
    return s3Error(400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.");
  }
  const etag = `"${createHash("md5").update(bytes).digest("hex")}"`;
  session.uploaded.set(n, { bytes, etag, sha256: sha });
  storage.stats.bytesReceived += size;
  return { status: 200, headers: { etag, "x-amz-checksum-sha256": b64(sha), "access-control-expose-headers": "etag" }, body: null };
}

function getObject(storage, req, url) {
  const denied = checkPresign(storage, "GET", url);
  if (denied) return denied;
  const m = new RegExp(`^/${BUCKET}/objects/([^/]+)/(.+)$`).exec(url.pathname);
  const blob = m ? storage.blobs.get(id(m[1], m[2].split("/").map(decodeURIComponent).join("/"))) : undefined;
  if (!blob) return s3Error(404, "NoSuchKey", "The specified key does not exist.");
  return serveBytes(req, blob.bytes, { "content-type": blob.contentType, etag: `"${blob.md5}"`, "last-modified": new Date(blob.updatedAt).toUTCString() });
}

/** Counts PUTs in flight (from arrival, faults' delays included) around `s3Answer`. */
async function s3Reply(state, req, url) {
  const stats = state.storage.stats;
  if (req.method !== "PUT") return s3Answer(state, req, url);
  stats.partPuts++;
  stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
  try {
    return await s3Answer(state, req, url);
  } finally {
    stats.inFlight--;
  }
}

async function s3Answer(state, req, url) {
  const storage = state.storage;
  if (req.method === "OPTIONS") {
    return { status: 204, headers: { "access-control-allow-methods": "GET, PUT", "access-control-allow-headers": "content-type, x-amz-checksum-sha256", "access-control-max-age": "86400" }, body: null };
  }
  const fault = takeS3Fault(state, req.method, url.pathname);
  if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
  if (fault?.reset) return "reset";
  if (fault?.status !== undefined) {
    for await (const _ of req); // drain, so the client sees the answer, not a reset
    const text = typeof fault.body === "string" ? fault.body : s3Error(fault.status, "InternalError", "We encountered an internal error. Please try again.").body;
    return { status: fault.status, headers: { "content-type": typeof fault.body === "string" ? "text/plain" : "application/xml", ...fault.headers }, body: text };
  }
  if (req.method === "PUT") return putPart(storage, req, url);
  if (req.method === "GET" || req.method === "HEAD") return getObject(storage, req, url);
  return s3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

function listen(handler) {
  const server = createServer((req, res) => {
    handler(req, res).catch((err) => {
      console.error("[run402-sim] storage request failed:", err);
      res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function write(req, res, reply) {
  if (reply === "reset") return req.socket.resetAndDestroy();
  const headers = { "access-control-allow-origin": "*", ...reply.headers };
  const body = reply.body === null ? null : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body);
  if (body !== null) headers["content-length"] = body.length;
  res.writeHead(reply.status, headers);
  res.end(req.method === "HEAD" ? undefined : (body ?? undefined));
}

/** Starts the S3 and CDN origins for `state.storage`; returns `close()`. */
export async function startStorage(state) {
  const s3 = await listen(async (req, res) => {
    const url = new URL(req.url, "http://s3.sim");
    write(req, res, await s3Reply(state, req, url));
  });
  const cdn = await listen(async (req, res) => {
    for await (const _ of req); // GETs carry no body; drained anyway
    write(req, res, cdnReply(state.storage, req, new URL(req.url, "http://cdn.sim")));
  });
  state.storage.s3Url = `http://127.0.0.1:${s3.address().port}`;
  state.storage.cdnUrl = `http://127.0.0.1:${cdn.address().port}`;
  const closeOne = (server) => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return () => Promise.all([closeOne(s3), closeOne(cdn)]);
}
