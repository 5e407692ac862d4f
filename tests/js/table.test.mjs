// Method table v2 through the built package with the test hooks (pkg-test/,
// cargo feature test-hooks): the probe namespace (src/namespaces/test_probe.rs)
// has one member of each kind the table can express (of them, only sync
// methods are used by no public member yet). Sync methods,
// operations, a nested namespace, a hidden namespace alias and a scoped
// signature that differs from the root's run for real through the facade
// (js/api.js); hostile values at every argument position of every probe
// method fail typed, in the way each kind fails; and the declarations
// generated with the feature type each kind (tsc --strict, good and wrong
// calls).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { HOSTILE } from "./hostile-values.mjs";
import { drained, filler, methods } from "./hostile-cases.mjs";

const root = new URL("../../", import.meta.url).pathname;
const pkgTest = new URL("../../pkg-test/", import.meta.url);
if (!existsSync(new URL("entry-node.js", pkgTest))) {
  throw new Error("pkg-test/ is missing: run `./dev test-hooks` (./dev test builds it)");
}
const sdk = await import(new URL("entry-node.js", pkgTest).href);
const { Run402, isRun402Error } = sdk;

const fetchNever = async () => { throw new Error("the probe never fetches"); };
const client = () => new Run402({
  apiBase: "https://api.test",
  credentials: { getAuth: () => null, getProject: () => null, getActiveProject: () => "prj_active" },
  fetch: fetchNever,
});

const isLocal = (e) => isRun402Error(e) && e.kind === "local_error";
const isThenable = (v) => v !== null && (typeof v === "object" || typeof v === "function") && typeof v.then === "function";

test("a sync method returns its value and throws its typed error synchronously, on root and scoped clients, detached and aliased", async () => {
  const r = client();
  const out = r.probe.escape('<a href="x">&</a>');
  assert.equal(out, "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;", "the value itself, not a promise");
  assert.equal(r.probe.esc, r.probe.escape, "a method alias is the same function");
  const { escape } = r.probe;
  assert.equal(escape("<"), "&lt;");
  assert.throws(() => r.probe.escape(42), (e) => isLocal(e) && /`text` must be a string/.test(e.message) && e.context === "escaping probe text");
  assert.throws(() => r.probe.escape(), isLocal);
  assert.equal(r.probe.escape("still fine"), "still fine", "a thrown error leaves the instance healthy");
  const p = await r.project("prj_1");
  assert.equal(p.probe.escape(">"), "&gt;");
  assert.equal(p.probe.esc, undefined, "scoped clients carry no aliases");
  // A sync method with the project: injected on the scoped client, positional on the root.
  assert.equal(r.probe.inner.label("prj_2", "hi"), "prj_2:hi");
  assert.equal(p.probe.inner.label("hi"), "prj_1:hi");
  assert.throws(() => r.probe.inner.label("../x", "hi"), isLocal, "the project id is checked like everywhere");
  // Many sync calls interleaved with async ones on one client.
  const pending = Array.from({ length: 50 }, (_, i) => r.probe.inner.whoami(`prj_${i}`));
  for (let i = 0; i < 50; i++) assert.equal(r.probe.inner.label(`prj_${i}`, "x"), `prj_${i}:x`);
  assert.deepEqual((await Promise.all(pending)).map((w) => w.project), Array.from({ length: 50 }, (_, i) => `prj_${i}`));
});

test("an operation returns at once; events() streams what the Rust side emits, result() settles after", async () => {
  const r = client();
  const op = r.probe.count(200);
  assert.ok(!isThenable(op), "an operation object, not a promise");
  assert.equal(typeof op.events, "function");
  const seen = [];
  for await (const e of op.events()) seen.push(e);
  assert.deepEqual(seen, Array.from({ length: 200 }, (_, i) => i), "every event, in order");
  assert.deepEqual(await op.result(), { count: 200 });
  // Read the result without ever reading the events: nothing waits for a reader.
  assert.deepEqual(await r.probe.count(500).result(), { count: 500 });
  // On a scoped client (Global scope: the same call).
  const p = await r.project();
  assert.equal(p.projectId, "prj_active");
  const scopedEvents = [];
  const sop = p.probe.count(3);
  for await (const e of sop.events()) scopedEvents.push(e);
  assert.deepEqual(scopedEvents, [0, 1, 2]);
  assert.deepEqual(await sop.result(), { count: 3 });
});

