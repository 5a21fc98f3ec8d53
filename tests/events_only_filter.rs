//! A subscriber whose filter takes events only (a per-layer
//! `filter_fn(|m| m.is_event())`): `#[trace_operation]` makes no span, runs
//! the body bare and still logs an `Err` at `error` level, sync and async;
//! `#[monitor_performance]` still logs a slow call. Both used to ask
//! `tracing::enabled!`, whose callsite is a hint, not an event, so such a
//! filter silenced them.
//!
//! Time only moves on tokio's paused clock.

use std::sync::{Mutex, OnceLock};

use opguard::trace_operation;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// Span names made, and the `operation` of each error or warning event.
type Seen = (Vec<String>, Vec<String>);

fn seen() -> &'static Mutex<Seen> {
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    SEEN.get_or_init(|| {
        tracing_subscriber::registry()
            .with(Capture.with_filter(filter_fn(|metadata| metadata.is_event())))
            .init();
        Mutex::new(Seen::default())
    })
}

struct Capture;

struct Operation(String);

impl Visit for Operation {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "operation" {
            value.clone_into(&mut self.0);
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        seen()
            .lock()
            .unwrap()
            .0
            .push(attrs.metadata().name().to_owned());
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() <= Level::WARN {
            let mut operation = Operation(String::new());
            event.record(&mut operation);
            seen().lock().unwrap().1.push(operation.0);
        }
    }
}

fn take() -> Seen {
    std::mem::take(&mut *seen().lock().unwrap())
}

#[trace_operation]
fn lookup(fail: bool) -> Result<u32, String> {
    if fail { Err("gone".into()) } else { Ok(1) }
}

#[trace_operation]
async fn lookup_async(fail: bool) -> Result<u32, String> {
    tokio::task::yield_now().await;
    if fail { Err("gone".into()) } else { Ok(2) }
}

#[opguard::monitor_performance(threshold = "10ms")]
async fn slow() -> u32 {
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    3
}

// One test: the captured state is global to this binary.
#[tokio::test(start_paused = true)]
async fn an_unwanted_span_runs_bare_and_still_logs_its_errors() {
    let _ = seen();
    assert!(
        Level::INFO <= tracing::level_filters::LevelFilter::current(),
        "the span's level is enabled"
    );
    take();

    assert_eq!(lookup(false), Ok(1));
    assert_eq!(lookup_async(false).await, Ok(2));
    assert_eq!(take(), (vec![], vec![]), "no span, no error");

    assert!(lookup(true).is_err());
    assert!(lookup_async(true).await.is_err());
    let (spans, errors) = take();
    assert!(spans.is_empty(), "{spans:?}");
    assert_eq!(
        errors,
        [
            "events_only_filter::lookup",
            "events_only_filter::lookup_async"
        ]
    );

    assert_eq!(slow().await, 3);
    assert_eq!(
        take(),
        (vec![], vec!["events_only_filter::slow".to_owned()]),
        "the slow-call warning"
    );
}
