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
//! | [`#[circuit_breaker]`](macro@circuit_breaker) | fail fast while a dependency is down, with timeout, retries and fallback | available |
//!
//! The macros expand into small calls to [`opguard_runtime`], which holds the
//! timers, breakers and caches and is usable without the macros
//! ([`monitor::Timer::builder`], [`breaker::Breaker::builder`],
//! [`cache::builder`]).
//!
//! # `#[trace_operation]`
//!
//! ```
//! use opguard::trace_operation;
//!
//! #[trace_operation(include_args, skip(token))]
//! async fn get_user(id: u64, token: &str) -> Result<String, std::io::Error> {
//!     Ok(format!("user-{id}"))
//! }
//! # #[tokio::main(flavor = "current_thread")] async fn main() { get_user(1, "t").await.unwrap(); }
//! ```
//!
//! The span is an ordinary `tracing` span named after the operation
//! (`module::path::fn_name`, `module::Type::method`), so `tracing-subscriber`,
//! `tracing-opentelemetry` and Jaeger/OTLP exporters see it with correct
//! parent/child links across `.await`: an async body is entered on every poll
//! and never held across an `.await`. When the call ends the span records
//! `outcome` (`ok`, `error`, `cancelled`, `panicked`) and `elapsed_ms` (an
//! `f64`, to the microsecond), also when the future is dropped or the body
//! panics (the panic keeps unwinding). An `Err` is always recorded as `error` (its `Display`, else its
//! `Debug`) with `otel.status_code = "ERROR"` and `otel.status_description`
//! (an OpenTelemetry exporter marks the span failed, with the text), and
//! logged at `error` level inside the span (target `opguard::trace`). A panic
//! marks the span failed too (`error = "panicked"`); a cancellation does not.
//!
//! With no subscriber interested, the cost is that of a disabled `tracing`
//! callsite: when the span's level is disabled the generated code runs the
//! body bare, without borrowing the arguments or making any call state; past
//! the level, the callsite's cached interest decides, as in `tracing`. An
//! `Err` is logged at `error` level even then (a `debug` span under an `info`
//! filter still reports its failures), inside the current span.
//!
//! ## Options
//!
//! | option | type | default | meaning |
//! |---|---|---|---|
//! | `name` | string or `&'static str` constant | operation name | span name |
//! | `level` | `"trace"`…`"error"`, `Level::TRACE`…, or 1…5 | `"info"` | span level |
//! | `target` | string or `&'static str` constant | `module_path!()` | span target |
//! | `include_args` | flag | off | record every argument (off by default, for privacy) |
//! | `skip(a, b)` | names | — | arguments never recorded; an unknown name is a compile error |
//! | `include_result` / `ret` | flag | off | record the returned value (the `Ok` value of a `Result`) as `result`, with `Debug` |
//! | `ret(Display)`, `ret(level = ..)` | | — | record it with `Display`; also log it as an event at that level |
//! | `err`, `err(Debug)`, `err(Display)`, `err(level = ..)` | | `Display` if it has it, `error` | how an `Err` is written, and the level of its event |
//! | `fields(..)` | `k = expr`, `k = %expr`, `k = ?expr`, `a.b = ..`, `%k`, `?k`, `k` | — | extra span fields, computed when the span is created |
//! | `parent` | expression `Into<Option<Id>>` | the current span | the span's parent |
//! | `follows_from` | iterator of `Into<Option<Id>>` | — | spans this one follows from |
//! | `sample_rate` | float in [0, 1] | 1.0 | share of root calls traced |
//!
//! ```
//! use opguard::trace_operation;
//!
//! #[trace_operation(
//!     name = "checkout",
//!     level = "debug",
//!     target = "shop::audit",
//!     include_args,
//!     skip(card),
//!     include_result,
//!     fields(currency = "EUR", items = cart.len()),
//!     sample_rate = 0.25,
//! )]
//! fn checkout(cart: Vec<u32>, card: &str) -> Result<u32, String> {
//!     Ok(cart.iter().sum())
//! }
//! # checkout(vec![1], "x").unwrap();
//! ```
//!
//! ## Coming from `#[tracing::instrument]`
//!
//! Replacing `#[instrument(..)]` with `#[trace_operation(..)]` keeps what it
//! does, with one difference on purpose: arguments are recorded only with
//! `include_args` (for privacy), where `#[instrument]` records them unless
//! skipped. Every other form means the same:
//!
//! | `#[instrument(..)]` | `#[trace_operation(..)]` |
//! |---|---|
//! | (arguments recorded) | `include_args` (then `skip(..)` as before) |
//! | `skip_all` | (the default) |
//! | `name = "x"`, `name = NAME`, `target = ..` | the same |
//! | `level = "debug"`, `level = Level::DEBUG`, `level = 2` | the same |
//! | `fields(a.b = %x, c = ?y, d, %e, ?f)` | the same (`d` declared empty, recorded later) |
//! | `ret`, `ret(Display)` | the same: the result is a span field, `result` |
//! | `ret(level = Level::INFO)` | the same, and also an event at that level |
//! | `err`, `err(Debug)`, `err(level = ..)` | the same (an `Err` is always recorded; `err` alone changes nothing) |
//! | `parent = ..`, `follows_from = ..` | the same |
//!
//! A span also gets `outcome` and `elapsed_ms` when the call ends, and an
//! `Err` marks it failed for OpenTelemetry, with no option needed.
//!
//! ```
//! use opguard::trace_operation;
//! use tracing::Level;
//!
//! const TARGET: &str = "shop::http";
//!
//! #[trace_operation(
//!     target = TARGET,
//!     level = Level::DEBUG,
//!     fields(http.method = %method, user_id),
//!     ret(Display),
//!     err(Debug, level = Level::WARN),
//! )]
//! fn route(method: &str) -> Result<u16, std::io::Error> {
//!     tracing::Span::current().record("user_id", 42);
//!     Ok(200)
//! }
//!
//! #[trace_operation(parent = request, follows_from = [queued.id()])]
//! fn handle(request: &tracing::Span, queued: &tracing::Span) -> u32 {
//!     7
//! }
//! # route("GET").unwrap();
//! # handle(&tracing::Span::none(), &tracing::Span::none());
//! ```
//!
//! Arguments that are `tracing` values (numbers, `bool`, `&str`, `String`)
//! are recorded as such, others with `Debug`; a recorded argument without
//! `Debug` is a compile error at that argument (leave it out with `skip`).
//! The receiver is never recorded. `skip` without `include_args` is refused,
//! as is a field that repeats a recorded argument's name.
//!
//! **Sampling.** A root call (no current span) is traced with probability
//! `sample_rate`, drawn from a per-thread generator. A call inside a traced
//! parent (any span, an opguard one or not) is always traced; a call inside
//! a sampled-out opguard call is never traced, so traces stay whole. Errors of
//! sampled-out calls are still logged.
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
//! read off the compiler's own path for the function).
//!
//! Two different functions never share a default name, so never a cache,
//! breaker or timer. Where the readable name would be the same for two (two
//! trait impls with a method of one name on one type, `a::Store` and
//! `b::Store` implemented in one module, `impl Load for Wrapper<u8>` and
//! `impl Load for Wrapper<u16>`, nested functions of one name in two blocks),
//! the first one called keeps it and the other gets its full path
//! (`<m::Wrapper<u16> as m::Load>::load`), or that path followed by
//! `@file:line:column`; a `warn` event names both and suggests `name`, which
//! keeps names stable whatever is called first. The instantiations of one
//! generic function are one function: they share a timer and a breaker (the
//! breaker guards the dependency they call), and `#[cacheable]` keeps one
//! cache for each, as their values differ in type.
//!
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
//! # `#[circuit_breaker]`
//!
//! ```
//! use opguard::{GuardError, circuit_breaker};
//!
//! #[derive(Debug)]
//! enum DbError { Timeout, NotFound(u64), Guard(GuardError) }
//!
//! impl From<GuardError> for DbError {
//!     fn from(e: GuardError) -> Self { DbError::Guard(e) }
//! }
//!
//! #[circuit_breaker(name = "user-db", failure_threshold = 5, recovery_timeout = "30s")]
//! async fn get_user(id: u64) -> Result<String, DbError> {
//!     if id == 0 { Err(DbError::NotFound(id)) } else { Ok(format!("user-{id}")) }
//! }
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! # assert!(get_user(1).await.is_ok());
//! # }
//! ```
//!
//! The function must return `Result<T, E>` (any alias of it) with
//! `E: From<opguard::GuardError>`; `anyhow::Error` and
//! `Box<dyn Error + Send + Sync>` qualify as they are. While the breaker is
//! open, a call returns `Err(GuardError::CircuitOpen { name, retry_after }.into())`
//! without running the body.
//!
//! States: closed → open when a trigger fires; open → half-open on the first
//! call after `recovery_timeout`; half-open → closed after `success_threshold`
//! probe successes; half-open → open at any probe failure, when the probes
//! are too slow (with `slow_call_duration`, a share of slow probe successes
//! of `slow_call_rate` or more reopens it), and on the first call after
//! `half_open_max_duration` with every probe slot still taken (a probe that
//! never finishes cannot hold the breaker half-open). A rejection carries
//! `retry_after`: the rest of `recovery_timeout` while open, the rest of
//! `half_open_max_duration` while half-open; never zero. A cancelled call
//! counts as `cancelled` (a probe frees its slot) and as nothing else; a
//! panic counts as a failure and keeps unwinding; a result from a call that
//! started before the last transition counts in the totals but not toward
//! the new state. An error that is not a counted failure counts as a success.
//!
//! ## Options
//!
//! | option | type | default | meaning |
//! |---|---|---|---|
//! | `name` | string | `module::path::fn_name` | the breaker; functions naming the same breaker share it |
//! | `failure_threshold` | integer in 1..=16 777 215 | 5 | open after this many failures within `window` |
//! | `window` | duration ≥ 10 ms | `"60s"` | rolling window for counting (ten buckets) |
//! | `failure_rate` | float in (0, 1] | off | also open when this share of calls in `window` failed… |
//! | `minimum_calls` | integer in 1..=16 777 215 | 20 | …once this many calls were made (also for `slow_call_rate`) |
//! | `consecutive_failures` | integer ≥ 1 | off | also open after this many failures in a row |
//! | `slow_call_duration`, `slow_call_rate` | duration, float | off | also open when this share of calls is slower than the duration |
//! | `recovery_timeout` | duration | `"30s"` | time open before a probe is let through |
//! | `half_open_max_calls` | integer ≥ 1 | 1 | probes at once while half-open |
//! | `success_threshold` | integer ≥ 1 | 1 | probe successes that close it |
//! | `half_open_max_duration` | duration | `"60s"` | the longest probes may hold it half-open; then it reopens |
//! | `timeout` | duration | off | async only, on tokio: abandon a call after this long, as a failure (`GuardError::Timeout`) |
//! | `expected_errors` | `[pattern, …]` | every `Err` | only errors matching these count as failures |
//! | `failure_if` | closure or path `Fn(&E) -> bool` | — | the same, as a predicate |
//! | `retries` | integer ≤ 100 | 0 | retry a failed call this many times (never a rejected one) |
//! | `backoff` | `"fixed"`, `"linear"`, `"exponential"` | `"exponential"` | delay curve between retries, with full jitter |
//! | `retry_delay`, `max_retry_delay` | duration | `"100ms"`, `"10s"` | first delay, cap |
//! | `fallback` | path | — | called with the function's arguments when the call is rejected |
//!
//! The triggers, their window and the recovery:
//!
//! ```
//! # use opguard::{GuardError, circuit_breaker};
//! # #[derive(Debug)] struct E; impl From<GuardError> for E { fn from(_: GuardError) -> Self { E } }
//! #[circuit_breaker(
//!     failure_threshold = 10,          // 10 failures within…
//!     window = "30s",                  // …30 seconds open it,
//!     failure_rate = 0.5,              // as does a 50% failure rate…
//!     minimum_calls = 20,              // …over at least 20 calls,
//!     consecutive_failures = 5,        // or 5 failures in a row,
//!     slow_call_duration = "2s",       // or half of the calls…
//!     slow_call_rate = 0.5,            // …taking over 2 s.
//!     recovery_timeout = "15s",        // Open for 15 s, then
//!     half_open_max_calls = 3,         // up to 3 probes at once;
//!     success_threshold = 2,           // 2 probe successes close it,
//!     half_open_max_duration = "20s",  // probes still out after 20 s reopen it.
//! )]
//! fn charge(cents: u64) -> Result<u64, E> { Ok(cents) }
//! # charge(1).unwrap();
//! ```
//!
//! `failure_threshold` alone costs a success nothing but a state check and a
//! per-thread count; `failure_rate` and the slow-call trigger count every call
//! in the window, which reads the clock on every call.
//!
//! What counts as a failure — patterns of the error type, or a predicate (a
//! path or a closure):
//!
//! ```
//! # use opguard::{GuardError, circuit_breaker};
//! #[derive(Debug)]
//! enum DbError { Timeout, Io(std::io::ErrorKind), NotFound, Guard(GuardError) }
//! # impl From<GuardError> for DbError { fn from(e: GuardError) -> Self { DbError::Guard(e) } }
//!
//! // A missing row says nothing about the database's health.
//! #[circuit_breaker(expected_errors = [DbError::Timeout, DbError::Io(_)])]
//! fn find(id: u64) -> Result<u64, DbError> { if id == 0 { Err(DbError::NotFound) } else { Ok(id) } }
//!
//! fn is_transient(error: &DbError) -> bool { matches!(error, DbError::Timeout) }
//!
//! #[circuit_breaker(failure_if = is_transient)]
//! fn save(id: u64) -> Result<u64, DbError> { Ok(id) }
//!
//! #[circuit_breaker(failure_if = |e| !matches!(e, DbError::NotFound))]
//! fn delete(id: u64) -> Result<u64, DbError> { Ok(id) }
//! # find(1).unwrap(); save(1).unwrap(); delete(1).unwrap();
//! ```
//!
//! `timeout` (async functions only; on a sync function it is a compile
//! error), retries and a fallback. `timeout` and the waits between
//! `retries` use tokio's timer: a call that needs one, polled outside a
//! tokio runtime, panics with a message that names the breaker, the option
//! and the fix (run it inside `#[tokio::main]`, `Runtime::block_on` or
//! `Handle::enter`); without them a breaker runs on any executor.
//!
//! ```
//! # use opguard::{GuardError, circuit_breaker};
//! # #[derive(Debug)] struct E; impl From<GuardError> for E { fn from(_: GuardError) -> Self { E } }
//! struct Prices;
//!
//! impl Prices {
//!     #[circuit_breaker(
//!         timeout = "800ms",
//!         retries = 2,
//!         backoff = "exponential",
//!         retry_delay = "50ms",
//!         max_retry_delay = "1s",
//!         fallback = Self::last_known,
//!     )]
//!     async fn quote(&self, symbol: &str) -> Result<f64, E> {
//!         Ok(42.0)
//!     }
//!
//!     async fn last_known(&self, symbol: &str) -> Result<f64, E> {
//!         Ok(41.5)
//!     }
//! }
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! # assert_eq!(Prices.quote("X").await.unwrap(), 42.0);
//! # }
//! ```
//!
//! Retries re-run the body with a clone of each argument, so arguments must be
//! `Clone` (references are) and the receiver `&self`: otherwise a compile
//! error names the argument. Only counted failures and timeouts are retried;
//! a rejection never is, and if the breaker opens between attempts, retrying
//! stops and the last failure is returned. The wait before retry `n` is drawn
//! uniformly from zero to `retry_delay × (1, n or 2ⁿ⁻¹)` capped at
//! `max_retry_delay` ("full jitter"). Every attempt is counted by the breaker.
//! The fallback is called with the same arguments (the receiver first), must
//! have the function's signature, and runs only when the breaker rejects the
//! first attempt.
//!
//! ## Runtime API
//!
//! ```
//! use std::time::Duration;
//! use opguard::breaker::{self, Breaker, BreakerState};
//!
//! let db = Breaker::builder("docs.db").failure_threshold(3).recovery_timeout(Duration::from_secs(5)).build();
//! let mut events = breaker::events(); // transitions of every breaker
//! db.force_open();
//! assert_eq!(db.state(), BreakerState::ForcedOpen);
//! assert_eq!(events.try_recv().unwrap().to, BreakerState::ForcedOpen);
//! db.reset();
//! let snapshot = breaker::get("docs.db").unwrap().snapshot();
//! assert_eq!((snapshot.calls, snapshot.rejected), (0, 0));
//! assert!(breaker::all().iter().any(|s| s.name == "docs.db"));
//! ```
//!
//! Settings are per breaker name, and the first registration wins: a second
//! function (or builder) naming the same breaker with other settings gets the
//! existing breaker, and a `warn` event (target `opguard::breaker`) says so.
//! Transitions are `tracing` events on that target (`warn` when opening,
//! `info` otherwise) and [`breaker::BreakerEvent`]s for [`breaker::events()`]
//! subscribers; a subscriber that falls more than 1024 events behind skips
//! ahead rather than slowing calls down.
//!
//! Registries keep what they register for the life of the process: a
//! breaker about 2 KB, a timer about 6 KB, a cache its entries. That is
//! right for functions, which are few; breakers, timers or caches made at
//! run time from names (one per host or tenant) should be removed when no
//! longer needed, with [`breaker::remove`], [`monitor::remove`] and
//! [`cache::remove`]: the entry leaves every listing and export, handles
//! still held keep working, and building the name again starts afresh.
//!
//! ```
//! use opguard::breaker::{self, Breaker};
//! let host = Breaker::builder("docs.host-42").build();
//! assert!(breaker::remove("docs.host-42"));
//! assert!(breaker::get("docs.host-42").is_none());
//! # drop(host);
//! ```
//!
//! # `#[cacheable]`
//!
//! ```
//! use opguard::cacheable;
//!
//! #[cacheable(ttl = "5m")]
//! async fn get_user(id: u64) -> Result<String, std::io::Error> {
//!     Ok(format!("user-{id}")) // runs once per id for five minutes
//! }
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! # assert_eq!(get_user(1).await.unwrap(), get_user(1).await.unwrap());
//! # }
//! ```
//!
//! Async functions get a `moka::future::Cache`, sync ones a
//! `moka::sync::Cache`. Concurrent calls that miss on one key run the body
//! once and the others wait for its value (request coalescing); if that call
//! is cancelled or panics, one of the waiters runs the body instead (the
//! panicking caller still sees its panic). A `Result` caches only its `Ok`
//! value, an `Option` only its `Some` (unless `cache_none`); an error is
//! returned and never cached.
//!
//! What the callers that waited get when the call they waited for cached
//! nothing: the same outcome, without running the body again, when it can be
//! copied, that is a `None`, a value `condition` refused, or an error whose
//! type is `Clone + Send + Sync` (a clone each). An error that cannot be
//! cloned (`anyhow::Error`, `Box<dyn Error>`, `std::io::Error`) cannot be
//! handed on, so each waiter then runs the body itself, all at once: the
//! slowest caller waits about two body runs, never one run per caller.
//! Errors need not be `Clone`; make them `Clone` (or wrap them in `Arc`) to
//! keep a failing dependency at one call per key.
//!
//! ```
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use opguard::cacheable;
//!
//! static RUNS: AtomicU32 = AtomicU32::new(0);
//!
//! #[derive(Debug, Clone, PartialEq)]
//! struct Unavailable;
//!
//! #[cacheable]
//! async fn price(sku: u32) -> Result<u64, Unavailable> {
//!     RUNS.fetch_add(1, Ordering::SeqCst);
//!     tokio::task::yield_now().await; // the others arrive and wait
//!     Err(Unavailable)
//! }
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let calls = (0..10).map(|_| price(7));
//! let results = futures_util::future::join_all(calls).await;
//! assert!(results.iter().all(|r| *r == Err(Unavailable)));
//! assert_eq!(RUNS.load(Ordering::SeqCst), 1); // one run, ten answers
//! # }
//! ```
//!
//! ## Options
//!
//! | option | type | default | meaning |
//! |---|---|---|---|
//! | `ttl` | duration | `"300s"` | time to live of an entry |
//! | `tti` | duration | — | time to idle: an entry not read for this long expires |
//! | `max_capacity` | integer ≥ 1 | 10 000 | entries kept; the least useful are evicted (TinyLFU) |
//! | `name` | string | `module::path::fn_name` | the cache's name in [`cache::get`] |
//! | `key` | expression | the arguments | the cache key, computed from the arguments |
//! | `condition` | closure or path `Fn(&T) -> bool` | always | cache a value only when it returns true |
//! | `cache_none` | flag | off | also cache the `None` of an `Option` |
//!
//! ```
//! use opguard::cacheable;
//!
//! #[cacheable(ttl = "1h", tti = "10m", max_capacity = 50_000, name = "geo.lookup")]
//! fn country_of(ip: &str) -> Option<String> {
//!     ip.starts_with("81.").then(|| "FR".to_owned())
//! }
//!
//! // Only complete pages are worth keeping; the caller gets every page.
//! #[cacheable(condition = |page: &Vec<u32>| page.len() == 10)]
//! fn page(n: u32) -> Vec<u32> {
//!     (n * 10..n * 10 + 10).collect()
//! }
//!
//! // Remember that a user does not exist, too.
//! #[cacheable(cache_none)]
//! fn find_user(id: u64) -> Option<String> {
//!     (id != 0).then(|| format!("user-{id}"))
//! }
//! # country_of("81.1.1.1"); page(1); find_user(0);
//! ```
//!
//! **Keys.** The default key is the argument (one argument) or the tuple of
//! the arguments, owned: `&str` becomes `String`, `&[T]` becomes `Vec<T>`,
//! `&T` becomes `T::Owned`, and a pattern argument contributes each name it
//! binds. With one argument, by value or by reference, a hit looks the key
//! up borrowed and neither clones nor allocates; the key is owned only on a
//! miss. The receiver is not part of the default
//! key; name it in `key = ...` when it matters. Every key part must be
//! `Hash + Eq + Clone + Send + Sync + 'static` once owned (a lone argument,
//! looked up as passed, must also be `Hash + Eq` as it is) and the cached
//! value `Clone + Send + Sync + 'static`; otherwise one compile error per
//! missing trait points at the argument, the `key = ...` expression or the
//! return type (and suggests `key = ...`).
//!
//! ```
//! use opguard::cacheable;
//!
//! struct Tenant { id: u32 }
//!
//! impl Tenant {
//!     #[cacheable(key = (self.id, user))]
//!     fn profile(&self, user: u32) -> String {
//!         format!("tenant {} user {user}", self.id)
//!     }
//! }
//! # Tenant { id: 1 }.profile(2);
//! ```
//!
//! `&mut` arguments, functions returning `()` or a reference, and
//! `impl Trait` return types are refused at compile time. A generic function
//! gets one cache per instantiation, named `name<Args>` with its generic
//! arguments as `std::any::type_name` gives them, including those of a
//! generic `impl` around a method (`module::Repo::count<module::Users>`),
//! so instantiations with the same key and value types never share entries. Two functions never share entries: a
//! `name` used by two functions is reported when the second one is first
//! called, with a panic that names both.
//!
//! ## Runtime API
//!
//! ```
//! use opguard::{cache, cacheable};
//!
//! #[cacheable(name = "docs.greetings")]
//! fn greet(name: &str) -> String { format!("hello {name}") }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! greet("ada");
//! greet("ada");
//! let handle = cache::get("docs.greetings").unwrap();
//! let stats = handle.stats(); // hits, misses, hit_rate, loads, evictions, entries
//! assert_eq!((stats.hits, stats.misses, stats.loads), (1, 1, 1));
//! assert_eq!(handle.key_type(), "alloc::string::String");
//! handle.invalidate(&"ada".to_owned()).await.unwrap();  // a wrong key type is an Err
//! handle.invalidate_all();
//! assert!(cache::all().iter().any(|s| s.name == "docs.greetings"));
//! # }
//! ```
//!
//! `invalidate` is async because moka's async caches are;
//! `invalidate_blocking` does the same for the caches of sync functions.
//! Evictions are counted as moka reports them (size and expiry), which can be
//! after the fact; `run_pending_tasks` brings the counts up to date.
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

pub use opguard_macros::{cacheable, circuit_breaker, monitor_performance, trace_operation};
pub use opguard_runtime::{
    Classify, GuardError, Outcome, breaker, cache, export, health, monitor, trace,
};

#[doc(hidden)]
pub mod __private {
    pub use opguard_runtime::__private::*;
}
