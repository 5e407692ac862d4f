//! Single-threaded synchronisation between futures: a oneshot, a bounded
//! channel and a semaphore. Each keeps the waker of whoever waits and wakes
//! it (after letting go of its own state) when it can proceed, so the
//! executor re-polls exactly the tasks that can make progress.

use crate::prelude::*;
use core::cell::RefCell;
use alloc::collections::VecDeque;
use core::future::Future;
use core::pin::Pin;
use alloc::rc::Rc;
use core::task::{Context, Poll, Waker};

/// Keeps `waker` in `slot` unless it already holds one that wakes the same task.
fn keep(slot: &mut Option<Waker>, waker: &Waker) {
    if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
        *slot = Some(waker.clone());
    }
}

fn wake(waker: Option<Waker>) {
    if let Some(w) = waker {
        w.wake();
    }
}

// ---------------------------------------------------------------- oneshot

struct OneshotState<T> {
    value: Option<T>,
    sender_gone: bool,
    receiver_gone: bool,
    waker: Option<Waker>,
}

/// Sends one value to the paired [`Receiver`].
pub struct Sender<T>(Rc<RefCell<OneshotState<T>>>);

/// Resolves to the value sent, or `Err(Closed)` if the sender was dropped without sending.
pub struct Receiver<T>(Rc<RefCell<OneshotState<T>>>);

/// The other side went away.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed;

pub fn oneshot<T>() -> (Sender<T>, Receiver<T>) {
    let state = Rc::new(RefCell::new(OneshotState { value: None, sender_gone: false, receiver_gone: false, waker: None }));
    (Sender(state.clone()), Receiver(state))
}

impl<T> Sender<T> {
    /// Sends `value`; hands it back if the receiver is gone.
    pub fn send(self, value: T) -> Result<(), T> {
        let waker = {
            let mut s = self.0.borrow_mut();
            if s.receiver_gone {
                return Err(value);
            }
            s.value = Some(value);
            s.waker.take()
        };
        wake(waker);
        Ok(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut s = self.0.borrow_mut();
            s.sender_gone = true;
            s.waker.take()
        };
        wake(waker);
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut s = self.0.borrow_mut();
        if let Some(v) = s.value.take() {
            return Poll::Ready(Ok(v));
        }
        if s.sender_gone {
            return Poll::Ready(Err(Closed));
        }
        keep(&mut s.waker, cx.waker());
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.0.borrow_mut().receiver_gone = true;
    }
}

// ---------------------------------------------------------------- channel

struct ChannelState<T> {
    queue: VecDeque<T>,
    capacity: usize,
    senders: usize,
    receiver_gone: bool,
    receiver: Option<Waker>,
    /// Senders waiting for room, one waker per task.
    blocked: Vec<Waker>,
}

/// The sending side of a bounded channel; clone it for more senders.
pub struct ChannelSender<T>(Rc<RefCell<ChannelState<T>>>);

/// The receiving side; `recv` resolves to `None` once every sender is gone
/// and the queue is empty.
pub struct ChannelReceiver<T>(Rc<RefCell<ChannelState<T>>>);

/// A channel holding up to `capacity` values (at least one).
pub fn channel<T>(capacity: usize) -> (ChannelSender<T>, ChannelReceiver<T>) {
    let state = ChannelState { queue: VecDeque::new(), capacity: capacity.max(1), senders: 1, receiver_gone: false, receiver: None, blocked: Vec::new() };
    let state = Rc::new(RefCell::new(state));
    (ChannelSender(state.clone()), ChannelReceiver(state))
}

impl<T> Clone for ChannelSender<T> {
    fn clone(&self) -> Self {
        self.0.borrow_mut().senders += 1;
        ChannelSender(self.0.clone())
    }
}

impl<T> Drop for ChannelSender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut s = self.0.borrow_mut();
            s.senders = s.senders.saturating_sub(1);
            if s.senders == 0 { s.receiver.take() } else { None }
        };
        wake(waker);
    }
}

impl<T: Unpin> ChannelSender<T> {
    /// Sends `value`, waiting while the channel is full. Resolves to the
    /// value handed back if the receiver is gone.
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send { channel: self, value: Some(value) }
    }
}

pub struct Send<'a, T> {
    channel: &'a ChannelSender<T>,
    value: Option<T>,
}

