// The task driver's parts, each alone, through the built
// package with the test hooks (pkg-test/, cargo feature test-hooks, see
// src/wasm/hooks.rs): joins of host promises, a channel between two tasks,
// cancellation, sleep, event streams and re-entrancy. Each hook is started
// with Client.start and driven by the same loop (js/driver.js) as every SDK
// call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";

const pkgTest = new URL("../../pkg-test/", import.meta.url);
if (!existsSync(new URL("entry-node.js", pkgTest))) {
  throw new Error("pkg-test/ is missing: run `./dev test-hooks` (./dev test builds it)");
}
await import(new URL("entry-node.js", pkgTest).href); // instantiates pkg-test's wasm
const { Client } = await import(new URL("run402_sdk_wasm.js", pkgTest).href);
const host = await import(new URL("host.js", pkgTest).href);
const { run, operation } = await import(new URL("driver.js", pkgTest).href);
const { isRun402Error } = await import(new URL("errors.js", pkgTest).href);

const HOOK = 0xffff0000;
const [JOIN, SEND, RECV, HANG, DROPS, SLEEP, EVENTS, EMITTED, REENTER, GUARDED] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const client = new Client({
  apiBase: "https://api.test",
  credentials: { getAuth: () => null, getProject: () => null },
  fetch: async () => { throw new Error("the hooks never fetch"); },
}, host);
const NO_LIMITS = { timeoutMs: 0, signal: undefined };
const hook = (n, args = [], control = NO_LIMITS) => run(client, HOOK + n, undefined, args, control);
const drops = () => hook(DROPS);

function deferred() {
  let resolve, reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}

const ticks = async (n = 5) => { for (let i = 0; i < n; i++) await null; };

test("a join of host promises settles in any order, keeps input order and never has more than `limit` outstanding", async () => {
  const parts = [];
  let settled = 0;
  let peak = 0;
  const factory = (i) => {
    const d = deferred();
    parts[i] = d;
    peak = Math.max(peak, parts.filter(Boolean).length - settled);
    return d.promise;
  };
  const joined = hook(JOIN, [factory, 6, 3]);
  assert.equal(parts.length, 3, "the first poll starts `limit` parts");
  // Settle whatever is outstanding, newest first, until every part ran.
  while (settled < 6) {
    const open = parts.map((d, i) => [d, i]).filter(([d]) => !d.done);
    const [d, i] = open[open.length - 1];
    d.done = true;
    settled++;
    d.resolve(`v${i}`);
    await ticks();
  }
  assert.deepEqual(await joined, ["v0", "v1", "v2", "v3", "v4", "v5"]);
  assert.equal(parts.length, 6);
  assert.equal(peak, 3, "at most three parts outstanding");
});

test("a rejected part fails the join, the rest are abandoned, and their late outcomes are ignored", async () => {
  const parts = [];
  const failing = hook(JOIN, [(i) => (parts[i] = deferred()).promise, 3, 3]);
  parts[1].reject(new Error("part 1 failed"));
  const e = await failing.then(() => null, (x) => x);
  assert.ok(isRun402Error(e) && e.kind === "local_error", `${e}`);
  assert.equal(e.cause.message, "part 1 failed");
  // The handle is free again; new calls reuse it while the old parts settle.
  const again = [hook(GUARDED, [Promise.resolve("a")]), hook(GUARDED, [Promise.resolve("b")])];
  parts[0].resolve("late");
  parts[2].reject(new Error("late too"));
  assert.deepEqual(await Promise.all(again), ["a", "b"]);
  const d = deferred();
  const one = hook(JOIN, [() => d.promise, 1, 1]);
  d.resolve("fresh");
  assert.deepEqual(await one, ["fresh"]);
});

test("a channel between two tasks: backpressure wakes the sender, the end wakes the receiver, in either start order", async () => {
  const received = hook(RECV, ["c1"]);
  const sent = hook(SEND, ["c1", [1, 2, 3, 4, 5]]);
  assert.equal(await sent, 5);
  assert.deepEqual(await received, [1, 2, 3, 4, 5]);
  const sentFirst = hook(SEND, ["c2", ["x", "y", "z"]]);
  await delay(5);
  const receivedLater = hook(RECV, ["c2"]);
  assert.deepEqual(await Promise.all([sentFirst, receivedLater]), [3, ["x", "y", "z"]]);
});

