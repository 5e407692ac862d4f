// r.blobs against the simulator: uploads of every source kind, single and
// multipart (parts in parallel), streams, the session members, downloads,
// listing, deletion, signed URLs, the CDN's cache headers, diagnose and
// waitFresh, and the error paths (an expired presign, a failing part).
import { createHash } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";

import { client, fault, rejectsKind, sdk, sim, simulator, streamOf, withProject } from "./helpers.mjs";

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const b64 = (hex) => Buffer.from(hex, "hex").toString("base64");
const bytesOf = (n, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 255);

/** Sets the simulator's storage settings; returns them with the upload stats. */
const storage = (settings = {}) => sim("storage", settings);

/** Runs `fn` with a small part size, so a few hundred KiB make a multipart upload. */
async function withPartSize(size, fn) {
  const before = await storage();
  await storage({ partSizeBytes: size, resetStats: true });
  try {
    return await fn();
  } finally {
    await storage({ partSizeBytes: before.partSizeBytes });
  }
}

async function text(res) {
  return Buffer.from(await res.arrayBuffer());
}

test("put: a string becomes an immutable public blob with a content-addressed CDN URL, SRI and cache headers", async () => {
  const { r, id } = await withProject();
  const body = "console.log('hello');\n";
  const ref = await r.blobs.put(id, "js/app.js", body);
  const hex = sha(body);
  assert.equal(ref.key, "js/app.js");
  assert.equal(ref.size_bytes, Buffer.byteLength(body));
  assert.equal(ref.size, ref.size_bytes);
  assert.equal(ref.sha256, hex);
  assert.equal(ref.contentSha256, hex);
  assert.equal(ref.contentType, "text/javascript");
  assert.equal(ref.visibility, "public");
  assert.equal(ref.cacheKind, "immutable");
  assert.equal(ref.etag, `"sha256-${hex}"`);
  assert.equal(ref.sri, `sha256-${b64(hex)}`);
  assert.equal(ref.contentDigest, `sha-256=:${b64(hex)}:`);
  assert.match(ref.cdnUrl, new RegExp(`/pr-[0-9a-f]+/_blob/js/app-${hex.slice(0, 8)}\\.js$`));
  assert.equal(ref.immutableUrl, ref.cdnUrl);
  assert.equal(ref.immutable_url, ref.cdnUrl);
  assert.match(ref.cdnMutableUrl, /\/_blob\/js\/app\.js$/);
  assert.deepEqual(ref.cdn, { version: "blob-gateway-v2", invalidationId: null, invalidationStatus: null, ready: true, hint: ref.cdn.hint });
  assert.equal(typeof ref.cdn.hint, "string");

  const res = await fetch(ref.cdnUrl);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(res.headers.get("x-run402-blob-cache-kind"), "immutable");
  assert.equal(res.headers.get("etag"), ref.etag);
  assert.equal(res.headers.get("content-type"), "text/javascript");
  assert.equal((await text(res)).toString(), body);
  const mutable = await fetch(ref.cdnMutableUrl);
  assert.equal(mutable.headers.get("cache-control"), "public, max-age=60");
  assert.equal(mutable.headers.get("x-run402-blob-cache-kind"), "mutable");
});

test("put: the wire of a single upload (init, one PUT with the checksum, complete {})", async () => {
  const { r, id } = await withProject();
  const seen = [];
  const { r: spy, credentials } = await client({ fetch: (url, init) => { seen.push({ url: String(url), init }); return fetch(url, init); } });
  credentials.projects.set(id, (await r.projects.keys(id)));
  const bytes = bytesOf(5000);
  const ref = await spy.blobs.put(id, "data/raw.bin", bytes, { immutable: true });
  assert.equal(ref.contentType, "application/octet-stream");
  assert.equal(seen.length, 3);
  const [init, part, done] = seen;
  const keys = credentials.projects.get(id);
  assert.equal(init.init.method, "POST");
  assert.ok(init.url.endsWith("/storage/v1/uploads"));
  assert.equal(init.init.headers.apikey, keys.service_key);
  assert.equal(init.init.headers.Authorization, `Bearer ${keys.service_key}`);
  assert.deepEqual(JSON.parse(init.init.body), { key: "data/raw.bin", size_bytes: 5000, content_type: "application/octet-stream", visibility: "public", immutable: true, sha256: sha(bytes) });
  assert.equal(part.init.method, "PUT");
  assert.ok(!part.url.startsWith(await simulator()), "the bytes go to the S3 origin, not the gateway");
  // The simulator signs a single upload's checksum into its URL: no header then.
  assert.ok(new URL(part.url).searchParams.has("x-amz-checksum-sha256"));
  assert.equal(Object.keys(part.init.headers).length, 0, "a presigned PUT carries no credentials and no checksum header here");
  assert.equal(part.init.body.byteLength, 5000);
  assert.ok(done.url.includes("/storage/v1/uploads/upl_") && done.url.endsWith("/complete"));
  assert.deepEqual(JSON.parse(done.init.body), {});
});

