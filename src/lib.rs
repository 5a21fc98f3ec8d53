//! opguard: attribute macros that make ordinary functions observable and resilient.
#![forbid(unsafe_code)]

pub use opguard_macros::monitor_performance;
pub use opguard_runtime::{Classify, Outcome, monitor};

#[doc(hidden)]
pub mod __private {
    pub use opguard_runtime::__private::*;
    pub use opguard_runtime::monitor;
}
