//! The Run402 SDK, written once in Rust and compiled to WebAssembly.
//!
//! Module map (everything except `wasm` compiles and is tested natively):
//! - [`json`]: a read-only view of JSON values that live elsewhere (the JS
//!   runtime's parsed objects in wasm, `serde_json` values in native tests),
//!   and [`value::Val`], the tree the SDK builds for bodies and results.
//! - [`error`]: the one error type and the list of error kinds.
//! - [`credentials`]: the provider contract the kernel needs, validated here.
//! - [`kernel`]: the only code that sends requests (URL, headers, bodies,
//!   decoding, status-to-error mapping) over a [`kernel::Transport`].
//! - [`args`]: typed access to the arguments a JS caller passed.
//! - [`namespaces`]: one file per namespace, plain async Rust over the kernel.
//! - [`surface`]: the table of every public method: the single source for
//!   dispatch, scoping, aliases and the generated TypeScript declarations.
//! - [`typings`]: renders `index.d.ts` from [`surface`].
//! - `wasm`: the only module that names `wasm_bindgen` / `js_sys`.

// Errors are the rare path; boxing them would cost an allocation per
// failure for no gain on the success path.
#![allow(clippy::result_large_err)]

pub mod args;
pub mod credentials;
pub mod driver;
pub mod error;
pub mod json;
pub mod kernel;
pub mod namespaces;
pub mod surface;
pub mod typings;
pub mod value;
pub mod wallet;

#[cfg(test)]
pub mod testing;

// Left out of test builds: the wasm test runner loads the module without the
// package's JS files (js/host.js), which this layer imports.
#[cfg(all(target_arch = "wasm32", not(test)))]
mod wasm;
