//! Making and registering caches by hand.

use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

use super::CacheError;
use super::core::Core;
use super::handle::ErasedCache;
use super::moka_tier::{MokaFuture, MokaSync};
use super::{AsyncCache, CacheConfig, Entry, SyncCache, registry};

/// Starts configuring a cache named `name`, for use without the attribute.
pub fn builder(name: impl Into<String>) -> CacheBuilder {
    CacheBuilder::new(name.into())
}

/// Builds a cache; from [`cache::builder`](super::builder).
#[derive(Debug, Clone)]
#[must_use]
pub struct CacheBuilder {
    name: String,
    owner: String,
    config: CacheConfig,
}

impl CacheBuilder {
    pub(crate) fn new(name: String) -> Self {
        Self {
            owner: format!("the builder of `{name}`"),
            name,
            config: CacheConfig::DEFAULT,
        }
    }

    pub(crate) fn owned_by(mut self, owner: String) -> Self {
        self.owner = owner;
        self
    }

    /// Starts from these settings.
    pub fn config(mut self, config: CacheConfig) -> Self {
        self.config = config;
        self
    }

    /// Time to live of an entry (default 300 s).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.config.ttl = ttl;
        self
    }

    /// Time to idle.
    pub fn tti(mut self, tti: Duration) -> Self {
        self.config.tti = Some(tti);
        self
    }

    /// Entries kept (default 10 000).
    pub fn max_capacity(mut self, entries: u64) -> Self {
        self.config.max_capacity = entries;
        self
    }

    /// How long a shared cache keeps an entry in this instance's memory
    /// (default: `ttl`; at most `ttl`).
    pub fn local_ttl(mut self, local_ttl: Duration) -> Self {
        self.config.local_ttl = Some(local_ttl);
        self
    }

    /// How long a shared cache waits for another instance loading the same
    /// key before it runs the body itself (default 5 s).
    pub fn load_timeout(mut self, load_timeout: Duration) -> Self {
        self.config.load_timeout = load_timeout;
        self
    }

    /// How soon a shared cache forgets entries invalidated by another
    /// instance when their announcement was lost (default 100 ms).
    pub fn sync_interval(mut self, sync_interval: Duration) -> Self {
        self.config.sync_interval = sync_interval;
        self
    }

    /// Registers a cache for a synchronous function, or returns the one this
    /// owner registered under the name; another owner's name is an error, and
    /// so are settings out of range ([`CacheConfig::validate`]).
    pub fn build_sync<K, V>(self) -> Result<SyncCache<K, V>, CacheError>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        let config = self.config;
        let core = self.register(|name| Core::new(name, MokaSync::new(&config)))?;
        Ok(SyncCache::new(core))
    }

    /// [`build_sync`](Self::build_sync) for an async function.
    pub fn build_async<K, V>(self) -> Result<AsyncCache<K, V>, CacheError>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
    {
        let config = self.config;
        let core = self.register(|name| Core::new(name, MokaFuture::new(&config)))?;
        Ok(AsyncCache::new(core))
    }

    /// Registers a two-tier cache for an async function: this instance's
    /// memory in front of Redis (feature `redis`; see [`SharedCache`]).
    /// Errors as [`build_sync`](Self::build_sync).
    ///
    /// [`SharedCache`]: super::SharedCache
    #[cfg(feature = "redis")]
    pub fn build_shared<K, V>(mut self) -> Result<super::SharedCache<K, V>, CacheError>
    where
        K: super::Shareable + Hash + Eq,
        V: super::Shareable,
    {
        self.config.shared = true;
        let config = self.config;
        let core = self
            .register(|name| Core::new(name, super::shared_tier::SharedTier::new(name, &config)))?;
        Ok(super::SharedCache::new(core))
    }

    fn register<C: ErasedCache + Clone + 'static>(
        self,
        make: impl FnOnce(&str) -> C,
    ) -> Result<C, CacheError> {
        if let Err(problem) = self.config.validate() {
            return Err(CacheError::Config {
                cache: self.name,
                problem: problem.to_string(),
            });
        }
        let (entry, _) = registry().get_or_register(&self.name, || Entry {
            owner: self.owner.clone(),
            config: self.config,
            cache: Arc::new(make(&self.name)),
        });
        let taken = || CacheError::NameTaken {
            name: self.name.clone(),
            first: entry.owner.clone(),
            second: self.owner.clone(),
        };
        if entry.owner != self.owner {
            return Err(taken());
        }
        entry
            .cache
            .as_any()
            .downcast_ref::<C>()
            .cloned()
            .ok_or_else(taken)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{CacheError, builder};

    #[test]
    fn expiry_beyond_what_moka_keeps_is_an_error_not_a_panic() {
        let ttl = builder("builder.tests.ttl")
            .ttl(Duration::MAX)
            .build_sync::<u8, u8>();
        assert!(matches!(ttl, Err(CacheError::Config { .. })));
        let tti = builder("builder.tests.tti")
            .tti(Duration::from_secs(u64::MAX))
            .build_async::<u8, u8>();
        let message = tti.map(|_| ()).unwrap_err().to_string();
        assert!(
            message.contains("builder.tests.tti") && message.contains("tti"),
            "{message}"
        );
        // Nothing was registered under either name.
        assert!(super::super::get("builder.tests.ttl").is_none());
    }
}