test("an operation's failures come through result(); its events end", async () => {
  const r = client();
  const bad = r.probe.count(-1);
  const seen = [];
  for await (const e of bad.events()) seen.push(e);
  assert.deepEqual(seen, []);
  await assert.rejects(bad.result(), (e) => isLocal(e) && /whole number from 0 to 10000/.test(e.message));
  // Per-call options are read by the facade, as for promise methods.
  const refused = r.probe.count(3, { timeoutMs: -5 });
  assert.ok(!isThenable(refused));
  await assert.rejects(refused.result(), (e) => isLocal(e) && /timeoutMs/.test(e.message));
  for await (const e of refused.events()) assert.fail(`a refused operation emitted ${e}`);
  await assert.rejects(r.probe.count(3, { signal: "no" }).result(), (e) => isLocal(e) && /AbortSignal/.test(e.message));
  // Valid limits run normally.
  assert.deepEqual(await r.probe.count(2, { timeoutMs: 1000, signal: new AbortController().signal }).result(), { count: 2 });
});

test("a nested namespace is a property of its parent, on root and scoped clients, and its methods know their path", async () => {
  const r = client();
  assert.deepEqual(Object.keys(r.probe), ["inner"], "the child is an enumerable property; methods are not");
  assert.deepEqual(await r.probe.inner.whoami("prj_7"), { project: "prj_7", method: "probe.inner.whoami" });
  const p = await r.project("prj_8");
  assert.deepEqual(await p.probe.inner.whoami(), { project: "prj_8", method: "probe.inner.whoami" });
  const { whoami } = p.probe.inner;
  assert.deepEqual(await whoami(), { project: "prj_8", method: "probe.inner.whoami" }, "detached, still bound");
  await assert.rejects(r.probe.inner.whoami(), (e) => isLocal(e) && /probe\.inner\.whoami/.test(e.message), "errors name the nested path");
  assert.equal(r.inner, undefined, "a child is not on the client itself");
});

test("a hidden alias is the same namespace object, left out of Object.keys, on the root client only", async () => {
  const r = client();
  assert.equal(r.probeAlias, r.probe);
  assert.ok(Object.keys(r).includes("probe"));
  assert.ok(!Object.keys(r).includes("probeAlias"));
  assert.ok("probeAlias" in r);
  assert.equal(r.probeAlias.escape("&"), "&amp;");
  assert.deepEqual(JSON.parse(JSON.stringify(Object.keys(r))).filter((k) => k.startsWith("probe")), ["probe"]);
  const p = await r.project("prj_1");
  assert.equal(p.probeAlias, undefined);
});

test("a per-scope signature: the root takes one object, the scoped client its own positional form and result", async () => {
  const r = client();
  assert.deepEqual(await r.probe.release({ project: "prj_1", releaseId: "rel_1" }), { project: "prj_1", releaseId: "rel_1", form: "object" });
  await assert.rejects(r.probe.release("rel_1"), isLocal, "the root does not take the scoped form");
  const p = await r.project("prj_3");
  assert.deepEqual(await p.probe.release("rel_2"), { project: "prj_3", releaseId: "rel_2", form: "positional", note: null });
  assert.deepEqual(await p.probe.release("rel_2", { note: "n" }), { project: "prj_3", releaseId: "rel_2", form: "positional", note: "n" });
  await assert.rejects(p.probe.release({ project: "prj_1", releaseId: "rel_1" }), isLocal, "the scoped client does not take the root form");
});

/** The table with parameter names and kinds, as the hostile suite reads it (native, with the feature). */
function probeTable() {
  const text = execFileSync("cargo", ["run", "--quiet", "--features", "test-hooks", "--example", "surface_json"], { cwd: root, encoding: "utf8" });
  return JSON.parse(text).namespaces.filter((ns) => ns.name === "probe" || ns.name.startsWith("probe."));
}

// The hostile suite's rule (tests/js/hostile-worker.mjs), by kind: every
// failure is a typed Run402Error; only a sync method may throw, and it
// returns no promise.
async function outcome(kind, call) {
  let v;
  try {
    v = call();
  } catch (e) {
    if (kind !== "sync") return `threw synchronously: ${e}`;
    return isRun402Error(e) ? null : `threw an untyped ${e?.constructor?.name}: ${e?.message}`;
  }
  if (kind === "sync") return isThenable(v) ? "a sync method returned a promise" : null;
  const settle = kind === "operation" ? drained(v) : v;
  try {
    await Promise.race([settle, new Promise((_, no) => setTimeout(() => no(new Error("HUNG")), 3000).unref())]);
    return null;
  } catch (e) {
    return isRun402Error(e) ? null : `failed untyped: ${e?.message}`;
  }
}

