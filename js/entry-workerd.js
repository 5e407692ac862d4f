// Cloudflare Workers: compiling wasm from bytes is forbidden at run time, so
// the .wasm is imported as a module (compiled at deploy) and instantiated
// synchronously.
import wasmModule from "./run402_sdk_wasm_bg.wasm";
import { initSync } from "./run402_sdk_wasm.js";

initSync({ module: wasmModule });

export * from "./api.js";
