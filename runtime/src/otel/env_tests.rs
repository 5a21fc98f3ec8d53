use std::collections::HashMap;

use opentelemetry_sdk::trace::Sampler;

use super::read;
use crate::otel::{OtelConfig, OtelError};

fn from(pairs: &[(&str, &str)]) -> Result<OtelConfig, OtelError> {
    let vars: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    read(|name| vars.get(name).cloned())
}

fn invalid_setting(result: Result<OtelConfig, OtelError>) -> &'static str {
    match result {
        Err(OtelError::Invalid { setting, .. }) => setting,
        other => panic!("expected an invalid setting, got {other:?}"),
    }
}

#[test]
fn defaults_without_variables() {
    let config = from(&[]).unwrap();
    assert_eq!(config.service_name, "unknown_service");
    assert_eq!(config.traces_url.0, "http://localhost:4318/v1/traces");
    assert!(matches!(config.sampler, Sampler::ParentBased(_)));
}

#[test]
fn service_name_and_attributes() {
    let config = from(&[(
        "OTEL_RESOURCE_ATTRIBUTES",
        "service.name=listed,team=pay%20ments, env = eu ",
    )])
    .unwrap();
    assert_eq!(config.service_name, "listed");
    let attributes: Vec<(String, String)> = config
        .attributes
        .iter()
        .map(|kv| (kv.key.to_string(), kv.value.to_string()))
        .collect();
    assert_eq!(
        attributes,
        [
            ("team".to_owned(), "pay ments".to_owned()),
            ("env".to_owned(), "eu".to_owned())
        ]
    );
    let named = from(&[
        ("OTEL_SERVICE_NAME", "front"),
        ("OTEL_RESOURCE_ATTRIBUTES", "service.name=listed"),
    ])
    .unwrap();
    assert_eq!(named.service_name, "front");
    assert_eq!(
        invalid_setting(from(&[("OTEL_RESOURCE_ATTRIBUTES", "novalue")])),
        "OTEL_RESOURCE_ATTRIBUTES"
    );
    assert_eq!(
        invalid_setting(from(&[("OTEL_RESOURCE_ATTRIBUTES", "k=%zz")])),
        "OTEL_RESOURCE_ATTRIBUTES"
    );
}

#[test]
fn endpoints() {
    let base = from(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")]).unwrap();
    assert_eq!(base.traces_url.0, "http://collector:4318/v1/traces");
    let full = from(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://c/custom"),
    ])
    .unwrap();
    assert_eq!(full.traces_url.0, "https://c/custom");
    for bad in ["collector:4318", "ftp://collector", "http://", "not a url"] {
        assert_eq!(
            invalid_setting(from(&[("OTEL_EXPORTER_OTLP_ENDPOINT", bad)])),
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "{bad}"
        );
    }
}

#[test]
fn protocols() {
    assert!(from(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")]).is_ok());
    for bad in ["grpc", "http/json", "udp"] {
        let error = from(&[("OTEL_EXPORTER_OTLP_PROTOCOL", bad)]).unwrap_err();
        assert!(error.to_string().contains("http/protobuf"), "{error}");
    }
    assert_eq!(
        invalid_setting(from(&[("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc")])),
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    );
}

#[test]
fn samplers() {
    let ratio = from(&[
        ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
    ])
    .unwrap();
    let sampler = format!("{:?}", ratio.sampler);
    assert!(sampler.starts_with("ParentBased"), "{sampler}");
    assert!(sampler.contains("TraceIdRatioBased(0.25)"), "{sampler}");
    assert!(matches!(
        from(&[("OTEL_TRACES_SAMPLER", "always_off")])
            .unwrap()
            .sampler,
        Sampler::AlwaysOff
    ));
    assert_eq!(
        invalid_setting(from(&[("OTEL_TRACES_SAMPLER", "jaeger_remote")])),
        "OTEL_TRACES_SAMPLER"
    );
    assert_eq!(
        invalid_setting(from(&[
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5")
        ])),
        "OTEL_TRACES_SAMPLER_ARG"
    );
}

#[test]
fn batching_numbers() {
    let config = from(&[
        ("OTEL_BSP_MAX_QUEUE_SIZE", "16"),
        ("OTEL_BSP_SCHEDULE_DELAY", "250"),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "1500"),
    ])
    .unwrap();
    assert_eq!(config.max_queue_size, 16);
    assert_eq!(config.scheduled_delay.as_millis(), 250);
    assert_eq!(config.export_timeout.as_millis(), 1500);
    assert_eq!(
        invalid_setting(from(&[("OTEL_BSP_MAX_QUEUE_SIZE", "lots")])),
        "OTEL_BSP_MAX_QUEUE_SIZE"
    );
}
