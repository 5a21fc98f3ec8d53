//! `#[trace_operation]` whose span level the subscriber filters out: the
//! body runs bare (no span), but an `Err` is still logged at `error` level,
//! inside whatever span is current. One global subscriber at `INFO` for this
//! test binary, so the global max level is `INFO` and `debug` spans are
//! disabled callsites.

use std::sync::{Mutex, OnceLock};

use opguard::trace_operation;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// What the subscriber saw: span names, and error events as (operation,
/// error, name of the span they are in).
#[derive(Default)]
struct Seen {
    spans: Vec<String>,
    errors: Vec<(String, String, Option<String>)>,
}

fn seen() -> &'static Mutex<Seen> {
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    SEEN.get_or_init(|| {
        tracing_subscriber::registry()
            .with(Capture.with_filter(LevelFilter::INFO))
            .init();
        Mutex::new(Seen::default())
    })
}

struct Capture;

#[derive(Default)]
struct Text {
    operation: String,
    error: String,
}

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "operation" {
            value.clone_into(&mut self.operation);
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "error" {
            self.error = format!("{value:?}");
        }
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let name = attrs.metadata().name().to_owned();
        seen().lock().unwrap().spans.push(name);
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if *event.metadata().level() != tracing::Level::ERROR {
            return;
        }
        let mut text = Text::default();
        event.record(&mut text);
        let parent = ctx.event_span(event).map(|span| span.name().to_owned());
        seen()
            .lock()
            .unwrap()
            .errors
            .push((text.operation, text.error, parent));
    }
}

/// Forgets what was seen so far.
fn reset() {
    *seen().lock().unwrap() = Seen::default();
}

/// What was seen since the last `reset`.
fn take() -> Seen {
    std::mem::take(&mut *seen().lock().unwrap())
}

/// Spans and errors seen while `f` runs.
fn watch<T>(f: impl FnOnce() -> T) -> (T, Seen) {
    reset();
    let value = f();
    (value, take())
}

#[trace_operation(level = "debug")]
fn quiet(fail: bool) -> Result<u32, String> {
    if fail { Err("no luck".into()) } else { Ok(7) }
}

#[trace_operation(level = "debug")]
async fn quiet_async(fail: bool) -> Result<u32, String> {
    tokio::task::yield_now().await;
    if fail { Err("no luck".into()) } else { Ok(8) }
}

#[trace_operation]
fn loud(fail: bool) -> Result<u32, String> {
    if fail { Err("loud luck".into()) } else { Ok(9) }
}

#[trace_operation]
fn outer() -> Result<u32, String> {
    quiet(true)
}

// One test: the captured state is global to this binary.
#[tokio::test]
async fn a_filtered_out_span_runs_bare_and_still_logs_its_errors() {
    let _ = seen();
    assert_eq!(LevelFilter::current(), LevelFilter::INFO);

    let (value, seen_now) = watch(|| quiet(false));
    assert_eq!(value, Ok(7));
    assert!(seen_now.spans.is_empty(), "no span for a disabled level");
    assert!(seen_now.errors.is_empty());

    let (value, seen_now) = watch(|| quiet(true));
    assert_eq!(value, Err("no luck".into()));
    assert!(seen_now.spans.is_empty());
    assert_eq!(
        seen_now.errors,
        [(
            "trace_level_disabled::quiet".to_owned(),
            "no luck".to_owned(),
            None
        )]
    );

    reset();
    assert_eq!(quiet_async(false).await, Ok(8));
    assert_eq!(quiet_async(true).await, Err("no luck".into()));
    let seen_now = take();
    assert!(seen_now.spans.is_empty());
    assert_eq!(
        seen_now.errors,
        [(
            "trace_level_disabled::quiet_async".to_owned(),
            "no luck".to_owned(),
            None
        )]
    );

    // The error of a disabled call lands in the span that is current.
    let (value, seen_now) = watch(outer);
    assert_eq!(value, Err("no luck".into()));
    assert_eq!(seen_now.spans, ["trace_level_disabled::outer"]);
    assert_eq!(
        seen_now.errors,
        [
            (
                "trace_level_disabled::quiet".to_owned(),
                "no luck".to_owned(),
                Some("trace_level_disabled::outer".to_owned())
            ),
            (
                "trace_level_disabled::outer".to_owned(),
                "no luck".to_owned(),
                Some("trace_level_disabled::outer".to_owned())
            ),
        ]
    );

    // An enabled level under the same subscriber makes its span.
    let (value, seen_now) = watch(|| loud(true));
    assert_eq!(value, Err("loud luck".into()));
    assert_eq!(seen_now.spans, ["trace_level_disabled::loud"]);
    assert_eq!(seen_now.errors.len(), 1);
}
