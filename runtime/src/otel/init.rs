//! [`init`] and [`init_with`]: the exporter, the provider, the subscriber;
//! [`OtelGuard`], which shuts them down.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::resource::TelemetryResourceDetector;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::prelude::*;

use super::config::{OtelConfig, OtelError};
use super::env::check_url;
use super::export::{Bounded, Stats};

/// Sets up OpenTelemetry from the standard `OTEL_*` variables
/// ([`OtelConfig::from_env`]), as [`init_with`] does.
///
/// ```no_run
/// // OTEL_SERVICE_NAME=checkout OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318
/// let _otel = opguard_runtime::otel::init()?; // flushes when dropped, at the end of main
/// # Ok::<(), opguard_runtime::otel::OtelError>(())
/// ```
///
/// # Errors
///
/// A variable whose value is not valid (a bad endpoint, a protocol other
/// than `http/protobuf`, an unknown sampler), or as [`init_with`].
pub fn init() -> Result<OtelGuard, OtelError> {
    init_with(OtelConfig::from_env()?)
}

/// Sets up OpenTelemetry from `config`: an OTLP/HTTP (protobuf) exporter
/// behind a bounded batch processor, a tracer provider with the service's
/// resource and the sampler, registered as OpenTelemetry's global provider,
/// and the global `tracing` subscriber: a level filter, an fmt layer (unless
/// turned off) and the `tracing-opentelemetry` layer. Nothing is sent while
/// this runs; a collector that cannot be reached shows later as
/// [`OtelGuard::dropped_spans`], never as a slower call.
///
/// ```no_run
/// use opguard_runtime::otel::{OtelConfig, init_with};
///
/// let _otel = init_with(
///     OtelConfig::new("checkout")
///         .endpoint("http://localhost:4318")
///         .resource_attribute("deployment.environment", "staging"),
/// )?;
/// # Ok::<(), opguard_runtime::otel::OtelError>(())
/// ```
///
/// # Errors
///
/// [`OtelError::Invalid`] for an endpoint that is not an `http`/`https`
/// URL with a host, [`OtelError::Exporter`] if the exporter cannot be
/// built, [`OtelError::SubscriberAlreadySet`] if the process has a global
/// `tracing` subscriber already.
pub fn init_with(config: OtelConfig) -> Result<OtelGuard, OtelError> {
    let (url, setting) = &config.traces_url;
    check_url(setting, url)?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url.clone())
        .with_timeout(config.export_timeout)
        .build()
        .map_err(|error| OtelError::Exporter(error.to_string()))?;
    let stats = Arc::new(Stats::default());
    let processor = Bounded::new(
        exporter,
        config.max_queue_size,
        config.max_export_batch_size,
        config.scheduled_delay,
        Arc::clone(&stats),
    );
    let resource = Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_service_name(config.service_name)
        .with_attributes(config.attributes)
        .build();
    let provider = SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_sampler(config.sampler)
        .with_resource(resource)
        .build();
    let tracer = provider.tracer("opguard");
    let fmt = config.fmt.then(tracing_subscriber::fmt::layer);
    let subscriber = tracing_subscriber::registry()
        .with(config.level)
        .with(fmt)
        .with(tracing_opentelemetry::layer().with_tracer(tracer));
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        // Nothing was exported yet; stop the batch thread at once.
        let _ = provider.shutdown_with_timeout(Duration::ZERO);
        return Err(OtelError::SubscriberAlreadySet);
    }
    opentelemetry::global::set_tracer_provider(provider.clone());
    Ok(OtelGuard {
        provider,
        stats,
        shutdown_timeout: config.shutdown_timeout,
    })
}

/// Keeps OpenTelemetry export running; dropping it exports the spans still
/// queued and stops the exporter, waiting at most the configured
/// [`shutdown_timeout`](OtelConfig::shutdown_timeout)
/// ([`DEFAULT_SHUTDOWN_TIMEOUT`](super::DEFAULT_SHUTDOWN_TIMEOUT), 5 s, by
/// default), even when the collector does not answer. Spans ended after
/// that are not exported. Hold it for the life of `main`.
#[must_use = "dropping the guard stops the export at once"]
#[derive(Debug)]
pub struct OtelGuard {
    provider: SdkTracerProvider,
    stats: Arc<Stats>,
    shutdown_timeout: Duration,
}

impl OtelGuard {
    /// Spans that never reached the collector: turned away because the
    /// queue was full, or in an export that failed (collector down, timed
    /// out or refusing).
    pub fn dropped_spans(&self) -> u64 {
        self.stats.dropped.load(Ordering::Relaxed)
    }

    /// Spans the collector accepted.
    pub fn exported_spans(&self) -> u64 {
        self.stats.exported.load(Ordering::Relaxed)
    }

    /// The tracer provider, for code that uses the OpenTelemetry API
    /// directly (it is also the global provider).
    pub fn provider(&self) -> &SdkTracerProvider {
        &self.provider
    }
}

impl Drop for OtelGuard {
    fn drop(&mut self) {
        // Bounded: the batch thread is asked to export what is queued and
        // stop, and waited for at most this long.
        let _ = self.provider.shutdown_with_timeout(self.shutdown_timeout);
    }
}
