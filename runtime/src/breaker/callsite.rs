//! The per-callsite `static` that `#[circuit_breaker]` expands to.

use std::sync::OnceLock;

use super::clock::Clock;
use super::config::BreakerConfig;
use super::handle::Breaker;
use crate::naming::Site;

/// What the attribute knows at compile time.
#[derive(Debug)]
pub struct CallsiteMeta {
    /// Where the function is.
    pub site: Site,
    /// The breaker's settings.
    pub config: BreakerConfig,
}

/// A `static` per annotated function: the breaker is looked up in the
/// registry on the first call only.
#[derive(Debug)]
pub struct Callsite {
    meta: CallsiteMeta,
    breaker: OnceLock<Breaker>,
}

impl Callsite {
    /// A callsite not yet registered.
    pub const fn new(meta: CallsiteMeta) -> Self {
        Self {
            meta,
            breaker: OnceLock::new(),
        }
    }

    /// The callsite's breaker, registered on first use.
    #[inline]
    pub fn breaker(&self) -> &Breaker {
        self.breaker.get_or_init(|| {
            let name = self.meta.site.operation().name;
            Breaker::register(name, self.meta.config, Clock::tokio(), true)
        })
    }
}
