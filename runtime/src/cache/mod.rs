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
//! Both are one core (`core.rs`: counting, coalescing, admission, re-entry)
//! over a storage tier (`tier.rs`: the `Tier` trait, and how a new tier,
//! such as a shared one, is added; `moka_tier.rs`: moka's).
//!
//! Every cache is registered under its name; [`get`] returns a
//! [`CacheHandle`] for statistics and invalidation, [`all`] every cache's
//! [`CacheStats`].

/// A cache type over `Core<K, V, $tier>`: the struct, its `Debug`, and
/// what it offers the same way whether its function is sync or async.
macro_rules! cache_type {
    ($(#[$doc:meta])* $name:ident over $tier:ident) => {
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
