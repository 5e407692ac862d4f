// Shrinks the package's JS files in place (esbuild transform, one file at a
// time: imports, exports and file layout unchanged): comments dropped, local
// names shortened, syntax compacted. Line breaks are kept on purpose: Node
// prints the source line of an uncaught error's throw site, and a file
// minified onto one line would dump all of it (about 1.5 KB gzip more for
// the package, measured). `keepNames` keeps `.name` of classes and functions
// (error classes report `e.name`), except in wasm-bindgen's glue, whose
// names nobody reads (there it would spell out every import's hashed name
// once more, 0.6 KB gzip), and in host.js (below). Indentation is dropped as well (about
// 0.5 KB gzip for the package): each file is checked by minifying it fully
// with and without its indentation, and keeps it if the two differ (a
// multi-line string or template literal would change).
// Usage: node tools/minify-js.mjs <dir> [skip-file ...]
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transform } from "esbuild";

const OPTIONS = { loader: "js", format: "esm", minifySyntax: true, minifyIdentifiers: true, keepNames: true, target: "es2022", legalComments: "none" };
// Files whose functions' names nobody reads: wasm-bindgen's glue, and the
// host helpers wasm imports (never handed to a caller, so only a stack
// trace would show them): 39 name-setting calls, 0.3 KB gzip.
const NAMELESS = new Set(["run402_sdk_wasm.js", "host.js"]);

/** The code without leading whitespace on its lines, if that changes nothing but whitespace. */
async function unindent(code, options) {
  const bare = code.replace(/^[ \t]+/gm, "");
  const full = async (text) => (await transform(text, { ...options, minifyWhitespace: true })).code;
  return (await full(bare)) === (await full(code)) ? bare : code;
}

const [dir, ...skip] = process.argv.slice(2);
let before = 0;
let after = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".js") && !skip.includes(f))) {
  const path = join(dir, file);
  const source = readFileSync(path, "utf8");
  const options = NAMELESS.has(file) ? { ...OPTIONS, keepNames: false } : OPTIONS;
  const code = await unindent((await transform(source, options)).code, options);
  writeFileSync(path, code);
  before += source.length;
  after += code.length;
}
console.log(`minified ${dir}/*.js: ${before} -> ${after} bytes`);
