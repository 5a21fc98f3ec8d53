//! The in-process tier: moka's `sync::Cache` for synchronous functions
//! (every future complete at once) and `future::Cache` for async ones.
//! moka's `try_get_with` is the wait of one load per key.

use std::borrow::Borrow;
use std::convert::identity;
use std::future::{Future, ready};
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::tier::{Tier, now};
use super::{CacheConfig, CacheStats};

/// A moka cache and the evictions its listener counted (entries removed by
/// size or expiry, moka's `RemovalCause::was_evicted`).
#[derive(Clone)]
pub(crate) struct Moka<C> {
    cache: C,
    evictions: Arc<AtomicU64>,
}

/// The tier of a synchronous function's cache.
pub(crate) type MokaSync<K, V> = Moka<moka::sync::Cache<K, V>>;
/// The tier of an async function's cache.
pub(crate) type MokaFuture<K, V> = Moka<moka::future::Cache<K, V>>;

impl<C> Moka<C> {
    /// The moka cache, for what the cache types offer beyond the tier
    /// (lookups and removals by a borrowed key, without a future).
    #[inline]
    pub(crate) fn moka(&self) -> &C {
        &self.cache
    }
}

/// The tier over one of moka's two caches: `$moka` (`sync` or `future`),
/// whose results `$lift` makes futures (`ready` for `sync`, whose calls are
/// done when they return; `identity` for `future`, whose calls are futures),
/// and whose `try_get_with` is given `$init` for the load `$load`.
macro_rules! moka_tier {
    ($moka:ident, sync: $sync:literal, lift: $lift:path, init: |$load:ident| $init:expr) => {
        impl<K, V> Moka<moka::$moka::Cache<K, V>>
        where
            K: Hash + Eq + Send + Sync + 'static,
            V: Clone + Send + Sync + 'static,
        {
            /// A cache with `config`'s capacity and expiry, counting its
            /// evictions (size or expiry).
            pub(crate) fn new(config: &CacheConfig) -> Self {
                let evictions = Arc::new(AtomicU64::new(0));
                let counted = Arc::clone(&evictions);
                let mut builder = moka::$moka::Cache::builder()
                    .max_capacity(config.max_capacity)
                    .time_to_live(config.ttl)
                    .eviction_listener(move |_key, _value, cause| {
                        if cause.was_evicted() {
                            counted.fetch_add(1, Relaxed);
                        }
                    });
                if let Some(tti) = config.tti {
                    builder = builder.time_to_idle(tti);
                }
                let cache = builder.build();
                Self { cache, evictions }
            }
        }

        impl<K, V> Tier<K, V> for Moka<moka::$moka::Cache<K, V>>
        where
            K: Hash + Eq + Send + Sync + 'static,
            V: Clone + Send + Sync + 'static,
        {
            const SYNC: bool = $sync;

            #[inline]
            fn get<Q>(&self, key: &Q) -> impl Future<Output = Option<V>>
            where
                K: Borrow<Q>,
                Q: Hash + Eq + ?Sized,
            {
                $lift(self.cache.get(key))
            }

            fn get_or_load<E>(
                &self,
                key: K,
                $load: impl Future<Output = Result<V, E>>,
            ) -> impl Future<Output = Result<V, Arc<E>>>
            where
                E: Send + Sync + 'static,
            {
                $lift(self.cache.try_get_with(key, $init))
            }

            fn insert(&self, key: K, value: V) -> impl Future<Output = ()> {
                $lift(self.cache.insert(key, value))
            }

            fn invalidate(&self, key: &K) -> impl Future<Output = ()> + Send {
                $lift(self.cache.invalidate(key))
            }

            fn invalidate_all(&self) {
                self.cache.invalidate_all();
            }

            fn run_pending_tasks(&self) -> impl Future<Output = ()> + Send {
                $lift(self.cache.run_pending_tasks())
            }

            fn report(&self, stats: &mut CacheStats) {
                stats.entries = self.cache.entry_count();
                stats.evictions = self.evictions.load(Relaxed);
            }
        }
    };
}

moka_tier!(sync, sync: true, lift: ready, init: |load| || now(load));
moka_tier!(future, sync: false, lift: identity, init: |load| load);
