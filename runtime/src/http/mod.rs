//! HTTP routes for probes, scrapes and operators (feature `axum`): axum
//! `Router`s to mount in the service's own router. opguard never binds a
//! port.
//!
//! ```
//! let app: axum::Router = axum::Router::new()
//!     .merge(opguard_runtime::http::routes())
//!     .nest("/admin", {
//!         use opguard_runtime::http::BearerToken as _;
//!         opguard_runtime::http::admin_routes().bearer_token("s3cret")
//!     });
//! ```
//!
//! | route | answers |
//! |---|---|
//! | `GET /health` | [`health::run`] as JSON; 503 when `unhealthy`, else 200 |
//! | `GET /health/live` | `{"status":"alive"}`, 200; runs no check |
//! | `GET /health/ready` | [`health::readiness`]; 503 when a critical check fails |
//! | `GET /metrics` | [`export::prometheus`], `text/plain; version=0.0.4; charset=utf-8` |
//! | `GET /metrics/json` | [`export::json`] |
//!
//! The admin routes act on breakers, so mount them behind authentication:
//! [`BearerToken::bearer_token`] answers 401 to a request without the token.
//!
//! | admin route | does |
//! |---|---|
//! | `GET /circuits` | every breaker's snapshot |
//! | `POST /circuits/{name}/open` | [`force_open`](crate::breaker::Breaker::force_open) |
//! | `POST /circuits/{name}/close` | [`force_close`](crate::breaker::Breaker::force_close) |
//! | `POST /circuits/{name}/reset` | [`reset`](crate::breaker::Breaker::reset) |
//! | `GET /dashboard` | one self-contained HTML page (no request leaves the service) showing each breaker, timer, cache and rate limiter, refreshed every 2 s from `GET /dashboard/data` (the JSON export) |
//!
//! A breaker action answers the breaker's snapshot after it, 404 for an
//! unknown name, 405 for another method. Every route works under any
//! `nest` prefix.

use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::{breaker, export, health};

/// The content type of the Prometheus text format.
pub const PROMETHEUS_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

fn json_response(status: u16, body: &impl serde::Serialize) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response(),
        Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    }
}

/// `/health`, `/health/live`, `/health/ready`, `/metrics` and
/// `/metrics/json`, for any router state.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/health",
            get(|| async {
                let report = health::run().await;
                json_response(report.http_status(), &report)
            }),
        )
        .route(
            "/health/live",
            get(|| async { json_response(200, &health::liveness()) }),
        )
        .route(
            "/health/ready",
            get(|| async {
                let ready = health::readiness().await;
                json_response(ready.http_status(), &ready)
            }),
        )
        .route(
            "/metrics",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE)],
                    export::prometheus(),
                )
            }),
        )
        .route(
            "/metrics/json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], export::json()) }),
        )
}

/// `/circuits`, `/circuits/{name}/open|close|reset` and `/dashboard`, for
/// any router state. Unauthenticated: add [`BearerToken::bearer_token`] or the
/// service's own authentication layer.
pub fn admin_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    async fn act(name: String, action: fn(&breaker::Breaker)) -> Response {
        match breaker::get(&name) {
            Some(found) => {
                action(&found);
                json_response(200, &found.snapshot())
            }
            None => json_response(
                404,
                &serde_json::json!({ "error": format!("no circuit breaker named `{name}`") }),
            ),
        }
    }
    Router::new()
        .route(
            "/circuits",
            get(|| async { json_response(200, &breaker::all()) }),
        )
        .route(
            "/dashboard",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    include_str!("dashboard.html"),
                )
            }),
        )
        .route(
            "/dashboard/data",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], export::json()) }),
        )
        .route(
            "/circuits/{name}/open",
            post(|Path(name): Path<String>| act(name, breaker::Breaker::force_open)),
        )
        .route(
            "/circuits/{name}/close",
            post(|Path(name): Path<String>| act(name, breaker::Breaker::force_close)),
        )
        .route(
            "/circuits/{name}/reset",
            post(|Path(name): Path<String>| act(name, breaker::Breaker::reset)),
        )
}

/// Requires `Authorization: Bearer <token>` on every route of a router:
/// 401 with `WWW-Authenticate: Bearer` otherwise.
pub trait BearerToken {
    /// The router, answering only requests that carry `token`.
    fn bearer_token(self, token: impl Into<String>) -> Self;
}

impl<S: Clone + Send + Sync + 'static> BearerToken for Router<S> {
    fn bearer_token(self, token: impl Into<String>) -> Self {
        let expected = format!("Bearer {}", token.into());
        self.route_layer(middleware::from_fn(move |request: Request, next: Next| {
            let authorised = request
                .headers()
                .get(header::AUTHORIZATION)
                .is_some_and(|given| constant_time_eq(given.as_bytes(), expected.as_bytes()));
            async move {
                if authorised {
                    next.run(request).await
                } else {
                    (
                        StatusCode::UNAUTHORIZED,
                        [(header::WWW_AUTHENTICATE, "Bearer")],
                        "a bearer token is required",
                    )
                        .into_response()
                }
            }
        }))
    }
}

/// Compares without stopping at the first difference, so the time taken
/// does not tell how much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}
