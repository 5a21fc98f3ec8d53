//! Transitions as `tracing` events and as a broadcast to subscribers.

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use tokio::sync::broadcast;

use super::state::BreakerState;

/// The `tracing` target of breaker events.
pub const TARGET: &str = "opguard::breaker";

/// Events kept for a subscriber that falls behind; past this it skips ahead
/// (`RecvError::Lagged`) instead of slowing calls down.
const CAPACITY: usize = 1024;

/// A breaker changed state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerEvent {
    /// The breaker's name.
    pub name: Arc<str>,
    /// The state it left.
    pub from: BreakerState,
    /// The state it entered.
    pub to: BreakerState,
    /// When, on the wall clock.
    pub at: SystemTime,
    /// For a shared breaker, the instance that made the transition (this
    /// one or another of the fleet); `None` for a breaker of this process
    /// only.
    pub origin: Option<Arc<str>>,
}

fn sender() -> &'static broadcast::Sender<BreakerEvent> {
    static SENDER: OnceLock<broadcast::Sender<BreakerEvent>> = OnceLock::new();
    SENDER.get_or_init(|| broadcast::channel(CAPACITY).0)
}

/// Subscribes to every breaker's transitions from now on.
///
/// Sending never waits: a subscriber that falls more than 1024 events behind
/// gets `RecvError::Lagged` and continues with the newest.
pub fn events() -> broadcast::Receiver<BreakerEvent> {
    sender().subscribe()
}

/// The `tracing` event of a transition.
pub(super) fn log(name: &str, from: BreakerState, to: BreakerState) {
    match to {
        BreakerState::Open | BreakerState::ForcedOpen => {
            tracing::warn!(target: TARGET, breaker = %name, from = from.as_str(), to = to.as_str(), "circuit breaker opened")
        }
        BreakerState::Closed => {
            tracing::info!(target: TARGET, breaker = %name, from = from.as_str(), to = to.as_str(), "circuit breaker closed")
        }
        _ => {
            tracing::info!(target: TARGET, breaker = %name, from = from.as_str(), to = to.as_str(), "circuit breaker {}", to.as_str())
        }
    }
}

/// Sends a transition to the subscribers of [`events`], if any.
pub(super) fn broadcast(
    name: &str,
    from: BreakerState,
    to: BreakerState,
    origin: Option<Arc<str>>,
) {
    // Nobody subscribed: nothing to build (the name is copied per event).
    let sender = sender();
    if sender.receiver_count() == 0 {
        return;
    }
    // Receivers that go away meanwhile are not an error either.
    let _ = sender.send(BreakerEvent {
        name: Arc::from(name),
        from,
        to,
        at: SystemTime::now(),
        origin,
    });
}
