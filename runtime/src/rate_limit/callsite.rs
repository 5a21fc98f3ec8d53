//! The per-callsite `static` that `#[rate_limit]` expands to.

use std::any::Any;
use std::hash::Hash;
use std::sync::{Arc, OnceLock};

use super::{KeyedRateLimiter, RateLimitConfig, RateLimiter};
use crate::naming::Site;

/// What the attribute knows at compile time.
#[derive(Debug)]
pub struct CallsiteMeta {
    /// Where the function is.
    pub site: Site,
    /// `rate`, `burst` and `max_keys`.
    pub config: RateLimitConfig,
}

/// A `static` per annotated function: its limiter is looked up in the
/// registry (or built) on the first call only.
#[derive(Debug)]
pub struct Callsite {
    meta: CallsiteMeta,
    limiter: OnceLock<Arc<RateLimiter>>,
    /// A `KeyedRateLimiter<K>` for the one key type of the function (a
    /// generic function's instantiations share the limit of its name).
    keyed: OnceLock<Arc<dyn Any + Send + Sync>>,
}

impl Callsite {
    /// A callsite not yet registered.
    pub const fn new(meta: CallsiteMeta) -> Self {
        Self {
            meta,
            limiter: OnceLock::new(),
            keyed: OnceLock::new(),
        }
    }

    /// The limiter of a function without `key`.
    #[inline]
    pub fn limiter(&self) -> &RateLimiter {
        self.limiter.get_or_init(|| {
            let name = self.meta.site.operation().name;
            RateLimiter::builder(name)
                .config(self.meta.config)
                .build()
                .unwrap_or_else(|error| panic!("opguard: {error}"))
        })
    }

    /// [`keyed`](Self::keyed), its key type read off a key.
    #[inline]
    pub fn keyed_for<K>(&self, _key: &K) -> &KeyedRateLimiter<K>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
    {
        self.keyed()
    }

    /// The limiter of a function with `key`, whose keys are `K`.
    #[inline]
    pub fn keyed<K>(&self) -> &KeyedRateLimiter<K>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
    {
        let any = self.keyed.get_or_init(|| {
            let name = self.meta.site.operation().name;
            RateLimiter::builder(name)
                .config(self.meta.config)
                .build_keyed::<K>()
                .unwrap_or_else(|error| panic!("opguard: {error}"))
        });
        any.downcast_ref().unwrap_or_else(|| {
            panic!(
                "opguard: rate limiter `{}` is keyed by another type than `{}`",
                self.meta.site.operation().name,
                std::any::type_name::<K>()
            )
        })
    }
}
