//! Cancellation and panics are outcomes: the in-flight gauge always goes back
//! down, and a panic keeps unwinding.

use std::time::Duration;

use opguard::monitor;
use opguard::monitor_performance;

#[monitor_performance]
async fn wait_long() -> Result<(), String> {
    tokio::time::sleep(Duration::from_secs(10)).await;
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_dropped_future_is_recorded_as_cancelled() {
    let timed_out = tokio::time::timeout(Duration::from_millis(50), wait_long()).await;
    assert!(timed_out.is_err());
    let s = monitor::get("monitor_cancel_panic::wait_long")
        .unwrap()
        .snapshot();
    assert_eq!(
        (s.calls, s.cancelled, s.ok, s.errors, s.in_flight),
        (1, 1, 0, 0, 0)
    );
    assert_eq!(s.latency.count, 0, "cancelled calls have no latency");
}

#[monitor_performance(name = "cancel.in_flight")]
async fn parked() {
    std::future::pending::<()>().await;
}

#[tokio::test(start_paused = true)]
async fn in_flight_counts_running_calls_until_they_are_aborted() {
    let tasks: Vec<_> = (0..3).map(|_| tokio::spawn(parked())).collect();
    tokio::task::yield_now().await;
    let timer = monitor::get("cancel.in_flight").expect("polled once");
    assert_eq!(timer.snapshot().in_flight, 3);
    for task in &tasks {
        task.abort();
    }
    for task in tasks {
        assert!(task.await.unwrap_err().is_cancelled());
    }
    let s = timer.snapshot();
    assert_eq!((s.in_flight, s.cancelled, s.calls), (0, 3, 3));
}

#[tokio::test(start_paused = true)]
async fn a_future_never_polled_is_not_a_call() {
    drop(parked());
    assert!(monitor::get("monitor_cancel_panic::never_polled").is_none());
    #[monitor_performance]
    async fn never_polled() {}
    drop(never_polled());
    assert!(
        monitor::get("monitor_cancel_panic::never_polled").is_none(),
        "timing starts at the first poll"
    );
}

#[monitor_performance]
fn explode(message: &str) -> u32 {
    panic!("{message}");
}

#[test]
fn a_sync_panic_is_recorded_and_keeps_unwinding() {
    let caught = std::panic::catch_unwind(|| explode("sync boom"));
    let payload = caught.expect_err("the panic reached the caller");
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("sync boom")
    );
    let s = monitor::get("monitor_cancel_panic::explode")
        .unwrap()
        .snapshot();
    assert_eq!(
        (s.calls, s.panicked, s.cancelled, s.in_flight),
        (1, 1, 0, 0)
    );
}

#[monitor_performance]
async fn explode_later() -> Result<(), String> {
    tokio::task::yield_now().await;
    panic!("async boom");
}

#[tokio::test]
async fn an_async_panic_is_recorded_even_when_the_task_is_dropped_after_it() {
    // tokio catches the panic, then drops the future outside the unwinding.
    let error = tokio::spawn(explode_later()).await.unwrap_err();
    assert!(error.is_panic());
    let s = monitor::get("monitor_cancel_panic::explode_later")
        .unwrap()
        .snapshot();
    assert_eq!(
        (s.calls, s.panicked, s.cancelled, s.in_flight),
        (1, 1, 0, 0)
    );
}
