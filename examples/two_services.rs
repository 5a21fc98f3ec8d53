//! Two services, one trace: a `front` that calls a `back` over loopback
//! HTTP, each with `#[trace_operation]` on its functions, each exporting
//! its spans over OTLP to `OTEL_EXPORTER_OTLP_ENDPOINT`
//! (`http://localhost:4318` when unset). The front sends the W3C
//! `traceparent` with `opguard::otel::inject`; the back's
//! `PropagationLayer` continues the trace. One front request in two is
//! sampled out (`sample_rate = 0.5`), and then the back leaves its part out
//! too.
//!
//! ```text
//! docker run --rm -p 16686:16686 -p 4318:4318 jaegertracing/jaeger:latest
//! cargo run --example two_services --features otel,axum
//! ```
//!
//! then open <http://localhost:16686> and pick the service `front`. The
//! back service is this program run again (`two_services back`), as a
//! service has a process of its own. It makes `OPGUARD_EXAMPLE_REQUESTS`
//! requests (6 by default) and exits; without a collector the spans are
//! dropped (counted by `OtelGuard::dropped_spans`) and the program still
//! ends.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::get;
use opentelemetry::trace::TraceContextExt as _;
use opguard::otel::{self, OtelConfig, PropagationLayer};
use opguard::trace_operation;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let back = std::env::args().nth(1).as_deref() == Some("back");
    let name = if back { "back" } else { "front" };
    // The standard variables, with this service's name unless one is set.
    let mut config = OtelConfig::from_env()?;
    if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
        config = config.service_name(name);
    }
    let guard = otel::init_with(config.resource_attribute("deployment.environment", "example"))?;
    if back {
        serve_back().await?;
    } else {
        run_front().await?;
    }
    drop(guard); // exports what is queued, 5 s at most
    Ok(())
}

/// The back service: prices, on a loopback port it prints; stops when its
/// standard input closes.
async fn serve_back() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("PORT {}", listener.local_addr()?.port());
    std::io::stdout().flush()?;
    let app = Router::new()
        .route("/price/{sku}", get(price))
        .layer(PropagationLayer::new());
    let stop = async {
        let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_to_end(&mut Vec::new())).await;
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}

async fn price(Path(sku): Path<u32>) -> Result<String, StatusCode> {
    lookup_price(sku)
        .await
        .map(|cents| cents.to_string())
        .map_err(|_| StatusCode::NOT_FOUND)
}

#[trace_operation(include_args)]
async fn lookup_price(sku: u32) -> Result<u32, String> {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    if sku.is_multiple_of(3) {
        Err(format!("no price for sku {sku}"))
    } else {
        Ok(sku * 100)
    }
}

/// The front: starts the back, asks it for prices, stops it.
async fn run_front() -> Result<(), Box<dyn std::error::Error>> {
    let mut back = Command::new(std::env::current_exe()?)
        .arg("back")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut lines = BufReader::new(back.stdout.take().ok_or("no stdout")?).lines();
    let port = loop {
        let line = lines.next().ok_or("the back service exited")??;
        if let Some(port) = line.strip_prefix("PORT ") {
            break port.trim().to_owned();
        }
    };
    // What the back service logs, shown as it comes.
    std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .for_each(|l| println!("back: {l}"))
    });
    let requests: u32 = std::env::var("OPGUARD_EXAMPLE_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6);
    let client = reqwest::Client::new();
    for sku in 1..=requests {
        let answer = quote(&client, &port, sku).await;
        println!("front: sku {sku}: {answer:?}");
    }
    drop(back.stdin.take()); // the back service stops
    back.wait()?;
    Ok(())
}

/// One request, in a trace of its own (printed) or sampled out.
#[trace_operation(include_args, skip(client, port), sample_rate = 0.5, fields(otel.kind = "client"))]
async fn quote(client: &reqwest::Client, port: &str, sku: u32) -> Result<u32, String> {
    let span = otel::current().span().span_context().clone();
    if span.is_sampled() {
        println!("front: sku {sku}: trace {}", span.trace_id());
    } else {
        println!("front: sku {sku}: sampled out");
    }
    fetch(client, port, sku).await
}

async fn fetch(client: &reqwest::Client, port: &str, sku: u32) -> Result<u32, String> {
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