test("put: Uint8Array, ArrayBuffer, Blob, { bytes } and { content } all upload their bytes", async () => {
  const { r, id } = await withProject();
  const bytes = bytesOf(3000, 2);
  const cases = [
    ["u8.bin", bytes],
    ["ab.bin", bytes.buffer.slice(0)],
    ["blob.bin", new Blob([bytes])],
    ["obj.bin", { bytes }],
    ["dv.bin", new DataView(bytes.buffer)],
  ];
  for (const [key, source] of cases) {
    const ref = await r.blobs.put(id, key, source);
    assert.equal(ref.sha256, sha(bytes), key);
    assert.deepEqual(await text(await r.blobs.get(id, key)), Buffer.from(bytes), key);
  }
  const ref = await r.blobs.put(id, "notes/readme.md", { content: "# hi ✓" });
  assert.equal(ref.contentType, "text/markdown");
  assert.equal(ref.size_bytes, Buffer.byteLength("# hi ✓"));
});

test("put: multipart uploads send their parts in parallel and complete with every part's ETag and sha256", async () => {
  const { r, id } = await withProject();
  const bytes = bytesOf(1024 * 1024 + 123, 3);
  const seen = [];
  const { r: spy, credentials } = await client({ fetch: (url, init) => { seen.push({ url: String(url), init }); return fetch(url, init); } });
  credentials.projects.set(id, await r.projects.keys(id));
  const ref = await withPartSize(128 * 1024, async () => {
    await fault({ match: { method: "PUT", path: "/sim-blobs/" }, count: 9, delayMs: 60 });
    const out = await spy.blobs.put(id, "big/data.bin", bytes, { contentType: "application/x-test" });
    const stats = (await storage()).stats;
    assert.equal(stats.partPuts, 9);
    assert.equal(stats.maxInFlight, 4, "four parts in flight at once");
    return out;
  });
  assert.equal(ref.sha256, sha(bytes));
  assert.equal(ref.contentType, "application/x-test");
  const puts = seen.filter((s) => s.init.method === "PUT");
  assert.equal(puts.length, 9);
  for (const p of puts) {
    const body = Buffer.from(p.init.body.buffer, p.init.body.byteOffset, p.init.body.byteLength);
    assert.equal(p.init.headers["x-amz-checksum-sha256"], b64(sha(body)), "each part carries its own checksum");
  }
  const done = JSON.parse(seen.at(-1).init.body);
  assert.equal(done.parts.length, 9);
  done.parts.forEach((p, i) => {
    assert.equal(p.part_number, i + 1);
    assert.match(p.etag, /^"[0-9a-f]{32}"$/);
    assert.equal(p.sha256, sha(bytes.subarray(i * 128 * 1024, (i + 1) * 128 * 1024)));
  });
  assert.deepEqual(await text(await r.blobs.get(id, "big/data.bin")), Buffer.from(bytes));
});

