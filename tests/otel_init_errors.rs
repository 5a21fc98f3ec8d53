//! `init` and `init_with` refuse what they cannot honour with an error that
//! names the setting (feature `otel`): a bad endpoint, a protocol other than
//! `http/protobuf` in `OTEL_EXPORTER_OTLP_PROTOCOL` (read in a child
//! process, so this process' environment is left alone), and a second
//! subscriber.

#![cfg(feature = "otel")]

use std::process::Command;

use opguard::otel::{OtelConfig, OtelError, init, init_with};

const CHILD: &str = "OPGUARD_OTEL_INIT_CHILD";

fn setting(result: Result<opguard::otel::OtelGuard, OtelError>) -> &'static str {
    match result {
        Err(OtelError::Invalid { setting, .. }) => setting,
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

#[test]
fn bad_settings_then_a_second_subscriber() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let quiet = || OtelConfig::new("errors").fmt(false);
    assert_eq!(
        setting(init_with(quiet().endpoint("localhost:4318"))),
        "endpoint"
    );
    assert_eq!(
        setting(init_with(
            quiet().traces_endpoint("ftp://collector/v1/traces")
        )),
        "traces_endpoint"
    );
    let error = init_with(quiet().endpoint("http://")).unwrap_err();
    assert!(error.to_string().contains("endpoint"), "{error}");

    // Nothing was installed by the failures: this one succeeds...
    let guard = init_with(quiet().endpoint("http://127.0.0.1:9")).expect("init");
    // ...and a second one is refused.
    assert!(matches!(
        init_with(quiet()),
        Err(OtelError::SubscriberAlreadySet)
    ));
    drop(guard);
}

#[test]
fn init_refuses_a_protocol_it_does_not_speak() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
        .status()
        .expect("run the child");
    assert!(status.success(), "the child's checks failed: {status}");
}

/// With `OPGUARD_OTEL_INIT_CHILD` set: `init()` under the environment the
/// parent gave.
#[test]
fn child() {
    if std::env::var(CHILD).is_err() {
        return;
    }
    let error = init().expect_err("grpc is not built in");
    assert!(matches!(
        error,
        OtelError::Invalid {
            setting: "OTEL_EXPORTER_OTLP_PROTOCOL",
            ..
        }
    ));
    assert!(error.to_string().contains("http/protobuf"), "{error}");
}
