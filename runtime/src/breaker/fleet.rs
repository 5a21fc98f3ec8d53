//! What a shared breaker's state machine does for its fleet (feature
//! `redis`): it hands probe results to the fleet, reports its figures to the
//! sync agent, and adopts the fleet's transitions.

use std::sync::Arc;
use std::time::Duration;

use super::events::{broadcast, log};
use super::machine::{Machine, nanos};
use super::probes::Probes;
use super::state::BreakerState;
use super::store::{Counter, Step, Store};
use crate::shared::breaker::{Link, ProbeEnd};

/// How [`Machine::adopt`] follows a sync's answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Adoption {
    /// The fleet's generation moved: a closed breaker that stays closed
    /// starts afresh as the fleet's did (after a reset, or a whole cycle
    /// this instance missed).
    pub(crate) renewed: bool,
    /// The local generation the answer was judged against: a local move
    /// made since stands (its request reaches the fleet with the next
    /// sync), and nothing is adopted.
    pub(crate) decided_at: u64,
    /// The answer's move is this instance's own trip, made by this sync.
    pub(crate) own_trip: bool,
}

impl<S: Store> Machine<S> {
    /// The fleet link, while the fleet decides (Redis reachable).
    #[inline]
    pub(crate) fn live_link(&self) -> Option<&Link> {
        self.link.as_deref().filter(|link| link.live())
    }

    /// A probe of `generation` ended while the fleet decides: its slot is
    /// freed and its result goes to the fleet. False when this breaker
    /// decides alone (the caller then judges the probe locally).
    pub(crate) fn fleet_probe_ended(&self, generation: u64, end: ProbeEnd) -> bool {
        let Some(link) = self.live_link() else {
            return false;
        };
        // The lease first, so that no call takes the freed slot on it.
        let freed = self.store.update_probes(generation, |probes| {
            Some(Probes {
                in_flight: probes.in_flight.saturating_sub(1),
                ..probes
            })
        });
        if freed.is_ok() {
            link.probe_ended(end);
        }
        true
    }

    /// This instance's totals as the fleet counts them: successes,
    /// failures, slow calls, rejections, timeouts.
    pub(crate) fn totals(&self) -> [u64; 5] {
        [
            Counter::Successes,
            Counter::Failures,
            Counter::Slow,
            Counter::Rejected,
            Counter::Timeouts,
        ]
        .map(|counter| self.store.total(counter))
    }

    /// This instance's window now: calls, failures, slow calls.
    pub(crate) fn local_window(&self) -> (u64, u64, u64) {
        let counts = self.store.window(self.now());
        (counts.calls, counts.failures, counts.slow)
    }

    /// The state and its generation, read together.
    pub(crate) fn state_and_generation(&self) -> (BreakerState, u64) {
        self.store.state()
    }

    /// Time left until an open breaker's recovery timeout ends.
    pub(crate) fn open_time_left(&self) -> Option<Duration> {
        let until = self
            .store
            .opened_at()
            .saturating_add(nanos(self.config.recovery_timeout));
        let now = self.now();
        (now < until).then(|| Duration::from_nanos(until - now))
    }

    /// Whether this instance entered the timed state `to` (open, half-open)
    /// at another time than the fleet did, `elapsed` ago: it missed a
    /// reopening, so its deadline must move. Within a sync interval (or
    /// 20 ms) it is the same entry, seen from here.
    fn entered_elsewhen(&self, to: BreakerState, elapsed: Duration) -> bool {
        let entered = match to {
            BreakerState::Open => self.store.opened_at(),
            BreakerState::HalfOpen => self.store.half_opened_at(),
            _ => return false,
        };
        let here = self.now().saturating_sub(entered);
        let tolerance = self
            .link
            .as_ref()
            .map_or(Duration::ZERO, |link| link.sync_interval)
            .max(Duration::from_millis(20));
        here.abs_diff(nanos(elapsed)) > nanos(tolerance)
    }

    /// Follows the fleet's state: into `to`, entered `elapsed` ago on
    /// Redis' clock (so that an open deadline is the fleet's), announced
    /// with the instance that made the move. Nothing is sent back to the
    /// fleet.
    pub(crate) fn adopt(
        &self,
        to: BreakerState,
        elapsed: Duration,
        origin: Option<Arc<str>>,
        how: Adoption,
    ) {
        let Adoption {
            renewed,
            decided_at,
            own_trip,
        } = how;
        loop {
            let (state, generation) = self.store.state();
            if generation != decided_at {
                return;
            }
            if state == to && !self.entered_elsewhen(to, elapsed) {
                if renewed && to == BreakerState::Closed {
                    self.store.restart_closed();
                }
                return;
            }
            // The same state entered at another time: a cycle this instance
            // missed, announced; or its own trip, which reached Redis later
            // than it happened here: only the deadline moves to the fleet's.
            let retime = state == to && own_trip;
            let now = self.now().saturating_sub(nanos(elapsed));
            let step = Step {
                generation,
                to,
                now,
            };
            let moved = self.store.transition(step, |from| {
                if !retime {
                    broadcast(&self.name, from, to, origin.clone());
                }
            });
            if let Some(from) = moved {
                if !retime {
                    log(&self.name, from, to);
                }
                return;
            }
        }
    }
}
