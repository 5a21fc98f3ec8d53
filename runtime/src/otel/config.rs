//! [`OtelConfig`]: what [`init_with`](super::init_with) sets up, written in
//! code or read from the standard `OTEL_*` variables; [`OtelError`].

use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::Sampler;
use tracing_subscriber::filter::LevelFilter;

/// The collector's OTLP/HTTP address when none is given (`jaeger`
/// all-in-one and the OpenTelemetry Collector listen there).
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4318";

/// How long [`OtelGuard`](super::OtelGuard)'s drop waits at most for the
/// last spans to be exported and the exporter to stop, by default.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// What [`init_with`](super::init_with) sets up: the service's name and
/// resource attributes, where spans go (OTLP over HTTP/protobuf), how they
/// are sampled and batched, and the `tracing` subscriber's level and fmt
/// layer.
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::otel::OtelConfig;
///
/// let config = OtelConfig::new("checkout")
///     .resource_attribute("deployment.environment", "staging")
///     .endpoint("http://collector:4318")
///     .ratio(0.25)
///     .max_queue_size(4096)
///     .shutdown_timeout(Duration::from_secs(2));
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
pub struct OtelConfig {
    pub(super) service_name: String,
    pub(super) attributes: Vec<KeyValue>,
    /// The full URL spans are posted to, and the setting it came from.
    pub(super) traces_url: (String, &'static str),
    pub(super) sampler: Sampler,
    pub(super) max_queue_size: usize,
    pub(super) max_export_batch_size: usize,
    pub(super) scheduled_delay: Duration,
    pub(super) export_timeout: Duration,
    pub(super) shutdown_timeout: Duration,
    pub(super) level: LevelFilter,
    pub(super) fmt: bool,
}

impl OtelConfig {
    /// The defaults for the service `service_name`: the collector at
    /// [`DEFAULT_ENDPOINT`], parent-based sampling that keeps every root
    /// (`sample_rate` of `#[trace_operation]` decides alone), a queue of
    /// 2048 spans exported in batches of up to 512 every 5 s with a 10 s
    /// export timeout, [`DEFAULT_SHUTDOWN_TIMEOUT`], level `INFO`, and an
    /// fmt layer on standard output.
    pub fn new(service_name: impl Into<String>) -> Self {
        Self {
            service_name: service_name.into(),
            attributes: Vec::new(),
            traces_url: (traces_url(DEFAULT_ENDPOINT), "endpoint"),
            sampler: Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
            max_queue_size: 2048,
            max_export_batch_size: 512,
            scheduled_delay: Duration::from_secs(5),
            export_timeout: Duration::from_secs(10),
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            level: LevelFilter::INFO,
            fmt: true,
        }
    }

    /// The service's name (`service.name`), replacing the one given to
    /// [`new`](Self::new) or read by [`from_env`](Self::from_env).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = name.into();
        self
    }

    /// Adds a resource attribute (a default tag every span carries, such
    /// as `deployment.environment`).
    pub fn resource_attribute(mut self, key: &str, value: impl Into<String>) -> Self {
        self.attributes
            .push(KeyValue::new(key.to_owned(), value.into()));
        self
    }

