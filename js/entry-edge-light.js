// Vercel Edge and Next.js edge routes ("edge-light" condition): like
// Cloudflare, they refuse to compile wasm from bytes at run time, and their
// bundler turns a `.wasm?module` import into a WebAssembly.Module compiled at
// build time, which is instantiated synchronously here.
import wasmModule from "./run402_sdk_wasm_bg.wasm?module";
import { initSync } from "./run402_sdk_wasm.js";

initSync({ module: wasmModule });

export * from "./api.js";
