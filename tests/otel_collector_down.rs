//! A collector that takes connections and never answers (feature `otel`):
//! calls keep their latency, the spans that do not fit the bounded queue
//! are dropped and counted, and dropping the guard returns within its
//! shutdown deadline, not after the export's timeout.
//!
//! Real time and a real socket (the exporter runs on the SDK's own thread),
//! so the bounds are wide: a call that waited for the export would take the
//! export's 30 s timeout.

#![cfg(feature = "otel")]

use std::time::{Duration, Instant};

use opguard::otel::{OtelConfig, init_with};
use opguard::trace_operation;

#[trace_operation]
fn work(n: u64) -> u64 {
    n + 1
}

#[test]
fn calls_never_wait_for_a_collector_that_does_not_answer() {
    // Never accepted: the kernel completes the connections, nobody reads.
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", blackhole.local_addr().unwrap());
    let (queue, batch) = (16, 4);
    let guard = init_with(
        OtelConfig::new("collector-down")
            .endpoint(&endpoint)
            .max_queue_size(queue)
            .max_export_batch_size(batch)
            .scheduled_delay(Duration::from_millis(5))
            .export_timeout(Duration::from_secs(30))
            .shutdown_timeout(Duration::from_millis(200))
            .fmt(false),
    )
    .expect("init");

    let calls: u64 = 2_000;
    let mut slowest = Duration::ZERO;
    for n in 0..calls {
        let start = Instant::now();
        assert_eq!(work(n), n + 1);
        slowest = slowest.max(start.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(1),
        "a call waited for the exporter: {slowest:?}"
    );
    // At most the queue and the batches handed to the (stuck) exporter
    // were kept; every other span was turned away and counted.
    let kept = calls - guard.dropped_spans();
    assert!(
        kept <= (queue + 2 * batch) as u64,
        "{kept} spans kept, {} dropped",
        guard.dropped_spans()
    );
    assert_eq!(guard.exported_spans(), 0);

    let start = Instant::now();
    drop(guard);
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "shutdown took {took:?}: its deadline is 200 ms, the stuck export's 30 s"
    );
    drop(blackhole);
}
