//! The sync agent of one shared breaker: a task on the tier's runtime that
//! sends this instance's totals and requests to Redis in one script, and
//! makes the local breaker follow the fleet's answer.

use std::collections::VecDeque;
use std::sync::{Arc, LazyLock, Weak};
use std::time::Duration;

use super::link::{Action, FleetView, Link, Pending};
use crate::breaker::{Adoption, BreakerState, Inner};
use crate::shared::conn::{Tier, lock};
use crate::shared::pubsub::breaker_channel;

static SYNC: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("sync.lua")));

/// The fleet's answer: state, generation, ms since opened, ms since
/// half-open, origin, window calls, failures, slow, instances, lease granted.
type Answer = (u64, u64, i64, i64, String, u64, u64, u64, u64, String);

/// The keys of one breaker; `{…}` makes them one Cluster slot.
struct Keys([String; 6]);

impl Keys {
    fn new(prefix: &str, name: &str, instance: &str, incarnation: &str) -> Self {
        let tag = format!("{prefix}:{{breaker:{name}}}");
        Self([
            format!("{tag}:state"),
            format!("{tag}:window"),
            format!("{tag}:instance:{instance}:{incarnation}"),
            format!("{tag}:totals"),
            format!("{tag}:leases"),
            format!("{tag}:seen"),
        ])
    }
}

pub(super) async fn run(tier: Arc<Tier>, name: String, breaker: Weak<Inner>, link: Arc<Link>) {
    let keys = Keys::new(
        &tier.config.prefix,
        &name,
        &tier.config.instance,
        &tier.incarnation,
    );
    let channel = breaker_channel(&tier.config.prefix);
    // Leases this instance holds whose probes have not ended, oldest first.
    let mut running = VecDeque::new();
    loop {
        let Some(inner) = breaker.upgrade() else {
            return;
        };
        let number = link.begun.fetch_add(1, std::sync::atomic::Ordering::AcqRel) + 1;
        let ok = sync(&tier, &inner, &link, &keys, &channel, &name, &mut running).await;
        link.synced.send_replace((number, ok));
        let wait = next_wait(&inner, &link);
        drop(inner);
        // Woken early by pub/sub, a trip, a probe's end or a manual move.
        let _ = tokio::time::timeout(wait, link.wake.notified()).await;
    }
}

/// Until the next sync: `sync_interval`, or sooner when the fleet's open
/// deadline comes first (so half-open starts on time).
fn next_wait(inner: &Inner, link: &Link) -> Duration {
    let interval = link.sync_interval;
    if link.live()
        && inner.state() == BreakerState::Open
        && let Some(left) = inner.open_time_left()
    {
        return interval.min(left + Duration::from_millis(1));
    }
    interval
}

