//! `#[trace_operation]`: span names, levels, targets and fields; arguments,
//! results and errors; parent/child links across `.await`; methods and
//! `#[async_trait]`; cancellation, panics and sampling. A capturing layer,
//! installed once as the global subscriber of this test binary, records
//! everything; each test looks at its own spans.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use opguard::trace_operation;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

#[derive(Debug, Clone, Default)]
struct Captured {
    name: String,
    target: String,
    level: String,
    parent: Option<String>,
    /// Field name → (how it was recorded, text).
    fields: BTreeMap<String, (&'static str, String)>,
    closed: bool,
}

#[derive(Debug, Clone)]
struct CapturedEvent {
    level: String,
    parent: Option<String>,
    fields: BTreeMap<String, (&'static str, String)>,
}

#[derive(Default)]
struct Store {
    spans: Vec<Captured>,
    events: Vec<CapturedEvent>,
}

struct Fields<'a>(&'a mut BTreeMap<String, (&'static str, String)>);

impl Visit for Fields<'_> {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0
            .insert(field.name().into(), ("u64", value.to_string()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0
            .insert(field.name().into(), ("i64", value.to_string()));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0
            .insert(field.name().into(), ("f64", value.to_string()));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0
            .insert(field.name().into(), ("bool", value.to_string()));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), ("str", value.into()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), ("debug", format!("{value:?}")));
    }
}

struct Capture;

fn store() -> &'static Mutex<Store> {
    static STORE: OnceLock<Mutex<Store>> = OnceLock::new();
    STORE.get_or_init(|| {
        tracing_subscriber::registry().with(Capture).init();
        Mutex::new(Store::default())
    })
}

struct Index(usize);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut captured = Captured {
            name: attrs.metadata().name().into(),
            target: attrs.metadata().target().into(),
            level: attrs.metadata().level().to_string(),
            parent: ctx
                .span(id)
                .and_then(|s| s.parent())
                .map(|p| p.name().to_owned()),
            ..Captured::default()
        };
        attrs.record(&mut Fields(&mut captured.fields));
        let mut store = store().lock().unwrap();
        store.spans.push(captured);
        let index = store.spans.len() - 1;
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Index(index));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(Index(index)) = span.extensions().get::<Index>()
        {
            values.record(&mut Fields(
                &mut store().lock().unwrap().spans[*index].fields,
            ));
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id)
            && let Some(Index(index)) = span.extensions().get::<Index>()
        {
            store().lock().unwrap().spans[*index].closed = true;
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let parent = ctx.event_span(event).map(|s| s.name().to_owned());
        let level = event.metadata().level().to_string();
        store().lock().unwrap().events.push(CapturedEvent {
            level,
            parent,
            fields,
        });
    }
}

/// The spans named `name`, after the test ran.
fn spans(name: &str) -> Vec<Captured> {
    store()
        .lock()
        .unwrap()
        .spans
        .iter()
        .filter(|s| s.name == name)
        .cloned()
        .collect()
}

fn field<'a>(span: &'a Captured, name: &str) -> Option<&'a (&'static str, String)> {
    span.fields.get(name)
}

#[trace_operation(include_args, include_result, include_elapsed)]
fn add(a: u64, b: u64, label: &str) -> u64 {
    let _ = label;
    a + b
}

#[test]
fn a_span_with_arguments_as_values_result_outcome_and_duration() {
    store();
    assert_eq!(add(1, 2, "sum"), 3);
    let [span] = spans("trace_attribute::add").try_into().expect("one span");
    assert_eq!(
        (span.level.as_str(), span.target.as_str()),
        ("INFO", "trace_attribute")
    );
    assert_eq!(
        field(&span, "a"),
        Some(&("u64", "1".into())),
        "primitives are recorded as values"
    );
    assert_eq!(field(&span, "label"), Some(&("str", "sum".into())));
    assert_eq!(field(&span, "result"), Some(&("str", "3".into())));
    assert_eq!(field(&span, "outcome"), Some(&("str", "ok".into())));
    assert_eq!(field(&span, "elapsed_ms").map(|f| f.0), Some("f64"));
    assert!(field(&span, "error").is_none());
    assert!(span.closed);
}

#[trace_operation(include_args)]
fn double(a: u64) -> u64 {
    a * 2
}

#[test]
fn a_call_that_succeeds_records_no_outcome_or_duration_without_include_elapsed() {
    store();
    assert_eq!(double(4), 8);
    let [span] = spans("trace_attribute::double")
        .try_into()
        .expect("one span");
    assert_eq!(field(&span, "a"), Some(&("u64", "4".into())));
    assert!(field(&span, "outcome").is_none(), "{:?}", span.fields);
    assert!(field(&span, "elapsed_ms").is_none(), "{:?}", span.fields);
    assert!(span.closed);
}

