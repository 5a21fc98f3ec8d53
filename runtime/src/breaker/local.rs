//! The store of a breaker that lives in this process only: lock-free atomics
//! for everything a call touches, a lock only around transitions and the
//! list of last failures.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::probes::Probes;
use super::snapshot::FailureRecord;
use super::state::{BreakerState, StateWord};
use super::store::{Counter, Step, Store};
use super::window::{Counts, Kind, Window};
use crate::counters::Striped;

const LAST_FAILURES: usize = 10;

/// A breaker's state and figures in this process.
pub(crate) struct LocalStore {
    state: StateWord,
    /// When it last opened, in nanoseconds since the breaker's start.
    opened_at: AtomicU64,
    /// When it last went half-open, in nanoseconds since the breaker's start.
    half_opened_at: AtomicU64,
    /// Half-open accounting:
    /// `generation << 36 | slow << 24 | in_flight << 12 | successes`.
    probes: AtomicU64,
    consecutive: AtomicU64,
    window: Window,
    counts: Striped<6>,
    last_failures: Mutex<VecDeque<FailureRecord>>,
    /// Serialises transitions; holds the totals at the last one.
    transition: Mutex<(u64, u64)>,
}

impl LocalStore {
    /// An empty, closed store with a rolling window of `window`.
    pub(crate) fn new(window: Duration) -> Self {
        Self {
            state: StateWord::new(),
            opened_at: AtomicU64::new(0),
            half_opened_at: AtomicU64::new(0),
            probes: AtomicU64::new(0),
            consecutive: AtomicU64::new(0),
            window: Window::new(window),
            counts: Striped::new(),
            last_failures: Mutex::new(VecDeque::with_capacity(LAST_FAILURES)),
            transition: Mutex::new((0, 0)),
        }
    }

    fn totals(&self) -> (u64, u64) {
        (
            self.total(Counter::Successes),
            self.total(Counter::Failures),
        )
    }
}

impl Store for LocalStore {
    #[inline]
    fn state(&self) -> (BreakerState, u64) {
        self.state.load()
    }

    #[inline(always)]
    fn count(&self, counter: Counter, n: u64) {
        self.counts.add(counter as usize, n);
    }

    fn total(&self, counter: Counter) -> u64 {
        self.counts.sum(counter as usize)
    }

    fn baseline(&self) -> (u64, u64) {
        *self.transition.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, kind: Kind, now: u64) {
        self.window.add(kind, now);
    }

    fn window(&self, now: u64) -> Counts {
        self.window.counts(now)
    }

    #[inline]
    fn consecutive(&self) -> u64 {
        self.consecutive.load(Ordering::Relaxed)
    }

    fn add_consecutive(&self) {
        self.consecutive.fetch_add(1, Ordering::Relaxed);
    }

    fn clear_consecutive(&self) {
        self.consecutive.store(0, Ordering::Relaxed);
    }

    fn opened_at(&self) -> u64 {
        self.opened_at.load(Ordering::Acquire)
    }

    fn half_opened_at(&self) -> u64 {
        self.half_opened_at.load(Ordering::Acquire)
    }

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

    fn transition(&self, step: Step, announce: impl FnOnce(BreakerState)) -> Option<BreakerState> {
        let Step {
            generation,
            to,
            now,
        } = step;
        let mut totals = self.transition.lock().unwrap_or_else(|e| e.into_inner());
        let (from, current) = self.state.load();
        if current != generation {
            return None;
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
        *totals = self.totals();
        self.state.store(to, next);
        announce(from);
        Some(from)
    }

    fn restart_closed(&self) {
        let mut totals = self.transition.lock().unwrap_or_else(|e| e.into_inner());
        if self.state.load().0 == BreakerState::Closed {
            self.window.clear();
            self.consecutive.store(0, Ordering::Relaxed);
            *totals = self.totals();
        }
    }

    fn remember(&self, failure: FailureRecord) {
        let mut last = self.last_failures.lock().unwrap_or_else(|e| e.into_inner());
        if last.len() == LAST_FAILURES {
            last.pop_front();
        }
        last.push_back(failure);
    }

    fn last_failures(&self) -> Vec<FailureRecord> {
        let last = self.last_failures.lock().unwrap_or_else(|e| e.into_inner());
        last.iter().cloned().collect()
    }

    fn forget_failures(&self) {
        self.last_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// A breaker of this process: the state machine over a local store.
pub(crate) type Inner = super::machine::Machine<LocalStore>;
