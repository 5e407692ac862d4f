// What the package exports at run time is what index.d.ts declares, and
// nothing more: a value export without a declaration is an API nobody can
// see from TypeScript (and a promise nobody reviewed), a declaration without
// an export compiles and then fails at run time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import ts from "typescript";

const root = new URL("../../", import.meta.url).pathname;
const dtsPath = join(root, "pkg/index.d.ts");

/** The value exports of index.d.ts (classes, functions, consts), by name → "class" | "function" | "value". */
function declaredValues() {
  const program = ts.createProgram([dtsPath], { strict: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(dtsPath)));
  const out = new Map();
  for (const s of exports) {
    if (s.flags & ts.SymbolFlags.Class) out.set(s.name, "class");
    else if (s.flags & ts.SymbolFlags.Function) out.set(s.name, "function");
    else if (s.flags & ts.SymbolFlags.Value) out.set(s.name, "value");
  }
  return out;
}

const declared = declaredValues();

for (const entry of ["entry-node.js", "entry-web.js"]) {
  test(`${entry}: every run-time export is declared in index.d.ts, and every declared value is exported`, async () => {
    const mod = await import(join(root, "pkg", entry));
    const exported = Object.keys(mod).sort();
    assert.deepEqual(exported.filter((n) => !declared.has(n)), [], "exported at run time but not declared");
    assert.deepEqual([...declared.keys()].filter((n) => !(n in mod)).sort(), [], "declared but not exported");
    for (const [name, kind] of declared) {
      if (kind === "value") continue;
      assert.equal(typeof mod[name], "function", `${name} is declared as a ${kind}`);
      // A declared class must be constructible, a declared function callable (classes throw when called).
      if (kind === "class") assert.equal(typeof mod[name].prototype, "object", `${name} has a prototype`);
    }
  });
}

test("the entries that cannot load in Node export exactly what entry-node.js does", () => {
  const exportLines = (file) => readFileSync(join(root, "js", file), "utf8").split("\n").filter((l) => /^\s*export\b/.test(l));
  const node = exportLines("entry-node.js");
  assert.deepEqual(node, ['export * from "./api.js";'], "entry-node.js re-exports the API and nothing else");
  for (const file of ["entry-workerd.js", "entry-edge-light.js"]) assert.deepEqual(exportLines(file), node, file);
});
