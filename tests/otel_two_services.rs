//! Two services in two processes export to an OTLP/HTTP receiver in this
//! test, which decodes what they send with `opentelemetry-proto` (feature
//! `otel`): one trace id across both, the back's request span a child of
//! the front's call across the HTTP hop, `service.name` and the resource
//! attributes, status ERROR with the message on an `Err`, `otel.kind` where
//! set, and a root that sampling leaves out makes no span in either.
//!
//! The services are this test binary run again (`child`, told its role by
//! `OPGUARD_OTEL_ROLE`): `init_with` installs a process-wide subscriber and
//! provider, so each service needs its own process.

#![cfg(all(feature = "otel", feature = "axum"))]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::Span;
use opguard::otel::{self, OtelConfig, PropagationLayer};
use opguard::trace_operation;
use prost::Message as _;

const ROLE: &str = "OPGUARD_OTEL_ROLE";
const COLLECTOR: &str = "OPGUARD_OTEL_COLLECTOR";
const BACK_PORT: &str = "OPGUARD_OTEL_BACK_PORT";
/// How long a child may take at most (it builds nothing; it is already
/// compiled).
const DEADLINE: Duration = Duration::from_secs(60);

/// One exported span with its service's resource attributes.
struct Received {
    resource: Vec<KeyValue>,
    span: Span,
}

type Store = Arc<Mutex<Vec<Received>>>;

async fn receive(State(store): State<Store>, body: Bytes) -> StatusCode {
    let Ok(request) = ExportTraceServiceRequest::decode(body) else {
        return StatusCode::BAD_REQUEST;
    };
    let mut store = store.lock().unwrap();
    for resource_spans in request.resource_spans {
        let resource = resource_spans.resource.unwrap_or_default().attributes;
        for scope in resource_spans.scope_spans {
            for span in scope.spans {
                store.push(Received {
                    resource: resource.clone(),
                    span,
                });
            }
        }
    }
    StatusCode::OK
}

/// The receiver on a loopback port, served by a runtime on its own thread.
fn start_receiver() -> (String, Store) {
    let store = Store::default();
    let app = Router::new()
        .route("/v1/traces", post(receive))
        .with_state(Arc::clone(&store));
    let (sent, address) = mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sent.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    let address = address.recv_timeout(DEADLINE).expect("receiver started");
    (format!("http://{address}"), store)
}

fn spawn(role: &str, envs: &[(&str, String)]) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn a service")
}

fn wait(mut child: Child, name: &str) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{name} failed: {status}");
            return;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("{name} did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn one_trace_across_two_services() {
    let (collector, store) = start_receiver();
    let mut back = spawn("back", &[(COLLECTOR, collector.clone())]);
    // The back service prints its port once it listens.
    let stdout = back.stdout.take().unwrap();
    let (sent, port) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // After libtest's `test child ... ` on the same line.
            if let Some((_, port)) = line.split_once("PORT ") {
                let _ = sent.send(port.trim().to_owned());
            }
        }
    });
    let port = port
        .recv_timeout(DEADLINE)
        .expect("the back service's port");
    let front = spawn("front", &[(COLLECTOR, collector), (BACK_PORT, port)]);
    wait(front, "front");
    // Closing its standard input stops the back service.
    drop(back.stdin.take());
    wait(back, "back");

    let store = store.lock().unwrap();
    let seen: Vec<String> = store
        .iter()
        .map(|r| {
            format!(
                "{:?} {} sku={:?}",
                text(&r.resource, "service.name"),
                r.span.name,
                int(&r.span.attributes, "sku")
            )
        })
        .collect();
    let find = |service: &str, name_end: &str, sku: i64| -> Vec<&Received> {
        store
            .iter()
            .filter(|r| text(&r.resource, "service.name") == Some(service))
            .filter(|r| r.span.name.ends_with(name_end))
            .filter(|r| int(&r.span.attributes, "sku") == Some(sku) || name_end.contains('/'))
            .collect()
    };
    for received in store.iter() {
        assert_eq!(
            text(&received.resource, "deployment.environment"),
            Some("test"),
            "every span carries the resource attributes"
        );
    }

    // sku 7: front_price -> GET /price/7 -> lookup_price, one trace.
    let [front] = find("front", "::front_price", 7)[..] else {
        panic!("one front_price span for sku 7 in {seen:#?}")
    };
    let [request] = find("back", "GET /price/7", 0)[..] else {
        panic!("one request span for sku 7")
    };
    let [lookup] = find("back", "::lookup_price", 7)[..] else {
        panic!("one lookup_price span for sku 7")
    };
    assert_eq!(
        front.span.parent_span_id,
        Vec::<u8>::new(),
        "front is a root"
    );
    assert_eq!(request.span.trace_id, front.span.trace_id, "one trace id");
    assert_eq!(lookup.span.trace_id, front.span.trace_id, "one trace id");
    assert_eq!(
        request.span.parent_span_id, front.span.span_id,
        "across the hop"
    );
    assert_eq!(lookup.span.parent_span_id, request.span.span_id);
    assert_eq!(front.span.kind, 3, "otel.kind = client");
    assert_eq!(request.span.kind, 2, "the request span is a server span");

    // sku 0: the back's Err is an ERROR with its message, and so is the front's.
    let [failed] = find("back", "::lookup_price", 0)[..] else {
        panic!("one lookup_price span for sku 0")
    };
    let status = failed.span.status.clone().unwrap_or_default();
    assert_eq!(status.code, 2, "status ERROR");
    assert_eq!(status.message, "no such sku");
    let [front_failed] = find("front", "::front_price", 0)[..] else {
        panic!("one front_price span for sku 0")
    };
    assert_eq!(front_failed.span.status.clone().unwrap_or_default().code, 2);
    assert_eq!(failed.span.trace_id, front_failed.span.trace_id);

    // sku 9: the front's root was sampled out: no span anywhere.
    assert!(
        store
            .iter()
            .all(|r| int(&r.span.attributes, "sku") != Some(9) && r.span.name != "GET /price/9"),
        "a sampled-out root makes no span in either service"
    );
}