test("put: parts of 1 MiB and more go to Node's own fetch without a copy, on the same wire; a caller's fetch gets the bytes", async () => {
  const { r, id } = await withProject();
  const bytes = bytesOf(3 * 1024 * 1024 + 5, 4);
  const bodies = [];
  const { r: spy, credentials } = await client({ fetch: (url, init) => { if (init.method === "PUT") bodies.push(init.body); return fetch(url, init); } });
  credentials.projects.set(id, await r.projects.keys(id));
  await withPartSize(2 * 1024 * 1024, async () => {
    // The S3 origin refuses a part without its exact Content-Length (a
    // chunked one included) and checks its bytes against the checksum.
    for (const [who, key] of [[r, "own.bin"], [spy, "spy.bin"]]) {
      assert.equal((await who.blobs.put(id, key, bytes)).sha256, sha(bytes), key);
      assert.deepEqual(await text(await r.blobs.get(id, key)), Buffer.from(bytes), key);
    }
    assert.equal((await storage()).stats.partPuts, 4);
  });
  // The two parts are hashed and sent concurrently: either may reach fetch first.
  const seen = bodies.map((b) => [b instanceof Uint8Array, b.byteLength]).sort((a, b) => b[1] - a[1]);
  assert.deepEqual(seen, [[true, 2 * 1024 * 1024], [true, 1024 * 1024 + 5]]);
});

test("put: a ReadableStream is read part by part, hashed as it streams, and its sha256 sent with complete", async () => {
  const { r, id } = await withProject();
  const bytes = bytesOf(700 * 1024 + 5, 4);
  const ref = await withPartSize(100 * 1024, async () => {
    await fault({ match: { method: "PUT", path: "/sim-blobs/" }, count: 8, delayMs: 50 });
    const out = await r.blobs.put(id, "streams/one.bin", streamOf(bytes, 7777), { size: bytes.length });
    const stats = (await storage()).stats;
    assert.equal(stats.partPuts, 8);
    // One PUT at a time, the next part read and hashed meanwhile (memory:
    // a PUT holds its part twice, its bytes and fetch's copy).
    assert.equal(stats.maxInFlight, 1, "one stream part in flight at a time");
    return out;
  });
  assert.equal(ref.sha256, sha(bytes));
  assert.equal(ref.cacheKind, "immutable");
  assert.deepEqual(await text(await fetch(ref.cdnUrl)), Buffer.from(bytes));
  // Single-part streams, and empty ones.
  const small = await r.blobs.put(id, "streams/small.txt", streamOf(Buffer.from("tiny")), { size: 4 });
  assert.equal(small.sha256, sha("tiny"));
  const empty = await r.blobs.put(id, "streams/empty.txt", streamOf(new Uint8Array(0)), { size: 0 });
  assert.equal(empty.sha256, sha(""));
  assert.equal(empty.size_bytes, 0);
});

test("put: a stream needs its size, and one shorter or longer than it fails without completing", async () => {
  const { r, id } = await withProject();
  await rejectsKind(r.blobs.put(id, "s.bin", streamOf(bytesOf(10))), "local_error", (e) => assert.match(e.message, /opts\.size/));
  await rejectsKind(r.blobs.put(id, "s.bin", streamOf(bytesOf(10)), { size: 20 }), "local_error", (e) => assert.match(e.message, /ended after 10 bytes/));
  await rejectsKind(r.blobs.put(id, "s.bin", streamOf(bytesOf(30)), { size: 20 }), "local_error", (e) => assert.match(e.message, /longer than/));
  const { blobs } = await r.blobs.ls(id);
  assert.deepEqual(blobs.map((b) => b.key), []);
});

test("put: immutable false skips the hash; private blobs have no CDN URL; the tag emitters refuse them", async () => {
  const { r, id } = await withProject();
  const ref = await r.blobs.put(id, "m.txt", "mutable", { immutable: false });
  assert.equal(ref.sha256, null);
  assert.equal(ref.sri, null);
  assert.equal(ref.etag, null);
  assert.equal(ref.cdnUrl, null);
  assert.equal(ref.cacheKind, "mutable");
  assert.equal(ref.cdn.ready, true);
  assert.throws(() => ref.scriptTag(), (e) => sdk.isLocalError(e) && e.context === "rendering blob tag");
  const priv = await r.blobs.put(id, "p.txt", "secret", { visibility: "private" });
  assert.equal(priv.cacheKind, "private");
  assert.equal(priv.cdnUrl, null);
  assert.equal(priv.url, null);
  assert.throws(() => priv.imgTag("x"), (e) => sdk.isLocalError(e));
  assert.equal((await text(await r.blobs.get(id, "p.txt"))).toString(), "secret");
});

