// blobs.put of a large ReadableStream against a local stub that answers
// every request (session start, each part PUT, complete) after a fixed
// latency: wall time, throughput, and how far the uploading process's
// memory grew. The stub (this process) speaks the seed-era session wire and
// S3's part handling (Content-Length and x-amz-checksum-sha256 checked,
// ETag returned) without keeping the bytes; the upload runs in a child
// process (bench/child-blob-upload.mjs) so its memory is its own.
//
// Usage: node bench/blob-upload.mjs [MiB=100] [latencyMs=20] [partMiB=8]
// Not part of bench/run.mjs yet; 3.3.3's assets.put goes through the apply
// engine (plans, operations), which this stub does not speak, and holds the
// whole content as one Uint8Array (its `source` is bytes, never a stream).

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { promisify } from "node:util";

const [mib = 100, latency = 20, partMib = 8] = process.argv.slice(2).map(Number);
const PART = partMib * 1024 * 1024;
const sessions = new Map();
let nextId = 0;

const server = createServer(async (req, res) => {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    // Only parts are hashed; nothing is kept past the answer.
    chunks.push(c);
  }
  await new Promise((r) => setTimeout(r, latency));
  const url = new URL(req.url, "http://stub");
  const reply = (status, body, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  if (req.method === "POST" && url.pathname === "/storage/v1/uploads") {
    const init = JSON.parse(Buffer.concat(chunks));
    const id = `upl_${nextId++}`;
    const parts = [];
    for (let start = 0, n = 1; start < Math.max(init.size_bytes, 1); start += PART, n++) {
      parts.push({ part_number: n, url: `http://127.0.0.1:${server.address().port}/s3/${id}?partNumber=${n}`, byte_start: start, byte_end: Math.min(start + PART, init.size_bytes) - 1 });
    }
    sessions.set(id, { init, received: 0 });
    return reply(201, { upload_id: id, mode: parts.length > 1 ? "multipart" : "single", parts, part_count: parts.length, part_size_bytes: PART });
  }
  if (req.method === "PUT" && url.pathname.startsWith("/s3/")) {
    const session = sessions.get(url.pathname.slice(4));
    const digest = createHash("sha256");
    for (const c of chunks) digest.update(c);
    const b64 = digest.digest("base64");
    if (req.headers["content-length"] !== String(size) || req.headers["x-amz-checksum-sha256"] !== b64) return reply(400, { error: "bad part" });
    session.received += size;
    return reply(200, undefined, { etag: `"${b64.slice(0, 16)}"` });
  }
  const done = /^\/storage\/v1\/uploads\/(upl_\d+)\/complete$/.exec(url.pathname);
  if (req.method === "POST" && done) {
    const session = sessions.get(done[1]);
    const body = JSON.parse(Buffer.concat(chunks));
    if (session.received !== session.init.size_bytes) return reply(400, { error: "incomplete" });
    return reply(200, {
      key: session.init.key, size_bytes: session.received, sha256: body.sha256 ?? null, visibility: "public",
      content_type: session.init.content_type, url: null, immutable_url: null,
    });
  }
  reply(404, { error: "not_found" });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));

const child = new URL("./child-blob-upload.mjs", import.meta.url).pathname;
const { stdout } = await promisify(execFile)(process.execPath, [child, `http://127.0.0.1:${server.address().port}`, String(mib)], { encoding: "utf8", maxBuffer: 1 << 20 });
server.close();
const out = JSON.parse(stdout.trim());
const m = (n) => (n / 1048576).toFixed(1);
console.log(`blobs.put, ${mib} MiB ReadableStream, ${partMib} MiB parts, ${latency} ms per request:`);
console.log(`  ${out.ms.toFixed(0)} ms wall, ${(mib / (out.ms / 1000)).toFixed(1)} MiB/s`);
console.log(`  peak growth: ${m(out.peakBuffers)} MiB array buffers, ${m(out.peakRss)} MiB RSS (sampled every 5 ms, no forced GC)`);
console.log(`  = ${(out.peakBuffers / PART).toFixed(1)} part sizes of array buffers; sha256 ${out.sha256}`);
