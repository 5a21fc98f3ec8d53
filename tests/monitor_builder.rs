//! The timer runtime without the attribute: builder, guards, first
//! registration wins, and snapshots as JSON.

use std::time::Duration;

use opguard::monitor::{self, Timer};

#[tokio::test(start_paused = true)]
async fn a_hand_built_timer_times_futures_and_closures() {
    let timer = Timer::builder("builder.orders")
        .threshold(Duration::from_millis(20))
        .build();
    let value = timer
        .call(async {
            tokio::time::sleep(Duration::from_millis(30)).await;
            Ok::<_, String>(1)
        })
        .await;
    assert_eq!(value, Ok(1));
    let failed: Result<(), &str> = timer.call_sync(|| Err("no"));
    assert!(failed.is_err());
    let guard = timer.start();
    tokio::time::advance(Duration::from_millis(5)).await;
    guard.finish(false);
    drop(timer.start());

    let s = monitor::get("builder.orders").unwrap().snapshot();
    assert_eq!(
        (s.calls, s.ok, s.errors, s.slow, s.cancelled),
        (4, 2, 1, 1, 1)
    );
    let max_ms = s.latency.max.as_secs_f64() * 1e3;
    assert!(
        (30.0..=30.3).contains(&max_ms),
        "30ms within the histogram's 1%: {max_ms}"
    );
}

#[test]
fn the_first_registration_of_a_name_wins() {
    let first = Timer::builder("builder.shared")
        .threshold(Duration::from_millis(10))
        .build();
    let second = Timer::builder("builder.shared")
        .threshold(Duration::from_secs(9))
        .build();
    assert!(std::sync::Arc::ptr_eq(&first, &second));
    assert_eq!(second.threshold(), Duration::from_millis(10));
}

#[cfg(feature = "serde")]
#[test]
fn snapshots_serialize_with_seconds_in_field_names() {
    let timer = Timer::builder("builder.json")
        .labels("json", "builder")
        .build();
    timer.call_sync(|| Some(1));
    let json = serde_json::to_value(timer.snapshot()).unwrap();
    assert_eq!(json["name"], "builder.json");
    assert_eq!(json["function"], "json");
    assert_eq!(json["module"], "builder");
    assert_eq!(json["calls"], 1);
    assert_eq!(json["threshold_seconds"], 1.0);
    assert_eq!(json["latency"]["count"], 1);
    for field in [
        "mean_seconds",
        "max_seconds",
        "p50_seconds",
        "p90_seconds",
        "p99_seconds",
        "p999_seconds",
    ] {
        assert!(json["latency"][field].is_f64(), "{field}: {json}");
    }
}
