//! A call dropped before it finished is counted as `cancelled` by its
//! breaker: in the snapshot, the JSON export and the Prometheus export.

use std::time::Duration;

use opguard::circuit_breaker;

mod support;
use support::Down;

#[circuit_breaker(name = "breaker_cancelled.slow")]
async fn slow() -> Result<(), Down> {
    tokio::time::sleep(Duration::from_secs(10)).await;
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn cancelled_calls_are_counted_and_exported() {
    for _ in 0..3 {
        // Dropped at the timeout: the caller stopped waiting.
        let cancelled = tokio::time::timeout(Duration::from_secs(1), slow()).await;
        assert!(cancelled.is_err());
    }
    assert!(slow().await.is_ok());
    let snapshot = opguard::breaker::get("breaker_cancelled.slow")
        .unwrap()
        .snapshot();
    assert_eq!(
        (snapshot.cancelled, snapshot.calls, snapshot.successes),
        (3, 1, 1)
    );

    #[cfg(feature = "json")]
    {
        let json: serde_json::Value = serde_json::from_str(&opguard::export::json()).unwrap();
        let breakers = json["breakers"].as_array().expect("a breakers list");
        let ours = breakers
            .iter()
            .find(|b| b["name"] == "breaker_cancelled.slow")
            .expect("the breaker in the JSON");
        assert_eq!(ours["cancelled"], 3);
    }

    let text = opguard::export::prometheus();
    assert!(
        text.lines().any(|line| line
            == r#"opguard_breaker_calls_total{breaker="breaker_cancelled.slow",outcome="cancelled"} 3"#),
        "{text}"
    );
}
