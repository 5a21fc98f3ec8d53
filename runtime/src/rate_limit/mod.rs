//! Rate limits: at most so many calls per period, spread evenly — the
//! runtime of `#[rate_limit]`, usable on its own.
//!
//! A limit is the generic cell rate algorithm (GCRA, as in `governor` and
//! `redis_rate`): with a [`Rate`] of N calls per period, one call is
//! admitted every `period / N`, and after an idle period up to `burst` at
//! once. A refused call gets [`GuardError::RateLimited`](crate::GuardError)
//! with the exact time until a call is admitted. A call may instead wait for
//! its turn up to a bound ([`RateLimiter::wait_at_most`]): the turn is
//! reserved when the wait starts, so a waiting call is never overtaken, and
//! a cancelled one gives its turn back.
//!
//! A [`RateLimiter`] is one limit, decided with one atomic
//! compare-and-swap. A [`KeyedRateLimiter`] keeps one per key, with memory
//! that stays bounded without the user's help: a key whose limit has fully
//! recovered holds no state (swept as calls go), and
//! [`max_keys`](RateLimitConfig::max_keys) bounds the keys still
//! recovering (past it, those closest to recovery are forgotten first).
//!
//! Time is [`tokio::time::Instant`], so tests drive it with
//! `tokio::time::pause()` and `advance()`. Every limiter is registered under
//! its name: [`get`], [`all`], [`remove`], and both exports.

mod builder;
mod callsite;
mod config;
pub(crate) mod gcra;
mod keyed;
mod limiter;
mod snapshot;

pub use builder::{RateLimitError, RateLimiterBuilder};
pub use callsite::{Callsite, CallsiteMeta};
pub use config::{MAX_BURST, Rate, RateLimitConfig};
pub use limiter::{KeyedRateLimiter, RateLimiter};
pub use snapshot::RateLimitSnapshot;

use std::sync::Arc;

use crate::registry::Registry;

mod registry {
    use std::sync::Arc;

    use super::limiter::Limiter;

    /// A registered limiter of either kind.
    #[derive(Debug)]
    pub(crate) struct Entry(pub(crate) Arc<dyn Limiter>);
}

fn registry() -> &'static Registry<registry::Entry> {
    static LIMITERS: Registry<registry::Entry> = Registry::new();
    &LIMITERS
}

/// A registered limiter, found by name: its figures.
#[derive(Debug, Clone)]
pub struct RateLimitHandle(Arc<registry::Entry>);

impl RateLimitHandle {
    /// The limiter's figures now.
    pub fn snapshot(&self) -> RateLimitSnapshot {
        self.0.0.snapshot()
    }
}

/// The limiter registered under `name`.
pub fn get(name: &str) -> Option<RateLimitHandle> {
    registry().get(name).map(RateLimitHandle)
}

/// Forgets the limiter registered under `name`; whoever holds it keeps it,
/// and the next build of that name starts afresh. Whether there was one.
pub fn remove(name: &str) -> bool {
    registry().remove(name).is_some()
}

/// Every registered limiter's figures, by name.
pub fn all() -> Vec<RateLimitSnapshot> {
    registry().all().iter().map(|e| e.0.snapshot()).collect()
}