test("put: tag emitters escape attributes and keep the contract's attribute order", async () => {
  const { r, id } = await withProject();
  const ref = await r.blobs.put(id, 'a&b"<x>.js', "x");
  const src = ref.cdnUrl;
  assert.match(src, /a%26b%22%3Cx%3E-/);
  const sri = ref.sri;
  assert.equal(ref.scriptTag(), `<script src="${src}" defer integrity="${sri}" crossorigin></script>`);
  assert.equal(ref.scriptTag({ type: "module", async: true }), `<script src="${src}" type="module" async integrity="${sri}" crossorigin></script>`);
  assert.equal(ref.scriptTag({ defer: false }), `<script src="${src}" integrity="${sri}" crossorigin></script>`);
  assert.equal(ref.linkTag(), `<link rel="stylesheet" href="${src}" integrity="${sri}" crossorigin>`);
  assert.equal(ref.linkTag({ rel: "preload", as: 'scr"ipt' }), `<link rel="preload" href="${src}" as="scr&quot;ipt" integrity="${sri}" crossorigin>`);
  assert.equal(ref.imgTag('A <b> & "c"'), `<img src="${src}" alt="A &lt;b&gt; &amp; &quot;c&quot;" loading="lazy" decoding="async">`);
  assert.equal(ref.imgTag(), `<img src="${src}" alt="" loading="lazy" decoding="async">`);
  const { imgTag } = ref;
  assert.equal(imgTag("d"), `<img src="${src}" alt="d" loading="lazy" decoding="async">`, "emitters work detached");
});

test("put: bad input is refused before any request", async () => {
  const { r, id } = await withProject();
  const big = "x".repeat(1_048_577);
  for (const [source, opts, pattern] of [
    [big, undefined, /1 MiB/],
    [{ content: "a", bytes: new Uint8Array(1) }, undefined, /exactly one/],
    [{}, undefined, /exactly one/],
    [42, undefined, /must be a string, Uint8Array/],
    ["ok", { visibility: "secret" }, /visibility/],
    ["ok", { immutable: "yes" }, /immutable/],
  ]) {
    await rejectsKind(r.blobs.put(id, "k.txt", source, opts), "local_error", (e) => assert.match(e.message, pattern));
  }
  await rejectsKind(r.blobs.put("prj_unknown", "k.txt", "x"), "project_not_found");
});

test("put: a part PUT answering non-2xx is an ApiError with the part number, status and body text", async () => {
  const { r, id } = await withProject();
  await fault({ match: { method: "PUT", path: "/sim-blobs/" }, status: 503, body: "slow down" });
  await rejectsKind(r.blobs.put(id, "f.txt", "fails"), "api_error", (e) => {
    assert.equal(e.status, 503);
    assert.equal(e.context, "uploading blob part");
    assert.equal(e.body, "slow down");
    assert.match(e.message, /^Part 1 PUT failed \(HTTP 503\): slow down/);
  });
  await rejectsKind(r.blobs.get(id, "f.txt"), "api_error", (e) => assert.equal(e.status, 404));
});

test("an expired presigned part URL answers 403 (S3's XML), surfaced as an ApiError", async () => {
  const { r, id } = await withProject();
  const before = await storage();
  await storage({ presignTtlSeconds: 0 });
  try {
    await rejectsKind(r.blobs.put(id, "late.txt", "too late"), "api_error", (e) => {
      assert.equal(e.status, 403);
      assert.match(e.body, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    });
  } finally {
    await storage({ presignTtlSeconds: before.presignTtlSeconds });
  }
});

test("the S3 origin verifies checksums, byte ranges and signatures", async () => {
  const { r, id } = await withProject();
  const session = await r.blobs.initUploadSession(id, { key: "raw.bin", size_bytes: 10, content_type: "application/octet-stream" });
  const url = session.parts[0].url;
  const bad = await fetch(url, { method: "PUT", body: new Uint8Array(10), headers: { "x-amz-checksum-sha256": b64(sha("nope")) } });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /BadDigest/);
  const short = await fetch(url, { method: "PUT", body: new Uint8Array(9) });
  assert.equal(short.status, 400);
  assert.match(await short.text(), /IncompleteBody/);
  const forged = await fetch(url.replace(/partNumber=1/, "partNumber=2"), { method: "PUT", body: new Uint8Array(10) });
  assert.equal(forged.status, 403);
  assert.match(await forged.text(), /SignatureDoesNotMatch/);
});

