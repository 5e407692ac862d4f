// 100,000 calls leave wasm memory and the JS heap flat. The mix: successes
// against a stub fetch, HTTP errors, local argument errors, provider
// failures, fetch rejections, and now and then a real call against the
// simulator. Memory is sampled after every round of 10,000 calls, after a
// full garbage collection, and judged on the rounds after a warm-up round
// (the first calls size the allocator's pools and V8's caches).
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";

import { sdk, simulator } from "./helpers.mjs";
import { __stackProbe, __wasmMemory } from "../../pkg/run402_sdk_wasm.js";

const { Run402 } = sdk;

const ROUNDS = Number(process.env.MEMORY_ROUNDS ?? 10);
const PER_ROUND = 10000;
const BATCH = 200;                 // calls in flight at once

// wasm memory only grows, by 64 KiB pages, and never shrinks: a leak shows
// as growth after the warm-up. One page of slack covers the allocator
// placing the same workload differently; a leak of even 10 bytes a call
// would need 90,000 × 10 bytes ≈ 14 pages.
const WASM_SLACK = 65536;
// The JS heap after a full GC still moves by a few hundred KiB between
// samples (compiled code, inline caches, the test runner's own bookkeeping).
// 2 MiB over 90,000 calls is ~23 bytes a call: a leaked promise, closure or
// error object per call (≥ 100 bytes) would exceed it several times over.
const HEAP_SLACK = 2 * 1024 * 1024;

v8.setFlagsFromString("--expose_gc");
const gc = vm.runInNewContext("gc");

const headers = { get: (name) => (name.toLowerCase() === "content-type" ? "application/json" : null) };
const answer = (status, text) => ({ status, headers, text: async () => text });

// Routes by path: usage succeeds, health is a 500, SQL is a 403 with an
// envelope, schema rejects like a dead network.
function stubFetch(url) {
  if (url.endsWith("/usage")) return answer(200, '{"api_calls":1}');
  if (url.endsWith("/health")) return answer(500, '{"message":"down"}');
  if (url.endsWith("/sql")) return answer(403, '{"message":"no","code":"FORBIDDEN","retryable":false}');
  return Promise.reject(new TypeError("fetch failed"));
}

function clients() {
  const keys = () => ({ anon_key: "anon-k", service_key: "svc-k" });
  const good = new Run402({ apiBase: "https://api.memory.test", credentials: { getAuth: () => null, getProject: keys }, fetch: stubFetch });
  const badProvider = new Run402({ apiBase: "https://api.memory.test", fetch: stubFetch,
    credentials: { getAuth: () => null, getProject: async () => { throw new Error("vault down"); } } });
  return { good, badProvider };
}

/** One call of the mix; resolves to its kind of outcome. */
function call(i, { good, badProvider }) {
  switch (i % 10) {
    case 6: return good.service.health().catch((e) => e.kind);            // ApiError 500
    case 7: return good.projects.sql("prj_1", 42).catch((e) => e.kind);   // LocalError, no request
    case 8: return badProvider.projects.getUsage("prj_1").catch((e) => e.kind); // provider failure
    case 9: return good.projects.getSchema("prj_1").catch((e) => e.kind); // NetworkError
    default: return good.projects.getUsage("prj_1").then((v) => (v.api_calls === 1 ? "ok" : "wrong"));
  }
}

function sample() {
  gc();
  gc();
  return { wasm: __wasmMemory().buffer.byteLength, heap: process.memoryUsage().heapUsed };
}

test("100,000 mixed calls leave wasm memory and the JS heap flat", { timeout: 120000 }, async (t) => {
  const c = clients();
  const real = new Run402({ apiBase: await simulator(), credentials: { getAuth: () => null, getProject: () => null } });
  const stack0 = __stackProbe();
  const samples = [];
  const outcomes = {};
  const t0 = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    for (let start = 0; start < PER_ROUND; start += BATCH) {
      const batch = [];
      for (let i = start; i < start + BATCH; i++) batch.push(call(i, c));
      for (const o of await Promise.all(batch)) outcomes[o] = (outcomes[o] ?? 0) + 1;
    }
    const health = await real.service.health();
    assert.equal(health.status, "ok", "a real call against the simulator in every round");
    samples.push(sample());
  }
  const ms = performance.now() - t0;
  const calls = ROUNDS * PER_ROUND;
  t.diagnostic(`${calls} calls in ${Math.round(ms)} ms (${Math.round(calls / (ms / 1000))} calls/s); outcomes ${JSON.stringify(outcomes)}`);
  t.diagnostic(`wasm bytes per round: ${samples.map((s) => s.wasm).join(", ")}`);
  t.diagnostic(`heap KiB per round: ${samples.map((s) => Math.round(s.heap / 1024)).join(", ")}`);

  // Every kind of outcome happened as often as the mix says.
  assert.deepEqual(outcomes, { ok: calls * 6 / 10, api_error: calls / 10, local_error: calls * 2 / 10, network_error: calls / 10 });
  assert.equal(__stackProbe(), stack0, "the shadow-stack pointer is where it started");

  const [warm, ...rest] = samples;
  const last = samples[samples.length - 1];
  assert.ok(last.wasm - warm.wasm <= WASM_SLACK, `wasm memory grew ${last.wasm - warm.wasm} bytes after the warm-up round`);
  assert.ok(last.heap - warm.heap <= HEAP_SLACK, `the JS heap grew ${last.heap - warm.heap} bytes after the warm-up round`);
  // Trend: a leak grows every round; noise goes up and down. Fail if the
  // heap rose in every one of the nine rounds after the warm-up and by more
  // than half the slack in all.
  const rises = rest.filter((s, i) => s.heap > (i === 0 ? warm : rest[i - 1]).heap).length;
  assert.ok(!(rises === rest.length && last.heap - warm.heap > HEAP_SLACK / 2),
    `the JS heap grew in every round: ${samples.map((s) => s.heap).join(", ")}`);
});
