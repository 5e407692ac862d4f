//! Single-threaded synchronisation between futures: a oneshot and a bounded
//! channel. Each keeps the waker of whoever waits and wakes
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