test("initUploadSession, getUploadSession and completeUploadSession drive an upload by hand", async () => {
  const { r, id } = await withProject();
  const bytes = bytesOf(250 * 1024, 5);
  await withPartSize(100 * 1024, async () => {
    const s = await r.blobs.initUploadSession(id, { key: "manual/file.bin", size_bytes: bytes.length, content_type: "application/x-manual", immutable: true, sha256: sha(bytes) });
    assert.equal(s.mode, "multipart");
    assert.equal(s.part_count, 3);
    assert.deepEqual(s.parts.map((p) => [p.part_number, p.byte_start, p.byte_end]), [[1, 0, 102399], [2, 102400, 204799], [3, 204800, 256000 - 1]]);
    const status = await r.blobs.getUploadSession(id, s.upload_id);
    assert.equal(status.status, "active");
    assert.equal(status.key, "manual/file.bin");
    const parts = [];
    for (const p of s.parts) {
      const slice = bytes.subarray(p.byte_start, p.byte_end + 1);
      const res = await fetch(p.url, { method: "PUT", body: slice, headers: { "x-amz-checksum-sha256": b64(sha(slice)) } });
      assert.equal(res.status, 200);
      parts.push({ part_number: p.part_number, etag: res.headers.get("etag"), sha256: sha(slice) });
    }
    assert.equal((await r.blobs.getUploadSession(id, s.upload_id)).uploaded_parts.length, 3);
    const ref = await r.blobs.completeUploadSession(id, s.upload_id, { parts }, { contentType: "application/x-manual" });
    assert.equal(ref.sha256, sha(bytes));
    assert.equal(ref.contentType, "application/x-manual");
    assert.equal(typeof ref.scriptTag, "function");
    assert.equal((await r.blobs.getUploadSession(id, s.upload_id)).status, "completed");
    await rejectsKind(r.blobs.completeUploadSession(id, s.upload_id, { parts }), "api_error", (e) => assert.equal(e.status, 409));
  });
  await rejectsKind(r.blobs.initUploadSession(id, { key: "x", size_bytes: 1, sha256: "abc" }), "local_error", (e) => assert.match(e.message, /64-character hex/));
  await rejectsKind(r.blobs.getUploadSession(id, "upl_missing"), "api_error", (e) => assert.equal(e.status, 404));
  const other = await withProject();
  const s = await r.blobs.initUploadSession(id, { key: "mine", size_bytes: 1 });
  await rejectsKind(other.r.blobs.getUploadSession(other.id, s.upload_id), "api_error", (e) => assert.equal(e.status, 404));
});

test("get returns the raw Response; ls pages with a cursor; rm deletes; sign presigns a GET", async () => {
  const { r, id } = await withProject();
  for (const key of ["a/1.txt", "a/2.txt", "a/sub dir/3.txt", "b/4.txt"]) await r.blobs.put(id, key, `content of ${key}`);
  const res = await r.blobs.get(id, "a/sub dir/3.txt");
  assert.ok(res instanceof Response);
  assert.equal(res.headers.get("content-type"), "text/plain");
  assert.equal(await res.text(), "content of a/sub dir/3.txt");

  const first = await r.blobs.ls(id, { prefix: "a/", limit: 2 });
  assert.deepEqual(first.blobs.map((b) => b.key), ["a/1.txt", "a/2.txt"]);
  assert.equal(first.blobs[0].size_bytes, "content of a/1.txt".length);
  assert.equal(typeof first.next_cursor, "string");
  const second = await r.blobs.ls(id, { prefix: "a/", limit: 2, cursor: first.next_cursor });
  assert.deepEqual(second.blobs.map((b) => b.key), ["a/sub dir/3.txt"]);
  assert.equal(second.next_cursor, null);
  await rejectsKind(r.blobs.ls(id, { limit: 0 }), "local_error");

  const signed = await r.blobs.sign(id, "b/4.txt", { ttl_seconds: 120 });
  assert.equal(signed.expires_in, 120);
  assert.equal(await (await fetch(signed.signed_url)).text(), "content of b/4.txt");
  await rejectsKind(r.blobs.sign(id, "b/4.txt", { ttl_seconds: 59 }), "local_error");
  await rejectsKind(r.blobs.sign(id, "b/4.txt", { ttl_seconds: 604801 }), "local_error");

  assert.equal(await r.blobs.rm(id, "a/sub dir/3.txt"), undefined);
  await rejectsKind(r.blobs.get(id, "a/sub dir/3.txt"), "api_error", (e) => {
    assert.equal(e.status, 404);
    assert.equal(e.message, "Downloading blob failed (HTTP 404)");
    assert.equal(typeof e.body, "string");
  });
  await rejectsKind(r.blobs.rm(id, "a/sub dir/3.txt"), "api_error", (e) => assert.equal(e.status, 404));
  assert.equal((await fetch(signed.signed_url)).status, 200);
});