    /// The collector's base address (`http://host:4318`); spans are posted
    /// to its `/v1/traces`, as with `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub fn endpoint(mut self, endpoint: &str) -> Self {
        self.traces_url = (traces_url(endpoint), "endpoint");
        self
    }

    /// The full URL spans are posted to, used as given, as with
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`.
    pub fn traces_endpoint(mut self, url: impl Into<String>) -> Self {
        self.traces_url = (url.into(), "traces_endpoint");
        self
    }

    /// The sampler of root spans and of spans under a remote parent.
    /// Keep it parent-based so that a call under a remote parent follows
    /// the parent's decision, as `#[trace_operation]` does.
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.sampler = sampler;
        self
    }

    /// Parent-based sampling keeping `ratio` of the root spans the layer
    /// starts (by trace id). `#[trace_operation]`'s `sample_rate` picks its
    /// root calls before any span exists, so for them both rates apply:
    /// leave one at 1.0.
    pub fn ratio(self, ratio: f64) -> Self {
        self.sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
            ratio,
        ))))
    }

    /// At most this many ended spans wait for export; more are dropped and
    /// counted ([`OtelGuard::dropped_spans`](super::OtelGuard::dropped_spans)),
    /// so a slow or absent collector never holds up a call.
    pub fn max_queue_size(mut self, spans: usize) -> Self {
        self.max_queue_size = spans.max(1);
        self
    }

    /// At most this many spans in one export request.
    pub fn max_export_batch_size(mut self, spans: usize) -> Self {
        self.max_export_batch_size = spans.max(1);
        self
    }

    /// How often queued spans are exported.
    pub fn scheduled_delay(mut self, delay: Duration) -> Self {
        self.scheduled_delay = delay;
        self
    }

    /// How long one export request (with its retries) may take.
    pub fn export_timeout(mut self, timeout: Duration) -> Self {
        self.export_timeout = timeout;
        self
    }

    /// How long [`OtelGuard`](super::OtelGuard)'s drop waits at most for the
    /// last spans to be exported and the exporter to stop.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// The most verbose level the subscriber records (spans and events,
    /// for both layers).
    pub fn level(mut self, level: LevelFilter) -> Self {
        self.level = level;
        self
    }

    /// Whether the subscriber also prints events on standard output
    /// (`tracing_subscriber::fmt`'s layer).
    pub fn fmt(mut self, on: bool) -> Self {
        self.fmt = on;
        self
    }

    /// The settings the standard variables give, on top of the defaults of
    /// [`new`](Self::new): `OTEL_SERVICE_NAME` (else `service.name` in
    /// `OTEL_RESOURCE_ATTRIBUTES`, else `unknown_service`),
    /// `OTEL_RESOURCE_ATTRIBUTES` (`key=value,…`, values percent-decoded),
    /// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_ENDPOINT`,
    /// `OTEL_EXPORTER_OTLP_PROTOCOL` (only `http/protobuf`),
    /// `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_TRACES_SAMPLER` and
    /// `OTEL_TRACES_SAMPLER_ARG`, `OTEL_BSP_MAX_QUEUE_SIZE`,
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` and `OTEL_BSP_SCHEDULE_DELAY`
    /// (milliseconds). An empty variable counts as unset.
    ///
    /// # Errors
    ///
    /// A value that is not valid, naming the variable.
    pub fn from_env() -> Result<Self, OtelError> {
        super::env::read(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }
}

/// The URL spans are posted to for a collector's base address.
pub(super) fn traces_url(endpoint: &str) -> String {
    format!("{}/v1/traces", endpoint.trim_end_matches('/'))
}

/// Why [`init`](super::init) or [`init_with`](super::init_with) set nothing
/// up.
#[derive(Debug)]
#[non_exhaustive]
pub enum OtelError {
    /// A setting is not valid: the option or variable, its value, and why.
    Invalid {
        /// The option (`endpoint`) or variable (`OTEL_EXPORTER_OTLP_ENDPOINT`).
        setting: &'static str,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The OTLP exporter could not be built.
    Exporter(String),
    /// The process already has a global `tracing` subscriber.
    SubscriberAlreadySet,
}

impl OtelError {
    pub(super) fn invalid(setting: &'static str, value: &str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            setting,
            value: value.to_owned(),
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for OtelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid {
                setting,
                value,
                reason,
            } => write!(f, "opentelemetry: {setting} = {value:?}: {reason}"),
            Self::Exporter(message) => {
                write!(f, "opentelemetry: the OTLP exporter: {message}")
            }
            Self::SubscriberAlreadySet => f.write_str(
                "opentelemetry: a global tracing subscriber is already set; init() installs its own",
            ),
        }
    }
}

impl std::error::Error for OtelError {}
