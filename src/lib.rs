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
//! - [`deploy`]: the deploy engine: the `ReleaseSpec` family checked
//!   against a schema table before any request, its normalization, the
//!   plan, upload, commit and poll exchanges, and their error rules.
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
// The shipped wasm is `no_std`: std's panic handler formats its message
// and location, which linked `core::fmt`'s Debug machinery, std's panic
// plumbing and every panic message and source path (see the `panic_handler`
// below and docs/engine-v2.md, Size). Native builds and the wasm test runner
// keep std; the code names `core::` and `alloc::` so it compiles both ways.
#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

#[cfg_attr(all(target_arch = "wasm32", not(test)), macro_use)]
extern crate alloc;

/// What std's prelude gives every module and a `no_std` crate lacks.
pub(crate) mod prelude {
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
}

/// A per-thread static: `thread_local!` where std exists; in the shipped
/// wasm (one thread) a plain static with the same `with` method. Only
/// `const` initializers, which both accept.
#[cfg(not(all(target_arch = "wasm32", not(test))))]
macro_rules! local {
    ($($body:tt)*) => { std::thread_local! { $($body)* } };
}
#[cfg(all(target_arch = "wasm32", not(test)))]
macro_rules! local {
    ($($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr };)*) => {
        $($(#[$attr])* $vis static $name: $crate::Local<$t> = $crate::Local::new($init);)*
    };
}

/// The wasm build's stand-in for a `LocalKey`.
#[cfg(all(target_arch = "wasm32", not(test)))]
pub struct Local<T>(T);

// SAFETY: wasm32-unknown-unknown without the `atomics` target feature (the
// only way this crate is built, checked below) runs one thread, so a static
// is only ever reached from it.
#[cfg(all(target_arch = "wasm32", not(test)))]
unsafe impl<T> Sync for Local<T> {}

#[cfg(all(target_arch = "wasm32", not(test)))]
impl<T> Local<T> {
    pub const fn new(value: T) -> Local<T> {
        Local(value)
    }
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(&self.0)
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
compile_error!("the wasm build assumes one thread (src/lib.rs `Local`)");

/// A panic is a bug the tests exist to catch; in wasm it traps at once.
/// Nothing reads the message, so none is formatted and no panic message or
/// source location is linked into the module.
#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

#[cfg(not(target_arch = "wasm32"))]
pub mod agent_reference;
pub mod args;
pub mod credentials;
pub mod deploy;
pub mod driver;
pub mod error;
#[cfg(any(target_arch = "wasm32", test))]
mod heap;
pub mod json;
pub mod kernel;
pub mod namespaces;
pub mod num;
pub mod routes;
pub mod surface;
#[cfg(not(target_arch = "wasm32"))]
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
