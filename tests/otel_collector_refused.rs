//! A collector that is not there (feature `otel`): the connection is
//! refused, every export fails, and each span it held is counted dropped,
//! none exported.

#![cfg(feature = "otel")]

use std::time::{Duration, Instant};

use opguard::otel::{OtelConfig, init_with};
use opguard::trace_operation;

#[trace_operation]
fn work(n: u64) -> u64 {
    n * 2
}

#[test]
fn spans_of_failed_exports_are_counted_dropped() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let guard = init_with(
        OtelConfig::new("collector-refused")
            .endpoint(&format!("http://127.0.0.1:{port}"))
            .scheduled_delay(Duration::from_millis(10))
            .export_timeout(Duration::from_millis(500))
            .fmt(false),
    )
    .expect("init");
    for n in 0..10 {
        assert_eq!(work(n), n * 2);
    }
    // The batch thread tries on its own schedule; wait for it, boundedly.
    let deadline = Instant::now() + Duration::from_secs(20);
    while guard.dropped_spans() < 10 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(guard.dropped_spans(), 10);
    assert_eq!(guard.exported_spans(), 0);
}
