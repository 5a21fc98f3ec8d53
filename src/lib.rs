//! Attribute macros that make ordinary functions observable and resilient.
//!
//! Annotate a function and get, configured in the attribute and checked when
//! the code compiles, what you would otherwise wire by hand:
//!
//! | attribute | gives | status |
//! |---|---|---|
//! | [`#[monitor_performance]`](macro@monitor_performance) | latency histogram, slow-call warnings, outcome counts, `metrics` facade | available |
//! | `#[trace_operation]` | a `tracing` span with arguments, result, errors, sampling | planned |
//! | `#[cacheable]` | a moka cache with request coalescing | planned |
//! | `#[circuit_breaker]` | fail fast while a dependency is down | planned |
//!
//! The macros expand into small calls to [`opguard_runtime`], which holds the
//! timers and is usable without the macros ([`monitor::Timer::builder`]).
//!
//! # `#[monitor_performance]`
//!
//! ```
//! use opguard::monitor_performance;
//!
//! #[monitor_performance(threshold = "250ms")]
//! async fn get_user(id: u64) -> Result<String, std::io::Error> {
//!     Ok(format!("user-{id}"))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! get_user(7).await.unwrap();
//! // The default name is `module::path::get_user`.
//! let timer = opguard::monitor::all().into_iter().find(|t| t.function == "get_user").unwrap();
//! assert_eq!((timer.calls, timer.errors, timer.slow), (1, 0, 0));
//! println!("p99 = {:?}", timer.latency.p99);
//! # }
//! ```
//!
//! Each timer records calls, errors (an `Err` result, whatever alias names the
//! `Result` type), slow calls, cancelled and panicked calls, calls in flight,
//! and a latency histogram (count, mean, max, p50, p90, p99, p99.9; an
//! HdrHistogram with two significant digits, so each figure is within 1%).
//!
//! ## Options
//!
//! | option | type | default | meaning |
//! |---|---|---|---|
//! | `name` | string | `module::path::fn_name` | timer name |
//! | `threshold` | duration | `"1s"` | a returned call slower than this is counted slow and logged |
//! | `include_args` | flag | off | add the arguments (`Debug`) to the slow-call log |
//! | `include_result` | flag | off | add the returned value (`Debug`) to the slow-call log |
//! | `level` | `"trace"`…`"error"` | `"warn"` | level of the slow-call log |
//!
//! `name` replaces the default name (`module::path::fn_name`, and
//! `module::Type::method` for methods, also in trait impls, where the type is
//! read off the compiler's own path for the function):
//!
//! ```
//! #[opguard::monitor_performance(name = "db.load")]
//! fn load(id: u32) -> Option<u32> { id.checked_mul(2) }
//!
//! load(1);
//! assert_eq!(opguard::monitor::get("db.load").unwrap().snapshot().calls, 1);
//! ```
//!
//! `threshold` takes a duration with a unit: `"250ms"`, `"30s"`, `"5m"`,
//! `"1h"`, `"1h30m"` (also `"100us"`). A bare number is refused at compile
//! time (`write "500s" or "500ms"`): units are never guessed. A call exactly at
//! the threshold is not slow.
//!
//! ```
//! #[opguard::monitor_performance(threshold = "1h30m")]
//! fn report() {}
//! # report();
//! ```
//!
//! `include_args` and `include_result` add the arguments and the returned
//! value to the slow-call event. Arguments are formatted before the call (the
//! body may consume them), but only when a slow-call event at the timer's level
//! would be recorded by the current subscriber; the result is formatted only
//! for a slow call. Every argument the pattern binds is included; the receiver
//! (`self`) is not. A type without `Debug` is a compile error at that argument
//! or at the return type.
//!
//! ```
//! #[opguard::monitor_performance(include_args, include_result, threshold = "10ms")]
//! fn search(query: &str, limit: usize) -> Vec<String> {
//!     vec![query.repeat(limit)]
//! }
//! # search("a", 2);
//! ```
//!
//! `level` sets the level of the slow-call event (target `opguard::monitor`, so
//! `RUST_LOG=opguard::monitor=warn` or any `EnvFilter` directive selects it):
//!
//! ```
//! #[opguard::monitor_performance(level = "error", threshold = "2s")]
//! async fn nightly_job() {}
//! # let _ = nightly_job();
//! ```
//!
//! ## What the attribute accepts
//!
//! `fn` and `async fn`; free functions, inherent and trait-impl methods with any
//! receiver (`&self`, `&mut self`, `self`, `self: Arc<Self>`), methods in
//! `#[async_trait]` impls and traits, generics (one timer for all
//! instantiations), lifetimes, `impl Trait` arguments and return types,
//! patterns in arguments, early `return` and `?`. A `fn` whose body ends in an
//! `async` block (`fn f() -> impl Future { async move { .. } }`, the shape
//! `#[async_trait]` writes) is timed from the block's first poll to its output.
//! A `const fn` and a `-> !` function are refused with a compile error.
//!
//! ## Cancellation and panics
//!
//! An async call is timed from its first poll (a future never polled is not a
//! call). Dropping it unfinished records `cancelled`; a panic records
//! `panicked` and keeps unwinding, also when the panic was caught by tokio and
//! the future dropped later. Cancelled and panicked calls are not in the
//! latency histogram and are never slow. The in-flight count always goes back
//! down.
//!
//! ## The `metrics` facade
//!
//! The same figures go to the [`metrics`](https://docs.rs/metrics) facade, so
//! any exporter (and dashboards built for autometrics) picks them up:
//!
//! - `function_calls_total{function,module,result}` with `result` = `ok`,
//!   `error` (an `Err` or a panic: error-rate queries see both) or `cancelled`;
//! - `function_calls_duration_seconds{function,module}` (returned calls);
//! - `function_calls_concurrent{function,module}`.
//!
//! `function` is `fn_name` or `Type::method` (or the explicit `name`), `module`
//! is the module path. Handles are registered on a function's first call:
//! install the recorder before that, as with any cached `metrics` handle.
//!
//! ## Registration
//!
//! Timers live in a process-wide registry under their name; after a
//! function's first call, the call path reaches its timer through a `static`
//! and takes no lock but its own histogram stripe's (one per core, so
//! uncontended). Two functions (or a builder) naming the same timer share it;
//! the first registration's settings win, and a differing later one is
//! reported as a `warn` event.
//!
//! ```
//! use std::time::Duration;
//! use opguard::monitor::Timer;
//!
//! let timer = Timer::builder("jobs.import").threshold(Duration::from_millis(100)).build();
//! let guard = timer.start();
//! // ... work ...
//! guard.finish(false);
//! assert_eq!(opguard::monitor::all().iter().find(|s| s.name == "jobs.import").unwrap().calls, 1);
//! ```
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

pub use opguard_macros::{circuit_breaker, monitor_performance};
pub use opguard_runtime::{Classify, GuardError, Outcome, breaker, monitor};

#[doc(hidden)]
pub mod __private {
    pub use opguard_runtime::__private::*;
    pub use opguard_runtime::monitor;
}
