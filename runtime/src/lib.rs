//! The runtime of [opguard](https://docs.rs/opguard): the spans, timers,
//! caches and circuit breakers that opguard's attributes expand into calls
//! of, their registries, and the Prometheus/JSON export and health report.
//!
//! Use it through the `opguard` crate; every type here also works without the
//! macros, through its builder.

#![forbid(unsafe_code)]

pub mod breaker;
pub mod cache;
mod config_error;
mod counters;
pub mod duration;
mod error;
pub mod export;
pub mod health;
#[cfg(feature = "axum")]
pub mod http;
mod level;
pub mod monitor;
pub mod naming;
#[cfg(feature = "otel")]
pub mod otel;
mod outcome;
pub mod rate_limit;
mod registry;
pub mod retry;
#[cfg(feature = "redis")]
pub mod shared;
pub mod timeout;
#[cfg(feature = "tower")]
pub mod tower;
pub mod trace;
#[cfg(feature = "serde")]
mod units;
mod watch;

pub use config_error::ConfigError;
pub use error::GuardError;
pub use outcome::{Classify, Outcome};

/// Items used by generated code. Not public API: no stability promise.
#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;
