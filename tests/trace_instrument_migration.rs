//! Migrating from `#[tracing::instrument]` is a rename: the forms it takes
//! mean the same under `#[trace_operation]` — `name`/`target` as constants,
//! `Level::DEBUG` and numeric levels, dotted, empty and `%`/`?` fields,
//! `ret`, `ret(Display)`, `ret(level = ..)`, `err`, `err(Debug)`,
//! `err(level = ..)`, `parent = ..` and `follows_from = ..` — while
//! arguments stay unrecorded unless `include_args` asks.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use opguard::trace_operation;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// A span as the subscriber saw it.
#[derive(Debug, Clone, Default)]
struct SeenSpan {
    name: String,
    target: String,
    level: String,
    fields: BTreeMap<String, String>,
    parent: Option<String>,
    follows: Vec<String>,
}

/// An event: its level and fields.
#[derive(Debug, Clone)]
struct SeenEvent {
    level: Level,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Seen {
    spans: Vec<SeenSpan>,
    events: Vec<SeenEvent>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Seen>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut span = SeenSpan {
            name: attrs.metadata().name().to_owned(),
            target: attrs.metadata().target().to_owned(),
            level: attrs.metadata().level().to_string(),
            ..SeenSpan::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        span.parent = ctx
            .span(id)
            .and_then(|s| s.parent())
            .map(|p| p.name().to_owned());
        // Every declared field, also the empty ones.
        for field in attrs.metadata().fields() {
            span.fields
                .entry(field.name().to_owned())
                .or_insert_with(|| "<empty>".to_owned());
        }
        self.0.lock().unwrap().spans.push(span);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        self.update(&name_of(&ctx, id), |span| {
            values.record(&mut Fields(&mut span.fields));
        });
    }

    fn on_follows_from(&self, id: &Id, cause: &Id, ctx: Context<'_, S>) {
        let cause = name_of(&ctx, cause);
        self.update(&name_of(&ctx, id), |span| span.follows.push(cause));
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().events.push(SeenEvent {
            level: *event.metadata().level(),
            fields,
        });
    }
}

fn name_of<S: Subscriber + for<'a> LookupSpan<'a>>(ctx: &Context<'_, S>, id: &Id) -> String {
    ctx.span(id)
        .map(|s| s.name().to_owned())
        .unwrap_or_default()
}

impl Capture {
    /// Changes the latest span seen with this name.
    fn update(&self, name: &str, change: impl FnOnce(&mut SeenSpan)) {
        let mut seen = self.0.lock().unwrap();
        if let Some(span) = seen.spans.iter_mut().rev().find(|s| s.name == name) {
            change(span);
        }
    }
}

/// What `f` made, under a subscriber that records everything.
fn capture(f: impl FnOnce()) -> Seen {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::with_default(subscriber, f);
    std::mem::take(&mut *capture.0.lock().unwrap())
}

fn only_span(seen: &Seen) -> &SeenSpan {
    assert_eq!(seen.spans.len(), 1, "{:?}", seen.spans);
    &seen.spans[0]
}

const NAME: &str = "billing.charge";
const TARGET: &str = "billing";

#[trace_operation(name = NAME, target = TARGET, level = tracing::Level::DEBUG)]
fn charge(cents: u64) -> u64 {
    cents
}

#[trace_operation(level = 4)]
fn numeric_level() -> u8 {
    0
}

#[test]
fn name_and_target_constants_and_levels() {
    let seen = capture(|| {
        charge(5);
    });
    let span = only_span(&seen);
    assert_eq!(
        (
            span.name.as_str(),
            span.target.as_str(),
            span.level.as_str()
        ),
        ("billing.charge", "billing", "DEBUG")
    );
    assert!(
        !span.fields.contains_key("cents"),
        "arguments need include_args"
    );
    let seen = capture(|| {
        numeric_level();
    });
    assert_eq!(
        only_span(&seen).level,
        "WARN",
        "4 is `warn`, as in #[instrument]"
    );
}

struct Method(&'static str);

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "method {}", self.0)
    }
}

#[derive(Debug)]
struct Tenant {
    id: u32,
}

#[trace_operation(fields(http.method = %method, tenant = ?tenant, %method, user_id, region = "eu"))]
fn handle(method: Method, tenant: Tenant) -> u32 {
    tracing::Span::current().record("user_id", 42);
    tenant.id + method.0.len() as u32
}

