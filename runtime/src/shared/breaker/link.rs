//! What a shared breaker's state machine and its sync agent share: the
//! fleet's view as last learned, and what is waiting to go to Redis.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::breaker::BreakerState;
use crate::shared::conn::lock;

/// A request for the fleet, sent with the next sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Action {
    #[default]
    None,
    /// This instance tripped in the fleet generation it knew (carried):
    /// open the fleet unless another transition came first. A fleet that
    /// moved since (a reset, another instance's trip) makes it stale.
    Trip(u64),
    /// A manual move, applied whatever the fleet's state.
    Force(BreakerState),
    /// `reset`: closed, with an empty fleet window.
    Reset,
}

/// How a probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProbeEnd {
    Success,
    Failure,
    Cancelled,
}

/// What waits for the next sync.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    pub(crate) action: Action,
    pub(crate) probe_successes: u64,
    pub(crate) probe_failures: u64,
    /// Leases whose probes ended (released in Redis with the next sync).
    pub(crate) ended: u64,
}

/// The fleet's figures at the last sync, for snapshots.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FleetView {
    pub(crate) calls: u64,
    pub(crate) failures: u64,
    pub(crate) slow: u64,
    pub(crate) instances: u64,
}

/// One shared breaker's link to the fleet.
#[derive(Debug)]
pub(crate) struct Link {
    pub(crate) sync_interval: Duration,
    /// The fleet view is current: the last sync reached Redis.
    live: AtomicBool,
    /// The fleet generation this instance's state follows.
    pub(crate) fleet_generation: AtomicU64,
    /// Window counts of the other instances: calls, failures, slow calls.
    others: [AtomicU64; 3],
    /// Probe starts the leases held allow.
    leases: AtomicU64,
    /// Calls came while every probe slot of this instance was taken.
    wants_probe: AtomicBool,
    /// Local moves under way: begun, and their request for the fleet not
    /// yet in `pending` (see [`Link::begin_move`]).
    moving: AtomicUsize,
    pub(crate) pending: Mutex<Pending>,
    pub(crate) view: Mutex<FleetView>,
    pub(crate) wake: Notify,
    /// Syncs begun (each one's number is this count when it begins).
    pub(crate) begun: AtomicU64,
    /// The number of the last sync that ended, and whether it reached Redis.
    pub(crate) synced: watch::Sender<(u64, bool)>,
    /// This instance's name, once connected (events' `origin`).
    pub(crate) instance: Mutex<Option<Arc<str>>>,
}

impl Link {
    pub(crate) fn new(sync_interval: Duration) -> Self {
        Self {
            sync_interval,
            live: AtomicBool::new(false),
            fleet_generation: AtomicU64::new(0),
            others: Default::default(),
            leases: AtomicU64::new(0),
            wants_probe: AtomicBool::new(false),
            moving: AtomicUsize::new(0),
            pending: Mutex::new(Pending::default()),
            view: Mutex::new(FleetView::default()),
            wake: Notify::new(),
            begun: AtomicU64::new(0),
            synced: watch::Sender::new((0, false)),
            instance: Mutex::new(None),
        }
    }

