// The generated declarations: identical to the committed snapshot, good
// code compiles under tsc --strict, each deliberately wrong call fails, and
// the README's TypeScript snippets compile against the package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const tsc = join(root, "node_modules/.bin/tsc");

function compile(project) {
  try {
    execFileSync(tsc, ["-p", project], { encoding: "utf8" });
    return { code: 0, out: "" };
  } catch (e) {
    return { code: e.status, out: e.stdout + e.stderr };
  }
}

test("pkg/index.d.ts is the committed snapshot (generated from the Rust surface)", () => {
  const built = readFileSync(join(root, "pkg/index.d.ts"), "utf8");
  const snapshot = readFileSync(join(root, "tests/snapshots/index.d.ts"), "utf8");
  assert.equal(built, snapshot, "run ./dev typings and review the diff");
});

test("typical use compiles under tsc --strict", () => {
  const { code, out } = compile(join(root, "tests/types/tsconfig.json"));
  assert.equal(code, 0, out);
});

test("every deliberately wrong call is a compile error, and nothing else is", () => {
  const source = readFileSync(join(root, "tests/types/bad.ts"), "utf8").split("\n");
  const wrong = source.flatMap((line, i) => (/\/\/ WRONG/.test(line) ? [i + 1] : []));
  const { code, out } = compile(join(root, "tests/types/tsconfig.bad.json"));
  assert.notEqual(code, 0);
  const reported = [...new Set([...out.matchAll(/bad\.ts\((\d+),/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  assert.deepEqual(reported, wrong, out);
});

test("the README's TypeScript snippets compile against the package", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(snippets.length >= 2, "the README has ts snippets");
  const dir = mkdtempSync(join(tmpdir(), "run402-readme-"));
  try {
    const files = snippets.map((code, i) => {
      const file = join(dir, `snippet${i}.ts`);
      writeFileSync(file, `export {};\n${code}`);
      return file;
    });
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      extends: join(root, "tests/types/tsconfig.json"),
      compilerOptions: { paths: { "@run402/sdk-wasm": [join(root, "pkg/index.d.ts")] }, noUnusedLocals: false },
      files,
    }));
    const { code, out } = compile(join(dir, "tsconfig.json"));
    assert.equal(code, 0, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
