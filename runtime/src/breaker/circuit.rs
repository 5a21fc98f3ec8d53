//! The breaker: state machine, triggers and manual control.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt::Display;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::events::{broadcast, log};
use super::permit::{CallPolicy, Permit, PermitKind};
use super::probes::Probes;
use super::state::StateWord;
use super::window::{Kind, Window};
use super::{
    BreakerBuilder, BreakerConfig, BreakerSnapshot, BreakerState, FailureRecord, registry,
};
use crate::GuardError;
use crate::counters::PerThread;

// Indices into `Inner::counts`.
const SUCCESSES: usize = 0;
const FAILURES: usize = 1;
const REJECTED: usize = 2;
const TIMEOUTS: usize = 3;
const SLOW: usize = 4;
const CANCELLED: usize = 5;

const LAST_FAILURES: usize = 10;

/// A circuit breaker: fails fast while a dependency is down.
///
/// Closed, it runs calls and counts failures in a rolling window; when a
/// trigger fires it opens and rejects calls with [`GuardError::CircuitOpen`]
/// until `recovery_timeout` has passed; then it lets `half_open_max_calls`
/// probes through, and closes after `success_threshold` probe successes or
/// reopens at a probe failure. Cloning is cheap; clones share state.
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::{GuardError, breaker::{Breaker, BreakerState}};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let breaker = Breaker::builder("docs.payments").failure_threshold(2).build();
/// for _ in 0..2 {
///     let failed: Result<(), GuardError> = breaker
///         .call(async { Err(GuardError::Timeout { name: "upstream".into(), after: Duration::from_secs(1) }) })
///         .await;
///     assert!(failed.is_err());
/// }
/// assert_eq!(breaker.state(), BreakerState::Open);
/// let rejected: Result<(), GuardError> = breaker.call(async { Ok(()) }).await;
/// assert!(matches!(rejected, Err(GuardError::CircuitOpen { .. })));
/// # }
/// ```
#[derive(Clone)]
pub struct Breaker(pub(super) Arc<Inner>);

pub(crate) struct Inner {
    /// A callsite's name is leaked once (a callsite lives for good), so its
    /// errors borrow the name instead of sharing a count; a builder's is
    /// owned, as the breaker may be removed, and each rejection copies it.
    pub(super) name: Cow<'static, str>,
    pub(super) config: BreakerConfig,
    /// `config.counts_calls()`, read on every success.
    counts_calls: bool,
    /// `config.slow_call.is_some()`, read on every call.
    tracks_slow: bool,
    base: Instant,
    state: StateWord,
    /// When it last opened, in nanoseconds since `base`.
    opened_at: AtomicU64,
    /// When it last went half-open, in nanoseconds since `base`.
    half_opened_at: AtomicU64,
    /// Half-open accounting:
    /// `generation << 36 | slow << 24 | in_flight << 12 | successes`.
    probes: AtomicU64,
    consecutive: AtomicU64,
    window: Window,
    counts: PerThread<6>,
    last_failures: Mutex<VecDeque<FailureRecord>>,
    /// Serialises transitions; holds the totals at the last one.
    transition: Mutex<(u64, u64)>,
}

impl Breaker {
    /// Starts configuring a breaker named `name`.
    pub fn builder(name: impl Into<String>) -> BreakerBuilder {
        BreakerBuilder::new(name.into())
    }

    pub(super) fn register(name: String, config: BreakerConfig, leak: bool) -> Breaker {
        let (inner, created) = registry().get_or_register(&name, || {
            let owned = if leak {
                Cow::Borrowed(&*Box::leak(name.clone().into_boxed_str()))
            } else {
                Cow::Owned(name.clone())
            };
            Inner::new(owned, config)
        });
        if !created && inner.config != config {
            tracing::warn!(
                target: super::TARGET,
                breaker = %name,
                "breaker `{name}` is already registered with other settings; the first registration wins ({:?})",
                inner.config,
            );
        }
        Breaker(inner)
    }

    /// The breaker's name.
    pub fn name(&self) -> &str {
        &self.0.name
    }