test("hostile values at every argument position of every probe method, root and scoped (the hostile suite's generator): typed failures, in each kind's way", async () => {
  const r = client();
  const p = await r.project("prj_1");
  const failures = [];
  let cases = 0;
  for (const m of methods({ namespaces: probeTable() })) {
    for (let pos = 0; pos <= m.params.length; pos++) {
      for (const [vl, make] of HOSTILE) {
        const args = m.params.map(filler);
        args[pos] = make();
        cases++;
        const why = await outcome(m.kind, () => m.call(m.scoped ? p : r, args));
        if (why) failures.push(`${m.label} argument ${pos} = ${vl}: ${why}`);
      }
    }
  }
  assert.ok(cases > 500, `only ${cases} cases`);
  assert.deepEqual(failures, []);
  assert.equal(r.probe.escape("&"), "&amp;", "the instance still works");
  assert.deepEqual(await r.probe.count(2).result(), { count: 2 });
});

test("the declarations generated with the probe type each kind: good uses compile under --strict, each wrong one fails", () => {
  const dir = mkdtempSync(join(tmpdir(), "run402-table-types-"));
  try {
    writeFileSync(join(dir, "index.d.ts"), execFileSync("cargo", ["run", "--quiet", "--features", "test-hooks", "--example", "gen_dts"], { cwd: root, encoding: "utf8" }));
    writeFileSync(join(dir, "ok.ts"), OK_TS);
    writeFileSync(join(dir, "bad.ts"), BAD_TS);
    const config = (file) => JSON.stringify({
      extends: join(root, "tests/types/tsconfig.json"),
      compilerOptions: { paths: { "@run402/sdk-wasm": [join(dir, "index.d.ts")] }, noUnusedLocals: false },
      files: [join(dir, file)],
    });
    writeFileSync(join(dir, "tsconfig.ok.json"), config("ok.ts"));
    writeFileSync(join(dir, "tsconfig.bad.json"), config("bad.ts"));
    const tsc = (project) => {
      try {
        execFileSync(join(root, "node_modules/.bin/tsc"), ["-p", project], { encoding: "utf8" });
        return { code: 0, out: "" };
      } catch (e) {
        return { code: e.status, out: e.stdout + e.stderr };
      }
    };
    const ok = tsc(join(dir, "tsconfig.ok.json"));
    assert.equal(ok.code, 0, ok.out);
    const bad = tsc(join(dir, "tsconfig.bad.json"));
    const wrong = BAD_TS.split("\n").flatMap((line, i) => (/\/\/ WRONG/.test(line) ? [i + 1] : []));
    const reported = [...new Set([...bad.out.matchAll(/bad\.ts\((\d+),/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    assert.ok(wrong.length >= 8);
    assert.deepEqual(reported, wrong, bad.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const OK_TS = `import { Run402, type Probe, type ProbeCountResult, type ProbeScopedRelease, type ProbeRelease } from "@run402/sdk-wasm";
declare const r: Run402;
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const assertType = <T extends true>() => {};

export async function ok(): Promise<void> {
  const s: string = r.probe.escape("<");
  const t: string = r.probe.esc("<");
  assertType<Equal<ReturnType<Probe["escape"]>, string>>();
  const op = r.probe.count(3, { timeoutMs: 10 });
  for await (const e of op.events()) { const n: number = e; void n; }
  const done: ProbeCountResult = await op.result();
  const alias: Probe = r.probeAlias;
  const w = await r.probe.inner.whoami("prj_1");
  const l: string = r.probe.inner.label("prj_1", "x");
  const rel: ProbeRelease = await r.probe.release({ project: "p", releaseId: "r" });
  const p = await r.project("prj_1");
  const sl: string = p.probe.inner.label("x");
  const sw = await p.probe.inner.whoami();
  const srel: ProbeScopedRelease = await p.probe.release("rel_1", { note: "n" });
  assertType<Equal<typeof srel.form, "positional">>();
  assertType<Equal<typeof rel.form, "object">>();
  void [s, t, done, alias, w, l, sl, sw];
}
`;

const BAD_TS = `import { Run402 } from "@run402/sdk-wasm";
declare const r: Run402;

export async function wrong(): Promise<void> {
  const n: number = r.probe.escape("x"); // WRONG: a sync method returns its value (a string)
  r.probe.escape("x").then(() => {}); // WRONG: not a promise
  await r.probe.count(3).then(() => {}); // WRONG: an operation object is not a promise
  const e: string = (await r.probe.count(3).result()).count; // WRONG: count is a number
  r.probe.inner.whoami(); // WRONG: the root client needs the project id
  r.probe.release("rel_1"); // WRONG: the root takes one object
  const p = await r.project("prj_1");
  p.probe.release({ project: "p", releaseId: "r" }); // WRONG: the scoped client takes the id first
  p.probe.inner.label("prj_1", "x"); // WRONG: the scoped client drops the project id
  p.probeAlias; // WRONG: the alias is on the root client only
  p.probe.esc("x"); // WRONG: scoped clients carry no method aliases
  r.inner; // WRONG: the nested namespace is not on the client
  r.probe.count(3, { signal: "no" }); // WRONG: signal is an AbortSignal
  void [n, e];
}
`;
