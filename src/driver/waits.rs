//! The host promises one task is waiting on.
//!
//! A wait is registered when a future first needs a promise settled; the
//! executor hands the fresh ones to the host, which delivers each outcome
//! by id whenever it comes, in any order. A wait whose future was dropped
//! (cancelled, or the losing branch of a join) is abandoned: its late
//! outcome is ignored.

use crate::prelude::*;
use core::cell::Cell;

/// Identifies one wait. Unique per thread (not per task), so a late outcome
/// for a finished task can never be taken for a wait of the task that
/// reused its handle.
pub type WaitId = u32;

local! {
    static NEXT_ID: Cell<WaitId> = const { Cell::new(1) };
}

/// A fresh wait id (0 is never used).
pub fn next_id() -> WaitId {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.checked_add(1).unwrap_or(1));
        id
    })
}

/// One task's outstanding waits: `P` is what the host awaits, `O` its outcome.
pub struct Waits<P, O> {
    /// Registered and not yet taken by their future, with the outcome once
    /// delivered. A task has a handful at most, so a list beats a map.
    outstanding: Vec<(WaitId, Option<O>)>,
    /// Registered since the host last asked: promises it has not seen yet.
    fresh: Vec<(WaitId, P)>,
}

impl<P, O> Default for Waits<P, O> {
    fn default() -> Self {
        Waits { outstanding: Vec::new(), fresh: Vec::new() }
    }
}

impl<P, O> Waits<P, O> {
    /// Registers `promise` under a new id.
    pub fn register(&mut self, promise: P) -> WaitId {
        let id = next_id();
        self.outstanding.push((id, None));
        self.fresh.push((id, promise));
        id
    }

    /// Records the outcome of wait `id`; false if nobody waits for it any
    /// more (abandoned, already delivered, or never registered here).
    pub fn deliver(&mut self, id: WaitId, outcome: O) -> bool {
        match self.outstanding.iter_mut().find(|(w, _)| *w == id) {
            Some((_, slot @ None)) => {
                *slot = Some(outcome);
                true
            }
            _ => false,
        }
    }

    /// The outcome of wait `id` if it has come, ending the wait.
    pub fn take(&mut self, id: WaitId) -> Option<O> {
        let at = self.outstanding.iter().position(|(w, o)| *w == id && o.is_some())?;
        self.outstanding.swap_remove(at).1
    }

    /// Ends wait `id` without an outcome (its future was dropped).
    pub fn abandon(&mut self, id: WaitId) {
        self.outstanding.retain(|(w, _)| *w != id);
        self.fresh.retain(|(w, _)| *w != id);
    }

    /// The promises registered since the last call, for the host to await.
    pub fn take_fresh(&mut self) -> Vec<(WaitId, P)> {
        core::mem::take(&mut self.fresh)
    }

    /// The only fresh promise, when it is also the only outstanding wait:
    /// the host can then simply await it and hand the outcome straight back
    /// (the fast path: one promise, no bookkeeping on the JS side).
    pub fn take_sole(&mut self) -> Option<(WaitId, P)> {
        if self.outstanding.len() == 1 && self.fresh.len() == 1 && self.outstanding[0].1.is_none() {
            self.fresh.pop()
        } else {
            None
        }
    }

    /// How many waits have no outcome taken yet.
    pub fn outstanding(&self) -> usize {
        self.outstanding.len()
    }

    /// Forgets every wait, keeping the memory for the next task.
    pub fn clear(&mut self) {
        self.outstanding.clear();
        self.fresh.clear();
    }

    /// Whether some outcome has been delivered and not taken.
    pub fn has_delivered(&self) -> bool {
        self.outstanding.iter().any(|(_, o)| o.is_some())
    }
}
