//! The breaker's state machine: which call may run, what a finished call
//! changes, and when a trigger fires. What it decides on lives in a
//! [`Store`]; transitions, manual control and snapshots are in
//! `transition.rs`.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::clock::Clock;
use super::config::BreakerConfig;
use super::probes::Probes;
use super::snapshot::FailureRecord;
use super::state::BreakerState;
use super::store::{Counter, Store};
use super::window::Kind;
use crate::GuardError;

/// What kind of call a permit lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PermitKind {
    Closed,
    Probe,
    Disabled,
}

/// A granted call: the state's generation it was granted in, and its kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ticket {
    pub(crate) generation: u64,
    pub(crate) kind: PermitKind,
}

/// One breaker: its name, settings and clock, and the store it decides on.
pub(crate) struct Machine<S> {
    /// A callsite's name is leaked once (a callsite lives for good), so its
    /// errors borrow the name instead of sharing a count; a builder's is
    /// owned, as the breaker may be removed, and each rejection copies it.
    pub(crate) name: Cow<'static, str>,
    pub(crate) config: BreakerConfig,
    /// `config.counts_calls()`, read on every success.
    counts_calls: bool,
    /// `config.slow_call.is_some()`, read on every call.
    tracks_slow: bool,
    clock: Clock,
    base: Instant,
    pub(super) store: S,
    /// The fleet this breaker follows, if `shared`.
    #[cfg(feature = "redis")]
    pub(crate) link: Option<std::sync::Arc<crate::shared::breaker::Link>>,
}

impl<S: Store> Machine<S> {
    pub(crate) fn new(
        name: Cow<'static, str>,
        config: BreakerConfig,
        clock: Clock,
        store: S,
    ) -> Self {
        Self {
            name,
            config,
            counts_calls: config.counts_calls(),
            tracks_slow: config.slow_call.is_some(),
            base: clock.now(),
            clock,
            store,
            #[cfg(feature = "redis")]
            link: config.shared.then(|| {
                std::sync::Arc::new(crate::shared::breaker::Link::new(config.sync_interval))
            }),
        }
    }

    /// Nanoseconds since the breaker was created, on its clock.
    pub(crate) fn now(&self) -> u64 {
        nanos(self.clock.now().saturating_duration_since(self.base))
    }

    /// The state now.
    #[inline]
    pub(crate) fn state(&self) -> BreakerState {
        self.store.state().0
    }

    /// The closed state's path, inlined into callers: one atomic load.
    #[inline]
    pub(crate) fn acquire(&self) -> Result<Ticket, GuardError> {
        match self.store.state() {
            (BreakerState::Closed, generation) => Ok(Ticket {
                generation,
                kind: PermitKind::Closed,
            }),
            _ => self.acquire_slow(),
        }
    }

    #[cold]
    fn acquire_slow(&self) -> Result<Ticket, GuardError> {
        let ticket = |generation, kind| Ok(Ticket { generation, kind });
        loop {
            let (state, generation) = self.store.state();
            match state {
                BreakerState::Closed => return ticket(generation, PermitKind::Closed),
                BreakerState::Disabled => return ticket(generation, PermitKind::Disabled),
                BreakerState::ForcedOpen => return Err(self.reject(self.config.recovery_timeout)),
                BreakerState::Open => {
                    let now = self.now();
                    let limit = self.config.recovery_timeout;
                    if let Some(left) = time_left(self.store.opened_at(), limit, now) {
                        return Err(self.reject(left));
                    }
                    // The fleet moves to half-open on Redis' clock.
                    #[cfg(feature = "redis")]
                    if let Some(link) = self.live_link() {
                        link.want_probe();
                        return Err(self.reject(link.sync_interval));
                    }
                    self.transition(generation, BreakerState::HalfOpen, now);
                }
                BreakerState::HalfOpen => {
                    let max = self.probe_slots();
                    let taken = self.store.update_probes(generation, |probes| {
                        (probes.in_flight < max).then_some(Probes {
                            in_flight: probes.in_flight + 1,
                            ..probes
                        })
                    });
                    match taken {
                        Ok(_) => return ticket(generation, PermitKind::Probe),
                        // The slots belong to a newer half-open state: look again.
                        Err(probes) if !probes.belongs_to(generation) => continue,
                        Err(_) => {}
                    }
                    // The fleet's probes run on leases: ask for one.
                    #[cfg(feature = "redis")]
                    if let Some(link) = self.live_link() {
                        link.want_probe();
                        return Err(self.reject(link.sync_interval));
                    }
                    // Every slot is taken. Probes get `half_open_max_duration`
                    // to finish; past it the breaker reopens, and their late
                    // results count for nothing.
                    let now = self.now();
                    let limit = self.config.half_open_max_duration;
                    if let Some(left) = time_left(self.store.half_opened_at(), limit, now) {
                        return Err(self.reject(left));
                    }
                    self.transition(generation, BreakerState::Open, now);
                }
            }
        }
    }

    /// Probes that may run at once here: the leases held from the fleet
    /// while it decides, else `half_open_max_calls`.
    fn probe_slots(&self) -> u64 {
        #[cfg(feature = "redis")]
        if let Some(link) = self.live_link() {
            return link.leases();
        }
        u64::from(self.config.half_open_max_calls)
    }

    fn reject(&self, retry_after: Duration) -> GuardError {
        self.store.count(Counter::Rejected, 1);
        GuardError::CircuitOpen {
            name: self.name.clone(),
            retry_after,
        }
    }

