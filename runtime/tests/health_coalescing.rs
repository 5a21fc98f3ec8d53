//! Fifty concurrent probes run each check once, and a result answers for a
//! second. (One test: the check registry is process-wide.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use opguard_runtime::health;

#[tokio::test(flavor = "current_thread")]
async fn fifty_probes_cause_one_check_run() {
    tokio::time::pause();
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    health::register("database", move || {
        let counted = Arc::clone(&counted);
        async move {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok::<_, std::io::Error>(())
        }
    });
    let probes: Vec<_> = (0..50).map(|_| tokio::spawn(health::run())).collect();
    for probe in probes {
        assert_eq!(
            probe.await.unwrap().checks["database"].status,
            health::HealthStatus::Healthy
        );
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // Within the second: reused. After it: run again.
    tokio::time::advance(Duration::from_millis(900)).await;
    health::readiness().await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_millis(200)).await;
    health::run().await;
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}
