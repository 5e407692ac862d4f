// Hostile input, generated from the method table (tests/js/hostile-cases.mjs):
// every parameter, provider result, fetch result, client option and JS
// export is fed every value of tests/js/hostile-values.mjs. Each call must
// end in a typed Run402Error or a result: never a RuntimeError, a plain
// TypeError, a synchronous throw from an async method, or a hang. Afterwards
// the instance must still work (stub and simulator calls, old and new
// clients), the wasm shadow-stack pointer must be where it started, and a
// second pass over every case must not grow wasm memory.
//
// The cases run in a worker (hostile-worker.mjs) watched from here: a case
// that never returns control (a synchronous loop inside wasm) is recorded as
// a hang, and the worker is restarted without it, so one hang cannot hide
// every later case.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { Worker } from "node:worker_threads";

import { simulator } from "./helpers.mjs";
import { HOSTILE } from "./hostile-values.mjs";
import { surface } from "../../pkg/run402_sdk_wasm.js";

const PER_CALL_MS = 5000;        // an async case that has not settled by then has hung
const WATCHDOG_MS = 30000;       // no progress message for this long: the thread is stuck
const MAX_WORKERS = 40;        // a bound on restarts, so a broken build cannot loop for ever
// One 64 KiB page of slack per pass: the allocator (src/heap.rs) may split a free run
// differently the second time round. A real leak is far larger: the
// issue's `{length: 4e6}` case alone grew memory by ~4 MB per call.
const MEMORY_SLACK = 65536;

const root = new URL("../..", import.meta.url).pathname;

/** The method table with parameter names and types (native build). */
function methodTable() {
  const text = execFileSync("cargo", ["run", "--quiet", "--example", "surface_json"], { cwd: root, encoding: "utf8" });
  return JSON.parse(text);
}

function runWorker(data) {
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./hostile-worker.mjs", import.meta.url), { workerData: data });
    const run = { failures: [], leaks: [], at: -1, atLabel: null, total: 0, done: null, hung: null, crashed: null };
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => { run.hung = { index: run.at, label: run.atLabel }; worker.terminate(); }, WATCHDOG_MS);
    };
    arm();
    worker.on("message", (m) => {
      arm();
      if ("total" in m) { run.total = m.total; run.unexercised = m.unexercised; }
      if ("at" in m) { run.at = m.at; run.atLabel = m.label; }
      if (m.fail) run.failures.push(m.fail);
      if (m.leak) run.leaks.push(m.leak);
      if (m.pass1Ms) run.pass1Ms = m.pass1Ms;
      if (m.done) run.done = m.done;
    });
    worker.on("error", (e) => { run.crashed = { index: run.at, label: run.atLabel, error: String(e?.stack ?? e).split("\n")[0] }; });
    worker.on("exit", () => { clearTimeout(timer); resolve(run); });
  });
}

// All workers' findings: a hang skips its case; a crash (a trap that kills
// the instance) restarts after its case, so every case still runs once.
let result;

before(async () => {
  const table = methodTable();
  // The example and the wasm build print the same table (a stale pkg/ or
  // example would make the cases miss methods).
  const names = (t) => t.namespaces.map((ns) => `${ns.name}:${ns.methods.map((m) => m.name).join(",")}`);
  assert.deepEqual(names(table), names(JSON.parse(surface())));
  const simUrl = await simulator();
  const all = { failures: [], leaks: [], hangs: [], crashes: [], total: 0, unexercised: null, done: null, workers: 0 };
  const skip = [];
  let from = 0;
  while (all.workers < MAX_WORKERS) {
    const run = await runWorker({ table, simUrl, skip, from, perCallMs: PER_CALL_MS });
    all.workers += 1;
    all.failures.push(...run.failures);
    all.leaks.push(...run.leaks);
    all.total ||= run.total;
    all.unexercised ??= run.unexercised;
    if (run.done) { all.done = run.done; all.pass1Ms = run.pass1Ms; break; }
    // A hang or a crash in pass 2 restarts after that case too (its pass-1
    // findings are already in); from is only ever raised.
    if (run.hung) { all.hangs.push(run.hung); skip.push(run.hung.index); from = Math.max(from, run.hung.index + 1); continue; }
    all.crashes.push(run.crashed ?? { index: run.at, label: run.atLabel, error: "the worker exited" });
    from = Math.max(from, run.at + 1);
  }
  // A restart after a pass-2 failure re-runs some pass-1 cases: count each once.
  const once = (list) => [...new Map(list.map((x) => [x.label, x])).values()];
  all.failures = once(all.failures);
  all.leaks = once(all.leaks);
  result = all;
}, { timeout: 20 * 60 * 1000 });