test("cancelling a call drops its future (its destructors run) and fails it with NetworkError ABORTED", async () => {
  const before = await drops();
  const ac = new AbortController();
  const hung = hook(HANG, [], { timeoutMs: 0, signal: ac.signal });
  setTimeout(() => ac.abort(new Error("user left")), 20);
  const e = await hung.then(() => null, (x) => x);
  assert.ok(isRun402Error(e), `${e}`);
  assert.equal(e.kind, "network_error");
  assert.equal(e.code, "ABORTED");
  assert.equal(e.cause.message, "user left");
  assert.equal(await drops(), before + 1, "the hanging future was dropped");
  // Already aborted: cancelled on the first wait.
  const e2 = await hook(HANG, [], { timeoutMs: 0, signal: AbortSignal.abort() }).then(() => null, (x) => x);
  assert.equal(e2.code, "ABORTED");
  assert.equal(await drops(), before + 2);
  // On the fast path (one host promise) the wait itself obeys the signal and timeout.
  const ac3 = new AbortController();
  const fast = hook(GUARDED, [new Promise(() => {})], { timeoutMs: 0, signal: ac3.signal });
  setTimeout(() => ac3.abort(), 10);
  assert.equal((await fast.then(() => null, (x) => x)).code, "ABORTED");
  const timed = await hook(GUARDED, [new Promise(() => {})], { timeoutMs: 30, signal: undefined }).then(() => null, (x) => x);
  assert.equal(timed.code, "TIMEOUT");
  assert.equal(await drops(), before + 4);
});

test("sleep waits its time, and the call's signal cuts it short", async () => {
  const slept = await hook(SLEEP, [40]);
  assert.ok(slept >= 35 && slept < 1000, `slept ${slept} ms`);
  const ac = new AbortController();
  const t0 = Date.now();
  const long = hook(SLEEP, [10_000], { timeoutMs: 0, signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  const e = await long.then(() => null, (x) => x);
  assert.equal(e.code, "ABORTED");
  assert.ok(Date.now() - t0 < 2000, "stopped early");
  // timeoutMs limits exchanges, not a deliberate pause.
  assert.ok((await hook(SLEEP, [60], { timeoutMs: 20, signal: undefined })) >= 55);
});

test("events: for-await reads every event in order, with backpressure while it reads", async () => {
  const pause = () => Promise.resolve();
  const op = operation(client, HOOK + EVENTS, undefined, [200, pause], NO_LIMITS);
  const seen = [];
  let emittedWhilePaused;
  for await (const e of op.events()) {
    seen.push(e);
    if (seen.length === 1) {
      await delay(50); // a slow consumer: the task must wait for it
      emittedWhilePaused = await hook(EMITTED);
    }
  }
  assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => i), "nothing dropped, nothing reordered");
  assert.equal(await op.result(), "done");
  assert.ok(emittedWhilePaused <= 66, `the task ran ahead of its consumer by ${emittedWhilePaused} events`);
});

test("events: an early break detaches the reader and the call runs to the end", async () => {
  const op = operation(client, HOOK + EVENTS, undefined, [300, () => Promise.resolve()], NO_LIMITS);
  const seen = [];
  for await (const e of op.events()) {
    seen.push(e);
    if (seen.length === 3) break;
  }
  assert.deepEqual(seen, [0, 1, 2]);
  assert.equal(await op.result(), "done", "not cancelled, not stalled on a full queue");
  assert.equal(await hook(EMITTED), 300);
  // A later reader gets what is left (the newest, up to the queue's bound), then the end.
  const rest = [];
  for await (const e of op.events()) rest.push(e);
  assert.ok(rest.length > 0 && rest.length <= 64 && rest.at(-1) === 299, `rest: ${rest.length} ending ${rest.at(-1)}`);
  // A call without a reader never waits for one.
  const unread = operation(client, HOOK + EVENTS, undefined, [500, () => Promise.resolve()], NO_LIMITS);
  assert.equal(await unread.result(), "done");
});

test("a call started from inside another call's resumed poll gets its own handle: 20 pairs never cross", async () => {
  const inner = [];
  const outer = [];
  for (let i = 0; i < 20; i++) {
    const d = deferred();
    outer.push(hook(REENTER, [d.promise, (v) => { inner.push(hook(GUARDED, [Promise.resolve(`inner-${v}`)])); }]));
    setTimeout(() => d.resolve(i), 20 - i); // resumed in reverse order
  }
  assert.deepEqual(await Promise.all(outer), Array.from({ length: 20 }, (_, i) => i));
  const got = await Promise.all(inner);
  assert.deepEqual(got.sort(), Array.from({ length: 20 }, (_, i) => `inner-${i}`).sort());
});
