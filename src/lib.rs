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
//! - `deploy`: the deploy namespace's inputs: the `ReleaseSpec` family,
//!   checked against a schema table, with JSON paths, before any request.
//!   Compiled only for tests and `test-hooks` until the deploy namespace
//!   calls it (its mere presence changed inlining in `pkg/`).
//! - [`args`]: typed access to the arguments a JS caller passed.
//! - [`namespaces`]: one file per namespace: its method table, where most
//!   members are declared routes, and async Rust for those with behaviour.
//! - [`routes`]: the one interpreter that runs declared routes.
//! - [`surface`]: the table of every public method: the single source for
//!   dispatch, scoping, aliases and the generated TypeScript declarations.
//! - [`typings`]: renders `index.d.ts` from [`surface`]; `agent_reference`
//!   renders `llms-sdk.txt`, the method reference for agents (native only).
//! - `heap`: the wasm build's allocator (size-class free lists).
//! - `wasm`: the only module that names `wasm_bindgen` / `js_sys`.

// Errors are the rare path; boxing them would cost an allocation per
// failure for no gain on the success path.
#![allow(clippy::result_large_err)]

#[cfg(not(target_arch = "wasm32"))]
pub mod agent_reference;
pub mod args;
pub mod credentials;
#[cfg(any(test, feature = "test-hooks"))]
pub mod deploy;
pub mod driver;
pub mod error;
#[cfg(any(target_arch = "wasm32", test))]
mod heap;
pub mod json;
pub mod kernel;
pub mod namespaces;
pub mod routes;
pub mod surface;
pub mod typings;
pub mod value;
pub mod wallet;

#[cfg(test)]
pub mod testing;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();

// Left out of test builds: the wasm test runner loads the module without the
// package's JS files (js/host.js), which this layer imports.
#[cfg(all(target_arch = "wasm32", not(test)))]
mod wasm;