test("the anon key cannot use storage; another project's key cannot read this one's blobs", async () => {
  const { r, id, project } = await withProject();
  await r.blobs.put(id, "k.txt", "mine");
  const { r: anon, credentials } = await client();
  credentials.projects.set(id, { anon_key: project.anon_key, service_key: project.anon_key });
  await rejectsKind(anon.blobs.ls(id), "unauthorized", (e) => assert.equal(e.status, 403));
  await rejectsKind(anon.blobs.get(id, "k.txt"), "api_error", (e) => assert.equal(e.status, 403));
  const other = await withProject();
  await rejectsKind(other.r.blobs.get(other.id, "k.txt"), "api_error", (e) => assert.equal(e.status, 404));
});

test("diagnoseUrl reports the edge's copy; waitFresh polls until an overwritten mutable URL is fresh", async () => {
  const { r, id } = await withProject();
  const v1 = await r.blobs.put(id, "site/data.json", '{"v":1}', { immutable: false });
  const url = v1.cdnMutableUrl;
  await fetch(url); // the edge caches v1
  const before = await storage();
  await storage({ invalidationMs: 400 });
  try {
    const v2 = await r.blobs.put(id, "site/data.json", '{"v":2}');
    assert.match(v2.cdn.invalidationId, /^I[0-9A-F]+$/);
    assert.equal(v2.cdn.invalidationStatus, "InProgress");
    const stale = await r.blobs.diagnoseUrl(id, url);
    assert.equal(stale.expectedSha256, sha('{"v":2}'));
    assert.equal(stale.observedSha256, sha('{"v":1}'));
    assert.equal(stale.pathKind, "blob-mutable");
    assert.equal(stale.cache.cacheKind, "mutable");
    assert.equal(stale.invalidation.id, v2.cdn.invalidationId);
    assert.equal(stale.vantage, "gateway-us-east-1");
    const waited = await r.blobs.waitFresh(id, { url, sha256: v2.sha256.toUpperCase(), timeoutMs: 5000 });
    assert.equal(waited.fresh, true);
    assert.equal(waited.observedSha256, v2.sha256);
    assert.ok(waited.attempts >= 2, `took ${waited.attempts} attempts`);
    assert.ok(waited.elapsedMs >= 300 && waited.elapsedMs < 5000, `${waited.elapsedMs} ms`);
    assert.equal(waited.vantage, "gateway-us-east-1");
    assert.equal(await (await fetch(url)).text(), '{"v":2}');
    const never = await r.blobs.waitFresh(id, { url, sha256: sha("other"), timeoutMs: 350 });
    assert.equal(never.fresh, false);
    assert.equal(never.observedSha256, v2.sha256);
    assert.ok(never.attempts >= 2 && never.elapsedMs >= 350);
  } finally {
    await storage({ invalidationMs: before.invalidationMs });
  }
  const immutable = await r.blobs.diagnoseUrl(id, (await r.blobs.put(id, "i.txt", "imm")).cdnUrl);
  assert.equal(immutable.pathKind, "blob-immutable");
  assert.equal(immutable.observedSha256, immutable.expectedSha256);
  const other = await withProject();
  await rejectsKind(other.r.blobs.diagnoseUrl(other.id, url), "unauthorized", (e) => assert.equal(e.status, 403));
  await rejectsKind(r.blobs.diagnoseUrl(id, "https://example.com/x"), "api_error", (e) => assert.equal(e.status, 400));
  await rejectsKind(r.blobs.waitFresh(id, { url, sha256: "x", timeoutMs: 0 }), "local_error");
});

