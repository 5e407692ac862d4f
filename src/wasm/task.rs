//! A tiny executor driven from JS. Each SDK call is a Rust future polled
//! synchronously; when it needs a JS promise settled (fetch, a response
//! body, an async provider method) it parks the promise and returns. The
//! facade awaits that promise with a plain `await` and hands the outcome
//! back with `resume`. No closures or per-await allocations cross the
//! boundary, which is what makes a call cheap.
//!
//! Polls nest only when a provider callback starts another call during a
//! poll; JS is single-threaded otherwise. The parked promise of the task
//! being polled is kept in one thread-local slot that a nested poll saves
//! and restores.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::JsValue;

use crate::credentials::LocalFuture;
use crate::error::Result;
use crate::value::Val;

/// What the polled task is waiting for, or what it was given.
enum Slot {
    Empty,
    /// A promise for the facade to await.
    Parked(JsValue),
    /// The settled outcome, for the future that parked it.
    Settled(std::result::Result<JsValue, JsValue>),
}

thread_local! {
    // Only touched inside `poll_task` and `HostWait::poll`, never across a
    // call into JS, so the borrow can never be held re-entrantly.
    static SLOT: RefCell<Slot> = const { RefCell::new(Slot::Empty) };
}

/// Awaits a JS promise (or thenable) by handing it to the facade.
pub struct HostWait {
    promise: Option<JsValue>,
}

/// A future for the settlement of `promise`.
pub fn settle(promise: JsValue) -> HostWait {
    HostWait { promise: Some(promise) }
}

impl Future for HostWait {
    type Output = std::result::Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(promise) = self.promise.take() {
            SLOT.with(|s| *s.borrow_mut() = Slot::Parked(promise));
            return Poll::Pending;
        }
        match SLOT.with(|s| std::mem::replace(&mut *s.borrow_mut(), Slot::Empty)) {
            Slot::Settled(outcome) => Poll::Ready(outcome),
            // Polled again without a resume: only a bug in the driver can do
            // this; report it as a rejection rather than hang or trap.
            _ => Poll::Ready(Err(JsValue::from_str("run402: task resumed without a settled promise"))),
        }
    }
}

/// One in-flight SDK call.
pub struct Task {
    future: LocalFuture<'static, Result<Val>>,
    /// The promise it is parked on, while pending.
    pub parked: Option<JsValue>,
}

/// Where a task stands after a poll.
pub enum Progress {
    Done(Result<Val>),
    Waiting(Task),
}

impl Task {
    pub fn new(future: LocalFuture<'static, Result<Val>>) -> Task {
        Task { future, parked: None }
    }

    /// Polls once, first handing over the outcome of the promise it was
    /// parked on, if any.
    pub fn poll(mut self, settled: Option<std::result::Result<JsValue, JsValue>>) -> Progress {
        // A provider may start another call while this one is being polled;
        // that nested poll saves and restores the slot around itself, so
        // each task only ever sees its own promise and outcome.
        let outer = SLOT.with(|s| std::mem::replace(&mut *s.borrow_mut(), settled.map_or(Slot::Empty, Slot::Settled)));
        let mut cx = Context::from_waker(Waker::noop());
        let polled = self.future.as_mut().poll(&mut cx);
        let slot = SLOT.with(|s| std::mem::replace(&mut *s.borrow_mut(), outer));
        match polled {
            Poll::Ready(result) => Progress::Done(result),
            Poll::Pending => {
                self.parked = match slot {
                    Slot::Parked(p) => Some(p),
                    // Pending without parking anything cannot be resumed.
                    _ => None,
                };
                Progress::Waiting(self)
            }
        }
    }
}
