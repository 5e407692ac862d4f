//! The deploy operation's poll loop as data (contract §3.1 step 10, §3.9):
//! which `commit.phase` events a sequence of operation statuses produces,
//! when the loop ends, and how long it sleeps between snapshots. No I/O:
//! the deploy engine feeds it each snapshot's status.

use crate::prelude::*;

/// One `commit.phase` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseEvent {
    pub phase: &'static str,
    pub status: &'static str,
}

/// What the loop does after a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// `ready`: the release is live (the engine emits `ready` next).
    Ready,
    /// `failed`, `rolled_back` or `needs_repair`: the snapshot's error is
    /// translated and thrown.
    Failed,
    /// Anything else (`schema_settling` and `activation_pending` included):
    /// sleep, then fetch the operation again.
    Wait,
}

const STARTED: &str = "started";

/// The statuses that announce a phase event, and the event.
const ANNOUNCING: &[(&str, PhaseEvent)] = &[
    ("staging", PhaseEvent { phase: "stage", status: STARTED }),
    ("gating", PhaseEvent { phase: "migrate-gate", status: STARTED }),
    ("migrating", PhaseEvent { phase: "migrate", status: STARTED }),
    ("schema_settling", PhaseEvent { phase: "schema-settle", status: STARTED }),
    ("activating", PhaseEvent { phase: "activate", status: STARTED }),
    // The gateway retries activation later; the phase did not finish.
    ("activation_pending", PhaseEvent { phase: "activate", status: "failed" }),
];

/// Tracks the phase the last announcing status opened, so each is closed
/// once: by the next phase's start (`done`, unless it is the same phase),
/// by `ready` (`done`) or by a terminal failure (`failed`). The pre-commit
/// `validate` phase is the engine's, outside this loop, and never closed.
#[derive(Debug, Default)]
pub struct Phases {
    last: Option<PhaseEvent>,
    last_status: Option<&'static str>,
}

impl Phases {
    pub fn new() -> Phases {
        Phases::default()
    }

    /// The events one snapshot's status produces, in order, and what next.
    pub fn observe(&mut self, status: &str, out: &mut Vec<PhaseEvent>) -> Next {
        if let Some(&(key, event)) = ANNOUNCING.iter().find(|(s, _)| *s == status) {
            // The same announcing status again (other statuses between
            // included) announces nothing new.
            if self.last_status != Some(key) {
                self.close(Some(event.phase), "done", out);
                out.push(event);
                self.last = Some(event);
                self.last_status = Some(key);
            }
        }
        match status {
            "ready" => {
                self.close(None, "done", out);
                Next::Ready
            }
            "failed" | "rolled_back" | "needs_repair" => {
                self.close(None, "failed", out);
                Next::Failed
            }
            _ => Next::Wait,
        }
    }

    /// Closes the open phase unless the next one has the same name.
    fn close(&mut self, next: Option<&str>, how: &'static str, out: &mut Vec<PhaseEvent>) {
        let Some(open) = self.last.filter(|e| e.status == STARTED) else { return };
        if next == Some(open.phase) {
            return;
        }
        out.push(PhaseEvent { phase: open.phase, status: how });
        self.last = Some(PhaseEvent { phase: open.phase, status: how });
    }
}

/// The first sleep between snapshots.
pub const INITIAL_INTERVAL_MS: u32 = 1_000;
/// After this long the interval grows by half after each sleep...
pub const BACKOFF_AFTER_MS: f64 = 30_000.0;
/// ...up to this.
pub const MAX_INTERVAL_MS: u32 = 30_000;
/// The whole loop gives up after this (INTERNAL_ERROR, retryable, 504).
pub const GIVE_UP_AFTER_MS: f64 = 600_000.0;

/// The interval after a sleep, `elapsed_ms` after the loop started.
pub fn next_interval(interval_ms: u32, elapsed_ms: f64) -> u32 {
    if elapsed_ms > BACKOFF_AFTER_MS {
        (interval_ms + interval_ms / 2).min(MAX_INTERVAL_MS)
    } else {
        interval_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(statuses: &[&str]) -> (Vec<String>, Next) {
        let mut phases = Phases::new();
        let mut out = Vec::new();
        let mut next = Next::Wait;
        for s in statuses {
            next = phases.observe(s, &mut out);
        }
        (out.iter().map(|e| format!("{}:{}", e.phase, e.status)).collect(), next)
    }

    #[test]
    fn a_straight_run_opens_and_closes_each_phase_once() {
        let (events, next) = run(&["staging", "staging", "gating", "migrating", "schema_settling", "activating", "ready"]);
        assert_eq!(
            events,
            [
                "stage:started",
                "stage:done",
                "migrate-gate:started",
                "migrate-gate:done",
                "migrate:started",
                "migrate:done",
                "schema-settle:started",
                "schema-settle:done",
                "activate:started",
                "activate:done"
            ]
        );
        assert_eq!(next, Next::Ready);
    }

    #[test]
    fn statuses_without_a_phase_announce_nothing() {
        assert_eq!(run(&["planning", "uploading", "committing"]), (vec![], Next::Wait));
        assert_eq!(run(&["ready"]), (vec![], Next::Ready));
    }

    #[test]
    fn activation_pending_fails_the_phase_without_closing_it_twice() {
        let (events, next) = run(&["activating", "activation_pending", "activation_pending", "activating", "ready"]);
        assert_eq!(events, ["activate:started", "activate:failed", "activate:started", "activate:done"]);
        assert_eq!(next, Next::Ready);
        // Not terminal: the loop waits.
        assert_eq!(run(&["activation_pending"]).1, Next::Wait);
        assert_eq!(run(&["schema_settling"]).1, Next::Wait);
    }

    #[test]
    fn terminal_failures_close_the_open_phase_as_failed() {
        for terminal in ["failed", "rolled_back", "needs_repair"] {
            let (events, next) = run(&["staging", "migrating", terminal]);
            assert_eq!(events, ["stage:started", "stage:done", "migrate:started", "migrate:failed"], "{terminal}");
            assert_eq!(next, Next::Failed);
        }
        // Nothing open: nothing to close.
        assert_eq!(run(&["failed"]), (vec![], Next::Failed));
        assert_eq!(run(&["activation_pending", "failed"]).0, ["activate:failed"]);
    }

    #[test]
    fn the_interval_grows_by_half_after_thirty_seconds_up_to_thirty() {
        assert_eq!(next_interval(1_000, 29_999.0), 1_000);
        assert_eq!(next_interval(1_000, 30_001.0), 1_500);
        assert_eq!(next_interval(1_500, 31_000.0), 2_250);
        assert_eq!(next_interval(25_000, 100_000.0), 30_000);
        let mut i = INITIAL_INTERVAL_MS;
        for _ in 0..20 {
            i = next_interval(i, 40_000.0);
        }
        assert_eq!(i, MAX_INTERVAL_MS);
    }
}
