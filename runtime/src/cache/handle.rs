//! Type-erased access to a cache, for `opguard::cache::get(name)`.

use std::any::Any;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::Arc;

use super::core::Core;
use super::tier::{Tier, now};
use super::{CacheConfig, CacheError, CacheStats};

/// A boxed future of the erased API.
pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What every cache offers without its key and value types.
pub(crate) trait ErasedCache: Send + Sync {
    fn stats(&self) -> CacheStats;
    fn key_type(&self) -> &'static str;
    fn is_async(&self) -> bool;
    fn invalidate<'a>(&'a self, key: &'a (dyn Any + Send + Sync)) -> Option<BoxFuture<'a, ()>>;
    fn invalidate_blocking(&self, key: &(dyn Any + Send + Sync)) -> Option<Result<(), CacheError>>;
    fn invalidate_all(&self);
    fn run_pending_tasks(&self) -> BoxFuture<'_, ()>;
    fn as_any(&self) -> &(dyn Any + Send + Sync);
}

impl<K, V, T> ErasedCache for Core<K, V, T>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    T: Tier<K, V>,
{
    fn stats(&self) -> CacheStats {
        Core::stats(self)
    }
    fn key_type(&self) -> &'static str {
        std::any::type_name::<K>()
    }
    fn is_async(&self) -> bool {
        !T::SYNC
    }
    fn invalidate<'a>(&'a self, key: &'a (dyn Any + Send + Sync)) -> Option<BoxFuture<'a, ()>> {
        let key = key.downcast_ref::<K>()?;
        Some(Box::pin(self.tier().invalidate(key)))
    }
    fn invalidate_blocking(&self, key: &(dyn Any + Send + Sync)) -> Option<Result<(), CacheError>> {
        let key = key.downcast_ref::<K>()?;
        if !T::SYNC {
            let cache = self.name().to_owned();
            return Some(Err(CacheError::AsyncCache { cache }));
        }
        now(self.tier().invalidate(key));
        Some(Ok(()))
    }
    fn invalidate_all(&self) {
        self.tier().invalidate_all();
    }
    fn run_pending_tasks(&self) -> BoxFuture<'_, ()> {
        Box::pin(self.tier().run_pending_tasks())
    }
    fn as_any(&self) -> &(dyn Any + Send + Sync) {
        self
    }
}

/// A registered cache, whatever its key and value types; from
/// [`cache::get`](super::get).
#[derive(Clone)]
pub struct CacheHandle {
    pub(crate) name: Arc<str>,
    pub(crate) config: CacheConfig,
    pub(crate) cache: Arc<dyn ErasedCache>,
}

impl CacheHandle {
    /// The cache's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The cache's figures now.
    pub fn stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// The settings the cache was built with.
    pub fn config(&self) -> CacheConfig {
        self.config
    }

    /// The key type (`std::any::type_name`), for building keys to invalidate.
    pub fn key_type(&self) -> &'static str {
        self.cache.key_type()
    }

    /// Removes the entry for `key`. The key must be of the cache's key type
    /// (the argument, or the tuple of arguments, owned: `&str` becomes
    /// `String`), else an error says which type it takes.
    pub async fn invalidate<Q: Any + Send + Sync>(&self, key: &Q) -> Result<(), CacheError> {
        match self.cache.invalidate(key) {
            Some(done) => {
                done.await;
                Ok(())
            }
            None => Err(self.key_error::<Q>()),
        }
    }

    /// [`invalidate`](Self::invalidate) without awaiting, for the caches of
    /// synchronous functions (`CacheError::AsyncCache` for the others).
    pub fn invalidate_blocking<Q: Any + Send + Sync>(&self, key: &Q) -> Result<(), CacheError> {
        match self.cache.invalidate_blocking(key) {
            Some(result) => result,
            None => Err(self.key_error::<Q>()),
        }
    }

    /// Removes every entry.
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all();
    }

    /// Lets moka finish pending maintenance (evictions, expirations, the
    /// entry count) now rather than on later calls.
    pub async fn run_pending_tasks(&self) {
        self.cache.run_pending_tasks().await;
    }

    fn key_error<Q>(&self) -> CacheError {
        CacheError::KeyType {
            cache: self.name.to_string(),
            expected: self.cache.key_type(),
            given: std::any::type_name::<Q>(),
        }
    }
}

impl std::fmt::Debug for CacheHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheHandle")
            .field("name", &self.name)
            .field("key_type", &self.key_type())
            .field("async", &self.cache.is_async())
            .finish()
    }
}
