//! The pure-Rust half of the task driver: bookkeeping and synchronisation
//! primitives for futures polled on one thread by a host (JS) event loop.
//! Nothing here names a JS type, so all of it is tested natively; the
//! executor itself, which hands promises to JS and is re-polled from there,
//! is `wasm::task`.
//!
//! - [`waits`]: the host promises one task is waiting on, many at once.
//! - [`join`]: runs several futures of one task concurrently, a bounded
//!   number at a time (parallel part uploads).
//! - [`sync`]: a oneshot and a bounded channel whose wakers
//!   make the executor re-poll the task that waits.
//! - [`events`]: the bounded queue a running task emits values into for a
//!   JS async iterator.
//! - [`wake`]: the waker every task is polled with, and the queue of tasks
//!   it has woken.

pub mod events;
pub mod join;
pub mod sync;
pub mod waits;
pub mod wake;

#[cfg(test)]
mod tests;
