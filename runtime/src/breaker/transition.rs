//! The state machine's moves: transitions with their events, manual control,
//! and the snapshot of what it has seen.

use super::events::{broadcast, log};
use super::machine::Machine;
use super::snapshot::{BreakerScope, BreakerSnapshot, FleetCounts};
use super::state::BreakerState;
use super::store::{Counter, Step, Store};

impl<S: Store> Machine<S> {
    /// Moves from the state of `generation` to `to`; false if another
    /// transition came first.
    pub(crate) fn transition(&self, generation: u64, to: BreakerState, now: u64) -> bool {
        // Sent while transitions are held off, so that subscribers get one
        // breaker's transitions in the order they happened; the `tracing`
        // event after it, so that a subscriber may read the breaker.
        let step = Step {
            generation,
            to,
            now,
        };
        #[cfg(feature = "redis")]
        let moving = self.link.as_ref().map(|link| link.begin_move());
        #[cfg(feature = "redis")]
        let origin = self.link.as_ref().and_then(|link| link.origin());
        #[cfg(not(feature = "redis"))]
        let origin = None;
        let moved = self.store.transition(step, |from| {
            broadcast(&self.name, from, to, origin);
        });
        match moved {
            Some(from) => {
                log(&self.name, from, to);
                // A shared breaker tells the fleet what it did alone.
                #[cfg(feature = "redis")]
                if let Some(moving) = &moving {
                    moving.moved(from, to);
                }
                true
            }
            None => false,
        }
    }

    /// Moves to `to` by hand; `forget` also forgets the last failures.
    pub(crate) fn force(&self, to: BreakerState, forget: bool) {
        // Manual control applies to the whole fleet. The request first, so
        // that from before the local move until the fleet has it, no sync
        // answer that predates it is adopted over it.
        #[cfg(feature = "redis")]
        if let Some(link) = &self.link {
            link.forced(to, forget);
        }
        loop {
            let (state, generation) = self.store.state();
            // Already there: no transition, no event; calls in flight still count.
            if state == to || self.transition(generation, to, self.now()) {
                break;
            }
        }
        if to == BreakerState::Closed {
            // Also when it was closed already (no transition ran): the
            // failures before a manual close never count towards a trip, nor
            // towards the failure rate a snapshot reports; unless a failure
            // has opened it again since.
            self.store.restart_closed();
        }
        if forget {
            self.store.forget_failures();
        }
    }

    /// The figures recorded so far.
    pub(crate) fn snapshot(&self) -> BreakerSnapshot {
        let store = &self.store;
        let (state, _) = store.state();
        let window = store.window(self.now());
        let successes = store.total(Counter::Successes);
        let failures = store.total(Counter::Failures);
        let (base_successes, base_failures) = store.baseline();
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
            rejected: store.total(Counter::Rejected),
            timeouts: store.total(Counter::Timeouts),
            cancelled: store.total(Counter::Cancelled),
            slow: store.total(Counter::Slow),
            window_failures: window.failures,
            failure_rate,
            consecutive_failures: store.consecutive(),
            last_failures: store.last_failures(),
            scope: self.scope(),
            fleet: self.fleet_counts(),
        }
    }
}

impl<S: Store> Machine<S> {
    fn scope(&self) -> BreakerScope {
        #[cfg(feature = "redis")]
        if let Some(link) = &self.link {
            return if link.live() {
                BreakerScope::Fleet
            } else {
                BreakerScope::LocalFallback
            };
        }
        BreakerScope::Local
    }

    fn fleet_counts(&self) -> Option<FleetCounts> {
        #[cfg(feature = "redis")]
        if let Some(link) = &self.link {
            let view = crate::shared::breaker::view(link);
            return Some(FleetCounts {
                window_calls: view.calls,
                window_failures: view.failures,
                window_slow: view.slow,
                instances: view.instances,
            });
        }
        None
    }
}
