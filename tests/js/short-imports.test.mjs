// tools/short-imports.mjs (run by ./dev build): the glue's imports get short
// names in the wasm and the glue alike, other imports and the rest of the
// module stay as they were, and a glue it does not understand stops it.
// Input: pkg-test/, which ./dev test builds without the renaming.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { shorten } from "../../tools/short-imports.mjs";

const dir = new URL("../../pkg-test/", import.meta.url);
const wasm = readFileSync(new URL("run402_sdk_wasm_bg.wasm", dir));
const glue = readFileSync(new URL("run402_sdk_wasm.js", dir), "utf8");
const describe = (bytes) => {
  const m = new WebAssembly.Module(bytes);
  return { imports: WebAssembly.Module.imports(m), exports: WebAssembly.Module.exports(m) };
};

test("glue imports are renamed in both files; host imports, exports and code are untouched", () => {
  const before = describe(wasm);
  const out = shorten(wasm, glue);
  assert.ok(WebAssembly.validate(out.wasm));
  const after = describe(out.wasm);
  assert.deepEqual(after.exports, before.exports);
  assert.equal(after.imports.length, before.imports.length);
  const renamed = before.imports.filter((i) => i.module.endsWith("_bg.js"));
  assert.ok(renamed.length > 20, `only ${renamed.length} glue imports found`);
  assert.equal(out.count, new Set(renamed.map((i) => i.name)).size);
  before.imports.forEach((was, k) => {
    const now = after.imports[k];
    assert.equal(now.kind, was.kind);
    if (was.module.endsWith("_bg.js")) {
      assert.equal(now.module, "b");
      assert.ok(now.name.length <= 2, now.name);
      assert.ok(!out.glue.includes(was.name), `${was.name} is still in the glue`);
      assert.match(out.glue, new RegExp(`[{,\\s]${now.name}\\s*:`), `the glue has no key ${now.name}`);
    } else {
      assert.deepEqual(now, was);
    }
  });
  assert.ok(out.wasm.length < wasm.length);
});

test("a glue that names an import twice, or not at all, is refused", () => {
  const name = describe(wasm).imports.find((i) => i.module.endsWith("_bg.js")).name;
  assert.throws(() => shorten(wasm, glue.replace(`${name}:`, `${name}: ${name},\n${name}:`)), /expected once as a key/);
  assert.throws(() => shorten(wasm, glue.replaceAll(name, "renamedByHand")), /0 times/);
});
