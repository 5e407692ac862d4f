// The uploading side of bench/blob-upload.mjs: blobs.put of a generated
// ReadableStream of <MiB> MiB to <apiBase>, sampling this process's memory
// every 5 ms. Prints {ms, sha256, peakBuffers, peakRss} as JSON (bytes).
import { Run402 } from "../pkg/entry-node.js";

const [apiBase, mib] = process.argv.slice(2);
const total = Number(mib) * 1024 * 1024;
const CHUNK = 64 * 1024;
let at = 0;
const stream = new ReadableStream({
  pull(controller) {
    if (at >= total) return controller.close();
    const n = Math.min(CHUNK, total - at);
    const chunk = new Uint8Array(n);
    for (let i = 0; i < n; i += 4096) chunk[i] = (at + i) & 255;
    at += n;
    controller.enqueue(chunk);
  },
}, { highWaterMark: 1 });

const r = new Run402({ apiBase, credentials: { getAuth: async () => null, getProject: async () => ({ anon_key: "a", service_key: "s" }) } });
const base = process.memoryUsage();
let peakBuffers = 0;
let peakRss = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers - base.arrayBuffers);
  peakRss = Math.max(peakRss, m.rss - base.rss);
}, 5);
const started = performance.now();
const ref = await r.blobs.put("prj_bench", "bench/large.bin", stream, { size: total });
const ms = performance.now() - started;
clearInterval(sampler);
console.log(JSON.stringify({ ms, sha256: ref.sha256, peakBuffers, peakRss }));