    fn current(&self, generation: u64) -> bool {
        self.store.state().1 == generation
    }

    /// When a call granted now started, if slow calls are tracked.
    #[inline]
    pub(crate) fn started(&self) -> Option<u64> {
        self.tracks_slow.then(|| self.now())
    }

    /// A call that started at `started` (if slow calls are tracked) succeeded.
    /// The default configuration's closed-state success is inlined: a
    /// striped count and one atomic load.
    #[inline]
    pub(crate) fn on_success(&self, ticket: Ticket, started: Option<u64>) {
        self.store.count(Counter::Successes, 1);
        if ticket.kind == PermitKind::Closed && !self.counts_calls && self.store.consecutive() == 0
        {
            return;
        }
        self.on_success_slow(ticket, started);
    }

    #[cold]
    fn on_success_slow(&self, Ticket { generation, kind }: Ticket, started: Option<u64>) {
        match kind {
            PermitKind::Disabled => {
                self.count_slow(started);
            }
            PermitKind::Closed => {
                if self.counts_calls {
                    let now = self.now();
                    let slow = self.count_slow(started);
                    if self.current(generation) {
                        self.store.record(Kind::Calls, now);
                        if slow {
                            self.store.record(Kind::Slow, now);
                        }
                        // A rate can reach its trigger on a success too, once
                        // `minimum_calls` is reached.
                        if self.tripped(now) {
                            self.transition(generation, BreakerState::Open, now);
                            return;
                        }
                    }
                }
                if self.store.consecutive() != 0 && self.current(generation) {
                    self.store.clear_consecutive();
                }
            }
            PermitKind::Probe => {
                #[cfg(feature = "redis")]
                if self.fleet_probe_ended(generation, crate::shared::breaker::ProbeEnd::Success) {
                    self.count_slow(started);
                    return;
                }
                let slow = u64::from(self.count_slow(started));
                let counted = self.store.update_probes(generation, |probes| {
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
    pub(crate) fn on_failure(
        &self,
        Ticket { generation, kind }: Ticket,
        started: Option<u64>,
        error: String,
        timed_out: bool,
    ) {
        self.store.count(Counter::Failures, 1);
        if timed_out {
            self.store.count(Counter::Timeouts, 1);
        }
        let slow = self.count_slow(started);
        self.store.remember(FailureRecord {
            error,
            at: SystemTime::now(),
        });
        if kind == PermitKind::Disabled || !self.current(generation) {
            return;
        }
        let now = self.now();
        match kind {
            PermitKind::Closed => {
                self.store.record(Kind::Failures, now);
                if self.config.counts_calls() {
                    self.store.record(Kind::Calls, now);
                    if slow {
                        self.store.record(Kind::Slow, now);
                    }
                }
                self.store.add_consecutive();
                if self.tripped(now) {
                    self.transition(generation, BreakerState::Open, now);
                }
            }
            PermitKind::Probe => {
                #[cfg(feature = "redis")]
                if self.fleet_probe_ended(generation, crate::shared::breaker::ProbeEnd::Failure) {
                    return;
                }
                self.transition(generation, BreakerState::Open, now);
            }
            PermitKind::Disabled => {}
        }
    }

    /// A call was dropped before it finished: it counts as nothing, and a
    /// probe frees its slot.
    pub(crate) fn on_cancel(&self, Ticket { generation, kind }: Ticket) {
        self.store.count(Counter::Cancelled, 1);
        if kind == PermitKind::Probe {
            #[cfg(feature = "redis")]
            if self.fleet_probe_ended(generation, crate::shared::breaker::ProbeEnd::Cancelled) {
                return;
            }
            let _ = self.store.update_probes(generation, |probes| {
                Some(Probes {
                    in_flight: probes.in_flight.saturating_sub(1),
                    ..probes
                })
            });
        }
    }

    fn count_slow(&self, started: Option<u64>) -> bool {
        let (Some(started), Some((limit, _))) = (started, self.config.slow_call) else {
            return false;
        };
        let slow = self.now().saturating_sub(started) > nanos(limit);
        if slow {
            self.store.count(Counter::Slow, 1);
        }
        slow
    }

    /// Whether a trigger fires at `now` (closed state).
    fn tripped(&self, now: u64) -> bool {
        let config = &self.config;
        #[allow(unused_mut)]
        let mut counts = self.store.window(now);
        // A shared breaker judges the fleet's window: its own counts and
        // the other instances' as of the last sync.
        #[cfg(feature = "redis")]
        if let Some(link) = self.live_link() {
            let (calls, failures, slow) = link.others();
            counts.calls += calls;
            counts.failures += failures;
            counts.slow += slow;
        }
        let rate_reached = |part: u64, rate: f64| {
            counts.calls >= u64::from(config.minimum_calls)
                && counts.calls > 0
                && part as f64 / counts.calls as f64 >= rate
        };
        counts.failures >= u64::from(config.failure_threshold)
            || config
                .consecutive_failures
                .is_some_and(|n| self.store.consecutive() >= u64::from(n))
            || config
                .failure_rate
                .is_some_and(|rate| rate_reached(counts.failures, rate))
            || config
                .slow_call
                .is_some_and(|(_, rate)| rate_reached(counts.slow, rate))
    }
}

/// How long is left of `limit` since `since` (nanoseconds since the
/// breaker's start), or `None` once it has passed.
fn time_left(since: u64, limit: Duration, now: u64) -> Option<Duration> {
    let until = since.saturating_add(nanos(limit));
    (now < until).then(|| Duration::from_nanos(until - now))
}

pub(crate) fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}