#[test]
fn dotted_empty_and_formatted_fields() {
    let seen = capture(|| {
        assert_eq!(handle(Method("GET"), Tenant { id: 1 }), 4);
    });
    let fields = &only_span(&seen).fields;
    assert_eq!(fields["http.method"], "method GET");
    assert_eq!(fields["method"], "method GET");
    assert_eq!(fields["tenant"], "Tenant { id: 1 }");
    assert_eq!(fields["region"], "eu");
    assert_eq!(
        fields["user_id"], "42",
        "declared empty, recorded by the body"
    );
}

#[trace_operation(ret)]
fn with_ret() -> Result<String, String> {
    Ok("fine".into())
}

#[trace_operation(ret(Display))]
fn with_ret_display() -> Method {
    Method("PUT")
}

#[trace_operation(ret(level = Level::WARN))]
fn with_ret_event() -> u32 {
    7
}

#[test]
fn ret_records_the_result() {
    let seen = capture(|| {
        with_ret().unwrap();
    });
    assert_eq!(
        only_span(&seen).fields["result"],
        "\"fine\"",
        "Debug of the Ok value"
    );
    let seen = capture(|| {
        with_ret_display();
    });
    assert_eq!(only_span(&seen).fields["result"], "method PUT");
    let seen = capture(|| {
        with_ret_event();
    });
    assert_eq!(only_span(&seen).fields["result"], "7");
    let returned: Vec<_> = seen
        .events
        .iter()
        .filter(|e| e.fields.get("message").map(String::as_str) == Some("operation returned"))
        .collect();
    assert_eq!(returned.len(), 1, "{:?}", seen.events);
    assert_eq!(returned[0].level, Level::WARN);
    assert_eq!(returned[0].fields["result"], "7");
}

#[derive(Debug)]
struct Denied {
    #[allow(dead_code, reason = "read through `Debug`")]
    code: u16,
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "denied")
    }
}

#[trace_operation(err)]
fn err_plain() -> Result<(), Denied> {
    Err(Denied { code: 403 })
}

#[trace_operation(err(Debug))]
fn err_debug() -> Result<(), Denied> {
    Err(Denied { code: 403 })
}

#[trace_operation(err(level = Level::WARN))]
fn err_warn() -> Result<(), Denied> {
    Err(Denied { code: 401 })
}

fn failure_event(seen: &Seen) -> &SeenEvent {
    let failed: Vec<_> = seen
        .events
        .iter()
        .filter(|e| e.fields.get("message").map(String::as_str) == Some("operation failed"))
        .collect();
    assert_eq!(failed.len(), 1, "{:?}", seen.events);
    failed[0]
}

#[test]
fn err_chooses_how_and_at_which_level_the_error_is_logged() {
    let seen = capture(|| assert!(err_plain().is_err()));
    let event = failure_event(&seen);
    assert_eq!(
        (event.level, event.fields["error"].as_str()),
        (Level::ERROR, "denied")
    );
    assert_eq!(only_span(&seen).fields["error"], "denied");

    let seen = capture(|| assert!(err_debug().is_err()));
    assert_eq!(failure_event(&seen).fields["error"], "Denied { code: 403 }");
    assert_eq!(only_span(&seen).fields["error"], "Denied { code: 403 }");

    let seen = capture(|| assert!(err_warn().is_err()));
    let event = failure_event(&seen);
    assert_eq!(
        (event.level, event.fields["error"].as_str()),
        (Level::WARN, "denied")
    );
}

#[trace_operation(parent = parent, follows_from = causes.iter().map(|c| c.id()))]
fn linked(parent: &tracing::Span, causes: &[tracing::Span]) -> usize {
    causes.len()
}

#[test]
fn parent_and_follows_from() {
    let seen = capture(|| {
        let parent = tracing::info_span!("request");
        let cause = tracing::info_span!("enqueued");
        // The current span is another one: the explicit parent wins.
        let _other = tracing::info_span!("elsewhere").entered();
        assert_eq!(linked(&parent, std::slice::from_ref(&cause)), 1);
    });
    let span = seen
        .spans
        .iter()
        .find(|s| s.name == "trace_instrument_migration::linked")
        .expect("the span");
    assert_eq!(span.parent.as_deref(), Some("request"));
    assert_eq!(span.follows, ["enqueued"]);
}
