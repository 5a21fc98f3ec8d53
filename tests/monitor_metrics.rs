//! `#[monitor_performance]` reports to the `metrics` facade under the names
//! autometrics dashboards use. One test in this binary: the recorder is
//! global and must be installed before the first annotated call.
#![cfg(feature = "metrics")]

use std::time::Duration;

use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use opguard::monitor_performance;

#[monitor_performance]
fn lookup(id: u32) -> Result<u32, String> {
    if id == 0 {
        Err("no zero".into())
    } else {
        Ok(id * 2)
    }
}

#[monitor_performance]
fn crash() {
    panic!("crash");
}

#[monitor_performance]
async fn hang() {
    std::future::pending::<()>().await;
}

/// `name{labels}` of a metric, labels sorted.
fn key(ck: &metrics_util::CompositeKey) -> String {
    let mut labels: Vec<String> = ck
        .key()
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    labels.sort();
    format!("{}{{{}}}", ck.key().name(), labels.join(","))
}

#[test]
fn calls_durations_and_concurrency_reach_the_metrics_facade() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().expect("first recorder in this binary");

    for id in 1..=3 {
        lookup(id).unwrap();
    }
    lookup(0).unwrap_err();
    assert!(std::panic::catch_unwind(crash).is_err());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        assert!(
            tokio::time::timeout(Duration::from_millis(5), hang())
                .await
                .is_err()
        );
    });

    let metrics: std::collections::HashMap<String, DebugValue> = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(ck, _, _, value)| (key(&ck), value))
        .collect();
    let counter = |k: &str| match metrics.get(k) {
        Some(DebugValue::Counter(n)) => *n,
        other => panic!(
            "{k}: {other:?}; have {:?}",
            metrics.keys().collect::<Vec<_>>()
        ),
    };
    let module = "module=monitor_metrics";
    assert_eq!(
        counter(&format!(
            "function_calls_total{{function=lookup,{module},result=ok}}"
        )),
        3
    );
    assert_eq!(
        counter(&format!(
            "function_calls_total{{function=lookup,{module},result=error}}"
        )),
        1
    );
    assert_eq!(
        counter(&format!(
            "function_calls_total{{function=crash,{module},result=error}}"
        )),
        1,
        "a panic is an error"
    );
    assert_eq!(
        counter(&format!(
            "function_calls_total{{function=hang,{module},result=cancelled}}"
        )),
        1
    );

    match metrics.get(&format!(
        "function_calls_duration_seconds{{function=lookup,{module}}}"
    )) {
        Some(DebugValue::Histogram(values)) => {
            assert_eq!(values.len(), 4);
            assert!(
                values.iter().all(|v| v.0 >= 0.0 && v.0 < 1.0),
                "seconds: {values:?}"
            );
        }
        other => panic!("duration histogram: {other:?}"),
    }
    for function in ["lookup", "crash", "hang"] {
        match metrics.get(&format!(
            "function_calls_concurrent{{function={function},{module}}}"
        )) {
            Some(DebugValue::Gauge(value)) => {
                assert_eq!(value.0, 0.0, "{function} back to zero in flight")
            }
            other => panic!("{function} gauge: {other:?}"),
        }
    }
}
