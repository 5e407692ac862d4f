//! Runs several fallible futures of one task concurrently, at most `limit`
//! at a time, in the task's own polls (no extra tasks): each poll polls
//! the ones in flight and starts more as they finish. The first error ends
//! the join and drops the rest, which cancels them (their host waits are
//! abandoned, their destructors run). Results keep the input order.

use crate::prelude::*;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

pub struct JoinBounded<I, F: Future> {
    pending: I,
    running: Vec<(usize, Pin<Box<F>>)>,
    results: Vec<Option<F::Output>>,
    limit: usize,
}

// Every future is boxed and never projected, so moving the join is fine.
impl<I, F: Future> Unpin for JoinBounded<I, F> {}

/// Joins `futures`, running up to `limit` (at least one) at once.
pub fn join_bounded<I, F, T, E>(futures: I, limit: usize) -> JoinBounded<I::IntoIter, F>
where
    I: IntoIterator<Item = F>,
    F: Future<Output = Result<T, E>>,
{
    JoinBounded { pending: futures.into_iter(), running: Vec::new(), results: Vec::new(), limit: limit.max(1) }
}

impl<I, F, T, E> Future for JoinBounded<I, F>
where
    I: Iterator<Item = F>,
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            while this.running.len() < this.limit {
                let Some(f) = this.pending.next() else { break };
                this.running.push((this.results.len(), Box::pin(f)));
                this.results.push(None);
            }
            if this.running.is_empty() {
                let done = core::mem::take(&mut this.results);
                return Poll::Ready(Ok(done.into_iter().flatten().flatten().collect()));
            }
            let mut finished = false;
            let mut i = 0;
            while i < this.running.len() {
                match this.running[i].1.as_mut().poll(cx) {
                    Poll::Ready(Ok(v)) => {
                        let (at, _) = this.running.swap_remove(i);
                        this.results[at] = Some(Ok(v));
                        finished = true;
                    }
                    Poll::Ready(Err(e)) => {
                        this.running.clear();
                        return Poll::Ready(Err(e));
                    }
                    Poll::Pending => i += 1,
                }
            }
            // Something finished: start the next ones now rather than wait
            // for a wake that may never come.
            if !finished {
                return Poll::Pending;
            }
        }
    }
}
