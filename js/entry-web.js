// Browsers, Deno and bundlers: fetch the wasm from next to this module.
// Top-level await finishes instantiation before any import resolves, so
// `new Run402(...)` stays synchronous.
import init from "./run402_sdk_wasm.js";

await init({ module_or_path: new URL("./run402_sdk_wasm_bg.wasm", import.meta.url) });

export * from "./api.js";
