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
//! Every cache is registered under its name; [`get`] returns a
//! [`CacheHandle`] for statistics and invalidation, [`all`] every cache's
//! [`CacheStats`].

/// moka's cache (`moka::sync` or `moka::future`) built with `config`,
/// counting evictions (size or expiry) into `counters`.
macro_rules! build_moka {
    ($moka:ident, $config:expr, $counters:expr) => {{
        let config: &$crate::cache::CacheConfig = $config;
        let evictions = ::std::sync::Arc::clone($counters);
        let mut builder = ::moka::$moka::Cache::builder()
            .max_capacity(config.max_capacity)
            .time_to_live(config.ttl)
            .eviction_listener(move |_key, _value, cause| {
                if cause.was_evicted() {
                    evictions.evicted();
                }
            });
        if let Some(tti) = config.tti {
            builder = builder.time_to_idle(tti);
        }
        builder.build()
    }};
}

mod async_cache;
mod builder;
mod callsite;
mod config;
mod error;
mod flight;
mod handle;
mod reentry;
mod shape;
mod stats;
mod sync_cache;

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
