//! One cache's logic, written once for synchronous and async functions and
//! for any storage [`Tier`]: hits and misses counted, one load per key with
//! what its waiters get (`flight`), what of a return value is cached
//! (`shape`, `condition`), a function loading its own key (`reentry`), and
//! the cache's figures.
//!
//! It is async code. A synchronous function's cache runs it with
//! [`now`](super::tier::now) over a tier whose futures are complete at their
//! first poll (`Tier::SYNC`); its body is a future complete at its first
//! poll too, so the whole load runs on the caller's thread, as plain calls.

use std::borrow::Borrow;
use std::future::Future;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use super::flight::{self, Uncached};
use super::reentry;
use super::stats::Counters;
use super::tier::Tier;
use super::{Adapter, CacheStats};

/// A cache over the tier `T`: what [`SyncCache`](super::SyncCache) and
/// [`AsyncCache`](super::AsyncCache) are made of, and what a cache over
/// another tier would be made of.
#[derive(Clone)]
pub(crate) struct Core<K, V, T> {
    name: Arc<str>,
    tier: T,
    /// Also the cache's identity for `reentry` (its address).
    counters: Arc<Counters>,
    types: PhantomData<fn() -> (K, V)>,
}

impl<K, V, T> Core<K, V, T> {
    /// The cache's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Where the entries are.
    #[inline]
    pub(crate) fn tier(&self) -> &T {
        &self.tier
    }
}

impl<K, V, T> Core<K, V, T>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    T: Tier<K, V>,
{
    pub(crate) fn new(name: &str, tier: T) -> Self {
        Self {
            name: name.into(),
            tier,
            counters: Arc::default(),
            types: PhantomData,
        }
    }

    /// Counts what a lookup `found`: a hit or a miss.
    #[inline]
    pub(crate) fn counted(&self, found: Option<V>) -> Option<V> {
        match found {
            Some(_) => self.counters.hit(),
            None => self.counters.miss(),
        }
        found
    }

    /// The cached value for `key`, counting a hit or a miss.
    #[inline]
    pub(crate) async fn hit<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = self.tier.get(key).await;
        self.counted(found)
    }

    /// Runs `body` for `key` after a miss, unless a concurrent call for the
    /// same key is already running it, in which case this one waits for its
    /// outcome. What `adapter` splits off as cacheable, and `keep` accepts,
    /// is cached. A load that caches nothing hands its waiters a copy of
    /// what it returned where one can be made (see [`Adapter`]); otherwise
    /// each waiter runs its own body, at once.
    pub(crate) async fn load<R>(
        &self,
        key: K,
        adapter: &Adapter<R, V>,
        keep: impl Fn(&V) -> bool,
        body: impl Future<Output = R>,
    ) -> R {
        let id = Arc::as_ptr(&self.counters) as usize;
        reentry::check(id, &key, &self.name);
        let mut body = Some(body);
        let mut own = None;
        let load = async {
            match body.take() {
                Some(body) => self.run(id, &key, adapter, &keep, body).await.map_err(
                    |(uncached, returned)| {
                        own = Some(returned);
                        uncached
                    },
                ),
                None => Err(Uncached::Unshared),
            }
        };
        let loaded = self.tier.get_or_load(key.clone(), load).await;
        match loaded {
            Ok(value) => adapter.wrap(value),
            Err(uncached) => match own.or_else(|| flight::waited(adapter, &uncached)) {
                Some(returned) => returned,
                None => {
                    // This caller waited, so its body has not run.
                    let body = body.take().expect("a waiting caller still has its body");
                    match self.run(id, &key, adapter, &keep, body).await {
                        Ok(value) => {
                            self.tier.insert(key, value.clone()).await;
                            adapter.wrap(value)
                        }
                        Err((_, returned)) => returned,
                    }
                }
            },
        }
    }

    /// Runs a load's body, marked as loading `key` while it is polled (see
    /// `reentry`).
    async fn run<R>(
        &self,
        id: usize,
        key: &K,
        adapter: &Adapter<R, V>,
        keep: &impl Fn(&V) -> bool,
        body: impl Future<Output = R>,
    ) -> Result<V, (Uncached<V>, R)> {
        self.counters.load();
        let returned = reentry::Marked::new(reentry::Load::new(id, key), body).await;
        flight::settle(adapter, keep, returned)
    }

    /// [`hit`](Self::hit), else [`load`](Self::load) caching every value.
    pub(crate) async fn get_or_load<R>(
        &self,
        key: K,
        adapter: &Adapter<R, V>,
        body: impl Future<Output = R>,
    ) -> R {
        match self.hit(&key).await {
            Some(value) => adapter.wrap(value),
            None => self.load(key, adapter, |_| true, body).await,
        }
    }

    /// The cache's figures now.
    pub(crate) fn stats(&self) -> CacheStats {
        let mut stats = self.counters.snapshot(&self.name);
        self.tier.report(&mut stats);
        stats
    }
}
