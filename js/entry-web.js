// Browsers, Deno, web workers and every bundler: the wasm is inlined as text
// (run402_sdk_wasm_inline.js, written by ./dev build), so no bundler has to
// carry a separate .wasm asset, no server has to serve one with the right
// MIME type, Deno needs no read permission, and no top-level await is needed:
// the module is compiled and instantiated synchronously here, so
// `new Run402(...)` works right after the import and `require()` can load it.
import { initSync } from "./run402_sdk_wasm.js";
import { wasmBytes } from "./inline-wasm.js";
import inlined from "./run402_sdk_wasm_inline.js";

initSync({ module: wasmBytes(inlined) });

export * from "./api.js";
