//! The SDK's batch processor, bounded and counted: a span that finds the
//! queue full is dropped at once (the call that ended it never waits), and
//! every span that never reaches the collector (queue full, or its export
//! failed: collector down, timeout, refused) is counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Span, SpanData, SpanExporter, SpanProcessor,
};

/// What became of the spans that ended.
#[derive(Debug, Default)]
pub(super) struct Stats {
    /// Ended spans queued, not yet handed to the exporter.
    pending: AtomicUsize,
    pub(super) dropped: AtomicU64,
    pub(super) exported: AtomicU64,
}

/// A [`BatchSpanProcessor`] that admits at most `capacity` spans waiting for
/// export, counting the ones it turns away.
#[derive(Debug)]
pub(super) struct Bounded {
    inner: BatchSpanProcessor,
    capacity: usize,
    stats: Arc<Stats>,
}

impl Bounded {
    /// `capacity` spans wait at most; each export sends at most `batch`
    /// spans, every `delay`.
    pub(super) fn new<E>(
        exporter: E,
        capacity: usize,
        batch: usize,
        delay: Duration,
        stats: Arc<Stats>,
    ) -> Self
    where
        E: SpanExporter + 'static,
    {
        let exporter = Counted {
            inner: exporter,
            stats: Arc::clone(&stats),
        };
        // The inner queue is as long as ours, so it is never the one that
        // is full.
        let config = BatchConfigBuilder::default()
            .with_max_queue_size(capacity)
            .with_max_export_batch_size(batch.min(capacity))
            .with_scheduled_delay(delay)
            .build();
        Self {
            inner: BatchSpanProcessor::new(exporter, config),
            capacity,
            stats,
        }
    }
}

impl SpanProcessor for Bounded {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        if self.stats.pending.fetch_add(1, Ordering::AcqRel) >= self.capacity {
            self.stats.pending.fetch_sub(1, Ordering::AcqRel);
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// The exporter, counting what it sends and what it fails to.
#[derive(Debug)]
struct Counted<E> {
    inner: E,
    stats: Arc<Stats>,
}

impl<E: SpanExporter> SpanExporter for Counted<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let spans = batch.len();
        self.stats.pending.fetch_sub(spans, Ordering::AcqRel);
        let result = self.inner.export(batch).await;
        let counter = if result.is_ok() {
            &self.stats.exported
        } else {
            &self.stats.dropped
        };
        counter.fetch_add(spans as u64, Ordering::Relaxed);
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}
