// Runs the hostile cases in a worker thread, so a case that hangs the
// thread synchronously (a loop inside wasm cannot be interrupted by a timer)
// is caught by the watchdog in hostile.test.mjs instead of stalling the run.
// Messages to the parent: { total }, { at: index } before each case,
// { fail: { index, section, label, detail } }, and { done: measurements }.
import { parentPort, workerData } from "node:worker_threads";

import * as sdk from "../../pkg/entry-node.js";
import { __stackProbe, __wasmMemory } from "../../pkg/run402_sdk_wasm.js";
import { buildCases, goodProvider, usageOf, stubFetch, isSettledBatch, PROVIDER_METHODS } from "./hostile-cases.mjs";
import { ERROR_CLASSES } from "../../pkg/errors.js";

const { table, simUrl, skip, from, perCallMs } = workerData;
const skipped = new Set(skip);
const KINDS = new Set(Object.keys(ERROR_CLASSES));
const post = (m) => parentPort.postMessage(m);

/** Why `e` is not an acceptable failure, or null if it is a typed SDK error. */
function untyped(e) {
  if (!(e instanceof sdk.Run402Error) || !sdk.isRun402Error(e)) {
    const name = e?.constructor?.name ?? typeof e;
    let text;
    try { text = String(e?.message ?? e); } catch { text = "(unprintable)"; }
    return `${name}: ${text.slice(0, 200)}`;
  }
  if (!KINDS.has(e.kind)) return `a Run402Error with unknown kind ${e.kind}`;
  if (typeof e.message !== "string") return "a Run402Error without a string message";
  try {
    JSON.stringify(e);
  } catch (err) {
    // A body the server nested 100,000 deep cannot be stringified by anyone;
    // that is the document, not the SDK. Anything else is the SDK's.
    let bodyAlone = true;
    try { JSON.stringify(e.body); } catch { bodyAlone = false; }
    if (bodyAlone) return `JSON.stringify(error) throws: ${err.message}`;
  }
  return null;
}

const timeout = (ms) => new Promise((resolve) => setTimeout(() => resolve(HUNG), ms).unref());
const HUNG = Symbol("hung");

/** Runs one case; returns a failure description or null. */
async function check(c) {
  let pending;
  try {
    pending = c.run();
  } catch (e) {
    if (!c.sync) return `threw synchronously instead of rejecting: ${untyped(e) ?? `${e.kind}: ${e.message}`}`;
    const why = untyped(e);
    return why && `threw ${why}`;
  }
  let outcome;
  try {
    outcome = await Promise.race([Promise.resolve(pending).then((value) => ({ ok: true, value })), timeout(perCallMs)]);
  } catch (e) {
    const why = untyped(e);
    return why && `rejected with ${why}`;
  }
  if (outcome === HUNG) return `did not settle within ${perCallMs} ms`;
  const value = outcome.value;
  if (Array.isArray(value) && isSettledBatch(value)) {
    for (const [i, r] of value.entries()) {
      if (!r.ok) {
        const why = untyped(r.error);
        if (why) return `call ${i} rejected with ${why}`;
      }
    }
  }
  return null;
}

async function healthy(section, old) {
  // The same instance: the client the cases used, a new one on the stub,
  // and a new one against the simulator.
  const fresh = new sdk.Run402({ apiBase: "https://api.hostile.test", credentials: goodProvider(), fetch: stubFetch });
  const stubCall = (r) => async () => {
    const v = await r.projects.getUsage("prj_1");
    if (JSON.stringify(v) !== "{}") throw new Error(`got ${JSON.stringify(v)}`);
  };
  const checks = [
    ["the cases' own client", stubCall(old)],
    ["a new client on the stub", stubCall(fresh)],
    ["simulator call", async () => {
      const keys = new Map();
      const r = new sdk.Run402({ apiBase: simUrl, credentials: { getAuth: () => null, getProject: (id) => keys.get(id) ?? null, saveProject: (id, k) => { keys.set(id, k); } } });
      const health = await r.service.health();
      if (health?.status !== "healthy" && health?.status !== "ok") throw new Error(`health ${JSON.stringify(health)}`);
      const p = await r.projects.provision({ tier: "prototype" });
      const out = await r.projects.sql(p.project_id, "SELECT 40 + 2 AS n");
      if (JSON.stringify(out).indexOf("42") < 0) throw new Error(`sql gave ${JSON.stringify(out)}`);
    }],
  ];
  const failures = [];
  for (const [label, run] of checks) {
    try {
      await run();
    } catch (e) {
      failures.push(`${section}: ${label} failed: ${e?.constructor?.name}: ${e?.message}`);
    }
  }
  return failures;
}

const stack0 = __stackProbe();
const memory = __wasmMemory();
const mem0 = memory.buffer.byteLength;

const usage = await usageOf();
const exercised = new Set(Object.values(usage).flatMap((s) => [...s]));
const root = new sdk.Run402({ apiBase: "https://api.hostile.test", credentials: goodProvider(), fetch: stubFetch });
const scoped = await root.project("prj_1");
const cases = buildCases(table, { root, scoped, usage });
post({ total: cases.length, unexercised: PROVIDER_METHODS.filter((m) => !exercised.has(m)) });

// Pass 1 reports every failure and every case that moves the stack
// pointer, as it happens (a trap may end the worker at any point; the
// parent then starts a fresh one after the case that killed this one).
// Pass 2 repeats the same cases to see whether memory keeps growing.
const memAfter = [];
const started = performance.now();
let stack1;
for (let pass = 1; pass <= 2; pass++) {
  for (const [index, c] of cases.entries()) {
    if (index < from || skipped.has(index)) continue;
    // Progress in both passes: the parent's watchdog needs it to tell a
    // hang from a long pass.
    post({ at: index, label: pass === 1 ? c.label : `${c.label} (pass 2)` });
    const sp = __stackProbe();
    const detail = await check(c);
    const moved = sp - __stackProbe();
    if (pass === 1 && detail) post({ fail: { index, section: c.section, label: c.label, detail } });
    if (pass === 1 && moved !== 0) post({ leak: { section: c.section, label: c.label, bytes: moved } });
  }
  memAfter.push(memory.buffer.byteLength);
  if (pass === 1) {
    stack1 = __stackProbe();
    post({ pass1Ms: performance.now() - started });
  }
}
const unhealthy = await healthy("after the hostile cases", root);
post({
  done: {
    from, stack0, stack1, stack2: __stackProbe(), mem0, memAfter, unhealthy, ms: performance.now() - started,
  },
});
