// The ReleaseSpec reader (src/deploy/) through the built package: host
// objects give the same messages as the native tests (the shared cases in
// tests/fixtures/spec-cases.json), byte sources stay host values, and
// hostile values become typed errors with the shadow stack where it was.
// A bad spec is a Run402DeployError (code INVALID_SPEC, phase "validate"),
// the class the reference throws before any request (contract §3.1).
// The reader alone, through the test-only hook `spec` of pkg-test/ (cargo
// feature `test-hooks`, src/wasm/hooks.rs); deploy.apply, start and plan run
// the same reader before any request (tests/js/deploy.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import "../../pkg-test/entry-node.js";
import * as core from "../../pkg-test/run402_sdk_wasm.js";
import * as host from "../../pkg-test/host.js";
import * as driver from "../../pkg-test/driver.js";
import { isDeployError, Run402DeployError } from "../../pkg-test/errors.js";

const CASES = JSON.parse(readFileSync(new URL("../fixtures/spec-cases.json", import.meta.url), "utf8"));
const HOOK = 0xffff0000 + 10;

const c = new core.Client({ apiBase: "http://127.0.0.1:9", credentials: { getAuth: () => null, getProject: () => null } }, host);
const defaults = { timeoutMs: 0, signal: undefined };
const read = (spec, times = 1) => driver.run(c, HOOK, undefined, [spec, times], defaults);
const fails = (p) => p.then((v) => assert.fail(`resolved with ${JSON.stringify(v)}`), (e) => e);

test("host objects give the messages the native tests give", async () => {
  for (const { spec, error, code, files } of CASES) {
    if (error) {
      const e = await fails(read(spec));
      assert.ok(isDeployError(e) && e instanceof Run402DeployError, `${error}: a Run402DeployError`);
      assert.equal(e.message, error);
      assert.equal(e.code, code ?? "INVALID_SPEC");
      assert.equal(e.context, "validating spec");
      assert.equal(e.phase, "validate");
      assert.equal(e.retryable, false);
      assert.equal(e.fix.action, "set_field");
      if (code === "MANIFEST_EMPTY") assert.deepEqual(e.body.deployable_fields.slice(0, 2), ["database", "site"]);
      else assert.equal(e.body, null);
    } else {
      assert.deepEqual((await read(spec)).files, files);
    }
  }
});

test("the fix names the field to set; route errors show the route shape", async () => {
  const e = await fails(read({ project: "p", site: { replace: { "index.html": { data: "x", contentType: 5 } } } }));
  assert.deepEqual(e.fix, { action: "set_field", path: 'site.replace["index.html"].contentType' });
  assert.equal(e.resource, 'spec.site.replace["index.html"].contentType');
  const r = await fails(read({ project: "p", routes: { replace: [{ pattern: "", target: { type: "function", name: "a" } }] } }));
  assert.equal(r.fix.path, "routes.replace[0].pattern");
  assert.deepEqual(r.fix.example.routes.replace[1].methods, ["GET", "HEAD"]);
});

test("byte sources stay host values; only real byte brands count", async () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const stream = new ReadableStream({ start: (ctl) => ctl.close() });
  const out = await read({
    project: "p",
    site: { replace: { a: bytes, b: bytes.buffer, c: new Blob(["x"]), d: stream, e: new DataView(bytes.buffer), f: { data: bytes } } },
  });
  assert.deepEqual(out.files, [["a", "bytes"], ["b", "bytes"], ["c", "blob"], ["d", "stream"], ["e", "bytes"], ["f", "wrapped"]]);
  const fake = { [Symbol.toStringTag]: "Blob", size: 1 }; // a plain object claiming to be a Blob
  const e = await fails(read({ project: "p", site: { replace: { a: fake } } }));
  assert.match(e.message, /^spec\.site\.replace\.a: expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream/);
  for (const [what, value] of [["Map", new Map()], ["Date", new Date()], ["a function", () => 1], ["a Response", new Response("x")]]) {
    const e = await fails(read({ project: "p", site: { replace: { a: value } } }));
    assert.ok(isDeployError(e), what);
    assert.match(e.message, /^spec\.site\.replace\.a: expected a string, Uint8Array, ArrayBuffer, Blob, ReadableStream/, what);
  }
});