    /// The breaker's settings.
    pub fn config(&self) -> &BreakerConfig {
        &self.0.config
    }

    /// The state now. An open breaker whose recovery timeout has passed still
    /// reads `Open` until the next call moves it to half-open.
    pub fn state(&self) -> BreakerState {
        self.0.state.load().0
    }

    /// Asks to make a call: a [`Permit`] to run it, or the rejection.
    ///
    /// The permit records the outcome when finished; dropped unfinished it
    /// records a panic (while one unwinds) or nothing (a cancelled call,
    /// whose half-open slot is freed).
    #[inline]
    pub fn acquire(&self) -> Result<Permit<'_>, GuardError> {
        self.0.acquire()
    }

    /// Runs `future` through the breaker: every `Err` counts as a failure,
    /// and a rejection or timeout comes back as `E::from(GuardError)`.
    pub async fn call<T, E, F>(&self, future: F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
        E: From<GuardError> + Display,
    {
        let describe = |e: &E| e.to_string();
        let policy = CallPolicy::new(&|_: &E| true, &describe, &E::from);
        match self.acquire() {
            Ok(permit) => permit.run(&policy, future).await,
            Err(rejected) => Err(E::from(rejected)),
        }
    }

    /// [`call`](Self::call) for a synchronous function (`timeout` does not
    /// apply).
    pub fn call_sync<T, E>(&self, f: impl FnOnce() -> Result<T, E>) -> Result<T, E>
    where
        E: From<GuardError> + Display,
    {
        let describe = |e: &E| e.to_string();
        let policy = CallPolicy::new(&|_: &E| true, &describe, &E::from);
        match self.acquire() {
            Ok(permit) => permit.run_sync(&policy, f),
            Err(rejected) => Err(E::from(rejected)),
        }
    }

    /// Opens the breaker until [`force_close`](Self::force_close) or
    /// [`reset`](Self::reset), whatever calls do. Rejections then carry the
    /// recovery timeout as `retry_after`, a hint: nothing reopens it by itself.
    pub fn force_open(&self) {
        self.0.force(BreakerState::ForcedOpen, false);
    }

    /// Closes the breaker now, with an empty window, no run of consecutive
    /// failures and a failure rate counted from now, also when it was closed
    /// already. Totals (calls, failures, …) keep counting up.
    pub fn force_close(&self) {
        self.0.force(BreakerState::Closed, false);
    }

    /// Lets every call through and never opens, until `force_close` or `reset`.
    pub fn disable(&self) {
        self.0.force(BreakerState::Disabled, false);
    }

    /// Closes the breaker with an empty window and no remembered failures.
    /// Totals (calls, failures, …) keep counting up, as exported counters must.
    pub fn reset(&self) {
        self.0.force(BreakerState::Closed, true);
    }

    /// Reads the figures recorded so far.
    pub fn snapshot(&self) -> BreakerSnapshot {
        self.0.snapshot()
    }
}

impl std::fmt::Debug for Breaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Breaker")
            .field("name", &self.0.name)
            .field("state", &self.state())
            .field("config", &self.0.config)
            .finish()
    }
}

impl Inner {
    fn new(name: Cow<'static, str>, config: BreakerConfig) -> Self {
        Self {
            name,
            config,
            counts_calls: config.counts_calls(),
            tracks_slow: config.slow_call.is_some(),
            base: Instant::now(),
            state: StateWord::new(),
            opened_at: AtomicU64::new(0),
            half_opened_at: AtomicU64::new(0),
            probes: AtomicU64::new(0),
            consecutive: AtomicU64::new(0),
            window: Window::new(config.window),
            counts: PerThread::new(),
            last_failures: Mutex::new(VecDeque::with_capacity(LAST_FAILURES)),
            transition: Mutex::new((0, 0)),
        }
    }

    /// Nanoseconds since the breaker was created, on tokio's clock.
    pub(super) fn now(&self) -> u64 {
        u64::try_from(
            Instant::now()
                .saturating_duration_since(self.base)
                .as_nanos(),
        )
        .unwrap_or(u64::MAX)
    }

