//! The seam between a breaker's state machine and where its figures live.
//!
//! The state machine ([`Machine`](super::machine::Machine)) decides: which
//! call runs, what trips, when to move. A [`Store`] keeps what it decides on:
//! the state word and its generation, outcome totals, the rolling window, the
//! run of consecutive failures, the half-open probes and the last failures.
//! [`LocalStore`](super::local::LocalStore) keeps them in this process's
//! atomics; it is the only store today, and the machine is generic over the
//! store, so its calls are static and inlined (the closed path costs what it
//! did before the seam).
//!
//! A shared tier (SPEC §9) implements the same trait over a local store: it
//! answers `state` from the state it adopted from the fleet (so the closed
//! path never waits on the network), batches what `count` and `record` add
//! and flushes them every `sync_interval`, and makes `transition` a
//! generation-checked script that only one instance wins, adopting the
//! winner's state otherwise.

use super::probes::Probes;
use super::snapshot::FailureRecord;
use super::state::BreakerState;
use super::window::{Counts, Kind};

/// The outcome totals a store keeps (they only count up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    Successes = 0,
    Failures = 1,
    Rejected = 2,
    Timeouts = 3,
    Slow = 4,
    Cancelled = 5,
}

/// A generation-checked transition: from the state of `generation` to `to`,
/// at `now`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step {
    pub(crate) generation: u64,
    pub(crate) to: BreakerState,
    pub(crate) now: u64,
}

/// Where one breaker's state and figures live. Times are nanoseconds since
/// the breaker's start, on its clock.
pub(crate) trait Store: Send + Sync + 'static {
    /// The state now and its generation (bumped at every transition).
    fn state(&self) -> (BreakerState, u64);

    /// Adds `n` to a total.
    fn count(&self, counter: Counter, n: u64);

    /// A total so far.
    fn total(&self, counter: Counter) -> u64;

    /// The totals of successes and failures at the last transition (or at
    /// the last manual close), which a snapshot's failure rate counts from.
    fn baseline(&self) -> (u64, u64);

    /// Counts one event of `kind` in the rolling window at `now`.
    fn record(&self, kind: Kind, now: u64);

    /// What the rolling window holds at `now`.
    fn window(&self, now: u64) -> Counts;

    /// Failures in a row since the last success or transition.
    fn consecutive(&self) -> u64;

    /// One more failure in a row.
    fn add_consecutive(&self);

    /// A success ended the run of failures.
    fn clear_consecutive(&self);

    /// When the breaker last opened.
    fn opened_at(&self) -> u64;

    /// When the breaker last went half-open.
    fn half_opened_at(&self) -> u64;

    /// Applies `change` to the probes of `generation`'s half-open state: the
    /// probes before it, or (`Err`) those that are there when they belong to
    /// another generation or `change` declines.
    fn update_probes(
        &self,
        generation: u64,
        change: impl Fn(Probes) -> Option<Probes>,
    ) -> Result<Probes, Probes>;

    /// Makes `step` unless another transition came first (its generation is
    /// gone): the state it left, or `None`. Entering a state starts it
    /// afresh (open: its time; half-open: its time and no probes; closed: an
    /// empty window), ends any run of failures and moves the baseline.
    /// `announce` runs before any other transition can, with the state left.
    fn transition(&self, step: Step, announce: impl FnOnce(BreakerState)) -> Option<BreakerState>;

    /// If the breaker is closed (checked with transitions held off): an empty
    /// window, no run of failures, and the baseline moved to now.
    fn restart_closed(&self);

    /// Keeps a failure among the last ones.
    fn remember(&self, failure: FailureRecord);

    /// The last failures, oldest first.
    fn last_failures(&self) -> Vec<FailureRecord>;

    /// Forgets the last failures.
    fn forget_failures(&self);
}
