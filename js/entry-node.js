// Node: read the wasm next to this file and instantiate it synchronously
// (a few ms faster than decoding the inlined copy). Bundlers that set the
// "module" condition (esbuild, webpack, Rollup, Vite) resolve it before
// "node" and get entry-web.js instead; a bundle that lands here anyway
// (`bun build --target=node`, custom conditions) has lost the file beside it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { initSync } from "./run402_sdk_wasm.js";

const wasmUrl = new URL("./run402_sdk_wasm_bg.wasm", import.meta.url);
let bytes;
try {
  bytes = readFileSync(wasmUrl);
} catch (err) {
  throw new Error(
    `@run402/sdk-wasm: cannot read ${fileURLToPath(wasmUrl)} (${err.code ?? err.message}). ` +
      `A bundle that uses the "node" export condition must ship that file beside it; ` +
      `add the "module" condition (e.g. bun build --conditions=module) to get the entry with the wasm inlined.`,
    { cause: err },
  );
}
initSync({ module: bytes });

export * from "./api.js";
