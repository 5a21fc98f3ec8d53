//! [`CircuitBreakerLayer`]: a breaker in front of a `tower` service.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tower_layer::Layer;
use tower_service::Service;

use super::classify::{Classifier, ErrorIsFailure, HttpStatus, IntoError, Reject, ServerErrors};
use super::oneshot::{MaybeLimited, Oneshot};
use crate::GuardError;
use crate::breaker::{Breaker, BreakerConfig, OwnedPermit};
use crate::duration::IntoDuration;
use crate::timeout::Timeout;

/// A circuit breaker for a `tower` service, registered under its name like
/// `#[circuit_breaker(name = ..)]` (the same snapshots, exports, health and
/// admin routes; an attribute of that name shares it).
///
/// One builder method per attribute option that applies to a service, named
/// like it; durations take a [`Duration`] or the attribute's string. The
/// breaker decides in `call`, not `poll_ready`: `poll_ready` is always
/// ready, and an admitted call drives a clone of the inner service to
/// readiness inside its response future, so a rejected call never polls the
/// inner service at all. Retries and fallbacks belong to other layers
/// (`tower::retry`, a `Router` fallback).
///
/// ```
/// use opguard_runtime::tower::CircuitBreakerLayer;
///
/// let layer = CircuitBreakerLayer::new("docs.payments")
///     .failure_threshold(5)
///     .recovery_timeout("30s")
///     .timeout("2s");
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct CircuitBreakerLayer<C = ErrorIsFailure, R = IntoError> {
    name: String,
    config: BreakerConfig,
    slow_call_duration: Option<Duration>,
    slow_call_rate: Option<f64>,
    breaker: OnceLock<Breaker>,
    classifier: C,
    reject: R,
}

impl CircuitBreakerLayer {
    /// The layer of the breaker named `name`, with the attribute's defaults.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            config: BreakerConfig::DEFAULT,
            slow_call_duration: None,
            slow_call_rate: None,
            breaker: OnceLock::new(),
            classifier: ErrorIsFailure,
            reject: IntoError,
        }
    }
}

