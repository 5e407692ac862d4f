//! The waker every task is polled with. Waking marks the task and queues
//! its handle once; the executor drains the queue at the end of each step
//! and tells the host which waiting tasks to poll again. No busy loop: a
//! task that nobody wakes is not polled.

use crate::prelude::*;
use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use alloc::sync::Arc;
use alloc::task::Wake;
use core::task::Waker;

local! {
    static WOKEN: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// One task's wake state. `Arc` and an atomic only because `alloc::task::Wake`
/// requires `Send + Sync`; everything runs on one thread.
pub struct TaskWake {
    handle: AtomicU32,
    woken: AtomicBool,
}

impl TaskWake {
    pub fn new(handle: u32) -> Arc<TaskWake> {
        Arc::new(TaskWake { handle: AtomicU32::new(handle), woken: AtomicBool::new(false) })
    }

    /// A waker for this task.
    pub fn waker(self: &Arc<Self>) -> Waker {
        Waker::from(self.clone())
    }

    /// Whether the task was woken since the last call (and clears it).
    pub fn take_woken(&self) -> bool {
        self.woken.swap(false, Ordering::Relaxed)
    }

    /// Whether the task was woken and not polled since.
    pub fn is_woken(&self) -> bool {
        self.woken.load(Ordering::Relaxed)
    }

    /// Whether a future kept a clone of the waker (a channel, an event
    /// queue waiting for room): then something other than a host
    /// promise may wake the task.
    pub fn is_shared(self: &Arc<Self>) -> bool {
        Arc::strong_count(self) > 1
    }
}

impl Wake for TaskWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::Relaxed) {
            // A wake never calls out: it only queues, so it is safe from
            // inside any poll, drop or borrow.
            WOKEN.with(|q| q.borrow_mut().push(self.handle.load(Ordering::Relaxed)));
        }
    }
}

/// A task's wake state with its `Waker` made once, so polling clones
/// nothing. Reusable for another task once no clone of the waker is left.
pub struct TaskWaker {
    state: Arc<TaskWake>,
    waker: Waker,
}

impl TaskWaker {
    pub fn new(handle: u32) -> TaskWaker {
        let state = TaskWake::new(handle);
        TaskWaker { waker: state.waker(), state }
    }

    pub fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Whether the task was woken since the last call (and clears it).
    pub fn take_woken(&self) -> bool {
        self.state.take_woken()
    }

    pub fn is_woken(&self) -> bool {
        self.state.is_woken()
    }

    /// Whether a future kept a clone of the waker (beyond our own two
    /// references: the state and the waker made from it).
    pub fn is_shared(&self) -> bool {
        Arc::strong_count(&self.state) > 2
    }

    /// Wakes the task.
    pub fn wake(&self) {
        self.waker.wake_by_ref();
    }

    /// Readies it for a task under `handle`; false while a clone of the
    /// waker still exists (it could wake the new task by mistake).
    pub fn reuse(&self, handle: u32) -> bool {
        if self.is_shared() {
            return false;
        }
        self.state.handle.store(handle, Ordering::Relaxed);
        self.state.woken.store(false, Ordering::Relaxed);
        true
    }
}

/// The handles woken since the last drain, in wake order.
pub fn drain_woken() -> Vec<u32> {
    WOKEN.with(|q| core::mem::take(&mut *q.borrow_mut()))
}

/// Whether any task is queued as woken (cheap check before a drain).
pub fn any_woken() -> bool {
    WOKEN.with(|q| !q.borrow().is_empty())
}
