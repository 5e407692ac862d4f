// Shrinks the package's JS files in place (esbuild transform, one file at a
// time: imports, exports and file layout unchanged): comments dropped, local
// names shortened, syntax compacted. Line breaks are kept on purpose: Node
// prints the source line of an uncaught error's throw site, and a file
// minified onto one line would dump all of it (about 1.5 KB gzip more for
// the package, measured). `keepNames` keeps `.name` of classes and functions
// (error classes report `e.name`), except in wasm-bindgen's glue, whose
// names nobody reads (there it would spell out every import's hashed name
// once more, 0.6 KB gzip), and in host.js (below). Of the other files'
// function declarations, only those the package exports keep their name
// (`namesCallersSee`). Indentation, and the doc comments esbuild keeps in
// class bodies, are dropped as well (about 0.5 KB gzip each for the
// package): each file is checked by minifying it fully with and without
// them, and keeps them if the two differ (a multi-line string or template
// literal would change).
// Usage: node tools/minify-js.mjs <dir> [skip-file ...]
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transform } from "esbuild";

const OPTIONS = { loader: "js", format: "esm", minifySyntax: true, minifyIdentifiers: true, keepNames: true, target: "es2022", legalComments: "none" };
// Files whose functions' names nobody reads: wasm-bindgen's glue, and the
// host helpers wasm imports (never handed to a caller, so only a stack
// trace would show them): 39 name-setting calls, 0.3 KB gzip.
const NAMELESS = new Set(["run402_sdk_wasm.js", "host.js"]);

/**
 * The code without leading whitespace on its lines and without comments on
 * lines of their own, if that changes nothing but whitespace and comments.
 */
async function unindent(code, options) {
  const bare = code.replace(/^[ \t]+/gm, "").replace(/^\/\*(?:[^*]|\*(?!\/))*\*\/\n/gm, "");
  const full = async (text) => (await transform(text, { ...options, minifyWhitespace: true })).code;
  return (await full(bare)) === (await full(code)) ? bare : code;
}

/** `{ local, exported }` of each name in the `export { ... }` lists of esbuild's output. */
function exportsOf(code) {
  const out = [];
  for (const [, list] of code.matchAll(/^export \{([^}]*)\}/gm)) {
    for (const item of list.split(",")) {
      const [local, , exported = local] = item.trim().split(" ");
      if (local) out.push({ local, exported });
    }
  }
  return out;
}

/**
 * The code without the `keepNames` calls that name a function declaration
 * the package does not export (`published`: the names api.js and node.js
 * export). A caller reaches classes (all keep their name: error classes
 * report `e.name`) and the exported functions; the name of an internal
 * helper shows only in a stack trace, as the glue's and host.js's already
 * do (about 0.5 KB gzip for the package). esbuild writes each such call as
 * a statement on its own line after the function's closing brace.
 */
function namesCallersSee(code, file, published) {
  const helper = /^var ([\w$]+) = \(\w+, \w+\) => [\w$]+\(\w+, "name", \{ value: \w+, configurable: !0 \}\);$/m.exec(code);
  if (!helper) return code;
  const exported = new Set(exportsOf(code).filter((e) => published.has(e.exported)).map((e) => e.local));
  const declared = new Set([...code.matchAll(/^(?:async )?function\*? ?([\w$]+)\(/gm)].map((m) => m[1]));
  const call = new RegExp(`(?<=^\\}\\n)${helper[1].replace(/\$/g, "\\$")}\\(([\\w$]+), "[\\w$]+"\\);\\n`, "gm");
  return code.replace(call, (line, id) => {
    if (exported.has(id)) return line;
    if (!declared.has(id)) throw new Error(`minify-js: ${file} names ${id}, which is not a function declaration`);
    return "";
  });
}

const [dir, ...skip] = process.argv.slice(2);
// What the package exports: the names of api.js (every entry's `export *`) and node.js.
const published = new Set();
for (const entry of ["api.js", "node.js"]) {
  const { code } = await transform(readFileSync(join(dir, entry), "utf8"), OPTIONS);
  for (const { exported } of exportsOf(code)) published.add(exported);
}
let before = 0;
let after = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".js") && !skip.includes(f))) {
  const path = join(dir, file);
  const source = readFileSync(path, "utf8");
  const options = NAMELESS.has(file) ? { ...OPTIONS, keepNames: false } : OPTIONS;
  const code = await unindent(namesCallersSee((await transform(source, options)).code, file, published), options);
  writeFileSync(path, code);
  before += source.length;
  after += code.length;
}
console.log(`minified ${dir}/*.js: ${before} -> ${after} bytes`);
