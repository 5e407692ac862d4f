// The deploying side of bench/deploy-site.mjs: one sites.deployDir of <dir>
// to <apiBase>, in its own process so the memory is its own.
//   node --expose-gc bench/child-deploy.mjs <ours|ref> <apiBase> <dir>
// ours: run402().sites.deployDir from @run402/sdk-wasm/node (pkg/node.js);
// ref:  run402().sites.deployDir from @run402/sdk/node (its paid fetch off:
//       nothing here is paid, and it would look for a chain).
// Both get the same credentials object (the project's keys; no sign-in
// header, which the stub does not check). Memory is sampled every 5 ms.
// Prints {ms, result, peakRss (absolute), rssGrowth, peakBuffers, peakHeap, baseRss,
// atPeak: growth of heapTotal, heapUsed, external, arrayBuffers at the RSS peak,
// spacesAtPeak: V8's new and old space, resident bytes, at the RSS peak} (bytes).
// The new space is worth watching: V8 doubles it (up to 2 × 16 MiB) as more
// young objects survive its scavenges, and every fetch in Node 20 leaves some
// that do (its body streams and registrations live until a full GC).
import { getHeapSpaceStatistics } from "node:v8";

const [who, apiBase, dir] = process.argv.slice(2);
if (!["ours", "ref"].includes(who) || !dir) throw new Error("usage: child-deploy.mjs <ours|ref> <apiBase> <dir>");

const keys = { anon_key: "anon_bench", service_key: "service_bench" };
const credentials = { getAuth: async () => null, getProject: async () => keys };
// BENCH_OURS_NODE: another build's node.js (a path), to compare builds.
const ours = process.env.BENCH_OURS_NODE ? new URL(`file://${process.env.BENCH_OURS_NODE}`).href : "../pkg/node.js";
const { run402 } = who === "ours" ? await import(ours) : await import("@run402/sdk/node");
const r = who === "ours" ? run402({ apiBase, credentials }) : run402({ apiBase, credentials, disablePaidFetch: true });
if (typeof r.sites?.deployDir !== "function") throw new Error(`${who}: sites.deployDir is missing`);

for (let i = 0; i < 3; i++) {
  globalThis.gc?.();
  await new Promise((res) => setTimeout(res, 50));
}
const base = process.memoryUsage();
const peak = { rss: 0, arrayBuffers: 0, heapUsed: 0 };
// Where the memory is at the RSS peak: V8's heap, array buffers, the rest.
let atPeak = base;
let spacesAtPeak = {};
const spaces = () => Object.fromEntries(getHeapSpaceStatistics().filter((x) => x.space_name === "new_space" || x.space_name === "old_space").map((x) => [x.space_name, x.physical_space_size]));
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss - base.rss > peak.rss) {
    atPeak = m;
    spacesAtPeak = spaces();
  }
  for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k] - base[k]);
}, 5);
const started = performance.now();
const result = await r.sites.deployDir({ project: "prj_bench", dir });
const ms = performance.now() - started;
clearInterval(sampler);
const grew = Object.fromEntries(["heapTotal", "heapUsed", "external", "arrayBuffers"].map((k) => [k, atPeak[k] - base[k]]));
console.log(JSON.stringify({ ms, result, peakRss: base.rss + peak.rss, rssGrowth: peak.rss, peakBuffers: peak.arrayBuffers, peakHeap: peak.heapUsed, baseRss: base.rss, atPeak: grew, spacesAtPeak }));