    /// Whether the fleet decides (else this instance protects alone).
    #[inline]
    pub(crate) fn live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    pub(crate) fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
    }

    /// The other instances' window counts (calls, failures, slow).
    pub(crate) fn others(&self) -> (u64, u64, u64) {
        let [c, f, s] = &self.others;
        (
            c.load(Ordering::Relaxed),
            f.load(Ordering::Relaxed),
            s.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn set_others(&self, calls: u64, failures: u64, slow: u64) {
        for (slot, value) in self.others.iter().zip([calls, failures, slow]) {
            slot.store(value, Ordering::Relaxed);
        }
    }

    /// Probe starts the leases held allow now.
    pub(crate) fn leases(&self) -> u64 {
        self.leases.load(Ordering::Acquire)
    }

    pub(crate) fn grant(&self, leases: u64) {
        self.leases.fetch_add(leases, Ordering::AcqRel);
    }

    pub(crate) fn drop_leases(&self) {
        self.leases.store(0, Ordering::Release);
    }

    /// A call found no probe slot here: ask the fleet for a lease now.
    pub(crate) fn want_probe(&self) {
        if !self.wants_probe.swap(true, Ordering::AcqRel) {
            self.wake.notify_one();
        }
    }

    pub(crate) fn take_want(&self) -> bool {
        self.wants_probe.swap(false, Ordering::AcqRel)
    }

    /// A probe of the fleet's half-open state ended: its lease is used up.
    pub(crate) fn probe_ended(&self, end: ProbeEnd) {
        let _ = self
            .leases
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        let mut pending = lock(&self.pending);
        pending.ended += 1;
        match end {
            ProbeEnd::Success => pending.probe_successes += 1,
            ProbeEnd::Failure => pending.probe_failures += 1,
            ProbeEnd::Cancelled => {}
        }
        drop(pending);
        self.wake.notify_one();
    }

    /// A local move begins (a transition of this instance's own, or a
    /// manual move): until the guard drops, after the move's request is in
    /// `pending`, the agent adopts no fleet state at all (see
    /// `holds_off` for what holds adoption off after that). Without
    /// it, a sync answer computed before Redis heard of the move would undo
    /// it, and the fleet would see it twice.
    pub(crate) fn begin_move(&self) -> Moving<'_> {
        // Before the move's state is stored: an agent that reads the new
        // state (Acquire) then reads this count sees the move.
        self.moving.fetch_add(1, Ordering::AcqRel);
        Moving {
            link: self,
            generation: self.fleet_generation.load(Ordering::Acquire),
        }
    }

    /// Whether a local move holds off adopting an answer of fleet
    /// `generation`: one under way, a manual move waiting (it applies
    /// whatever the fleet's state), or a trip made in that generation.
    /// A trip of an earlier generation is stale (the fleet moved since) and
    /// holds nothing off. Read after the local state, so that a move that
    /// state shows is seen.
    pub(crate) fn holds_off(&self, generation: u64) -> bool {
        self.moving.load(Ordering::Acquire) > 0
            || match lock(&self.pending).action {
                Action::None => false,
                Action::Trip(tripped_in) => tripped_in == generation,
                Action::Force(_) | Action::Reset => true,
            }
    }

    /// A manual move, for the whole fleet.
    pub(crate) fn forced(&self, to: BreakerState, reset: bool) {
        lock(&self.pending).action = if reset {
            Action::Reset
        } else {
            Action::Force(to)
        };
        self.wake.notify_one();
    }

    /// This instance's name, for events' `origin`.
    pub(crate) fn origin(&self) -> Option<Arc<str>> {
        lock(&self.instance).clone()
    }
}

/// A local move under way (see [`Link::begin_move`]); ends when dropped,
/// also when the move panics.
#[derive(Debug)]
pub(crate) struct Moving<'a> {
    link: &'a Link,
    /// The fleet generation known when the move began: the one a trip was
    /// judged in.
    generation: u64,
}

impl Moving<'_> {
    /// The local machine moved by itself (a trip, or a move while Redis
    /// was away): what to tell the fleet.
    pub(crate) fn moved(&self, from: BreakerState, to: BreakerState) {
        let mut pending = lock(&self.link.pending);
        match (from, to) {
            (BreakerState::Closed, BreakerState::Open) if pending.action == Action::None => {
                pending.action = Action::Trip(self.generation);
            }
            // Healed locally while Redis was away: no trip to publish.
            (_, BreakerState::Closed) if matches!(pending.action, Action::Trip(_)) => {
                pending.action = Action::None;
            }
            _ => {}
        }
        drop(pending);
        self.link.wake.notify_one();
    }
}

impl Drop for Moving<'_> {
    fn drop(&mut self) {
        self.link.moving.fetch_sub(1, Ordering::AcqRel);
    }
}