#[derive(Debug)]
struct Credentials {
    #[allow(dead_code)]
    user: String,
}

#[derive(Debug, PartialEq)]
enum LoginError {
    Denied(String),
}

impl std::fmt::Display for LoginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoginError::Denied(user) => write!(f, "access denied for {user}"),
        }
    }
}

#[trace_operation(
    name = "auth.login",
    level = "debug",
    target = "audit",
    include_args,
    skip(password),
    include_result,
    fields(region = "eu", attempt = retry + 1, r#type = "password")
)]
fn login(credentials: Credentials, password: &str, retry: u32) -> Result<u32, LoginError> {
    if password == "secret" {
        Ok(42)
    } else {
        Err(LoginError::Denied(credentials.user))
    }
}

#[test]
fn options_name_level_target_skip_fields_and_errors() {
    store();
    assert_eq!(
        login(Credentials { user: "ada".into() }, "secret", 0),
        Ok(42)
    );
    assert!(login(Credentials { user: "bob".into() }, "wrong", 2).is_err());
    let spans = spans("auth.login");
    assert_eq!(spans.len(), 2);
    let (ok, err) = (&spans[0], &spans[1]);
    assert_eq!((ok.level.as_str(), ok.target.as_str()), ("DEBUG", "audit"));
    assert_eq!(
        field(ok, "credentials"),
        Some(&("debug", "Credentials { user: \"ada\" }".into()))
    );
    assert!(field(ok, "password").is_none(), "skipped");
    assert_eq!(field(ok, "region"), Some(&("str", "eu".into())));
    assert_eq!(field(ok, "attempt"), Some(&("u64", "1".into())));
    assert_eq!(
        field(ok, "type"),
        Some(&("str", "password".into())),
        "r# stripped"
    );
    assert_eq!(
        field(ok, "result"),
        Some(&("str", "42".into())),
        "the Ok value"
    );
    assert_eq!(field(err, "outcome"), Some(&("str", "error".into())));
    assert_eq!(
        field(err, "error"),
        Some(&("str", "access denied for bob".into())),
        "Display"
    );
    assert_eq!(
        field(err, "otel.status_code"),
        Some(&("str", "ERROR".into()))
    );
    assert!(field(err, "result").is_none(), "an Err has no result");
    let events = store().lock().unwrap().events.clone();
    let logged = events
        .iter()
        .find(|e| e.parent.as_deref() == Some("auth.login") && e.level == "ERROR")
        .expect("an Err is logged at error inside the span");
    assert_eq!(
        logged.fields.get("error").map(|f| f.1.as_str()),
        Some("access denied for bob")
    );
}

#[trace_operation]
async fn outer_call() -> u32 {
    tokio::task::yield_now().await;
    inner_call().await + 1
}

#[trace_operation(include_elapsed)]
async fn inner_call() -> u32 {
    tokio::time::sleep(Duration::from_millis(1)).await;
    1
}

#[tokio::test(start_paused = true)]
async fn parent_child_links_survive_await() {
    store();
    assert_eq!(outer_call().await, 2);
    let [inner] = spans("trace_attribute::inner_call")
        .try_into()
        .expect("one inner span");
    assert_eq!(inner.parent.as_deref(), Some("trace_attribute::outer_call"));
    // The paused clock moved exactly the 1 ms the inner call slept.
    assert_eq!(field(&inner, "elapsed_ms"), Some(&("f64", "1".into())));
    assert_eq!(field(&inner, "outcome"), Some(&("str", "ok".into())));
    let [outer] = spans("trace_attribute::outer_call")
        .try_into()
        .expect("one outer span");
    assert_eq!(outer.parent, None);
    assert!(
        field(&outer, "elapsed_ms").is_none() && field(&outer, "outcome").is_none(),
        "outer has no include_elapsed: {:?}",
        outer.fields
    );
}

struct Service {
    base: u32,
}

impl Service {
    #[trace_operation(include_args)]
    async fn get(&self, id: u32) -> u32 {
        self.base + id
    }

    // The shape under test: a fn whose body is an async block.
    #[allow(clippy::manual_async_fn)]
    #[trace_operation]
    fn hang(&mut self) -> impl std::future::Future<Output = ()> + '_ {
        async move {
            self.base += 1;
            std::future::pending::<()>().await;
        }
    }
}

#[async_trait]
trait Repo {
    async fn load(&self, id: u32) -> Result<u32, String>;
}

