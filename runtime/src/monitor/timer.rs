//! A named timer: counts, in-flight gauge and latency histogram of one operation.

use std::fmt::Debug;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tracing::Level;

use super::facade::FacadeHandles;
use super::histogram::StripedHistogram;
use super::slow_log::{self, SlowCall};
use super::{CallGuard, LatencySummary, OwnedCallGuard, TimerBuilder, TimerSnapshot};
use crate::counters::Striped;
use crate::{Classify, Outcome};

// Indices into `Timer::counts`.
const STARTED: usize = 0;
const FINISHED: usize = 1;
const ERRORS: usize = 2;
const SLOW: usize = 3;
const CANCELLED: usize = 4;
const PANICKED: usize = 5;

/// Measures one operation: every call's outcome and latency, calls in flight,
/// and slow calls.
///
/// Timers live in a process-wide registry under their name; the attributes
/// create them on first call, [`Timer::builder`] creates them by hand, and
/// [`monitor::get`](super::get) / [`monitor::all`](super::all) read them.
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::monitor::Timer;
///
/// let timer = Timer::builder("docs::parse").threshold(Duration::from_millis(5)).build();
/// let parsed: Result<u32, _> = timer.call_sync(|| "42".parse::<u32>());
/// assert_eq!(parsed, Ok(42));
/// assert_eq!(timer.snapshot().calls, 1);
/// ```
pub struct Timer {
    pub(super) name: String,
    pub(super) function: String,
    pub(super) module: String,
    pub(super) threshold: Duration,
    pub(super) level: Level,
    /// Striped counts (one stripe per live thread, up to 15 threads), so
    /// that threads do not contend on a counter.
    counts: Striped<6>,
    latency: StripedHistogram,
    facade: FacadeHandles,
}

impl Timer {
    /// Starts configuring a timer named `name`.
    pub fn builder(name: impl Into<String>) -> TimerBuilder {
        TimerBuilder::new(name.into())
    }

    pub(super) fn new(builder: &TimerBuilder) -> Self {
        Self {
            name: builder.name.clone(),
            function: builder.function.clone(),
            module: builder.module.clone(),
            threshold: builder.threshold,
            level: builder.level,
            counts: Striped::new(),
            latency: StripedHistogram::new(),
            facade: FacadeHandles::register(&builder.function, &builder.module),
        }
    }

    /// The operation name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls slower than this are counted slow and logged.
    pub fn threshold(&self) -> Duration {
        self.threshold
    }

    /// Level of the slow-call event.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Starts timing one call. Finish it with [`CallGuard::finish`]; a guard
    /// dropped unfinished records the call as cancelled, or as panicked while
    /// a panic unwinds.
    #[inline]
    pub fn start(&self) -> CallGuard<'_> {
        self.started(|| CallGuard::new(self))
    }

    /// [`start`](Self::start), for a guard that is `'static`: it holds a
    /// share of the timer, so it can move into a spawned task or a `tower`
    /// response future. It records the call as a [`CallGuard`] does.
    ///
    /// ```
    /// use opguard_runtime::monitor::Timer;
    ///
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let timer = Timer::builder("docs::start_owned").build();
    /// let guard = timer.start_owned();
    /// tokio::spawn(async move { guard.finish(false) }).await.unwrap();
    /// assert_eq!(timer.snapshot().ok, 1);
    /// # }
    /// ```
    #[inline]
    pub fn start_owned(self: &Arc<Self>) -> OwnedCallGuard {
        self.started(|| OwnedCallGuard::new(Arc::clone(self)))
    }

    /// Counts a call started, around making its guard with `guard`.
    #[inline(always)]
    fn started<G>(&self, guard: impl FnOnce() -> G) -> G {
        // The `metrics` gauge first, outside the timed span: with a recorder
        // installed it may cost more than the rest. Then the clock, and then
        // the striped count, which so overlaps with the call's work
        // instead of holding the (ordered) clock read back.
        self.facade.started();
        let guard = guard();
        self.counts.add(STARTED, 1);
        guard
    }

    /// Times a synchronous call; an `Err` result counts as an error.
    pub fn call_sync<R: Classify>(&self, f: impl FnOnce() -> R) -> R {
        let guard = self.start();
        let value = f();
        guard.finish(value.is_error());
        value
    }

    /// Times a future from its first poll to its output; dropping it first
    /// records a cancelled call, a panic in it a panicked one.
    pub async fn call<F>(&self, future: F) -> F::Output
    where
        F: Future,
        F::Output: Classify,
    {
        let guard = self.start();
        let value = guard.watch(future).await;
        guard.finish(value.is_error());
        value
    }

    /// Reads the figures recorded so far.
    pub fn snapshot(&self) -> TimerSnapshot {
        let latency = self.latency.read(LatencySummary::from_histogram);
        let errors = self.counts.sum(ERRORS);
        let cancelled = self.counts.sum(CANCELLED);
        let panicked = self.counts.sum(PANICKED);
        // Finishes first: every call counted finished has started by then, so
        // the difference is never below the truth's lower bound.
        let finished = self.counts.sum(FINISHED);
        let in_flight = self.counts.sum(STARTED).saturating_sub(finished);
        TimerSnapshot {
            name: self.name.clone(),
            function: self.function.clone(),
            module: self.module.clone(),
            calls: latency.count + cancelled + panicked,
            ok: latency.count.saturating_sub(errors),
            errors,
            slow: self.counts.sum(SLOW),
            cancelled,
            panicked,
            in_flight,
            threshold: self.threshold,
            latency,
        }
    }

    pub(super) fn slow_log_enabled(&self) -> bool {
        slow_log::enabled(self.level)
    }

    /// Records a finished call. `result` is formatted only for a slow call
    /// that will be logged.
    #[inline]
    pub(super) fn record(
        &self,
        outcome: Outcome,
        elapsed: Duration,
        args: Option<&str>,
        result: Option<&dyn Debug>,
    ) {
        self.counts.add(FINISHED, 1);
        self.facade.finished(outcome, elapsed.as_secs_f64());
        match outcome {
            Outcome::Ok => self.latency.record(elapsed),
            Outcome::Error => {
                self.counts.add(ERRORS, 1);
                self.latency.record(elapsed);
            }
            Outcome::Cancelled => {
                self.counts.add(CANCELLED, 1);
                return;
            }
            Outcome::Panicked => {
                self.counts.add(PANICKED, 1);
                return;
            }
        }
        if elapsed > self.threshold {
            self.counts.add(SLOW, 1);
            self.log_slow(outcome, elapsed, args, result);
        }
    }

    #[cold]
    fn log_slow(
        &self,
        outcome: Outcome,
        elapsed: Duration,
        args: Option<&str>,
        result: Option<&dyn Debug>,
    ) {
        if !self.slow_log_enabled() {
            return;
        }
        let result = result.map(|r| format!("{r:?}"));
        SlowCall {
            level: self.level,
            operation: &self.name,
            outcome,
            elapsed,
            threshold: self.threshold,
            args,
            result: result.as_deref(),
        }
        .emit();
    }
}

impl Debug for Timer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timer")
            .field("name", &self.name)
            .field("threshold", &self.threshold)
            .field("level", &self.level)
            .finish_non_exhaustive()
    }
}
