//! `#[monitor_performance]` counts every call by outcome, finds slow calls and
//! keeps a latency histogram; time is driven with tokio's paused clock.

use std::time::Duration;

use opguard::monitor;
use opguard::monitor_performance;

#[monitor_performance(threshold = "100ms")]
async fn fetch(delay_ms: u64, fail: bool) -> Result<u64, String> {
    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    if fail {
        return Err("boom".into());
    }
    Ok(delay_ms)
}

#[tokio::test(start_paused = true)]
async fn async_calls_are_counted_by_outcome_and_slowness() {
    for _ in 0..3 {
        assert_eq!(fetch(10, false).await, Ok(10));
    }
    assert_eq!(fetch(150, false).await, Ok(150));
    assert!(fetch(200, true).await.is_err());
    assert!(
        fetch(100, true).await.is_err(),
        "exactly at the threshold is not slow"
    );

    let s = monitor::get("monitor_counts::fetch")
        .expect("registered on first call")
        .snapshot();
    assert_eq!((s.calls, s.ok, s.errors, s.slow), (6, 4, 2, 2));
    assert_eq!((s.cancelled, s.panicked, s.in_flight), (0, 0, 0));
    assert_eq!(s.threshold, Duration::from_millis(100));
    assert_eq!(s.latency.count, 6);
    let within_1_percent =
        |got: Duration, want_ms: f64| (got.as_secs_f64() * 1e3 - want_ms).abs() <= want_ms * 0.01;
    assert!(
        within_1_percent(s.latency.max, 200.0),
        "max {:?}",
        s.latency.max
    );
    assert!(
        within_1_percent(s.latency.p50, 10.0),
        "p50 {:?}",
        s.latency.p50
    );
    assert!(
        within_1_percent(s.latency.p90, 200.0),
        "p90 of six calls is the largest: {:?}",
        s.latency.p90
    );
    let mean_ms = (3.0 * 10.0 + 150.0 + 200.0 + 100.0) / 6.0;
    assert!(
        within_1_percent(s.latency.mean, mean_ms),
        "mean {:?}",
        s.latency.mean
    );
}

#[monitor_performance(threshold = "10us")]
fn spin(for_micros: u64) -> u64 {
    // Busy-waits rather than sleeps: the call is at least this long, however
    // loaded the machine.
    let start = std::time::Instant::now();
    let mut spins = 0;
    while start.elapsed() < Duration::from_micros(for_micros) {
        spins += 1;
    }
    spins
}

#[monitor_performance]
fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    let value: u32 = text.trim().parse()?;
    Ok(value)
}

#[test]
fn sync_calls_are_timed_and_errors_counted_through_question_mark() {
    assert_eq!(parse(" 42 "), Ok(42));
    assert!(parse("forty-two").is_err());
    let s = monitor::get("monitor_counts::parse").unwrap().snapshot();
    assert_eq!((s.calls, s.ok, s.errors, s.slow), (2, 1, 1, 0), "{s:?}");
    assert_eq!(s.threshold, Duration::from_secs(1), "the default threshold");

    spin(200);
    let s = monitor::get("monitor_counts::spin").unwrap().snapshot();
    assert_eq!((s.calls, s.slow), (1, 1));
    assert!(
        s.latency.max >= Duration::from_micros(198),
        "{:?}",
        s.latency.max
    );
}

#[monitor_performance(name = "counts.threads")]
fn even_only(n: u64) -> Result<u64, u64> {
    if n.is_multiple_of(2) { Ok(n) } else { Err(n) }
}

#[test]
fn threads_keep_exact_counts() {
    const THREADS: u64 = 4;
    const CALLS: u64 = 10_000;
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            std::thread::spawn(|| {
                for n in 0..CALLS {
                    let _ = even_only(n);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let s = monitor::get("counts.threads")
        .expect("explicit name")
        .snapshot();
    assert_eq!(s.calls, THREADS * CALLS);
    assert_eq!(s.errors, THREADS * CALLS / 2);
    assert_eq!(s.ok, THREADS * CALLS / 2);
    assert_eq!(s.latency.count, THREADS * CALLS);
    assert_eq!(s.in_flight, 0);
}

#[monitor_performance(name = "counts.tasks")]
async fn task(n: u64) -> Option<u64> {
    tokio::task::yield_now().await;
    n.checked_sub(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_on_two_workers_keep_exact_counts() {
    let handles: Vec<_> = (0..2_000).map(|n| tokio::spawn(task(n))).collect();
    for handle in handles {
        handle.await.unwrap();
    }
    let s = monitor::get("counts.tasks").unwrap().snapshot();
    assert_eq!(
        (s.calls, s.ok, s.errors, s.in_flight),
        (2_000, 2_000, 0, 0),
        "None is not an error"
    );
}

#[test]
fn all_lists_every_timer_sorted() {
    #[monitor_performance]
    fn listed() {}
    listed();
    let names: Vec<String> = monitor::all().into_iter().map(|s| s.name).collect();
    assert!(
        names.contains(&"monitor_counts::all_lists_every_timer_sorted::listed".to_owned()),
        "{names:?}"
    );
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}
