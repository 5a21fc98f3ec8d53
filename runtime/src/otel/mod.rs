//! OpenTelemetry (feature `otel`): spans exported over OTLP in one call, and
//! the W3C trace context carried across HTTP (and gRPC) calls.
//!
//! - [`init`] (from the standard `OTEL_*` variables) or [`init_with`] (an
//!   [`OtelConfig`]) sets up an OTLP exporter (HTTP/protobuf, sent by
//!   `reqwest`'s blocking client on the SDK's batch thread), a bounded batch
//!   queue, a parent-based sampler, the service's resource, and the global
//!   `tracing` subscriber: a level filter, an fmt layer and the
//!   `tracing-opentelemetry` layer. It returns an [`OtelGuard`] whose drop
//!   exports what is queued and stops, within a deadline. A setting that is
//!   wrong is an [`OtelError`], never a silent no-op; a collector that is
//!   down costs the calls nothing (spans are dropped and counted).
//! - [`inject`] / [`extract`] write and read `traceparent`, `tracestate`
//!   and `baggage` on an `http::HeaderMap`; [`inject_request`] on an
//!   outgoing `http::Request`; [`InjectLayer`] on every request of a tower
//!   client (hyper-util's, `tonic`'s generated clients); [`PropagationLayer`]
//!   continues the caller's trace in a server's request span.
//! - `#[trace_operation]` follows the sampling decision of a parent it finds
//!   in OpenTelemetry's context (a caller's, through the layer or
//!   [`extract`]); its `sample_rate` applies to root calls only. A call it
//!   leaves out propagates "not sampled", so the services it calls leave
//!   their part out too.
//!
//! ```no_run
//! // A client: the call's context goes out with the request.
//! async fn price(client: &reqwest::Client, sku: u32) -> reqwest::Result<String> {
//!     let mut headers = http::HeaderMap::new();
//!     opguard_runtime::otel::inject(&mut headers);
//!     client.get(format!("http://back/price/{sku}")).headers(headers).send().await?.text().await
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, ...; flushed when dropped.
//! let _otel = opguard_runtime::otel::init()?;
//! price(&reqwest::Client::new(), 7).await?;
//! # Ok(()) }
//! ```

mod client;
mod config;
mod env;
mod export;
mod init;
mod layer;
mod propagate;

pub use client::{Inject, InjectLayer};
pub use config::{DEFAULT_ENDPOINT, DEFAULT_SHUTDOWN_TIMEOUT, OtelConfig, OtelError};
pub use init::{OtelGuard, init, init_with};
pub use layer::{Propagation, PropagationFuture, PropagationLayer};
pub(crate) use propagate::current_sampled;
pub use propagate::{current, extract, inject, inject_context, inject_request};