macro_rules! options {
    ($($(#[$doc:meta])* $option:ident: $ty:ty => |$config:ident, $value:ident| $apply:expr;)*) => {
        $(
            $(#[$doc])*
            pub fn $option(mut self, $value: $ty) -> Self {
                let $config = &mut self.config;
                $apply;
                self
            }
        )*
    };
}

impl<C, R> CircuitBreakerLayer<C, R> {
    options! {
        /// Open after this many failures within `window`.
        failure_threshold: u32 => |c, n| c.failure_threshold = n;
        /// Also open at this failure share of the calls in `window`.
        failure_rate: f64 => |c, rate| c.failure_rate = Some(rate);
        /// Calls in `window` before rate triggers apply.
        minimum_calls: u32 => |c, n| c.minimum_calls = n;
        /// Also open after this many failures in a row.
        consecutive_failures: u32 => |c, n| c.consecutive_failures = Some(n);
        /// Probes allowed at once while half-open.
        half_open_max_calls: u32 => |c, n| c.half_open_max_calls = n;
        /// Probe successes that close it.
        success_threshold: u32 => |c, n| c.success_threshold = n;
    }

    /// The rolling window failures are counted in.
    pub fn window(mut self, window: impl IntoDuration) -> Self {
        self.config.window = window.into_duration();
        self
    }

    /// Time open before a probe is let through.
    pub fn recovery_timeout(mut self, timeout: impl IntoDuration) -> Self {
        self.config.recovery_timeout = timeout.into_duration();
        self
    }

    /// The longest it stays half-open with every probe slot taken.
    pub fn half_open_max_duration(mut self, duration: impl IntoDuration) -> Self {
        self.config.half_open_max_duration = duration.into_duration();
        self
    }

    /// A call slower than this is slow (with `slow_call_rate`).
    pub fn slow_call_duration(mut self, duration: impl IntoDuration) -> Self {
        self.slow_call_duration = Some(duration.into_duration());
        self
    }

    /// Also open at this share of slow calls in `window`.
    pub fn slow_call_rate(mut self, rate: f64) -> Self {
        self.slow_call_rate = Some(rate);
        self
    }

    /// A call taking longer is abandoned (the inner future dropped) and
    /// counts as a failure; the caller gets `GuardError::Timeout`.
    pub fn timeout(mut self, timeout: impl IntoDuration) -> Self {
        self.config.timeout = Some(timeout.into_duration());
        self
    }

    /// What counts as a failure (default: every `Service::Error`).
    pub fn failure_if<C2>(self, classifier: C2) -> CircuitBreakerLayer<C2, R> {
        self.with(|_, reject| (classifier, reject))
    }

    /// What a rejected call answers (default: `Err(GuardError.into())`).
    pub fn reject_with<R2>(self, reject: R2) -> CircuitBreakerLayer<C, R2> {
        self.with(|classifier, _| (classifier, reject))
    }

    /// The same layer with its classifier and rejection replaced.
    fn with<C2, R2>(self, replace: impl FnOnce(C, R) -> (C2, R2)) -> CircuitBreakerLayer<C2, R2> {
        let (classifier, reject) = replace(self.classifier, self.reject);
        CircuitBreakerLayer {
            name: self.name,
            config: self.config,
            slow_call_duration: self.slow_call_duration,
            slow_call_rate: self.slow_call_rate,
            breaker: self.breaker,
            classifier,
            reject,
        }
    }

    /// For HTTP services: 5xx responses are failures, and a rejected call
    /// answers 503 with `Retry-After`.
    pub fn http(self) -> CircuitBreakerLayer<ServerErrors, HttpStatus> {
        self.failure_if(ServerErrors).reject_with(HttpStatus)
    }

    /// The breaker, built and registered on first use (a name already
    /// registered is that breaker).
    pub fn breaker(&self) -> &Breaker {
        self.breaker.get_or_init(|| {
            let mut config = self.config;
            if let Some(duration) = self.slow_call_duration {
                config.slow_call = Some((duration, self.slow_call_rate.unwrap_or(1.0)));
            }
            Breaker::builder(self.name.clone()).config(config).build()
        })
    }
}

impl<S, C: Clone, R: Clone> Layer<S> for CircuitBreakerLayer<C, R> {
    type Service = CircuitBreaker<S, C, R>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreaker {
            inner,
            breaker: self.breaker().clone(),
            classifier: self.classifier.clone(),
            reject: self.reject.clone(),
        }
    }
}

/// The service [`CircuitBreakerLayer`] makes.
#[derive(Debug, Clone)]
pub struct CircuitBreaker<S, C = ErrorIsFailure, R = IntoError> {
    inner: S,
    breaker: Breaker,
    classifier: C,
    reject: R,
}

impl<S, Req, C, R> Service<Req> for CircuitBreaker<S, C, R>
where
    S: Service<Req> + Clone,
    C: Classifier<S::Response, S::Error> + Clone,
    R: Reject<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S, Req, C, R>;

    /// Always ready: readiness of the inner service is awaited by admitted
    /// calls only.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let state = match self.breaker.acquire_owned() {
            // A clone serves the call (made ready in the future); `self`
            // keeps one that was never polled, as tower's contract asks.
            Ok(permit) => State::Admitted {
                call: MaybeLimited::new(
                    Oneshot::new(self.inner.clone(), request),
                    self.breaker.config().timeout.map(Timeout::new),
                ),
                permit: Some(permit),
            },
            Err(rejected) => State::Rejected {
                error: Some(rejected),
            },
        };
        ResponseFuture {
            state,
            classifier: self.classifier.clone(),
            reject: self.reject.clone(),
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`CircuitBreaker`]: `'static` when the
    /// service and request are (it holds an owned permit).
    pub struct ResponseFuture<S: Service<Req>, Req, C, R> {
        #[pin]
        state: State<S, Req>,
        classifier: C,
        reject: R,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<S: Service<Req>, Req> {
        Rejected { error: Option<GuardError> },
        Admitted { #[pin] call: MaybeLimited<Oneshot<S, Req>>, permit: Option<OwnedPermit> },
    }
}

impl<S: Service<Req>, Req, C, R> std::fmt::Debug for ResponseFuture<S, Req, C, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<S, Req, C, R> Future for ResponseFuture<S, Req, C, R>
where
    S: Service<Req>,
    C: Classifier<S::Response, S::Error>,
    R: Reject<S::Response, S::Error>,
{
    type Output = Result<S::Response, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        match this.state.project() {
            StateProj::Rejected { error } => {
                let error = error.take().expect("polled after completion");
                Poll::Ready(this.reject.reject(error))
            }
            StateProj::Admitted { call, permit } => {
                let outcome = ready!(call.poll(cx));
                let permit = permit.take().expect("polled after completion");
                Poll::Ready(match outcome {
                    Ok(result) => {
                        match this.classifier.failure(&result) {
                            Some(reason) => permit.failure(reason),
                            None => permit.success(),
                        }
                        result
                    }
                    Err(after) => this.reject.reject(permit.timed_out(after)),
                })
            }
        }
    }
}
