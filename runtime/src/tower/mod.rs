//! `tower` layers (feature `tower`): the breaker, the rate limiter, the
//! timer and the span in front of any `tower::Service` (an axum `Router` or handler, a
//! tonic service, a `tower` client), sharing names and registries with the
//! attributes, so their snapshots, exports, health and admin routes are one.
//!
//! Guards that refuse calls decide in `call`, never in `poll_ready`: their
//! `poll_ready` is always ready, an admitted call drives a clone of the inner
//! service to readiness inside its response future, and a refused call never
//! touches the inner service. A refusal answers `Err(GuardError.into())` by
//! default, or a ready HTTP response with [`HttpStatus`] (`.http()`): 503 for
//! an open breaker or a timeout, 429 for a rate limit, with `Retry-After`.
//! What counts as a failure is a [`Classifier`]: every `Service::Error` by
//! default, [`ServerErrors`] (errors and 5xx responses) for HTTP.
//!
//! ```
//! use axum::{Router, routing::get};
//! use opguard_runtime::tower::{CircuitBreakerLayer, MonitorLayer};
//!
//! let app: Router = Router::new()
//!     .route("/quote", get(|| async { "42" }))
//!     .layer(CircuitBreakerLayer::new("docs.quotes").failure_threshold(5).http())
//!     .layer(MonitorLayer::new("docs.quotes").http());
//! ```

mod breaker;
mod classify;
mod monitor;
mod observed;
mod oneshot;
mod rate_limit;
mod trace;

pub use breaker::{CircuitBreaker, CircuitBreakerLayer, ResponseFuture};
pub use classify::{Classifier, ErrorIsFailure, HttpStatus, IntoError, Reject, ServerErrors};
pub use monitor::{Monitor, MonitorFuture, MonitorLayer};
pub use observed::{Observed, Observer};
pub use rate_limit::{RateLimit, RateLimitFuture, RateLimitLayer, RateLimitLayerBuilder};
pub use trace::{Trace, TraceFuture, TraceLayer};
