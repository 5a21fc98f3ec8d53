//! Caches in front of functions: the runtime of `#[cacheable]`, usable on its
//! own.
//!
//! A [`SyncCache`] (moka's `sync::Cache`, for synchronous functions) or an
//! [`AsyncCache`] (moka's `future::Cache`, for async ones) keeps values by
//! key with a time to live, an optional time to idle and a capacity. On a
//! miss, concurrent calls for one key run the body once and the others wait
//! for its value (request coalescing); a cancelled or panicking loader hands
//! the load to a waiter. An [`Adapter`] says what of a return value is cached:
//! the `Ok` of a `Result`, the `Some` of an `Option`, or the value itself.
//!
//! With the `redis` feature, a `SharedCache` (`#[cacheable(shared)]`)
//! adds a second tier in Redis that every instance of a service reads and
//! fills, with one load per key in the whole fleet.
//!
//! All are one core (`core.rs`: counting, coalescing, admission, re-entry)
//! over a storage tier (`tier.rs`: the `Tier` trait, and how a new tier is
//! added; `moka_tier.rs`: moka's; `shared_tier.rs`: memory in front of
//! Redis).
//!
//! Every cache is registered under its name; [`get`] returns a
//! [`CacheHandle`] for statistics and invalidation, [`all`] every cache's
//! [`CacheStats`].

/// A cache type over `Core<K, V, $tier>`: the struct, its `Debug`, and
/// what it offers the same way whether its function is sync or async (with
/// the tier's further bounds on `K` and `V` after `where`).
macro_rules! cache_type {
    ($(#[$doc:meta])* $name:ident over $tier:ident $(where $($bounds:tt)+)?) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name<K, V> {
            core: $crate::cache::core::Core<K, V, $tier<K, V>>,
        }

        impl<K, V> ::std::fmt::Debug for $name<K, V> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("name", &self.core.name())
                    .finish_non_exhaustive()
            }
        }

        impl<K, V> $name<K, V>
        where
            K: ::std::hash::Hash + Eq + Clone + Send + Sync + 'static,
            V: Clone + Send + Sync + 'static,
            $($($bounds)+)?
        {
            pub(crate) fn new(core: $crate::cache::core::Core<K, V, $tier<K, V>>) -> Self {
                Self { core }
            }

            /// Removes every entry.
            pub fn invalidate_all(&self) {
                $crate::cache::tier::Tier::invalidate_all(self.core.tier());
            }

            /// The cache's figures now.
            pub fn stats(&self) -> $crate::cache::CacheStats {
                self.core.stats()
            }
        }
    };
}

/// What the caches of async functions ([`AsyncCache`], and the shared
/// cache) offer the same way: lookups, the coalesced load, maintenance.
macro_rules! async_api {
    ($name:ident $(where $($bounds:tt)+)?) => {
        impl<K, V> $name<K, V>
        where
            K: ::std::hash::Hash + Eq + Clone + Send + Sync + 'static,
            V: Clone + Send + Sync + 'static,
            $($($bounds)+)?
        {
            /// The value in this instance's memory for `key`, counting a hit
            /// or a miss.
            #[inline]
            pub async fn hit<Q>(&self, key: &Q) -> Option<V>
            where
                K: ::std::borrow::Borrow<Q>,
                Q: ::std::hash::Hash + Eq + ?Sized,
            {
                let found = $crate::cache::tier::Tier::get(self.core.tier(), key).await;
                self.core.counted(found)
            }

            /// Runs `body` for `key` after a miss, unless a concurrent call
            /// for the same key is already running it, in which case this one
            /// waits for its outcome. What `adapter` splits off as cacheable,
            /// and `keep` accepts, is cached. A load that caches nothing hands
            /// its waiters a copy of what it returned where one can be made
            /// (see [`Adapter`]($crate::cache::Adapter)); otherwise each waiter runs its own body, at
            /// once.
            pub fn load<R, F>(
                &self,
                key: K,
                adapter: &$crate::cache::Adapter<R, V>,
                keep: impl Fn(&V) -> bool,
                body: F,
            ) -> impl ::std::future::Future<Output = R>
            where
                F: ::std::future::Future<Output = R>,
            {
                // The core's future itself, not one around it: the attribute
                // boxes it on a miss, and a wrapper would only make the box
                // larger.
                self.core.load(key, adapter, keep, body)
            }

            /// [`hit`](Self::hit), else [`load`](Self::load) caching every value.
            pub fn get_or_load<R>(
                &self,
                key: K,
                adapter: &$crate::cache::Adapter<R, V>,
                body: impl ::std::future::Future<Output = R>,
            ) -> impl ::std::future::Future<Output = R> {
                self.core.get_or_load(key, adapter, body)
            }

            /// Runs moka's pending maintenance (of this instance's memory) now.
            pub async fn run_pending_tasks(&self) {
                $crate::cache::tier::Tier::run_pending_tasks(self.core.tier()).await;
            }
        }
    };
}

