// Minifies the package's JS files in place (esbuild transform, one file at a
// time: imports, exports and file layout unchanged). Comments and whitespace
// are most of their weight, and what a plain `<script type=module>` or a
// server bundle loads is these files as shipped. `keepNames` keeps
// `.name` of classes and functions (error classes report `e.name`).
// Usage: node tools/minify-js.mjs <dir> [skip-file ...]
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transform } from "esbuild";

const [dir, ...skip] = process.argv.slice(2);
let before = 0;
let after = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".js") && !skip.includes(f))) {
  const path = join(dir, file);
  const source = readFileSync(path, "utf8");
  const out = await transform(source, { loader: "js", format: "esm", minify: true, keepNames: true, target: "es2022", legalComments: "none" });
  writeFileSync(path, out.code);
  before += source.length;
  after += out.code.length;
}
console.log(`minified ${dir}/*.js: ${before} -> ${after} bytes`);
