//! The HTTP routes served for real on a loopback port and asked by a real
//! HTTP client: paths, status codes, content types, JSON shapes, the bearer
//! token, a nest prefix, a hanging check and 50 concurrent probes.
//! (One test: the registries are process-wide.)
#![cfg(feature = "axum")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use opguard_runtime::breaker::Breaker;
use opguard_runtime::health;
use opguard_runtime::http::{self, BearerToken as _};
use serde_json::Value;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

async fn json(response: reqwest::Response) -> Value {
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "{}",
        response.url()
    );
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_as_documented() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    health::register("database", move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, std::io::Error>(()) }
    });
    let payments = Breaker::builder("http.payments").build();
    payments
        .call_sync(|| Ok::<_, opguard_runtime::GuardError>(()))
        .unwrap();

    let app = Router::new()
        .nest("/ops", http::routes())
        .nest("/ops/admin", http::admin_routes().bearer_token("s3cret"));
    let base = format!("{}/ops", serve(app).await);
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{base}{path}")).send();

    // Liveness runs no check.
    let live = get("/health/live").await.unwrap();
    assert_eq!(live.status(), 200);
    assert_eq!(json(live).await, serde_json::json!({"status": "alive"}));
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    // 50 concurrent probes: one run of the check.
    let probes: Vec<_> = (0..50).map(|_| get("/health")).collect();
    for probe in futures_join(probes).await {
        let probe = probe.unwrap();
        assert_eq!(probe.status(), 200);
        let body = json(probe).await;
        assert_eq!(body["status"], "healthy", "{body}");
        assert_eq!(body["checks"]["database"]["status"], "healthy");
        assert_eq!(body["checks"]["database"]["critical"], true);
        assert!(body["checks"]["database"]["response_time_ms"].is_number());
        assert_eq!(body["checks"]["memory"]["critical"], false);
        assert_eq!(body["breakers"]["http.payments"]["state"], "closed");
        assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(body["uptime_seconds"].is_number());
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    let ready = get("/health/ready").await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(json(ready).await["status"], "ready");

    let metrics = get("/metrics").await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert_eq!(
        metrics.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(
            r#"opguard_breaker_calls_total{breaker="http.payments",outcome="success"} 1"#
        ),
        "{text}"
    );
    let metrics_json = json(get("/metrics/json").await.unwrap()).await;
    assert!(
        metrics_json["breakers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["name"] == "http.payments")
    );

    // Admin: the token, then the actions.
    let anonymous = get("/admin/circuits").await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let wrong = client
        .get(format!("{base}/admin/circuits"))
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let admin = |method: reqwest::Method, path: &str| {
        client
            .request(method, format!("{base}/admin{path}"))
            .bearer_auth("s3cret")
            .send()
    };
    let circuits = json(admin(reqwest::Method::GET, "/circuits").await.unwrap()).await;
    assert!(
        circuits
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["name"] == "http.payments")
    );

    let opened = admin(reqwest::Method::POST, "/circuits/http.payments/open")
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    assert_eq!(json(opened).await["state"], "forced_open");
    assert!(
        payments
            .call_sync(|| Ok::<_, opguard_runtime::GuardError>(()))
            .is_err(),
        "the breaker itself is open"
    );
    // An open breaker makes the service unhealthy at once: 503 (breakers
    // are read on every request; only the checks' results are reused).
    let unhealthy = get("/health").await.unwrap();
    assert_eq!(unhealthy.status(), 503);
    assert_eq!(json(unhealthy).await["status"], "unhealthy");

    let closed = admin(reqwest::Method::POST, "/circuits/http.payments/close")
        .await
        .unwrap();
    assert_ne!(json(closed).await["state"], "forced_open");
    payments
        .call_sync(|| Ok::<_, opguard_runtime::GuardError>(()))
        .unwrap();
    let reset = admin(reqwest::Method::POST, "/circuits/http.payments/reset")
        .await
        .unwrap();
    assert_eq!(json(reset).await["state"], "closed");

    let unknown = admin(reqwest::Method::POST, "/circuits/nope/open")
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert!(
        json(unknown).await["error"]
            .as_str()
            .unwrap()
            .contains("nope")
    );
    // The dashboard: one page, and the data it polls, under the same prefix.
    let page = admin(reqwest::Method::GET, "/dashboard").await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("fetch(\"dashboard/data\"")
            && !html.contains("http://")
            && !html.contains("https://")
    );
    let data = json(
        admin(reqwest::Method::GET, "/dashboard/data")
            .await
            .unwrap(),
    )
    .await;
    assert!(
        data["breakers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["name"] == "http.payments")
    );
    assert!(
        get("/admin/dashboard").await.unwrap().status() == 401,
        "behind the token too"
    );

    let wrong_method = admin(reqwest::Method::GET, "/circuits/http.payments/open")
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);

    // A check that hangs: the endpoint answers at its deadline, not later.
    health::register("hangs", std::future::pending::<Result<(), std::io::Error>>)
        .timeout("300ms")
        .critical(false);
    let start = Instant::now();
    let degraded = get("/health").await.unwrap();
    let took = start.elapsed();
    assert!(took < Duration::from_secs(2), "{took:?}");
    assert_eq!(degraded.status(), 200);
    let body = json(degraded).await;
    assert_eq!(body["status"], "degraded", "{body}");
    assert_eq!(body["checks"]["hangs"]["error"], "timed out after 300ms");
}

/// Runs the requests concurrently.
async fn futures_join<F: std::future::Future + Send + 'static>(futures: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send,
{
    let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for task in tasks {
        outputs.push(task.await.unwrap());
    }
    outputs
}
