//! The per-callsite `static` that `#[monitor_performance]` expands to.

use std::sync::{Arc, OnceLock};

use super::{CallGuard, Timer, TimerConfig};
use crate::naming::Site;

/// What the attribute knows at compile time.
#[derive(Debug)]
pub struct CallsiteMeta {
    /// Where the function is.
    pub site: Site,
    /// `threshold` and `level`.
    pub config: TimerConfig,
}

/// A `static` per annotated function: the timer is looked up in the registry
/// on the first call only.
#[derive(Debug)]
pub struct Callsite {
    meta: CallsiteMeta,
    timer: OnceLock<Arc<Timer>>,
}

impl Callsite {
    /// A callsite not yet registered.
    pub const fn new(meta: CallsiteMeta) -> Self {
        Self {
            meta,
            timer: OnceLock::new(),
        }
    }

    /// The callsite's timer, registered on first use.
    #[inline]
    pub fn timer(&self) -> &Timer {
        self.timer.get_or_init(|| self.register())
    }

    /// Starts timing one call.
    #[inline]
    pub fn start(&self) -> CallGuard<'_> {
        self.timer().start()
    }

    #[cold]
    fn register(&self) -> Arc<Timer> {
        let meta = &self.meta;
        let name = meta.site.operation();
        Timer::builder(name.name)
            .labels(name.function, name.module)
            .config(meta.config)
            .build()
    }
}
