//! The standard `OTEL_*` variables read into an [`OtelConfig`], and the
//! checks of the settings that can be wrong (endpoint, protocol, sampler).

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::Sampler;

use super::config::{OtelConfig, OtelError, traces_url};

/// The one OTLP protocol built in.
const HTTP_PROTOBUF: &str = "http/protobuf";

/// Reads the variables through `get` (which answers `None` for an unset or
/// empty variable), so tests need not touch the process' environment.
pub(super) fn read(get: impl Fn(&str) -> Option<String>) -> Result<OtelConfig, OtelError> {
    let mut attributes = match get("OTEL_RESOURCE_ATTRIBUTES") {
        Some(list) => resource_attributes(&list)?,
        None => Vec::new(),
    };
    // `service.name` in the attributes names the service when
    // `OTEL_SERVICE_NAME` does not.
    let listed = attributes
        .iter()
        .position(|kv| kv.key.as_str() == "service.name")
        .map(|at| attributes.remove(at).value.to_string());
    let name = get("OTEL_SERVICE_NAME")
        .or(listed)
        .unwrap_or_else(|| "unknown_service".to_owned());
    let mut config = OtelConfig::new(name);
    config.attributes = attributes;

    for variable in [
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    ] {
        if let Some(protocol) = get(variable) {
            check_protocol(variable, &protocol)?;
        }
    }
    if let Some(url) = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
        config.traces_url = (url, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    } else if let Some(base) = get("OTEL_EXPORTER_OTLP_ENDPOINT") {
        config.traces_url = (traces_url(&base), "OTEL_EXPORTER_OTLP_ENDPOINT");
    }
    check_url(config.traces_url.1, &config.traces_url.0)?;

    let arg = get("OTEL_TRACES_SAMPLER_ARG");
    if let Some(name) = get("OTEL_TRACES_SAMPLER") {
        config.sampler = sampler(&name, arg.as_deref())?;
    }
    let millis = |variable| number(&get, variable).map(|n| n.map(Duration::from_millis));
    if let Some(timeout) = millis("OTEL_EXPORTER_OTLP_TIMEOUT")? {
        config.export_timeout = timeout;
    }
    if let Some(delay) = millis("OTEL_BSP_SCHEDULE_DELAY")? {
        config.scheduled_delay = delay;
    }
    if let Some(size) = number(&get, "OTEL_BSP_MAX_QUEUE_SIZE")? {
        config = config.max_queue_size(size as usize);
    }
    if let Some(size) = number(&get, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE")? {
        config = config.max_export_batch_size(size as usize);
    }
    Ok(config)
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<Option<u64>, OtelError> {
    get(variable)
        .map(|value| {
            value
                .trim()
                .parse()
                .map_err(|_| OtelError::invalid(variable, &value, "not a whole number"))
        })
        .transpose()
}

/// Only `http/protobuf` is built in: gRPC would bring tonic to every user
/// of the feature.
pub(super) fn check_protocol(setting: &'static str, value: &str) -> Result<(), OtelError> {
    match value.trim() {
        HTTP_PROTOBUF => Ok(()),
        "grpc" | "http/json" => Err(OtelError::invalid(
            setting,
            value,
            "opguard exports OTLP over http/protobuf only: set http/protobuf and the collector's HTTP port (4318)",
        )),
        _ => Err(OtelError::invalid(
            setting,
            value,
            "not an OTLP protocol (grpc, http/protobuf, http/json); opguard supports http/protobuf",
        )),
    }
}

/// An `http` or `https` URL with a host.
pub(super) fn check_url(setting: &'static str, url: &str) -> Result<(), OtelError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|error| OtelError::invalid(setting, url, format!("not a URL: {error}")))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => {
            return Err(OtelError::invalid(
                setting,
                url,
                "the URL must start with http:// or https://",
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(OtelError::invalid(setting, url, "the URL has no host"));
    }
    Ok(())
}

/// `OTEL_TRACES_SAMPLER` and its argument (a ratio, 1.0 when absent).
fn sampler(name: &str, arg: Option<&str>) -> Result<Sampler, OtelError> {
    let ratio = || -> Result<f64, OtelError> {
        let Some(arg) = arg else { return Ok(1.0) };
        match arg.trim().parse::<f64>() {
            Ok(ratio) if (0.0..=1.0).contains(&ratio) => Ok(ratio),
            _ => Err(OtelError::invalid(
                "OTEL_TRACES_SAMPLER_ARG",
                arg,
                "a ratio from 0.0 to 1.0",
            )),
        }
    };
    let parent = |root| Sampler::ParentBased(Box::new(root));
    Ok(match name.trim() {
        "always_on" => Sampler::AlwaysOn,
        "always_off" => Sampler::AlwaysOff,
        "traceidratio" => Sampler::TraceIdRatioBased(ratio()?),
        "parentbased_always_on" => parent(Sampler::AlwaysOn),
        "parentbased_always_off" => parent(Sampler::AlwaysOff),
        "parentbased_traceidratio" => parent(Sampler::TraceIdRatioBased(ratio()?)),
        _ => {
            return Err(OtelError::invalid(
                "OTEL_TRACES_SAMPLER",
                name,
                "one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio",
            ));
        }
    })
}

/// `key=value,key=value`, values percent-decoded.
fn resource_attributes(list: &str) -> Result<Vec<KeyValue>, OtelError> {
    let bad = |reason| OtelError::invalid("OTEL_RESOURCE_ATTRIBUTES", list, reason);
    list.split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| bad("a pair without `=`"))?;
            let key = key.trim();
            if key.is_empty() {
                return Err(bad("a pair without a key"));
            }
            let value = percent_decode(value.trim()).ok_or_else(|| bad("a bad %-escape"))?;
            Ok(KeyValue::new(key.to_owned(), value))
        })
        .collect()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = text.get(at + 1..at + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[path = "env_tests.rs"]
mod tests;