test("hostile values give typed errors, never a trap, and leave the shadow stack where it was", async () => {
  const revoked = () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return proxy;
  };
  const throwing = (key, rest = {}) => Object.defineProperty({ ...rest }, key, { enumerable: true, get() { throw new Error("getter SECRET"); } });
  const site = { replace: { "index.html": "x" } };
  const cases = [
    [revoked(), "spec: expected an object, got a non-JSON value"],
    [{ project: "p", site: revoked() }, "spec.site: expected an object, got a non-JSON value"],
    [{ project: "p", site: { replace: revoked() } }, "spec.site.replace: expected an object, got a non-JSON value"],
    [{ project: "p", site: { replace: { a: revoked() } } }, /^spec\.site\.replace\.a: expected a string, Uint8Array/],
    [throwing("project", { site }), "spec.project: is required"],
    // A throwing getter reads as undefined (host.js fieldOf): an absent section.
    [throwing("site", { project: "p" }), /^spec: has nothing to deploy/],
    [{ project: "p", site: new Map([["replace", {}]]) }, "spec.site: expected an object, got a non-JSON value"],
    [{ project: "p", base: new Date(), site }, "spec.base: expected an object, got a non-JSON value"],
    [{ project: "p", site: { replace: new Uint8Array(4) } }, "spec.site.replace: expected an object, got a non-JSON value"],
    [{ project: "p", checks: new Proxy([], { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : undefined) }) }, "spec.checks[0]: expected an object, got undefined"],
    // An object whose keys cannot be listed is not plain data (host.js
    // kindOf): refused, rather than read as an empty section.
    [{ project: "p", site: new Proxy({}, { ownKeys() { throw new Error("keys SECRET"); } }) }, "spec.site: expected an object, got a non-JSON value"],
    [{ project: new String("p"), site }, "spec.project: expected a string, got a non-JSON value"],
    [{ project: "p", functions: { replace: { f: { source: "x", config: { memoryMb: 2 ** 60 } } } } }, "spec.functions.replace.f.config.memoryMb: expected a non-negative safe integer"],
    [{ project: "p", functions: { replace: { f: { source: "x", config: { memoryMb: NaN } } } } }, "spec.functions.replace.f.config.memoryMb: expected a non-negative safe integer"],
  ];
  const cyclic = { data: null };
  cyclic.data = cyclic;
  cases.push([{ project: "p", site: { replace: { a: cyclic } } }, /: is nested too deeply$/]);
  const stack0 = core.__stackProbe();
  for (const [spec, want] of cases) {
    const e = await fails(read(spec));
    assert.ok(isDeployError(e), `${want}: ${e}`);
    if (want instanceof RegExp) assert.match(e.message, want);
    else assert.equal(e.message, want);
    assert.doesNotMatch(e.message, /SECRET/);
  }
  assert.equal(core.__stackProbe(), stack0, "shadow stack moved");
  assert.equal((await read({ project: "p", site })).project, "p", "the instance still works");
});

test("timing: a realistic spec, read many times", async () => {
  const files = {};
  for (let i = 0; i < 200; i++) files[`assets/page-${i}.html`] = i % 3 ? `<p>${i}</p>` : { data: `<p>${i}</p>`, contentType: "text/html" };
  const spec = {
    project: "prj_123",
    base: { release: "current" },
    database: { migrations: [{ id: "001", sql: "create table t (id int)" }], zero_downtime: false },
    secrets: { require: ["OPENAI_API_KEY"] },
    functions: { replace: { api: { source: "export default 1", config: { timeoutSeconds: 30, memoryMb: 256 } } } },
    site: { replace: files },
    subdomains: { set: ["app"] },
    routes: { replace: [{ pattern: "/api/*", target: { type: "function", name: "api" } }] },
  };
  await read(spec, 5);
  const n = 50;
  const t0 = performance.now();
  await read(spec, n);
  const ms = (performance.now() - t0) / n;
  if (process.env.SPEC_TIMING) console.log(`realistic spec (200 files): ${(ms * 1000).toFixed(0)} µs per read`);
  assert.ok(ms < 50, `${ms} ms per read`);
});
