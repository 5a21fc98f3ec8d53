//! `tracing` spans around operations: the runtime of `#[trace_operation]`.
//!
//! Each annotated function has a [`Callsite`] whose span is named after the
//! operation (`module::path::fn_name`, `module::Type::method`); a
//! [`TraceCall`] decides per call whether it is traced (subscriber interest,
//! then sampling of root calls), enters the span around the work (on every
//! poll for async bodies) and, when the call ends, is dropped or panics,
//! records `outcome` unless it is `ok` (`error`, `cancelled`, `panicked`)
//! and, for an `Err` or a panic, `error` and `otel.status_code = "ERROR"`.
//! With `include_elapsed`, every call records `outcome` and `elapsed_ms`. An `Err` is also logged at `error` level (target
//! [`TARGET`]) inside the span.

pub(crate) mod call;
mod callsite;

pub use call::{TARGET, TraceCall};
pub use callsite::{Callsite, CallsiteMeta};
