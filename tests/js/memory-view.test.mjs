// tools/memory-view.mjs (run by ./dev build): the glue's DataView over wasm
// memory is renewed exactly when its Uint8Array view is, a glue laid out
// differently stops the build, and pkg/ keeps working across memory growth
// (every string a JS value hands to Rust writes its pointer and length
// through that DataView, so a stale one would corrupt the call).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { cheapMemoryView } from "../../tools/memory-view.mjs";
import { sdk } from "./helpers.mjs";
import { __wasmMemory } from "../../pkg/run402_sdk_wasm.js";

const glue = readFileSync(new URL("../../pkg-test/run402_sdk_wasm.js", import.meta.url), "utf8");

test("the check is replaced once; an unexpected glue is refused", () => {
  const out = cheapMemoryView(glue);
  assert.ok(!out.includes("buffer.detached"), "the old check is still there");
  assert.equal(out.match(/function getDataViewMemory0\(\)/g).length, 1);
  assert.match(out, /const bytes = getUint8ArrayMemory0\(\);/);
  assert.throws(() => cheapMemoryView(out), /not found exactly once/);
  assert.throws(() => cheapMemoryView(glue.replace("function getUint8ArrayMemory0()", "function other()")), /getUint8ArrayMemory0/);
});

test("pkg/ carries the cheap check", () => {
  const shipped = readFileSync(new URL("../../pkg/run402_sdk_wasm.js", import.meta.url), "utf8");
  assert.ok(!shipped.includes("buffer.detached"), "pkg/ glue still checks buffer.detached");
});

test("strings from JS reach Rust intact before and after wasm memory grows", async () => {
  const seen = [];
  const fetch = async (url) => {
    seen.push(url);
    return new Response("[]", { headers: { "content-type": "application/json" } });
  };
  const keys = { anon_key: "anon-key-value", service_key: "service-key-value" };
  const r = new sdk.Run402({ apiBase: "https://api.run402.test", credentials: { getAuth: () => null, getProject: () => keys }, fetch });
  const before = __wasmMemory().buffer.byteLength;
  await r.projects.rest("prj_a", "items", "select=id");
  // A query of several MiB makes the allocator grow wasm memory while the
  // string is copied in (and the DataView's buffer is detached).
  const big = "x".repeat(6 * 1024 * 1024);
  await r.projects.rest("prj_b", "items", `q=${big}`);
  const after = __wasmMemory().buffer.byteLength;
  assert.ok(after > before, `memory did not grow (${before} bytes)`);
  for (let i = 0; i < 50; i++) await r.projects.rest(`prj_${i}`, `t${i}`, `select=c${i}`);
  assert.equal(seen[0], "https://api.run402.test/rest/v1/items?select=id");
  assert.equal(seen[1].length, "https://api.run402.test/rest/v1/items?q=".length + big.length);
  for (let i = 0; i < 50; i++) assert.equal(seen[i + 2], `https://api.run402.test/rest/v1/t${i}?select=c${i}`);
});
