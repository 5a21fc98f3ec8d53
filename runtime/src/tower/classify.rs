//! What counts as a failure, and what a rejected call answers.

use std::fmt::Display;

use crate::GuardError;

/// Says whether a finished call failed, and why (the text the breaker
/// records).
pub trait Classifier<Resp, E> {
    /// `Some(reason)` when `result` is a failure.
    fn failure(&self, result: &Result<Resp, E>) -> Option<String>;
}

/// The default: every `Service::Error` is a failure, every response a
/// success.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorIsFailure;

impl<Resp, E: Display> Classifier<Resp, E> for ErrorIsFailure {
    fn failure(&self, result: &Result<Resp, E>) -> Option<String> {
        result.as_ref().err().map(ToString::to_string)
    }
}

/// Any function of the result.
impl<F, Resp, E> Classifier<Resp, E> for F
where
    F: Fn(&Result<Resp, E>) -> Option<String>,
{
    fn failure(&self, result: &Result<Resp, E>) -> Option<String> {
        self(result)
    }
}

/// For HTTP services: a 5xx response, or an error, is a failure.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerErrors;

impl<B, E: Display> Classifier<http::Response<B>, E> for ServerErrors {
    fn failure(&self, result: &Result<http::Response<B>, E>) -> Option<String> {
        match result {
            Ok(response) if response.status().is_server_error() => {
                Some(format!("HTTP {}", response.status()))
            }
            Ok(_) => None,
            Err(error) => Some(error.to_string()),
        }
    }
}

/// What a call the guard refuses (an open breaker, a rate limit, a timeout)
/// answers instead of the inner service's response.
pub trait Reject<Resp, E> {
    /// The answer to a refused call.
    fn reject(&self, error: GuardError) -> Result<Resp, E>;
}

/// The default: `Err(error.into())`, for services whose error type is
/// `From<GuardError>` (`tower::BoxError`, `anyhow::Error` …).
#[derive(Debug, Clone, Copy, Default)]
pub struct IntoError;

impl<Resp, E: From<GuardError>> Reject<Resp, E> for IntoError {
    fn reject(&self, error: GuardError) -> Result<Resp, E> {
        Err(error.into())
    }
}

/// For HTTP services (an axum `Router` needs an infallible service): an
/// open breaker or a timeout answers `503 Service Unavailable`, a rate
/// limit `429 Too Many Requests`, with `Retry-After` in whole seconds when
/// known and the reason as the body.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpStatus;

impl<B: From<String>, E> Reject<http::Response<B>, E> for HttpStatus {
    fn reject(&self, error: GuardError) -> Result<http::Response<B>, E> {
        let (status, retry_after) = match &error {
            GuardError::CircuitOpen { retry_after, .. } => {
                (http::StatusCode::SERVICE_UNAVAILABLE, Some(*retry_after))
            }
            GuardError::RateLimited { retry_after, .. } => {
                (http::StatusCode::TOO_MANY_REQUESTS, Some(*retry_after))
            }
            GuardError::Timeout { .. } => (http::StatusCode::SERVICE_UNAVAILABLE, None),
        };
        let mut response = http::Response::new(B::from(error.to_string()));
        *response.status_mut() = status;
        if let Some(after) = retry_after {
            // Whole seconds, rounded up: never earlier than the guard said.
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        Ok(response)
    }
}
