//! The storage seam: where a cache keeps its entries.
//!
//! The cache's core (`core.rs`) decides everything about a call: it counts
//! hits, misses and loads, detects a function loading its own key
//! (`reentry`), runs the body, decides what of its return value is cached
//! (`shape`, `condition`) and what the callers that waited get (`flight`).
//! A [`Tier`] only keeps entries: it looks a key up, holds one load per key
//! while others wait for it, inserts and removes. moka's tiers
//! (`moka_tier.rs`): `MokaSync` behind a [`SyncCache`], `MokaFuture`
//! behind an [`AsyncCache`]; with the `redis` feature, `SharedTier`
//! (`shared_tier.rs`: a `MokaFuture` in front of Redis) behind a
//! `SharedCache`, which follows the steps below.
//!
//! The core is written once, as async code. A tier whose futures are all
//! complete at their first poll (`Tier::SYNC`, moka's `sync::Cache`) also
//! serves synchronous functions: their cache drives the same core with
//! [`now`], without a runtime.
//!
//! # Adding a storage tier
//!
//! 1. A type that implements [`Tier<K, V>`] with the bounds it needs on `K`
//!    and `V` (a Redis tier: `Serialize + DeserializeOwned`), in its own file
//!    under `cache/` (behind its Cargo feature).
//! 2. `get` is the hit path: it answers from this process's memory only.
//!    A tier over a remote store keeps a local tier (a `MokaFuture` built
//!    with its own time to live) and answers `get` from it, so that a hit
//!    costs what it costs without the remote store.
//! 3. `get_or_load` is the miss path. The core calls it once per miss and
//!    gives it the load (the body, with its admission and accounting); the
//!    tier runs the load at most once per key at a time and hands its value
//!    to the callers that waited. A two-tier cache delegates to its local
//!    tier's `get_or_load` (one load per key in this process) with a load
//!    that first looks in the remote store (a hit there fills the local
//!    tier), else takes the store's lease on the key (one load in the whole
//!    fleet), runs the core's load and writes the value to the store.
//! 4. A tier never fails a call: an error of the store is a miss (on
//!    `get`), a skipped write (on `insert`), or a best effort (on
//!    `invalidate`), bounded by the store's deadline, and counted in what
//!    `report` adds to [`CacheStats`].
//! 5. A cache type that holds `Core<K, V, YourTier>` (static dispatch: the
//!    core is generic over its tier, never `dyn`), built and registered by
//!    `CacheBuilder`, and a `Callsite` getter for the attribute.
//!
//! `tier_tests.rs` drives the core over a tier made for the test, which is
//! the smallest example of an implementation.
//!
//! [`SyncCache`]: super::SyncCache
//! [`AsyncCache`]: super::AsyncCache

use std::borrow::Borrow;
use std::future::Future;
use std::hash::Hash;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::CacheStats;

/// Where a cache keeps its entries; the core drives it. Every operation is
/// a future, so that a tier may wait on a network; a tier that never waits
/// says so with [`SYNC`](Self::SYNC).
pub(crate) trait Tier<K, V>: Send + Sync + 'static {
    /// True when every future of this tier is complete at its first poll,
    /// so that a synchronous function can use it (through [`now`]).
    const SYNC: bool;

    /// The value kept for `key`, from this process's memory: the hit path.
    fn get<Q>(&self, key: &Q) -> impl Future<Output = Option<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized;

    /// The value kept for `key`, else the value of `load`, kept. Concurrent
    /// calls for one key run one `load` and the others wait for its outcome:
    /// its value, or its error shared. A `load` that is dropped or panics
    /// before it finishes hands the key to one of the waiters, which runs
    /// its own `load`.
    fn get_or_load<E>(
        &self,
        key: K,
        load: impl Future<Output = Result<V, E>>,
    ) -> impl Future<Output = Result<V, Arc<E>>>
    where
        E: Send + Sync + 'static;

    /// Keeps `value` for `key`.
    fn insert(&self, key: K, value: V) -> impl Future<Output = ()>;

    /// Removes the entry for `key`.
    fn invalidate(&self, key: &K) -> impl Future<Output = ()> + Send;

    /// Removes every entry.
    fn invalidate_all(&self);

    /// Finishes pending maintenance (evictions, expiry, the entry count).
    fn run_pending_tasks(&self) -> impl Future<Output = ()> + Send;

    /// Adds what this tier knows to a cache's figures: the entries it holds,
    /// its evictions (and a shared tier its own counts).
    fn report(&self, stats: &mut CacheStats);
}

/// The output of a future that is complete at its first poll: a
/// [`Tier::SYNC`] tier's, or the core's driving one.
///
/// # Panics
///
/// When the future is not complete: a synchronous cache was given a tier
/// that waits, which its constructor rules out.
#[inline]
pub(crate) fn now<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("opguard: a synchronous cache's tier did not finish at once"),
    }
}