#[async_trait]
impl Repo for Service {
    #[trace_operation]
    async fn load(&self, id: u32) -> Result<u32, String> {
        tokio::task::yield_now().await;
        if id == 0 {
            Err("no id 0".into())
        } else {
            Ok(self.get(id).await)
        }
    }
}

#[tokio::test]
async fn methods_and_async_trait_are_named_after_their_type_and_nest() {
    store();
    let service = Service { base: 10 };
    assert_eq!(service.load(1).await, Ok(11));
    assert!(service.load(0).await.is_err());
    let [get] = spans("trace_attribute::Service::get")
        .try_into()
        .expect("one get span");
    assert_eq!(
        get.parent.as_deref(),
        Some("trace_attribute::Service::load")
    );
    assert!(
        field(&get, "self").is_none(),
        "the receiver is not recorded"
    );
    assert_eq!(field(&get, "id"), Some(&("u64", "1".into())));
    let loads = spans("trace_attribute::Service::load");
    assert_eq!(loads.len(), 2);
    assert_eq!(field(&loads[1], "error"), Some(&("str", "no id 0".into())));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_future_closes_its_span_as_cancelled() {
    store();
    let mut service = Service { base: 0 };
    let timed_out = tokio::time::timeout(Duration::from_millis(5), service.hang()).await;
    assert!(timed_out.is_err());
    let [span] = spans("trace_attribute::Service::hang")
        .try_into()
        .expect("one span");
    assert_eq!(field(&span, "outcome"), Some(&("str", "cancelled".into())));
    assert!(field(&span, "elapsed_ms").is_none(), "no include_elapsed");
    assert!(
        field(&span, "otel.status_code").is_none(),
        "a cancellation is not a failure"
    );
    assert!(span.closed);
}

#[trace_operation]
async fn explodes() -> u32 {
    tokio::task::yield_now().await;
    panic!("boom");
}

#[tokio::test]
async fn a_panic_closes_the_span_as_panicked_and_keeps_unwinding() {
    store();
    assert!(tokio::spawn(explodes()).await.unwrap_err().is_panic());
    let [span] = spans("trace_attribute::explodes")
        .try_into()
        .expect("one span");
    assert_eq!(field(&span, "outcome"), Some(&("str", "panicked".into())));
    assert_eq!(
        field(&span, "otel.status_code"),
        Some(&("str", "ERROR".into()))
    );
    assert_eq!(field(&span, "error"), Some(&("str", "panicked".into())));
}

#[trace_operation]
fn explodes_now(fuse: u32) -> u32 {
    if fuse == 0 {
        panic!("boom now");
    }
    fuse
}

#[test]
fn a_sync_panic_closes_the_span_as_panicked_and_keeps_unwinding() {
    store();
    let unwound = std::panic::catch_unwind(|| explodes_now(0));
    assert!(unwound.is_err(), "the panic keeps unwinding");
    let [span] = spans("trace_attribute::explodes_now")
        .try_into()
        .expect("one span");
    assert_eq!(field(&span, "outcome"), Some(&("str", "panicked".into())));
    assert_eq!(field(&span, "error"), Some(&("str", "panicked".into())));
    assert_eq!(
        field(&span, "otel.status_code"),
        Some(&("str", "ERROR".into()))
    );
    assert!(span.closed);
}

#[trace_operation(sample_rate = 0.1)]
fn sampled_root() {
    sampled_child();
}

#[trace_operation]
fn sampled_child() {}

#[trace_operation(sample_rate = 0.0)]
fn never_root() {
    never_child();
}

#[trace_operation]
fn never_child() {}

#[test]
fn a_tenth_of_root_calls_are_traced_and_children_follow_their_parent() {
    store();
    for _ in 0..10_000 {
        sampled_root();
    }
    let roots = spans("trace_attribute::sampled_root").len();
    // Binomial(10 000, 0.1): mean 1 000, standard deviation 30; ±6 sd.
    assert!((820..=1180).contains(&roots), "{roots} sampled roots");
    let children = spans("trace_attribute::sampled_child");
    assert_eq!(
        children.len(),
        roots,
        "a child of a traced root is traced; of a sampled-out one, not"
    );
    assert!(
        children
            .iter()
            .all(|c| c.parent.as_deref() == Some("trace_attribute::sampled_root"))
    );

    never_root();
    assert!(spans("trace_attribute::never_root").is_empty());
    assert!(
        spans("trace_attribute::never_child").is_empty(),
        "inside an unsampled parent, never"
    );
    let span = tracing::info_span!("request");
    span.in_scope(never_root);
    assert_eq!(
        spans("trace_attribute::never_root").len(),
        1,
        "inside a traced parent, always"
    );
}