impl<T: Unpin> Future for Send<'_, T> {
    type Output = Result<(), T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(value) = self.value.take() else { return Poll::Ready(Ok(())) };
        let woke = {
            let mut s = self.channel.0.borrow_mut();
            if s.receiver_gone {
                return Poll::Ready(Err(value));
            }
            if s.queue.len() >= s.capacity {
                if !s.blocked.iter().any(|w| w.will_wake(cx.waker())) {
                    s.blocked.push(cx.waker().clone());
                }
                drop(s);
                self.value = Some(value);
                return Poll::Pending;
            }
            s.queue.push_back(value);
            s.receiver.take()
        };
        wake(woke);
        Poll::Ready(Ok(()))
    }
}

impl<T> ChannelReceiver<T> {
    /// The next value; `None` once all senders are gone.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { channel: self }
    }
}

pub struct Recv<'a, T> {
    channel: &'a mut ChannelReceiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let (value, blocked) = {
            let mut s = self.channel.0.borrow_mut();
            match s.queue.pop_front() {
                // Room for one more: let the blocked senders retry.
                Some(v) => (v, core::mem::take(&mut s.blocked)),
                None if s.senders == 0 => return Poll::Ready(None),
                None => {
                    keep(&mut s.receiver, cx.waker());
                    return Poll::Pending;
                }
            }
        };
        for w in blocked {
            w.wake();
        }
        Poll::Ready(Some(value))
    }
}

impl<T> Drop for ChannelReceiver<T> {
    fn drop(&mut self) {
        let blocked = {
            let mut s = self.0.borrow_mut();
            s.receiver_gone = true;
            core::mem::take(&mut s.blocked)
        };
        for w in blocked {
            w.wake();
        }
    }
}

// -------------------------------------------------------------- semaphore

struct SemaphoreState {
    available: usize,
    /// Waiting acquirers in arrival order: (ticket, waker).
    queue: VecDeque<(u64, Waker)>,
    next_ticket: u64,
}

/// Bounds how many holders run at once; acquirers are served first come,
/// first served. Clones share the permits.
#[derive(Clone)]
pub struct Semaphore(Rc<RefCell<SemaphoreState>>);

/// Held while running; dropping it returns the permit.
pub struct Permit(Rc<RefCell<SemaphoreState>>);

impl Semaphore {
    pub fn new(permits: usize) -> Semaphore {
        Semaphore(Rc::new(RefCell::new(SemaphoreState { available: permits, queue: VecDeque::new(), next_ticket: 0 })))
    }

    pub fn acquire(&self) -> Acquire {
        Acquire { semaphore: self.0.clone(), ticket: None }
    }

    /// Permits free right now.
    pub fn available(&self) -> usize {
        self.0.borrow().available
    }
}

/// The front waiter's waker, when a permit is free for it.
fn front_if_free(s: &SemaphoreState) -> Option<Waker> {
    if s.available > 0 { s.queue.front().map(|(_, w)| w.clone()) } else { None }
}

pub struct Acquire {
    semaphore: Rc<RefCell<SemaphoreState>>,
    /// Our place in the queue while waiting.
    ticket: Option<u64>,
}

impl Future for Acquire {
    type Output = Permit;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit> {
        let next = {
            let mut s = self.semaphore.borrow_mut();
            match self.ticket {
                None if s.available > 0 && s.queue.is_empty() => {
                    s.available -= 1;
                    None
                }
                None => {
                    let t = s.next_ticket;
                    s.next_ticket += 1;
                    s.queue.push_back((t, cx.waker().clone()));
                    drop(s);
                    self.ticket = Some(t);
                    return Poll::Pending;
                }
                Some(t) if s.available > 0 && s.queue.front().is_some_and(|(f, _)| *f == t) => {
                    s.queue.pop_front();
                    s.available -= 1;
                    front_if_free(&s)
                }
                Some(t) => {
                    if let Some((_, w)) = s.queue.iter_mut().find(|(f, _)| *f == t) {
                        if !w.will_wake(cx.waker()) {
                            *w = cx.waker().clone();
                        }
                    }
                    return Poll::Pending;
                }
            }
        };
        self.ticket = None;
        wake(next);
        Poll::Ready(Permit(self.semaphore.clone()))
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        let Some(t) = self.ticket else { return };
        // Gave up waiting: leave the queue, and if we were at its head with
        // a permit free, pass the turn on.
        let next = {
            let mut s = self.semaphore.borrow_mut();
            s.queue.retain(|(f, _)| *f != t);
            front_if_free(&s)
        };
        wake(next);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let next = {
            let mut s = self.0.borrow_mut();
            s.available += 1;
            front_if_free(&s)
        };
        wake(next);
    }
}
