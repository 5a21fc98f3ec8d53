//! Circuit breakers: the runtime of `#[circuit_breaker]`, usable on its own.
//!
//! A [`Breaker`] counts failures in a rolling window of ten buckets and opens
//! when a trigger fires (`failure_threshold` failures in the window, or a
//! failure rate, consecutive failures or slow-call rate if configured). Open,
//! it rejects calls with [`GuardError::CircuitOpen`](crate::GuardError) until
//! `recovery_timeout` has passed; the next call moves it to half-open, where
//! up to `half_open_max_calls` probes run; `success_threshold` probe
//! successes close it and any probe failure reopens it.
//!
//! The closed-state path takes no lock, reads no clock and writes no shared
//! counter in the default configuration: a success is two atomic loads (the
//! state, and the consecutive-failure count) and a count in the thread's
//! own stripe (a plain load and store, see `counters.rs`).
//! Failures, transitions and rate-based triggers (which count every call in
//! the window) read the breaker's [`Clock`]: tokio's by default, so tests
//! drive them with `tokio::time::pause()` and `advance()`.
//!
//! Inside: `handle.rs` is the public [`Breaker`]; `machine.rs` (calls and
//! triggers) and `transition.rs` (moves, manual control, snapshots) are the
//! state machine, generic over a `store.rs` `Store` that keeps its
//! state and figures (`local.rs`: this process's atomics, with `state.rs`,
//! `probes.rs` and `window.rs`); `permit.rs` runs one call, composing the
//! [`timeout`](crate::timeout) primitive, and `retry.rs` composes
//! [`retry`](crate::retry).
//!
//! Every transition is a `tracing` event (target `opguard::breaker`; `warn`
//! when it opens, `info` otherwise) and a [`BreakerEvent`] for subscribers of
//! [`events()`].

mod builder;
mod callsite;
mod clock;
mod config;
mod events;
#[cfg(feature = "redis")]
mod fleet;
mod handle;
mod local;
mod machine;
mod permit;
mod policy;
mod probes;
mod retry;
mod snapshot;
mod state;
mod store;
mod transition;
mod window;

/// The retry primitive's policy, which `retries` options build.
pub use crate::retry::{Backoff, RetryPolicy};
pub use builder::BreakerBuilder;
pub use callsite::{Callsite, CallsiteMeta};
pub use clock::Clock;
pub use config::{BreakerConfig, MAX_PROBES, MAX_WINDOW_COUNT, MIN_WINDOW};
pub use events::{BreakerEvent, TARGET, events};
pub use handle::Breaker;
pub use permit::{OwnedPermit, Permit};
pub use policy::{CallPolicy, OwnedCallPolicy};
pub use snapshot::{BreakerScope, BreakerSnapshot, FailureRecord, FleetCounts};
pub use state::BreakerState;

#[cfg(feature = "redis")]
pub(crate) use fleet::Adoption;
use handle::registry;
#[cfg(feature = "redis")]
pub(crate) use local::Inner;

/// The breaker registered under `name`.
///
/// ```
/// use opguard_runtime::breaker::{self, Breaker};
/// Breaker::builder("docs.get").build();
/// assert_eq!(breaker::get("docs.get").unwrap().name(), "docs.get");
/// assert!(breaker::get("docs.unknown").is_none());
/// ```
pub fn get(name: &str) -> Option<Breaker> {
    registry().get(name).map(Breaker)
}

/// Forgets the breaker registered under `name`, for breakers made at run
/// time (one per host or tenant) that are no longer needed: the registry
/// would otherwise keep each for good (about 2 KB). It leaves every export
/// and report; handles still held keep working on their own state, and
/// building the name again registers a new breaker. True if one was there.
///
/// A function's `#[circuit_breaker]` keeps using its breaker after this, out
/// of the exports: remove only what you built.
///
/// ```
/// use opguard_runtime::breaker::{self, Breaker};
/// let per_host = Breaker::builder("docs.remove.host-17").build();
/// assert!(breaker::remove("docs.remove.host-17"));
/// assert!(breaker::get("docs.remove.host-17").is_none());
/// assert!(!breaker::remove("docs.remove.host-17"));
/// assert_eq!(per_host.name(), "docs.remove.host-17");
/// ```
pub fn remove(name: &str) -> bool {
    registry().remove(name).is_some()
}

/// Snapshots of every registered breaker, sorted by name.
pub fn all() -> Vec<BreakerSnapshot> {
    registry()
        .all()
        .into_iter()
        .map(|inner| Breaker(inner).snapshot())
        .collect()
}
