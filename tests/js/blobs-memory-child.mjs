// Uploads a generated ReadableStream with blobs.put in its own process and
// prints how far this process's memory grew while it ran: for
// blobs.test.mjs (bounded memory). Usage:
//   node --expose-gc --no-concurrent-array-buffer-sweeping blobs-memory-child.mjs <apiBase> <projectId> <serviceKey> <MiB>
// Prints one JSON line: {bytes, ms, sha256, peakLive (array buffers + JS heap
// after a forced collection), peakBuffers (array buffers alone), peakRaw
// (without forcing a collection), baseline} (bytes; ms for the upload).
import { createHash } from "node:crypto";

import { Run402 } from "../../pkg/entry-node.js";
import { generatedStream } from "./generated-stream.mjs";

const [apiBase, projectId, serviceKey, mib] = process.argv.slice(2);
const total = Number(mib) * 1024 * 1024;

const source = () => generatedStream(total);

const used = () => { const m = process.memoryUsage(); return m.arrayBuffers + m.heapUsed; };
const buffers = () => process.memoryUsage().arrayBuffers;
// ArrayBuffer memory is given back some time after a collection: settle first.
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 100));
  }
};
await settle();
const baseline = used();
const baseBuffers = buffers();
let peakRaw = 0;
let peakLive = 0;
let peakBuffers = 0;
// Raw: what is allocated, garbage included (when V8 collects is its choice).
// Live: after a forced collection, what the upload still holds.
const sampler = setInterval(() => {
  peakRaw = Math.max(peakRaw, used() - baseline);
  globalThis.gc();
  peakLive = Math.max(peakLive, used() - baseline);
  peakBuffers = Math.max(peakBuffers, buffers() - baseBuffers);
}, 10);

// With RUN402_STUB_PUT=1, part PUTs are answered here after reading the
// body, without undici: what the SDK itself holds, apart from fetch's copies.
const stubPut = process.env.RUN402_STUB_PUT === "1";
const fetchFn = stubPut
  ? async (url, init) => {
    if (init?.method !== "PUT") return fetch(url, init);
    const n = init.body.byteLength;
    await new Promise((r) => setTimeout(r, 5));
    return new Response(null, { status: 200, headers: { etag: `"${n}"` } });
  }
  : undefined;
const r = new Run402({ apiBase, fetch: fetchFn, credentials: { getAuth: async () => null, getProject: async () => ({ anon_key: "", service_key: serviceKey }) } });
const started = performance.now();
// A stub keeps the parts, so the simulator refuses to complete: expected then.
const ref = await r.blobs.put(projectId, "memory/large.bin", source(), { size: total }).catch((e) => {
  if (stubPut && e.status === 400) return { sha256: null };
  throw e;
});
const ms = performance.now() - started;
clearInterval(sampler);
// The content once more, hashed here after the measurement.
const expected = createHash("sha256");
{
  const stream = source().getReader();
  for (;;) {
    const { done, value } = await stream.read();
    if (done) break;
    expected.update(value);
  }
}

if (!stubPut && ref.sha256 !== expected.digest("hex")) throw new Error("the uploaded sha256 differs from the content's");
console.log(JSON.stringify({ bytes: total, ms, sha256: ref.sha256, peakLive, peakBuffers, peakRaw, baseline }));