mod async_cache;
mod builder;
mod callsite;
mod config;
mod core;
mod error;
mod flight;
mod handle;
mod moka_tier;
mod reentry;
mod shape;
#[cfg(feature = "redis")]
mod shared_cache;
#[cfg(feature = "redis")]
mod shared_tier;
mod stats;
mod sync_cache;
mod tier;
#[cfg(test)]
mod tier_tests;

pub use async_cache::AsyncCache;
pub use builder::{CacheBuilder, builder};
pub use callsite::{Callsite, CallsiteMeta};
pub use config::CacheConfig;
pub use error::CacheError;
pub use handle::CacheHandle;
pub use shape::Adapter;
#[cfg(feature = "redis")]
pub use shared_cache::SharedCache;
#[cfg(feature = "redis")]
pub use shared_tier::Shareable;
pub use stats::CacheStats;
pub use sync_cache::SyncCache;

use std::sync::Arc;

use crate::registry::Registry;
use handle::ErasedCache;

/// A registered cache and who registered it.
pub(crate) struct Entry {
    owner: String,
    config: CacheConfig,
    cache: Arc<dyn ErasedCache>,
}

fn registry() -> &'static Registry<Entry> {
    static CACHES: Registry<Entry> = Registry::new();
    &CACHES
}

/// The cache registered under `name`.
///
/// ```
/// use opguard_runtime::cache::{self, SyncCache};
/// let _: SyncCache<u32, u32> = cache::builder("docs.squares").build_sync().unwrap();
/// assert_eq!(cache::get("docs.squares").unwrap().key_type(), "u32");
/// assert!(cache::get("docs.unknown").is_none());
/// ```
pub fn get(name: &str) -> Option<CacheHandle> {
    registry().get(name).map(|entry| CacheHandle {
        name: name.into(),
        config: entry.config,
        cache: Arc::clone(&entry.cache),
    })
}

/// Forgets the cache registered under `name`, for caches made at run time
/// that are no longer needed: the registry would otherwise keep each, and
/// its entries, for good. It leaves every export; a cache still held keeps
/// working with its entries, and building the name again registers a new,
/// empty cache. True if one was there. A function's `#[cacheable]` keeps
/// using its cache after this, out of the exports.
///
/// ```
/// use opguard_runtime::cache::{self, SyncCache};
/// let tenant: SyncCache<u32, u32> = cache::builder("docs.remove.tenant-9").build_sync().unwrap();
/// assert!(cache::remove("docs.remove.tenant-9"));
/// assert!(cache::get("docs.remove.tenant-9").is_none());
/// ```
pub fn remove(name: &str) -> bool {
    registry().remove(name).is_some()
}

/// Statistics of every registered cache, sorted by name.
pub fn all() -> Vec<CacheStats> {
    registry()
        .all()
        .iter()
        .map(|entry| entry.cache.stats())
        .collect()
}
