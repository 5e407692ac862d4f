// The uploading side of bench/blob-upload.mjs: one 100 MiB-class upload of a
// generated ReadableStream, in its own process so the memory is its own.
//   node --expose-gc bench/child-blob-upload.mjs <ours|ref> <apiBase> <MiB> [live]
// ours: blobs.put(project, key, stream, { size }) from pkg/entry-node.js.
// ref:  @run402/sdk's assets.put takes bytes (a Uint8Array), never a stream,
//       so the stream is first read into one array (part of the workload, and
//       of the time and memory measured), then put.
// Memory is sampled every 5 ms against a baseline taken after a collection;
// with `live`, every sample forces a collection first (what is still held,
// not garbage V8 has yet to collect; slows the upload, so its time is not
// reported). Prints {ms, sha256, peakRss, peakBuffers, peakHeap} (bytes).
import { createHash } from "node:crypto";

import { generatedStream } from "../tests/js/generated-stream.mjs";

const [who, apiBase, mib, mode] = process.argv.slice(2);
if (!["ours", "ref"].includes(who)) throw new Error("usage: child-blob-upload.mjs <ours|ref> <apiBase> <MiB> [live]");
const total = Number(mib) * 1024 * 1024;
const live = mode === "live";

const source = () => generatedStream(total);

async function collect(stream) {
  const out = new Uint8Array(total);
  let at = 0;
  for await (const chunk of stream) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return at === total ? out : out.subarray(0, at);
}

const keys = { anon_key: "anon_bench", service_key: "service_bench" };
const credentials = { getAuth: async () => null, getProject: async () => keys };
let upload;
if (who === "ours") {
  const { Run402 } = await import("../pkg/entry-node.js");
  const r = new Run402({ apiBase, credentials });
  upload = () => r.blobs.put("prj_bench", "bench/large.bin", source(), { size: total });
} else {
  const { Run402 } = await import("@run402/sdk");
  const r = new Run402({ apiBase, credentials });
  upload = async () => r.assets.put("prj_bench", "bench/large.bin", await collect(source()));
}

const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 50));
  }
};
await settle();
const base = process.memoryUsage();
const peak = { rss: 0, arrayBuffers: 0, heapUsed: 0 };
const sampler = setInterval(() => {
  if (live) globalThis.gc();
  const m = process.memoryUsage();
  for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k] - base[k]);
}, live ? 10 : 5);
const started = performance.now();
const ref = await upload();
const ms = performance.now() - started;
clearInterval(sampler);

const expected = createHash("sha256");
for await (const chunk of source()) expected.update(chunk);
if (ref.sha256 !== expected.digest("hex")) throw new Error(`${who}: the uploaded sha256 ${ref.sha256} differs from the content's`);
console.log(JSON.stringify({ ms, sha256: ref.sha256, peakRss: peak.rss, peakBuffers: peak.arrayBuffers, peakHeap: peak.heapUsed }));
