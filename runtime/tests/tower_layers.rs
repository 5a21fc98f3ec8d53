//! The tower layers: inside a real axum `Router` served over loopback, and
//! around a counting service that shows what they poll and call.
#![cfg(all(feature = "tower", feature = "axum"))]

use std::future::{Ready, ready};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use opguard_runtime::GuardError;
use opguard_runtime::rate_limit::Rate;
use opguard_runtime::tower::{CircuitBreakerLayer, MonitorLayer, RateLimitLayer};
use tower_layer::Layer;
use tower_service::Service;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_upstream_opens_the_breaker_and_later_calls_get_503_without_reaching_it() {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    let app = Router::new()
        .route(
            "/charge",
            get(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { (StatusCode::BAD_GATEWAY, "gateway down") }
            }),
        )
        .layer(
            CircuitBreakerLayer::new("tower.charge")
                .failure_threshold(3)
                .recovery_timeout("30s")
                .http(),
        )
        .layer(MonitorLayer::new("tower.charge").http());
    let base = serve(app).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let response = client.get(format!("{base}/charge")).send().await.unwrap();
        assert_eq!(response.status(), 502);
    }
    for _ in 0..5 {
        let response = client.get(format!("{base}/charge")).send().await.unwrap();
        assert_eq!(response.status(), 503);
        let retry_after: u64 = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((29..=30).contains(&retry_after), "{retry_after}");
        assert!(response.text().await.unwrap().contains("tower.charge"));
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        3,
        "rejected calls never reached the handler"
    );
    let breaker = opguard_runtime::breaker::get("tower.charge")
        .unwrap()
        .snapshot();
    assert_eq!((breaker.failures, breaker.rejected), (3, 5));
    let timer = opguard_runtime::monitor::get("tower.charge")
        .unwrap()
        .snapshot();
    assert_eq!(
        (timer.calls, timer.errors),
        (8, 8),
        "5xx and 503 both count as errors"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_route_answers_429_with_retry_after() {
    let app = Router::new()
        .route("/search", get(|| async { "hits" }))
        .layer(
            RateLimitLayer::new("tower.search", Rate::per_minute(2))
                .build()
                .unwrap()
                .http(),
        );
    let base = serve(app).await;
    let client = reqwest::Client::new();
    for _ in 0..2 {
        let response = client.get(format!("{base}/search")).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let refused = client.get(format!("{base}/search")).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "30");
    let limiter = opguard_runtime::rate_limit::get("tower.search")
        .unwrap()
        .snapshot();
    assert_eq!((limiter.allowed, limiter.limited), (2, 1));
}

/// Counts `poll_ready` and `call`; answers `Ok` at once.
#[derive(Clone, Default)]
struct Counting {
    polled: Arc<AtomicUsize>,
    called: Arc<AtomicUsize>,
}

impl Service<u32> for Counting {
    type Response = u32;
    type Error = GuardError;
    type Future = Ready<Result<u32, GuardError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), GuardError>> {
        self.polled.fetch_add(1, Ordering::SeqCst);
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: u32) -> Self::Future {
        self.called.fetch_add(1, Ordering::SeqCst);
        ready(Ok(request))
    }
}

async fn call<S: Service<u32>>(service: &mut S, request: u32) -> Result<S::Response, S::Error> {
    std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
    service.call(request).await
}

#[tokio::test(flavor = "current_thread")]
async fn a_rejected_call_never_polls_the_inner_service() {
    let inner = Counting::default();
    let layer = CircuitBreakerLayer::new("tower.counting");
    let mut service = layer.layer(inner.clone());
    assert_eq!(call(&mut service, 7).await, Ok(7));
    assert_eq!(
        (
            inner.polled.load(Ordering::SeqCst),
            inner.called.load(Ordering::SeqCst)
        ),
        (1, 1)
    );
    layer.breaker().force_open();
    for _ in 0..3 {
        let rejected = call(&mut service, 7).await;
        assert!(
            matches!(rejected, Err(GuardError::CircuitOpen { .. })),
            "{rejected:?}"
        );
    }
    assert_eq!(
        (
            inner.polled.load(Ordering::SeqCst),
            inner.called.load(Ordering::SeqCst)
        ),
        (1, 1),
        "neither polled nor called while open"
    );
}

/// Never answers.
#[derive(Clone)]
struct Hangs;

impl Service<u32> for Hangs {
    type Response = u32;
    type Error = GuardError;
    type Future = std::future::Pending<Result<u32, GuardError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), GuardError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: u32) -> Self::Future {
        std::future::pending()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn timeouts_fail_and_dropped_calls_cancel_in_static_futures() {
    tokio::time::pause();
    let layer = CircuitBreakerLayer::new("tower.hangs").timeout("50ms");
    let timer = MonitorLayer::new("tower.hangs");
    let mut service = timer.layer(layer.layer(Hangs));
    // The response future is 'static: it runs in a spawned task.
    let future = service.call(1);
    let timed_out = tokio::spawn(future).await.unwrap();
    assert!(
        matches!(timed_out, Err(GuardError::Timeout { after, .. }) if after == Duration::from_millis(50))
    );
    let snapshot = layer.breaker().snapshot();
    assert_eq!((snapshot.failures, snapshot.timeouts), (1, 1));

    // Dropped before it finishes: cancelled, neither success nor failure.
    let dropped = tokio::time::timeout(Duration::from_millis(10), service.call(2)).await;
    assert!(dropped.is_err());
    let snapshot = layer.breaker().snapshot();
    assert_eq!((snapshot.failures, snapshot.cancelled), (1, 1));
    let timer = timer.timer().snapshot();
    assert_eq!((timer.errors, timer.cancelled), (1, 1));
}

#[test]
fn layers_share_the_registry_with_attributes_of_their_name() {
    let layer = CircuitBreakerLayer::new("tower.shared").failure_threshold(9);
    let registered = opguard_runtime::breaker::Breaker::builder("tower.shared").build();
    assert_eq!(layer.breaker().name(), registered.name());
    layer.breaker().force_open();
    assert_eq!(
        registered.state(),
        opguard_runtime::breaker::BreakerState::ForcedOpen
    );
}
