//! [`RateLimitLayer`]: a rate limit in front of a `tower` service.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tower_layer::Layer;
use tower_service::Service;

use super::classify::{HttpStatus, IntoError, Reject};
use super::oneshot::Oneshot;
use crate::rate_limit::{Rate, RateLimitError, RateLimiter};

/// At most so many calls per period through a `tower` service, in the
/// limiter of its name (the same registry, exports and snapshots as
/// `#[rate_limit(name = ..)]`). A refused call never reaches the inner
/// service, which is not even polled for readiness: it answers
/// `GuardError::RateLimited` (default) or, with [`http`](Self::http),
/// `429 Too Many Requests` with `Retry-After`.
///
/// ```
/// use opguard_runtime::rate_limit::Rate;
/// use opguard_runtime::tower::RateLimitLayer;
///
/// let layer = RateLimitLayer::new("docs.partner", Rate::per_minute(100)).burst(20).build().unwrap();
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct RateLimitLayer<R = IntoError> {
    limiter: Arc<RateLimiter>,
    reject: R,
}

/// Settings of a [`RateLimitLayer`] before its limiter is built.
#[derive(Debug, Clone)]
pub struct RateLimitLayerBuilder {
    builder: crate::rate_limit::RateLimiterBuilder,
}

impl RateLimitLayer {
    /// A layer limiting to `rate`, under the limiter named `name`.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(name: impl Into<String>, rate: Rate) -> RateLimitLayerBuilder {
        RateLimitLayerBuilder {
            builder: RateLimiter::builder(name.into()).rate(rate),
        }
    }
}

impl RateLimitLayerBuilder {
    /// Calls allowed at once after an idle period (default: the rate's count).
    pub fn burst(mut self, burst: u32) -> Self {
        self.builder = self.builder.burst(burst);
        self
    }

    /// The layer, with its limiter built and registered (or the one
    /// registered under the name).
    pub fn build(self) -> Result<RateLimitLayer, RateLimitError> {
        Ok(RateLimitLayer {
            limiter: self.builder.build()?,
            reject: IntoError,
        })
    }
}

impl<R> RateLimitLayer<R> {
    /// What a refused call answers (default: `Err(GuardError.into())`).
    pub fn reject_with<R2>(self, reject: R2) -> RateLimitLayer<R2> {
        RateLimitLayer {
            limiter: self.limiter,
            reject,
        }
    }

    /// For HTTP services: a refused call answers 429 with `Retry-After`.
    pub fn http(self) -> RateLimitLayer<HttpStatus> {
        self.reject_with(HttpStatus)
    }

    /// The limiter.
    pub fn limiter(&self) -> &Arc<RateLimiter> {
        &self.limiter
    }
}

impl<S, R: Clone> Layer<S> for RateLimitLayer<R> {
    type Service = RateLimit<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            limiter: Arc::clone(&self.limiter),
            reject: self.reject.clone(),
        }
    }
}

/// The service [`RateLimitLayer`] makes.
#[derive(Debug, Clone)]
pub struct RateLimit<S, R = IntoError> {
    inner: S,
    limiter: Arc<RateLimiter>,
    reject: R,
}

impl<S, Req, R> Service<Req> for RateLimit<S, R>
where
    S: Service<Req> + Clone,
    R: Reject<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = RateLimitFuture<S, Req>;

    /// Always ready: the limit is decided in `call`.
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let state = match self.limiter.check() {
            Ok(()) => State::Admitted {
                call: Oneshot::new(self.inner.clone(), request),
            },
            Err(refused) => State::Refused {
                answer: Some(self.reject.reject(refused)),
            },
        };
        RateLimitFuture { state }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`RateLimit`].
    pub struct RateLimitFuture<S: Service<Req>, Req> {
        #[pin]
        state: State<S, Req>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<S: Service<Req>, Req> {
        Refused { answer: Option<Result<S::Response, S::Error>> },
        Admitted { #[pin] call: Oneshot<S, Req> },
    }
}

impl<S: Service<Req>, Req> std::fmt::Debug for RateLimitFuture<S, Req> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitFuture").finish_non_exhaustive()
    }
}

impl<S: Service<Req>, Req> Future for RateLimitFuture<S, Req> {
    type Output = Result<S::Response, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Refused { answer } => {
                Poll::Ready(answer.take().expect("polled after completion"))
            }
            StateProj::Admitted { call } => call.poll(cx),
        }
    }
}
