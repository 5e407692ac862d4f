// blobs.put of a 100 MiB ReadableStream, ours beside @run402/sdk's
// assets.put, against bench/stub-gateway.mjs (its own process, 20 ms per
// request, 8 MiB parts, every part's length and checksum verified and each
// upload's whole SHA-256 checked before it completes). Each upload runs in a
// fresh child (bench/child-blob-upload.mjs), alternating which SDK goes
// first, twice per pass: once to time it (memory sampled every 5 ms, V8
// collecting when it likes) and once for what stays live (a collection
// before every 10 ms sample, array buffers swept synchronously).
//
// Usage: node bench/blob-upload.mjs [MiB=100] [passes=3]
// As a module: blobUpload({ mib, passes }) → {ours: Run[], ref: Run[], stats, partMiB, latencyMs}.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { startStub } from "./stub-process.mjs";

const run = promisify(execFile);
const CHILD = new URL("./child-blob-upload.mjs", import.meta.url).pathname;

export async function blobUpload({ mib = 100, passes = 3, latencyMs = 20, partMiB = 8 } = {}) {
  const stub = await startStub({ latencyMs, partMiB });
  const out = { ours: [], ref: [], stats: {}, mib, partMiB, latencyMs };
  try {
    for (let pass = 0; pass < passes; pass++) {
      for (const who of pass % 2 ? ["ref", "ours"] : ["ours", "ref"]) {
        const one = async (mode, flags) => {
          await stub.reset(); // an empty CAS: every byte is uploaded
          const { stdout } = await run(process.execPath, [...flags, CHILD, who, stub.url, String(mib), mode], { timeout: 120_000, maxBuffer: 1 << 20 });
          out.stats[who] = await stub.stats();
          return JSON.parse(stdout.trim());
        };
        const timed = await one("timed", ["--expose-gc"]);
        const live = await one("live", ["--expose-gc", "--no-concurrent-array-buffer-sweeping"]);
        out[who].push({ ms: timed.ms, rss: timed.peakRss, buffers: timed.peakBuffers, liveBuffers: live.peakBuffers, liveHeap: live.peakHeap, sha256: timed.sha256 });
      }
    }
  } finally {
    await stub.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [mib = 100, passes = 3] = process.argv.slice(2).map(Number);
  const r = await blobUpload({ mib, passes });
  const m = (n) => (n / 1048576).toFixed(1);
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(`${mib} MiB ReadableStream, ${r.partMiB} MiB parts, ${r.latencyMs} ms per request, ${passes} passes`);
  for (const who of ["ours", "ref"]) {
    const runs = r[who];
    console.log(`${who.padEnd(4)} wall ${runs.map((x) => x.ms.toFixed(0)).join(", ")} ms (median ${(mib / (median(runs.map((x) => x.ms)) / 1000)).toFixed(1)} MiB/s); ` +
      `live buffers +${runs.map((x) => m(x.liveBuffers)).join(", ")} MiB (${runs.map((x) => (x.liveBuffers / (r.partMiB << 20)).toFixed(2)).join(", ")} parts); ` +
      `RSS +${runs.map((x) => m(x.rss)).join(", ")} MiB; requests ${JSON.stringify(r.stats[who])}`);
  }
}
