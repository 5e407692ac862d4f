//! The bounded queue a running task emits values into, for a host-side
//! async iterator to consume while the task runs.
//!
//! The rule: while a consumer is attached, a full queue makes the emitter
//! wait (backpressure: the task pauses until the consumer takes one). With
//! no consumer attached (none yet, or it stopped early), emitting never
//! waits: a full queue drops its oldest value and counts it, so an
//! operation nobody listens to runs at full speed in bounded memory.

use core::cell::RefCell;
use alloc::collections::VecDeque;
use core::future::Future;
use core::ops::Deref;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

pub struct EventQueue<T> {
    buf: VecDeque<T>,
    capacity: usize,
    attached: bool,
    dropped: u64,
    /// The emitter waiting for room, if any.
    room: Option<Waker>,
}

impl<T> EventQueue<T> {
    pub fn new(capacity: usize) -> EventQueue<T> {
        EventQueue { buf: VecDeque::new(), capacity: capacity.max(1), attached: false, dropped: 0, room: None }
    }

    /// Queues `value`, or hands it back when the emitter must wait.
    pub fn offer(&mut self, value: T) -> Result<(), T> {
        if self.buf.len() < self.capacity {
            self.buf.push_back(value);
            return Ok(());
        }
        if self.attached {
            return Err(value);
        }
        self.buf.pop_front();
        self.dropped = self.dropped.saturating_add(1);
        self.buf.push_back(value);
        Ok(())
    }

    /// The oldest value, and the waker of an emitter that may now proceed
    /// (to be woken once the caller has let go of the queue).
    pub fn take(&mut self) -> (Option<T>, Option<Waker>) {
        let value = self.buf.pop_front();
        let room = if value.is_some() { self.room.take() } else { None };
        (value, room)
    }

    /// Attaches or detaches the consumer; detaching releases a waiting
    /// emitter (returned, to be woken outside the borrow).
    pub fn set_attached(&mut self, attached: bool) -> Option<Waker> {
        self.attached = attached;
        if attached {
            None
        } else {
            self.room.take()
        }
    }

    /// Empties the queue for the next task, keeping its memory.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.attached = false;
        self.dropped = 0;
        self.room = None;
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Values dropped because nobody was consuming.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn wait_for_room(&mut self, waker: &Waker) {
        match &self.room {
            Some(w) if w.will_wake(waker) => {}
            _ => self.room = Some(waker.clone()),
        }
    }
}

/// Emits one value into `queue` (anything that leads to the queue, such as
/// an `Rc` of it or of the task that holds it), waiting while it is full
/// and consumed.
pub fn emit<Q, T>(queue: Q, value: T) -> Emit<Q, T>
where
    Q: Deref<Target = RefCell<EventQueue<T>>> + Unpin,
    T: Unpin,
{
    Emit { queue, value: Some(value) }
}

pub struct Emit<Q, T> {
    queue: Q,
    value: Option<T>,
}

impl<Q, T> Future for Emit<Q, T>
where
    Q: Deref<Target = RefCell<EventQueue<T>>> + Unpin,
    T: Unpin,
{
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(value) = self.value.take() else { return Poll::Ready(()) };
        let refused = {
            let mut q = self.queue.borrow_mut();
            match q.offer(value) {
                Ok(()) => None,
                Err(value) => {
                    q.wait_for_room(cx.waker());
                    Some(value)
                }
            }
        };
        match refused {
            None => Poll::Ready(()),
            Some(value) => {
                self.value = Some(value);
                Poll::Pending
            }
        }
    }
}
