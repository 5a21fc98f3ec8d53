//! Attribute macros that make ordinary functions observable and resilient.
//!
//! Annotate a function and get, configured in the attribute and checked when
//! the code compiles, what you would otherwise wire by hand:
//!
//! | attribute | gives | status |
//! |---|---|---|
//! | [`#[monitor_performance]`](macro@monitor_performance) | latency histogram, slow-call warnings, outcome counts, `metrics` facade | available |
//! | [`#[trace_operation]`](macro@trace_operation) | a `tracing` span with arguments, result, errors, outcome, sampling | available |
//! | [`#[cacheable]`](macro@cacheable) | a moka cache with request coalescing | available |
//! | [`#[circuit_breaker]`](macro@circuit_breaker) | fail fast while a dependency is down, with timeout, retries and fallback; `shared`: one state for the fleet | available |
//! | [`#[rate_limit]`](macro@rate_limit) | at most so many calls per period (GCRA), per function or per key, refused or waiting; `shared`: one limit for the fleet | available |
//!
//! The macros expand into small calls to [`opguard_runtime`], which holds the
//! timers, breakers and caches and is usable without the macros
//! ([`monitor::Timer::builder`], [`breaker::Breaker::builder`],
//! [`cache::builder`], [`rate_limit::RateLimiter::builder`]).
//!
//! Each attribute's page documents every option with an example (the same
//! text your editor shows on hover).
//!
//! # Cargo features
//!
//! The core (the four attributes, [`export::prometheus`], [`health`]) needs no
//! feature. Everything that reaches outside the process is opt-in.
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `json` | on | [`export::json`] (serde_json); implies `serde` |
//! | `serde` | on (through `json`) | `Serialize` on every snapshot, stats and report |
//! | `metrics` | on | timers also record through the [`metrics`](https://docs.rs/metrics) facade |
//! | `redis` | off | the shared tier over Redis: `opguard::shared` (`connect`), fleet-wide breakers (`#[circuit_breaker(shared)]`) and rate limits (`#[rate_limit(shared)]`), two-tier caches (`#[cacheable(shared)]`) |
//! | `axum` | off | `http::routes()` and `http::admin_routes()`: axum 0.8 routers for health, metrics and admin; implies `json` |
//! | `tower` | off | `tower::{CircuitBreakerLayer, RateLimitLayer, MonitorLayer, TraceLayer}`: the guards as tower 0.5 layers |
//! | `otel` | off | `otel::{init, inject, extract, InjectLayer, PropagationLayer}`: OTLP export (HTTP/protobuf) and W3C trace context |
//!
//! # Stacking
//!
//! Attributes stack and apply outside-in, as written: the outermost opguard
//! attribute takes over the ones below it and wraps the function's work in
//! every layer itself (an attribute macro expanded alone would wrap the
//! attributes above it, inverting the order). The recommended order:
//!
//! ```
//! # use opguard::{GuardError, cacheable, circuit_breaker, monitor_performance, trace_operation};
//! # #[derive(Debug)] struct E; impl From<GuardError> for E { fn from(_: GuardError) -> Self { E } }
//! #[trace_operation]      // a span around everything below
//! #[monitor_performance]  // times every call: hits, rejections and failures
//! #[cacheable]            // a hit is served even while the breaker is open
//! #[circuit_breaker]      // only misses reach the breaker and the dependency
//! fn price(sku: u32) -> Result<u32, E> { Ok(sku) }
//! # price(1).unwrap();
//! ```
//!
//! Any order compiles and behaves by position: with `cacheable` below
//! `circuit_breaker` an open breaker rejects calls the cache could have
//! answered; with `monitor_performance` below `circuit_breaker` rejected calls
//! are not timed; with `trace_operation` below `cacheable` hits make no span.
//! Stacked attributes share the function's default name, so its span, timer,
//! cache and breaker line up. Attributes are recognised by name
//! (`cacheable`, `opguard::cacheable`); one imported under another name is
//! not fused and wraps the attributes above it instead.
//!
//! # Fleets (feature `redis`)
//!
//! Replicas of one service share breaker state through Redis: connect once
//! at start-up, and mark the breakers the fleet should share. A call is
//! still decided locally (no Redis round trip); the fleet learns of it
//! within `sync_interval`, and every instance follows the fleet's
//! transitions. Without Redis, each breaker protects with its own window.
#![cfg_attr(
    feature = "redis",
    doc = r#"
```no_run
use opguard::{GuardError, circuit_breaker};
# #[derive(Debug)] struct E; impl From<GuardError> for E { fn from(_: GuardError) -> Self { E } }

#[circuit_breaker(shared, sync_interval = "100ms", failure_threshold = 20)]
async fn charge(cents: u64) -> Result<u64, E> { Ok(cents) }

// A partner's quota for the whole fleet: one script per call on Redis.
#[opguard::rate_limit(rate = "100/1m", key = tenant, shared)]
async fn quote(tenant: u32) -> Result<u32, E> { Ok(tenant) }

#[tokio::main]
async fn main() -> Result<(), opguard::shared::ConnectError> {
    opguard::shared::connect_from_env().await?; // OPGUARD_REDIS_URL
    charge(100).await.ok();
    quote(7).await.ok();
    opguard::shared::flush().await; // before a planned shutdown
    Ok(())
}
```
"#
)]
//!
//! # Errors at compile time
//!
//! Every mistake in an attribute is a compile error at the offending option,
//! all mistakes of one attribute are reported together, an unknown option
//! names the closest valid one, and the function is still emitted so that no
//! follow-on errors appear:
//!
//! ```compile_fail
//! #[opguard::monitor_performance(treshold = 500)] // did you mean `threshold`?
//! fn lookup() {}
//! ```

#![forbid(unsafe_code)]

pub use opguard_macros::{
    cacheable, circuit_breaker, monitor_performance, rate_limit, trace_operation,
};
#[cfg(feature = "axum")]
pub use opguard_runtime::http;
#[cfg(feature = "otel")]
pub use opguard_runtime::otel;
#[cfg(feature = "redis")]
pub use opguard_runtime::shared;
#[cfg(feature = "tower")]
pub use opguard_runtime::tower;
pub use opguard_runtime::{
    Classify, GuardError, Outcome, breaker, cache, duration, export, health, monitor, rate_limit,
    retry, timeout, trace,
};

#[doc(hidden)]
pub mod __private {
    pub use opguard_runtime::__private::*;
}