    /// The closed state's path, inlined into callers: one atomic load.
    #[inline]
    fn acquire(&self) -> Result<Permit<'_>, GuardError> {
        match self.state.load() {
            (BreakerState::Closed, generation) => {
                Ok(Permit::new(self, generation, PermitKind::Closed))
            }
            _ => self.acquire_slow(),
        }
    }

    #[cold]
    fn acquire_slow(&self) -> Result<Permit<'_>, GuardError> {
        loop {
            let (state, generation) = self.state.load();
            match state {
                BreakerState::Closed => {
                    return Ok(Permit::new(self, generation, PermitKind::Closed));
                }
                BreakerState::Disabled => {
                    return Ok(Permit::new(self, generation, PermitKind::Disabled));
                }
                BreakerState::ForcedOpen => return Err(self.reject(self.config.recovery_timeout)),
                BreakerState::Open => {
                    let now = self.now();
                    let limit = self.config.recovery_timeout;
                    if let Some(left) = time_left(&self.opened_at, limit, now) {
                        return Err(self.reject(left));
                    }
                    self.transition(generation, BreakerState::HalfOpen, now);
                }
                BreakerState::HalfOpen => {
                    let max = u64::from(self.config.half_open_max_calls);
                    let taken = self.update_probes(generation, |probes| {
                        (probes.in_flight < max).then_some(Probes {
                            in_flight: probes.in_flight + 1,
                            ..probes
                        })
                    });
                    match taken {
                        Ok(_) => return Ok(Permit::new(self, generation, PermitKind::Probe)),
                        // The slots belong to a newer half-open state: look again.
                        Err(probes) if !probes.belongs_to(generation) => continue,
                        Err(_) => {}
                    }
                    // Every slot is taken. Probes get `half_open_max_duration`
                    // to finish; past it the breaker reopens, and their late
                    // results count for nothing.
                    let now = self.now();
                    let limit = self.config.half_open_max_duration;
                    if let Some(left) = time_left(&self.half_opened_at, limit, now) {
                        return Err(self.reject(left));
                    }
                    self.transition(generation, BreakerState::Open, now);
                }
            }
        }
    }

    fn reject(&self, retry_after: Duration) -> GuardError {
        self.counts.add(REJECTED, 1);
        GuardError::CircuitOpen {
            name: self.name.clone(),
            retry_after,
        }
    }

    fn current(&self, generation: u64) -> bool {
        self.state.load().1 == generation
    }

    /// A call that started at `started` (if slow calls are tracked) succeeded.
    /// The default configuration's closed-state success is inlined: a
    /// per-thread count and one atomic load.
    #[inline]
    pub(super) fn on_success(&self, generation: u64, kind: PermitKind, started: Option<u64>) {
        self.counts.add(SUCCESSES, 1);
        if kind == PermitKind::Closed
            && !self.counts_calls
            && self.consecutive.load(Ordering::Relaxed) == 0
        {
            return;
        }
        self.on_success_slow(generation, kind, started);
    }

    #[cold]
    fn on_success_slow(&self, generation: u64, kind: PermitKind, started: Option<u64>) {
        match kind {
            PermitKind::Disabled => {
                self.count_slow(started);
            }
            PermitKind::Closed => {
                if self.counts_calls {
                    let now = self.now();
                    let slow = self.count_slow(started);
                    if self.current(generation) {
                        self.window.add(Kind::Calls, now);
                        if slow {
                            self.window.add(Kind::Slow, now);
                        }
                        // A rate can reach its trigger on a success too, once
                        // `minimum_calls` is reached.
                        if self.tripped(now) {
                            self.transition(generation, BreakerState::Open, now);
                            return;
                        }
                    }
                }
                if self.consecutive.load(Ordering::Relaxed) != 0 && self.current(generation) {
                    self.consecutive.store(0, Ordering::Relaxed);
                }
            }
            PermitKind::Probe => {
                let slow = u64::from(self.count_slow(started));
                let counted = self.update_probes(generation, |probes| {
                    Some(Probes {
                        in_flight: probes.in_flight.saturating_sub(1),
                        successes: probes.successes + 1,
                        slow: probes.slow + slow,
                        ..probes
                    })
                });
                let Ok(before) = counted else { return };
                let (successes, slow) = (before.successes + 1, before.slow + slow);
                if successes < u64::from(self.config.success_threshold) {
                    return;
                }
                // The probes are judged on the slow-call rule too: a
                // dependency that answers, but slowly, gets no full traffic.
                let too_slow = self
                    .config
                    .slow_call
                    .is_some_and(|(_, rate)| slow as f64 / successes as f64 >= rate);
                let to = if too_slow {
                    BreakerState::Open
                } else {
                    BreakerState::Closed
                };
                self.transition(generation, to, self.now());
            }
        }
    }

    /// A call failed with `error` (a timeout when `timed_out`).
    pub(super) fn on_failure(
        &self,
        generation: u64,
        kind: PermitKind,
        started: Option<u64>,
        error: String,
        timed_out: bool,
    ) {
        self.counts.add(FAILURES, 1);
        if timed_out {
            self.counts.add(TIMEOUTS, 1);
        }
        let slow = self.count_slow(started);
        self.remember(error);
        if kind == PermitKind::Disabled || !self.current(generation) {
            return;
        }
        let now = self.now();
        match kind {
            PermitKind::Closed => {
                self.window.add(Kind::Failures, now);
                if self.config.counts_calls() {
                    self.window.add(Kind::Calls, now);
                    if slow {
                        self.window.add(Kind::Slow, now);
                    }
                }
                self.consecutive.fetch_add(1, Ordering::Relaxed);
                if self.tripped(now) {
                    self.transition(generation, BreakerState::Open, now);
                }
            }
            PermitKind::Probe => {
                self.transition(generation, BreakerState::Open, now);
            }
            PermitKind::Disabled => {}
        }
    }

    /// A call was dropped before it finished: it counts as nothing, and a
    /// probe frees its slot.
    pub(super) fn on_cancel(&self, generation: u64, kind: PermitKind) {
        self.counts.add(CANCELLED, 1);
        if kind == PermitKind::Probe {
            let _ = self.update_probes(generation, |probes| {
                Some(Probes {
                    in_flight: probes.in_flight.saturating_sub(1),
                    ..probes
                })
            });
        }
    }

    /// Applies `change` to the probes of `generation`'s half-open state:
    /// the probes before it, or (`Err`) those that are there when they
    /// belong to another generation or `change` declines.
    fn update_probes(
        &self,
        generation: u64,
        change: impl Fn(Probes) -> Option<Probes>,
    ) -> Result<Probes, Probes> {
        self.probes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
                let probes = Probes::unpack(word);
                if probes.belongs_to(generation) {
                    change(probes).map(Probes::pack)
                } else {
                    None
                }
            })
            .map(Probes::unpack)
            .map_err(Probes::unpack)
    }

    #[inline]
    pub(super) fn tracks_slow(&self) -> bool {
        self.tracks_slow
    }

    fn count_slow(&self, started: Option<u64>) -> bool {
        let (Some(started), Some((limit, _))) = (started, self.config.slow_call) else {
            return false;
        };
        let slow = self.now().saturating_sub(started) > nanos(limit);
        if slow {
            self.counts.add(SLOW, 1);
        }
        slow
    }

    fn remember(&self, error: String) {
        let mut last = self.last_failures.lock().unwrap_or_else(|e| e.into_inner());
        if last.len() == LAST_FAILURES {
            last.pop_front();
        }
        last.push_back(FailureRecord {
            error,
            at: SystemTime::now(),
        });
    }

    /// Whether a trigger fires at `now` (closed state).
    fn tripped(&self, now: u64) -> bool {
        let config = &self.config;
        let counts = self.window.counts(now);
        let rate_reached = |part: u64, rate: f64| {
            counts.calls >= u64::from(config.minimum_calls)
                && counts.calls > 0
                && part as f64 / counts.calls as f64 >= rate
        };
        counts.failures >= u64::from(config.failure_threshold)
            || config
                .consecutive_failures
                .is_some_and(|n| self.consecutive.load(Ordering::Relaxed) >= u64::from(n))
            || config
                .failure_rate
                .is_some_and(|rate| rate_reached(counts.failures, rate))
            || config
                .slow_call
                .is_some_and(|(_, rate)| rate_reached(counts.slow, rate))
    }

    /// Moves from the state of `generation` to `to`; false if another
    /// transition came first.
    fn transition(&self, generation: u64, to: BreakerState, now: u64) -> bool {
        let mut totals = self.transition.lock().unwrap_or_else(|e| e.into_inner());
        let (from, current) = self.state.load();
        if current != generation {
            return false;
        }
        let next = generation + 1;
        match to {
            BreakerState::Open => self.opened_at.store(now, Ordering::Release),
            BreakerState::HalfOpen => {
                self.half_opened_at.store(now, Ordering::Release);
                self.probes
                    .store(Probes::of(next).pack(), Ordering::Release);
            }
            BreakerState::Closed => self.window.clear(),
            BreakerState::ForcedOpen | BreakerState::Disabled => {}
        }
        self.consecutive.store(0, Ordering::Relaxed);
        *totals = (self.counts.sum(SUCCESSES), self.counts.sum(FAILURES));
        self.state.store(to, next);
        // Sent under the lock, so that subscribers get one breaker's
        // transitions in the order they happened; the `tracing` event after
        // it, so that a subscriber may read the breaker.
        broadcast(&self.name, from, to);
        drop(totals);
        log(&self.name, from, to);
        true
    }

    fn force(&self, to: BreakerState, forget: bool) {
        loop {
            let (state, generation) = self.state.load();
            // Already there: no transition, no event; calls in flight still count.
            if state == to || self.transition(generation, to, self.now()) {
                break;
            }
        }
        if to == BreakerState::Closed {
            // Also when it was closed already (no transition ran): the
            // failures before a manual close never count towards a trip, nor
            // towards the failure rate a snapshot reports. Under the
            // transition lock, so that no transition runs meanwhile; unless
            // a failure has opened it again since.
            let mut totals = self.transition.lock().unwrap_or_else(|e| e.into_inner());
            if self.state.load().0 == BreakerState::Closed {
                self.window.clear();
                self.consecutive.store(0, Ordering::Relaxed);
                *totals = (self.counts.sum(SUCCESSES), self.counts.sum(FAILURES));
            }
        }
        if forget {
            self.last_failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        }
    }

    fn snapshot(&self) -> BreakerSnapshot {
        let (state, _) = self.state.load();
        let window = self.window.counts(self.now());
        let successes = self.counts.sum(SUCCESSES);
        let failures = self.counts.sum(FAILURES);
        let (base_successes, base_failures) =
            *self.transition.lock().unwrap_or_else(|e| e.into_inner());
        let ratio = |part: u64, whole: u64| {
            if whole == 0 {
                0.0
            } else {
                part as f64 / whole as f64
            }
        };
        let failure_rate = if self.config.counts_calls() {
            ratio(window.failures, window.calls)
        } else {
            let recent_failures = failures.saturating_sub(base_failures);
            ratio(
                recent_failures,
                recent_failures + successes.saturating_sub(base_successes),
            )
        };
        BreakerSnapshot {
            name: self.name.to_string(),
            state,
            calls: successes + failures,
            successes,
            failures,
            rejected: self.counts.sum(REJECTED),
            timeouts: self.counts.sum(TIMEOUTS),
            cancelled: self.counts.sum(CANCELLED),
            slow: self.counts.sum(SLOW),
            window_failures: window.failures,
            failure_rate,
            consecutive_failures: self.consecutive.load(Ordering::Relaxed),
            last_failures: self
                .last_failures
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned()
                .collect(),
        }
    }
}

/// How long is left of `limit` since the time in `since` (nanoseconds
/// since the breaker's start), or `None` once it has passed.
fn time_left(since: &AtomicU64, limit: Duration, now: u64) -> Option<Duration> {
    let until = since.load(Ordering::Acquire).saturating_add(nanos(limit));
    (now < until).then(|| Duration::from_nanos(until - now))
}

pub(super) fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
