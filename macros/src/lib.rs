//! The attributes of [opguard](https://docs.rs/opguard). Use them through the
//! `opguard` crate: the code they generate names `::opguard::__private`.
//!
//! Each attribute is a pipeline in its own folder: `args.rs` reads the
//! options its `OPTIONS` table lists (`args::read`), `valid.rs` checks what
//! only the macro can (options that go together, the function's shape),
//! `expand.rs` writes the code (through `emit`, which names
//! `::opguard::__private` and declares settings the runtime's rules check at
//! compile time); `signature` reads the function, and `driver` fuses stacked
//! attributes and reports every error at once. The attributes' docs are in
//! `docs/*.md`, shown on hover.

#![forbid(unsafe_code)]

mod args;
mod breaker;
mod cache;
mod callsite;
mod diag;
mod driver;
mod emit;
#[cfg(test)]
mod fuzz;
mod layer;
mod monitor;
mod rate_limit;
mod signature;
mod trace;

use proc_macro::TokenStream;

/// Wraps a function in a `tracing` span with its arguments, result, errors,
/// outcome and duration, with sampling.
///
#[doc = include_str!("../docs/trace_operation.md")]
#[proc_macro_attribute]
pub fn trace_operation(args: TokenStream, item: TokenStream) -> TokenStream {
    driver::run(trace::args::ATTRIBUTE, args.into(), item.into()).into()
}

/// Caches a function's results in a moka cache, keyed by its arguments, with
/// request coalescing.
///
#[doc = include_str!("../docs/cacheable.md")]
#[cfg_attr(feature = "redis", doc = include_str!("../docs/cacheable_shared.md"))]
#[proc_macro_attribute]
pub fn cacheable(args: TokenStream, item: TokenStream) -> TokenStream {
    driver::run(cache::args::ATTRIBUTE, args.into(), item.into()).into()
}

/// Fails fast while a dependency is down: a circuit breaker around a function
/// returning `Result<T, E>` with `E: From<opguard::GuardError>`, with
/// optional timeout, retries and fallback.
///
#[doc = include_str!("../docs/circuit_breaker.md")]
#[proc_macro_attribute]
pub fn circuit_breaker(args: TokenStream, item: TokenStream) -> TokenStream {
    driver::run(breaker::args::ATTRIBUTE, args.into(), item.into()).into()
}

/// Records latency, outcome counts and slow calls of a function, in a
/// histogram, a slow-call `tracing` event and the `metrics` facade.
///
#[doc = include_str!("../docs/monitor_performance.md")]
#[proc_macro_attribute]
pub fn monitor_performance(args: TokenStream, item: TokenStream) -> TokenStream {
    driver::run(monitor::args::ATTRIBUTE, args.into(), item.into()).into()
}

/// At most so many calls per period (GCRA), for the function or per key; a
/// refused call returns `Err(GuardError::RateLimited { .. }.into())`.
///
#[doc = include_str!("../docs/rate_limit.md")]
#[proc_macro_attribute]
pub fn rate_limit(args: TokenStream, item: TokenStream) -> TokenStream {
    driver::run(rate_limit::args::ATTRIBUTE, args.into(), item.into()).into()
}
