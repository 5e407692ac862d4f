//! Instruments for the hostile-input tests, not part of the SDK's surface:
//! where the shadow stack stands and the wasm memory itself. A JS exception
//! that unwinds through Rust frames skips their epilogues, so the shadow-stack
//! pointer never comes back; comparing [`stack_probe`] before and after a
//! burst of hostile calls catches that leak long before the stack runs out.

use wasm_bindgen::prelude::*;

/// The address of a local on the shadow stack, a stand-in for the
/// shadow-stack pointer one frame below this export. `black_box` forces the
/// local into linear memory (a local whose address escapes cannot live in a
/// wasm register), so the optimizer cannot fold the address away.
#[wasm_bindgen(js_name = "__stackProbe")]
pub fn stack_probe() -> usize {
    let marker = 0u8;
    core::hint::black_box(&marker) as *const u8 as usize
}

/// The instance's `WebAssembly.Memory`, so tests can watch
/// `buffer.byteLength` for growth.
#[wasm_bindgen(js_name = "__wasmMemory")]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}
