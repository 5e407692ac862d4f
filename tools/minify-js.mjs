// Shrinks the package's JS files in place (esbuild transform, one file at a
// time: imports, exports and file layout unchanged): comments dropped, local
// names shortened, syntax compacted. Line breaks are kept on purpose: Node
// prints the source line of an uncaught error's throw site, and a file
// minified onto one line would dump all of it (about 1.5 KB gzip more for
// the package, measured). `keepNames` keeps `.name` of classes and functions
// (error classes report `e.name`).
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
  const out = await transform(source, { loader: "js", format: "esm", minifySyntax: true, minifyIdentifiers: true, keepNames: true, target: "es2022", legalComments: "none" });
  writeFileSync(path, out.code);
  before += source.length;
  after += out.code.length;
}
console.log(`minified ${dir}/*.js: ${before} -> ${after} bytes`);
