// Node and Bun: read the wasm next to this file and instantiate it synchronously.
import { readFileSync } from "node:fs";
import { initSync } from "./run402_sdk_wasm.js";

initSync({ module: readFileSync(new URL("./run402_sdk_wasm_bg.wasm", import.meta.url)) });

export * from "./api.js";
