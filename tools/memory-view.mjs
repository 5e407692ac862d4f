// Makes the glue's DataView over wasm memory cheap to fetch:
//   node tools/memory-view.mjs <pkg/run402_sdk_wasm.js>
//
// Why: wasm-bindgen's glue fetches that DataView for every value it writes
// back into wasm memory (each string a JS value hands to Rust writes its
// pointer and length through it, four or five per call), and checks it is
// still current by reading `buffer.detached` and `buffer` up to four times:
// about 0.3 µs per stubbed `projects.rest` call in Node 20, measured. The
// glue's Uint8Array view is already renewed when memory grows (its
// `byteLength` drops to 0 once the old buffer is detached), so the DataView
// is renewed whenever that view was: one identity test.
//
// The glue must contain wasm-bindgen's function exactly as expected; anything
// else stops the build, so a new wasm-bindgen fails here, not at run time.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const BEFORE = `function getDataViewMemory0() {
    if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)) {
        cachedDataViewMemory0 = new DataView(wasm.memory.buffer);
    }
    return cachedDataViewMemory0;
}`;

const AFTER = `let dataViewBytes0 = null;
function getDataViewMemory0() {
    const bytes = getUint8ArrayMemory0();
    if (dataViewBytes0 !== bytes) {
        cachedDataViewMemory0 = new DataView(bytes.buffer);
        dataViewBytes0 = bytes;
    }
    return cachedDataViewMemory0;
}`;

/** The glue with the cheaper check; throws if the glue is not as expected. */
export function cheapMemoryView(glue) {
  const at = glue.indexOf(BEFORE);
  if (at < 0 || glue.indexOf(BEFORE, at + 1) >= 0) throw new Error("memory-view: wasm-bindgen's getDataViewMemory0 not found exactly once");
  if (!glue.includes("function getUint8ArrayMemory0()")) throw new Error("memory-view: the glue has no getUint8ArrayMemory0");
  return glue.slice(0, at) + AFTER + glue.slice(at + BEFORE.length);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [file] = process.argv.slice(2);
  writeFileSync(file, cheapMemoryView(readFileSync(file, "utf8")));
}
