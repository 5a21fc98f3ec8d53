//! A move this instance makes (a trip, a manual control) is never undone by
//! a sync answer that crossed it: the answer, computed before Redis heard of
//! the move, still shows the fleet's old state. Over a real `redis-server`,
//! with a `tracing` subscriber that takes its time over the transition's log
//! line (a slow writer), so that syncs run while the move is under way;
//! and with Redis paused (`CLIENT PAUSE`) while a sync is in flight.

#[path = "support/redis_server.rs"]
mod redis_server;

use std::time::Duration;

use opguard_runtime::breaker::{self, Breaker, BreakerEvent, BreakerState};
use opguard_runtime::shared::{self, SharedConfig};
use redis_server::RedisServer;
use tokio::sync::broadcast::Receiver;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Takes 60 ms over each breaker transition's log line: a dozen syncs at
/// 5 ms run meanwhile.
struct SlowWriter;

impl<S: tracing::Subscriber> Layer<S> for SlowWriter {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == breaker::TARGET {
            std::thread::sleep(Duration::from_millis(60));
        }
    }
}

fn transitions(events: &mut Receiver<BreakerEvent>, name: &str) -> Vec<String> {
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        if &*event.name == name {
            seen.push(format!("{}>{}", event.from.as_str(), event.to.as_str()));
        }
    }
    seen
}

/// The Redis key of a shared breaker's fleet state.
fn state_key(name: &str) -> String {
    format!("opguard:{{breaker:{name}}}:state")
}

/// The fleet's state in Redis: state code, generation, and the origin when
/// another instance made the move (`-` when this one did).
fn fleet(redis: &RedisServer, name: &str) -> [String; 3] {
    let key = state_key(name);
    let [st, generation, origin]: [String; 3] = redis.cmd(&["HMGET", &key, "st", "gen", "origin"]);
    let origin = if origin == "other" {
        origin
    } else {
        "-".to_owned()
    };
    [st, generation, origin]
}

/// A shared breaker that trips on a run of two failures: a trigger Redis
/// does not judge (it sums windows), so only this instance's request opens
/// the fleet.
fn tripping(name: &str) -> Breaker {
    Breaker::builder(name)
        .failure_threshold(100)
        .consecutive_failures(2)
        .recovery_timeout(Duration::from_secs(60))
        .shared(Duration::from_millis(5))
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_that_cross_a_local_move_do_not_undo_it() {
    let redis = RedisServer::start();
    // A deadline far above any pause here: a sync waits instead of failing.
    let config = SharedConfig::new(redis.url()).timeout(Duration::from_secs(5));
    shared::connect_with(config).await.expect("connects");
    let mut events = breaker::events();
    // Only this thread logs slowly: the sync agent runs elsewhere.
    let _slow = tracing::subscriber::set_default(tracing_subscriber::registry().with(SlowWriter));

    let name = "local_moves.manual";
    let manual = Breaker::builder(name)
        .shared(Duration::from_millis(5))
        .build();
    assert!(shared::flush().await);
    manual.force_open();
    assert!(shared::flush().await);
    assert_eq!(manual.state(), BreakerState::ForcedOpen);
    manual.force_close();
    assert!(shared::flush().await);
    assert_eq!(manual.state(), BreakerState::Closed);
    manual.disable();
    assert!(shared::flush().await);
    assert_eq!(manual.state(), BreakerState::Disabled);
    assert_eq!(
        transitions(&mut events, name),
        [
            "closed>forced_open",
            "forced_open>closed",
            "closed>disabled"
        ]
    );

    let name = "local_moves.trip";
    let tripped = tripping(name);
    assert!(shared::flush().await);
    for _ in 0..2 {
        tripped.acquire().expect("closed").failure("down");
    }
    assert!(shared::flush().await);
    assert_eq!(tripped.state(), BreakerState::Open);
    assert_eq!(transitions(&mut events, name), ["closed>open"]);
    assert_eq!(
        fleet(&redis, name),
        ["1", "1", "-"],
        "the fleet opened once"
    );

    // A manual move while a sync that carries the previous one is held in
    // Redis: that sync's answer (forced open, a new fleet generation) comes
    // after the breaker was closed by hand, and must not open it again.
    let name = "local_moves.crossing";
    let crossing = Breaker::builder(name)
        .shared(Duration::from_secs(1))
        .build();
    assert!(shared::flush().await);
    let paused: String = redis.cmd(&["CLIENT", "PAUSE", "400", "WRITE"]);
    assert_eq!(paused, "OK");
    crossing.force_open();
    tokio::time::sleep(Duration::from_millis(50)).await;
    crossing.force_close();
    assert!(shared::flush().await);
    assert_eq!(crossing.state(), BreakerState::Closed);
    assert_eq!(
        transitions(&mut events, name),
        ["closed>forced_open", "forced_open>closed"]
    );
    assert_eq!(
        fleet(&redis, name),
        ["0", "2", "-"],
        "forced open, then reset"
    );

    // A trip judged before the fleet moved elsewhere is stale: the fleet's
    // move wins. Here another instance resets the fleet (its script's
    // write, made by hand) while this trip's log line is being written.
    let name = "local_moves.stale_trip";
    let stale = tripping(name);
    assert!(shared::flush().await);
    let key = state_key(name);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(20));
            let _: i64 = redis.cmd(&["HSET", &key, "st", "0", "gen", "1", "origin", "other"]);
        });
        for _ in 0..2 {
            stale.acquire().expect("closed").failure("down");
        }
    });
    assert!(shared::flush().await);
    assert!(shared::flush().await);
    assert_eq!(stale.state(), BreakerState::Closed);
    assert_eq!(
        transitions(&mut events, name),
        ["closed>open", "open>closed"]
    );
    assert_eq!(
        fleet(&redis, name),
        ["0", "1", "other"],
        "the stale trip never reached the fleet"
    );
}
