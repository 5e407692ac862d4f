// Vercel Edge, as far as it can be reproduced offline: the app is bundled the
// way Next.js bundles an edge route (its resolve conditions, with
// "edge-light" first), then run in edge-runtime's EdgeVM, Vercel's own
// emulation of the Edge runtime. Like production, the VM refuses to compile
// wasm from bytes (WebAssembly.Module, compile and instantiate with a buffer
// throw), and a `*.wasm?module` import becomes a WebAssembly.Module compiled
// ahead of time, handed in as a global binding the way Next.js does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as esbuild from "esbuild";
import { EdgeVM } from "@edge-runtime/vm";

const MODULE_QUERY = /\.wasm\?module$/;
// The conditions Next.js resolves edge routes with.
export const NEXT_EDGE_CONDITIONS = ["edge-light", "worker", "browser", "module", "import", "default"];

/** Bundles `entry` (under `app`) as a script; every `.wasm?module` import becomes a binding name. */
export async function bundleEdge(app, entry, conditions) {
  const wasmFiles = [];
  const result = await esbuild.build({
    entryPoints: [join(app, entry)],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    conditions,
    logLevel: "silent",
    plugins: [
      {
        name: "wasm-module-binding",
        setup(build) {
          build.onResolve({ filter: MODULE_QUERY }, (args) => ({ path: join(args.resolveDir, args.path.replace(/\?module$/, "")), namespace: "wasm-binding" }));
          build.onLoad({ filter: /.*/, namespace: "wasm-binding" }, (args) => {
            wasmFiles.push(args.path);
            return { contents: `export default globalThis.__wasm_binding_${wasmFiles.length - 1};`, loader: "js" };
          });
        },
      },
    ],
  });
  return { code: result.outputFiles[0].text, wasmFiles };
}

// Runs in the VM before the bundle: keeps the real constructor for the
// harness's ahead-of-time modules, then makes every way of compiling bytes
// throw, as Vercel's Edge runtime does. Module stays the class of those
// modules, so `instanceof WebAssembly.Module` still holds.
const LOCKDOWN = `(() => {
  const Real = WebAssembly.Module;
  const refuse = () => { throw new EvalError("Dynamic WASM code generation is not allowed in Edge Runtime"); };
  globalThis.__compileAheadOfTime = (bytes) => new Real(bytes);
  function Module() { refuse(); }
  Module.prototype = Real.prototype;
  WebAssembly.Module = Module;
  const instantiate = WebAssembly.instantiate;
  WebAssembly.compile = refuse;
  WebAssembly.compileStreaming = refuse;
  WebAssembly.instantiateStreaming = refuse;
  WebAssembly.instantiate = (m, imports) => (m instanceof Real ? instantiate(m, imports) : refuse());
})();`;

/** Runs a bundleEdge() result in EdgeVM and calls run402Check(apiBase). */
export async function runEdge({ code, wasmFiles }, apiBase) {
  const vm = new EdgeVM({ codeGeneration: { strings: false, wasm: true } });
  vm.evaluate(LOCKDOWN);
  const compile = vm.evaluate("__compileAheadOfTime");
  wasmFiles.forEach((file, i) => {
    vm.context[`__wasm_binding_${i}`] = compile(new Uint8Array(readFileSync(file)));
  });
  vm.evaluate("delete globalThis.__compileAheadOfTime");
  vm.evaluate(code);
  return vm.evaluate(`run402Check(${JSON.stringify(apiBase)})`);
}