#[allow(clippy::too_many_arguments)]
async fn sync(
    tier: &Tier,
    inner: &Inner,
    link: &Link,
    keys: &Keys,
    channel: &str,
    name: &str,
    running: &mut VecDeque<String>,
) -> bool {
    let pending = std::mem::take(&mut *lock(&link.pending));
    for _ in 0..pending.ended {
        running.pop_front();
    }
    let wants = link.take_want();
    let known = link
        .fleet_generation
        .load(std::sync::atomic::Ordering::Acquire);
    let config = &inner.config;
    let (action, forced) = match pending.action {
        Action::None => ("", 0),
        Action::Trip(tripped_in) if tripped_in == known => ("trip", 0),
        // Tripped before the fleet moved (a reset, another's trip): stale.
        Action::Trip(_) => ("", 0),
        // Closing by hand empties the window too.
        Action::Force(BreakerState::Closed) | Action::Reset => ("reset", 0),
        Action::Force(to) => ("force", to.code()),
    };
    let totals = inner.totals();
    let (slow_rate, _) = config
        .slow_call
        .map_or((0.0, Duration::ZERO), |(d, rate)| (rate, d));
    let lease = (link.sync_interval * 4).max(Duration::from_millis(500));
    let mut invocation = SYNC.prepare_invoke();
    for key in &keys.0 {
        invocation.key(key);
    }
    invocation
        .arg(&*tier.config.instance)
        .arg(channel)
        .arg(name)
        .arg(known)
        .arg(action)
        .arg(forced);
    for total in totals {
        invocation.arg(total);
    }
    invocation
        .arg(millis(config.window))
        .arg(config.failure_threshold)
        .arg(config.minimum_calls)
        .arg(config.failure_rate.unwrap_or(0.0))
        .arg(slow_rate)
        .arg(millis(config.recovery_timeout))
        .arg(config.half_open_max_calls)
        .arg(config.success_threshold)
        .arg(millis(config.half_open_max_duration))
        .arg(millis(lease))
        .arg(pending.probe_successes)
        .arg(pending.probe_failures)
        .arg(pending.ended)
        .arg(u8::from(wants))
        .arg(
            running
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" "),
        );
    let Some(answer) = tier.invoke::<Answer>(&invocation).await else {
        give_back(link, pending, wants);
        if link.live() {
            link.set_live(false);
            // Leases run out in Redis; locally the breaker decides alone.
            link.drop_leases();
            running.clear();
        }
        return false;
    };
    let (
        state,
        generation,
        since_open,
        since_half,
        origin,
        calls,
        failures,
        slow,
        instances,
        granted,
    ) = answer;
    // A code this version does not know (from a newer instance) reads as
    // closed: the local breaker goes on judging calls.
    let fleet_state = BreakerState::from_code(state).unwrap_or(BreakerState::Closed);
    let window = inner.local_window();
    link.set_others(
        calls.saturating_sub(window.0),
        failures.saturating_sub(window.1),
        slow.saturating_sub(window.2),
    );
    *lock(&link.view) = FleetView {
        calls,
        failures,
        slow,
        instances,
    };
    link.fleet_generation
        .store(generation, std::sync::atomic::Ordering::Release);
    link.set_live(true);
    // A local move made since the script ran (or under way) stands: the
    // answer predates it. Its request goes with the next sync, which starts
    // at once (the move woke the agent). The state first, then the moves,
    // so that a move the state shows is seen; `adopt` gives way to a move
    // made after that.
    let (local, decided_at) = inner.state_and_generation();
    let moved = generation != known;
    if moved {
        // Results of probes of another state count for nothing.
        let mut pending = lock(&link.pending);
        pending.probe_successes = 0;
        pending.probe_failures = 0;
        drop(pending);
        link.drop_leases();
        running.clear();
    }
    if (moved || local != fleet_state) && !link.holds_off(generation) {
        let elapsed = match fleet_state {
            BreakerState::HalfOpen => since_half,
            _ => since_open,
        };
        let elapsed = Duration::from_millis(u64::try_from(elapsed).unwrap_or(0));
        let origin = (!origin.is_empty()).then(|| Arc::<str>::from(origin));
        // This sync's own trip, the one move the script made: the fleet's
        // opening is this instance's, timed when Redis got it.
        let own_trip = action == "trip" && generation == known + 1;
        inner.adopt(
            fleet_state,
            elapsed,
            origin,
            Adoption {
                renewed: moved,
                decided_at,
                own_trip,
            },
        );
    }
    if !granted.is_empty() {
        running.push_back(granted);
        link.grant(1);
    }
    true
}

/// A sync that did not reach Redis: its request waits for the next one
/// (counts need nothing: they are cumulative). Probe results are dropped
/// with the leases: in Redis those run out, and the fleet probes again.
fn give_back(link: &Link, pending: Pending, wants: bool) {
    let mut now = lock(&link.pending);
    if now.action == Action::None {
        now.action = pending.action;
    }
    drop(now);
    if wants {
        link.want_probe();
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}
