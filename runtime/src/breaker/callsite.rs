//! The per-callsite `static` that `#[circuit_breaker]` expands to.

use std::sync::OnceLock;

use super::{Breaker, BreakerConfig};
use crate::naming::OperationName;

/// What the attribute knows at compile time.
#[derive(Debug)]
pub struct CallsiteMeta {
    /// `name = "..."`, if given.
    pub name: Option<&'static str>,
    /// `module_path!()` at the function.
    pub module: &'static str,
    /// The function's own name.
    pub fn_name: &'static str,
    /// Returns the type name of a marker item inside the function.
    pub locate: fn() -> &'static str,
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
            let meta = &self.meta;
            let name = OperationName::resolve(meta.name, meta.module, meta.locate, meta.fn_name);
            Breaker::register(name.name, meta.config)
        })
    }
}