fn value<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a any_value::Value> {
    attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref())
        .and_then(|AnyValue { value }| value.as_ref())
}

fn text<'a>(attributes: &'a [KeyValue], key: &str) -> Option<&'a str> {
    match value(attributes, key)? {
        any_value::Value::StringValue(text) => Some(text),
        _ => None,
    }
}

/// An integer attribute; `tracing-opentelemetry` sends an unsigned one
/// (the `u32` argument) as text.
fn int(attributes: &[KeyValue], key: &str) -> Option<i64> {
    match value(attributes, key)? {
        any_value::Value::IntValue(n) => Some(*n),
        any_value::Value::StringValue(text) => text.parse().ok(),
        _ => None,
    }
}

/// A service, when this binary runs as one; nothing otherwise.
#[test]
fn child() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let collector = std::env::var(COLLECTOR).unwrap();
    let guard = otel::init_with(
        OtelConfig::new(role.clone())
            .endpoint(&collector)
            .resource_attribute("deployment.environment", "test")
            .scheduled_delay(Duration::from_millis(50))
            .fmt(false),
    )
    .expect("init");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    match role.as_str() {
        "back" => runtime.block_on(back()),
        _ => runtime.block_on(front(std::env::var(BACK_PORT).unwrap())),
    }
    drop(runtime);
    drop(guard);
}

async fn back() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("PORT {}", listener.local_addr().unwrap().port());
    std::io::stdout().flush().unwrap();
    let app = Router::new()
        .route("/price/{sku}", get(price))
        .layer(PropagationLayer::new());
    let stop = async {
        let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
        .unwrap();
}

async fn price(Path(sku): Path<u32>) -> Result<String, StatusCode> {
    lookup_price(sku)
        .await
        .map(|price| price.to_string())
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

#[trace_operation(include_args)]
async fn lookup_price(sku: u32) -> Result<u32, String> {
    tokio::task::yield_now().await;
    if sku == 0 {
        Err("no such sku".to_owned())
    } else {
        Ok(sku * 10)
    }
}

async fn front(port: String) {
    let client = reqwest::Client::new();
    assert_eq!(front_price(&client, &port, 7).await, Ok(70));
    assert!(front_price(&client, &port, 0).await.is_err());
    assert_eq!(quiet_price(&client, &port, 9).await, Ok(90));
}

#[trace_operation(include_args, skip(client, port), fields(otel.kind = "client"))]
async fn front_price(client: &reqwest::Client, port: &str, sku: u32) -> Result<u32, String> {
    call(client, port, sku).await
}

#[trace_operation(sample_rate = 0.0, include_args, skip(client, port))]
async fn quiet_price(client: &reqwest::Client, port: &str, sku: u32) -> Result<u32, String> {
    call(client, port, sku).await
}

/// The back's price, with the current trace context in the headers.
async fn call(client: &reqwest::Client, port: &str, sku: u32) -> Result<u32, String> {
    let mut headers = http::HeaderMap::new();
    otel::inject(&mut headers);
    let response = client
        .get(format!("http://127.0.0.1:{port}/price/{sku}"))
        .headers(headers)
        .send()
        .await
        .map_err(|error| error.to_string())?;
    if !response.status().is_success() {
        return Err(format!("back answered {}", response.status()));
    }
    let body = response.text().await.map_err(|error| error.to_string())?;
    body.parse().map_err(|_| format!("not a price: {body}"))
}