// The hostile value a case label names (the longest catalogue label in it).
const VALUE_LABELS = HOSTILE.map(([label]) => label).sort((a, b) => b.length - a.length);
const valueOf = (label) => VALUE_LABELS.find((v) => label.includes(v)) ?? "(other)";

/** The first failures in full, then how many failed per hostile value. */
function report(failures, limit = 40) {
  const lines = failures.slice(0, limit).map((f) => `  ${f.label}: ${f.detail}`);
  if (failures.length > limit) lines.push(`  ... and ${failures.length - limit} more`);
  const tally = {};
  for (const f of failures) tally[valueOf(f.label)] = (tally[valueOf(f.label)] ?? 0) + 1;
  lines.push("  failures by hostile value:", ...Object.entries(tally).map(([v, n]) => `    ${v}: ${n}`));
  return lines.join("\n");
}

const section = (name) => result.failures.filter((f) => f.section === name);

/** The end-of-suite measurements, only if one instance ran every case. */
function wholeSuite(what) {
  assert.ok(result.done, `no worker finished, so ${what} was not measured`);
  assert.equal(result.done.from, 0, `the instance died during the suite (see the first test), so ${what} ` +
    `was measured on a fresh instance that ran only cases ${result.done.from}..${result.total - 1}`);
  return result.done;
}

test("the suite ran to the end in one instance", () => {
  const { hangs, crashes } = result;
  assert.ok(result.total > 5000, `only ${result.total} cases were generated`);
  assert.deepEqual(hangs, [], `cases hung the thread (no progress for ${WATCHDOG_MS} ms) and were skipped:\n` +
    hangs.map((h) => `  ${h.label}`).join("\n"));
  assert.equal(crashes.length, 0, `the wasm instance died ${crashes.length} times (a fresh worker continued after each):\n` +
    crashes.slice(0, 20).map((c) => `  after ${c.label}: ${c.error}`).join("\n"));
  assert.ok(result.done, `the last worker did not finish (${result.workers} workers)`);
  // Every provider method except updateProject is used by some probe call:
  // only email calls it, after the gateway lists or makes a mailbox, which
  // no hostile answer does.
  assert.deepEqual(result.unexercised, ["updateProject"], "provider methods no probe call reaches");
});

for (const name of ["params", "providers", "fetch", "options", "exports"]) {
  test(`hostile ${name}: typed errors or results only`, () => {
    const failures = section(name);
    assert.equal(failures.length, 0, `${failures.length} ${name} cases failed:\n${report(failures)}`);
  });
}

test("no case moves the wasm shadow-stack pointer", () => {
  const { leaks } = result;
  const total = leaks.reduce((n, l) => n + l.bytes, 0);
  const tally = {};
  for (const l of leaks) tally[valueOf(l.label)] = (tally[valueOf(l.label)] ?? 0) + 1;
  assert.equal(leaks.length, 0, `${leaks.length} cases moved the shadow stack by ${total} bytes in all:\n` +
    leaks.slice(0, 40).map((l) => `  ${l.label}: ${l.bytes} bytes`).join("\n") +
    "\n  leaking cases by hostile value:\n" + Object.entries(tally).map(([v, n]) => `    ${v}: ${n}`).join("\n"));
  const done = wholeSuite("the end-of-suite stack pointer");
  assert.equal(done.stack1, done.stack0, "the stack pointer after pass 1");
  assert.equal(done.stack2, done.stack0, "the stack pointer after pass 2");
});

test("a second pass over every case does not grow wasm memory", (t) => {
  assert.ok(result.done, "no worker finished, so memory was not measured");
  const { mem0, memAfter, from, ms } = result.done;
  t.diagnostic(`${result.total} cases; the last worker ran cases ${from}.. twice in ${Math.round(ms)} ms ` +
    `(pass 1 ${Math.round(result.pass1Ms)} ms); wasm memory ${mem0} -> ${memAfter.join(" -> ")} bytes`);
  wholeSuite("wasm memory");
  const [afterFirst, afterSecond] = memAfter;
  assert.ok(afterSecond - afterFirst <= MEMORY_SLACK,
    `wasm memory ${mem0} -> ${afterFirst} after pass 1 -> ${afterSecond} after pass 2 (bytes)`);
});

test("the instance is healthy afterwards: old and new clients, stub and simulator", () => {
  assert.deepEqual(wholeSuite("health").unhealthy, []);
});
