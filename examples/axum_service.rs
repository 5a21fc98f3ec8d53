//! A small HTTP service the way a team would wire opguard into it: the four
//! attributes on its functions, the health, metrics and admin routes
//! mounted, a `database` health check, and a circuit-breaker layer in front
//! of its outbound client to a flaky prices API (served by the same process
//! on a second port, failing one call in three).
//!
//! ```text
//! cargo run --example axum_service --features axum,tower
//! ```
//!
//! It prints where to point a browser, `curl` and Prometheus, and serves
//! until Ctrl-C (or for `OPGUARD_EXAMPLE_SECONDS` seconds, then exits).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use opguard::http::BearerToken as _;
use opguard::tower::CircuitBreakerLayer;
use opguard::{GuardError, cacheable, circuit_breaker, monitor_performance, trace_operation};
use tower_layer::Layer;
use tower_service::Service;

#[derive(Debug)]
enum AppError {
    Upstream(String),
    Guard(GuardError),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Upstream(why) => write!(f, "prices API: {why}"),
            AppError::Guard(error) => error.fmt(f),
        }
    }
}

impl From<GuardError> for AppError {
    fn from(error: GuardError) -> Self {
        AppError::Guard(error)
    }
}

/// The outbound client as a `tower` service: one GET to the prices API.
#[derive(Clone)]
struct PricesClient {
    http: reqwest::Client,
    base: String,
}

impl Service<u32> for PricesClient {
    type Response = u64;
    type Error = AppError;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<u64, AppError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), AppError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, sku: u32) -> Self::Future {
        let request = self.http.get(format!("{}/prices/{sku}", self.base));
        Box::pin(async move {
            let response = request
                .send()
                .await
                .map_err(|e| AppError::Upstream(e.to_string()))?;
            if !response.status().is_success() {
                return Err(AppError::Upstream(format!("HTTP {}", response.status())));
            }
            let text = response
                .text()
                .await
                .map_err(|e| AppError::Upstream(e.to_string()))?;
            text.parse()
                .map_err(|_| AppError::Upstream(format!("not a price: {text}")))
        })
    }
}

type Prices = opguard::tower::CircuitBreaker<PricesClient>;

#[derive(Clone)]
struct App {
    prices: Prices,
}

impl App {
    /// A cached, monitored, traced price lookup through the breaker layer.
    #[trace_operation(include_args)]
    #[monitor_performance(threshold = "100ms")]
    #[cacheable(ttl = "2s")]
    async fn price(&self, sku: u32) -> Result<u64, AppError> {
        let mut prices = self.prices.clone();
        prices.call(sku).await
    }
}

/// The database, behind its own breaker.
#[circuit_breaker(
    name = "database",
    failure_threshold = 3,
    recovery_timeout = "10s",
    timeout = "500ms"
)]
async fn load_stock(sku: u32) -> Result<u32, AppError> {
    tokio::time::sleep(Duration::from_millis(2)).await;
    Ok(sku % 17)
}

async fn quote(State(app): State<App>, Path(sku): Path<u32>) -> (StatusCode, String) {
    let (price, stock) = (app.price(sku).await, load_stock(sku).await);
    match (price, stock) {
        (Ok(price), Ok(stock)) => (
            StatusCode::OK,
            format!("sku {sku}: {price} cents, {stock} in stock\n"),
        ),
        (Err(AppError::Guard(error)), _) | (_, Err(AppError::Guard(error))) => {
            (StatusCode::SERVICE_UNAVAILABLE, format!("{error}\n"))
        }
        (Err(error), _) | (_, Err(error)) => (StatusCode::BAD_GATEWAY, format!("{error}\n")),
    }
}

/// The flaky prices API: every third call fails.
async fn prices_api(Path(sku): Path<u32>) -> (StatusCode, String) {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    if CALLS.fetch_add(1, Ordering::Relaxed) % 3 == 2 {
        (StatusCode::INTERNAL_SERVER_ERROR, "upstream hiccup".into())
    } else {
        (StatusCode::OK, (u64::from(sku) * 137 % 10_000).to_string())
    }
}

async fn listen(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serving") });
    format!("http://{address}")
}

#[tokio::main]
async fn main() {
    let upstream = listen(Router::new().route("/prices/{sku}", get(prices_api))).await;

    let client = PricesClient {
        http: reqwest::Client::new(),
        base: upstream,
    };
    let breaker = CircuitBreakerLayer::new("prices-api")
        .failure_threshold(5)
        .recovery_timeout("5s")
        .timeout("1s");
    let app = App {
        prices: breaker.layer(client),
    };

    let database_calls = Arc::new(AtomicU64::new(0));
    opguard::health::register("database", move || {
        database_calls.fetch_add(1, Ordering::Relaxed);
        async { Ok::<_, AppError>(()) }
    })
    .timeout("2s");

    let token = std::env::var("OPGUARD_ADMIN_TOKEN").unwrap_or_else(|_| "change-me".into());
    let router = Router::new()
        .route("/quote/{sku}", get(quote))
        .with_state(app)
        .merge(opguard::http::routes())
        .nest(
            "/admin",
            opguard::http::admin_routes().bearer_token(token.clone()),
        );
    let base = listen(router).await;

    println!("opguard example service on {base}");
    println!("  curl {base}/quote/42                (priced through the breaker layer, cached 2s)");
    println!("  curl {base}/health                  (checks and breakers; 503 when unhealthy)");
    println!("  curl {base}/health/live  {base}/health/ready");
    println!(
        "  curl {base}/metrics                 (point Prometheus here: targets: ['{}'])",
        base.trim_start_matches("http://")
    );
    println!("  curl -H 'Authorization: Bearer {token}' {base}/admin/circuits");
    println!(
        "  curl -X POST -H 'Authorization: Bearer {token}' {base}/admin/circuits/prices-api/open"
    );

    // Some traffic, so the figures are not empty.
    let http = reqwest::Client::new();
    for sku in 0..30 {
        if let Ok(response) = http.get(format!("{base}/quote/{}", sku % 7)).send().await {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            print!("  GET /quote/{} -> {status}: {body}", sku % 7);
        }
    }
    for breaker in opguard::breaker::all() {
        println!(
            "breaker {}: {} ({} failures, {} rejected)",
            breaker.name, breaker.state, breaker.failures, breaker.rejected
        );
    }

    match std::env::var("OPGUARD_EXAMPLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seconds) => tokio::time::sleep(Duration::from_secs(seconds)).await,
        None => {
            println!("serving until Ctrl-C");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
