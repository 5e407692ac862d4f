// Bundles each web-family entry (entry-web.js, entry-workerd.js,
// entry-edge-light.js) into one file with the JS it imports, leaving the
// wasm (its module, or its inlined text) a separate import. Why: these are
// the files a browser, a worker or Deno fetches one by one when nothing
// bundles them, and ten small files gzip to 16.4 KB where their
// concatenation gzips to 13.7 KB (docs/engine-v2.md, Size). The node entry
// and `./node` keep the separate files, which the tests import directly.
// Runs after tools/minify-js.mjs, so names the files kept (keepNames) stay.
// Usage: node tools/bundle-entries.mjs <dir> <entry.js> ...
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, transform } from "esbuild";

const WASM = /^\.\/run402_sdk_wasm_(inline\.js|bg\.wasm(\?module)?)$/;
const keepWasmImports = {
  name: "wasm-stays-separate",
  setup(b) {
    b.onResolve({ filter: WASM }, (args) => ({ path: args.path, external: true }));
  },
};
const MINIFY = { minifySyntax: true, minifyIdentifiers: true, keepNames: false, target: "es2022", legalComments: "none" };

const [dir, ...entries] = process.argv.slice(2);
for (const entry of entries) {
  const path = join(dir, entry);
  const before = readFileSync(path, "utf8");
  // wasm-bindgen's glue names the host module once per importing Rust module
  // (the same module each time): a duplicate key esbuild would warn about.
  const logOverride = { "duplicate-object-key": "silent" };
  const out = await build({ entryPoints: [path], bundle: true, format: "esm", platform: "neutral", write: false, plugins: [keepWasmImports], logOverride, ...MINIFY });
  let code = out.outputFiles[0].text;
  // Indentation and comment lines (esbuild marks where each file starts, and
  // keeps comments inside class bodies) dropped, as tools/minify-js.mjs does
  // with indentation: only if fully minified code stays the same, so a
  // multi-line string or template literal is never touched.
  const full = async (text) => (await transform(text, { loader: "js", format: "esm", ...MINIFY, minifyWhitespace: true })).code;
  const bare = code.replace(/^[ \t]+/gm, "").replace(/^\/\/ .*\n/gm, "");
  if ((await full(bare)) === (await full(code))) code = bare;
  else throw new Error(`bundle-entries: ${entry} has a multi-line literal; keep its layout here`);
  for (const line of code.split("\n")) {
    const m = /^import .* from "(.*)";$/.exec(line);
    if (m && !WASM.test(m[1])) throw new Error(`bundle-entries: ${entry} still imports ${m[1]}`);
  }
  writeFileSync(path, code);
  console.log(`bundled ${path}: ${before.length} -> ${code.length} bytes`);
}