test("waitFresh stops when its signal aborts", async () => {
  const { r, id } = await withProject();
  const ref = await r.blobs.put(id, "w.txt", "w", { immutable: false });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("enough")), 250);
  const started = Date.now();
  await rejectsKind(r.blobs.waitFresh(id, { url: ref.cdnMutableUrl, sha256: sha("never"), timeoutMs: 10_000, signal: controller.signal }), "network_error", (e) => assert.equal(e.code, "ABORTED"));
  assert.ok(Date.now() - started < 2000);
});

test("a scoped client's blobs drop the project id", async () => {
  const { r, id } = await withProject();
  const p = await r.project(id);
  const ref = await p.blobs.put("scoped.txt", "scoped");
  assert.equal(ref.key, "scoped.txt");
  assert.deepEqual((await p.blobs.ls()).blobs.map((b) => b.key), ["scoped.txt"]);
  assert.equal(await (await p.blobs.get("scoped.txt")).text(), "scoped");
});

test("a 48 MiB stream uploads in bounded memory: what it holds depends on the part size, not the content's", async () => {
  const { r, id } = await withProject();
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const { service_key: key } = await r.projects.keys(id);
  const child = new URL("./blobs-memory-child.mjs", import.meta.url).pathname;
  const partSize = 2 * 1048576;
  const out = await withPartSize(partSize, async () => {
    // Asynchronously: a simulator started by this file answers from this process.
    // Array buffers are swept synchronously with each collection, so a
    // sample after gc() sees what is held, not garbage awaiting its sweep
    // (concurrent sweeping made the same upload measure 12 to 16 MiB).
    const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--no-concurrent-array-buffer-sweeping", child, await simulator(), id, key, "48"], { encoding: "utf8" });
    return JSON.parse(stdout.trim());
  });
  const mib = (n) => (n / 1048576).toFixed(1);
  console.log(`# 48 MiB stream, 2 MiB parts: ${out.ms.toFixed(0)} ms, live buffers +${mib(out.peakBuffers)} MiB (+${mib(out.peakLive)} MiB with the JS heap), allocated +${mib(out.peakRaw)} MiB`);
  // One part being PUT (its bytes, which Node's fetch sends without a copy
  // of its own; its checksum is hashed as it is read, without a copy) and
  // the next one being read: two parts' worth by construction, whatever the
  // content's length. Measured 4.1 MiB (2.05 parts); the bound adds one part
  // for what a 10 ms sample can catch between a PUT ending and its buffers
  // being swept. A byte body (Node's fetch holds two copies of one while
  // it sends it: 3.05 parts) or two PUTs in flight exceed it.
  assert.ok(out.peakBuffers <= 3 * partSize, `live buffers grew by ${mib(out.peakBuffers)} MiB: over three ${mib(partSize)} MiB parts`);
  const listed = await r.blobs.ls(id, { prefix: "memory/" });
  assert.equal(listed.blobs[0].size_bytes, 48 * 1048576);
  await r.blobs.rm(id, "memory/large.bin");
});

test("a stream upload that fails or is aborted cancels the caller's stream and completes nothing", async () => {
  const { r, id } = await withProject();
  const watched = (bytes) => {
    const seen = { cancelled: false };
    let at = 0;
    seen.stream = new ReadableStream({
      async pull(controller) {
        if (at >= bytes.length) return controller.close();
        await new Promise((res) => setTimeout(res, 5));
        controller.enqueue(bytes.slice(at, at + 4096));
        at += 4096;
      },
      cancel() { seen.cancelled = true; },
    });
    return seen;
  };
  await withPartSize(64 * 1024, async () => {
    await fault({ match: { method: "PUT", path: "/sim-blobs/" }, status: 500, body: "boom" });
    const failing = watched(bytesOf(300 * 1024, 6));
    await rejectsKind(r.blobs.put(id, "cancel/fail.bin", failing.stream, { size: 300 * 1024 }), "api_error", (e) => assert.equal(e.status, 500));
    assert.equal(failing.cancelled, true, "a failed upload cancels its stream");

    const aborted = watched(bytesOf(300 * 1024, 7));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop")), 60);
    await rejectsKind(r.blobs.put(id, "cancel/abort.bin", aborted.stream, { size: 300 * 1024, signal: controller.signal }), "network_error", (e) => assert.equal(e.code, "ABORTED"));
    assert.equal(aborted.cancelled, true, "an aborted upload cancels its stream");
  });
  assert.deepEqual((await r.blobs.ls(id, { prefix: "cancel/" })).blobs, []);
});
