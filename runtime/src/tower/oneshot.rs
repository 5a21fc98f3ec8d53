//! An admitted call: drive the service clone to readiness, then call it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tower_service::Service;

use crate::timeout::{Limited, Timeout};

pin_project_lite::pin_project! {
    /// `service.ready().await?.call(request).await`, as one future.
    #[project = OneshotProj]
    pub(crate) enum Oneshot<S: Service<Req>, Req> {
        Ready { service: S, request: Option<Req> },
        Calling { #[pin] future: S::Future },
    }
}

impl<S: Service<Req>, Req> Oneshot<S, Req> {
    pub(crate) fn new(service: S, request: Req) -> Self {
        Oneshot::Ready {
            service,
            request: Some(request),
        }
    }
}

impl<S: Service<Req>, Req> Future for Oneshot<S, Req> {
    type Output = Result<S::Response, S::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match self.as_mut().project() {
                OneshotProj::Ready { service, request } => {
                    ready!(service.poll_ready(cx))?;
                    let request = request.take().expect("polled after completion");
                    let future = service.call(request);
                    self.set(Oneshot::Calling { future });
                }
                OneshotProj::Calling { future } => return future.poll(cx),
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// A call with or without a time limit (no timer when there is none).
    #[project = MaybeLimitedProj]
    pub(crate) enum MaybeLimited<F> {
        Plain { #[pin] future: F },
        Limited { #[pin] future: Limited<F> },
    }
}

impl<F: Future> MaybeLimited<F> {
    pub(crate) fn new(future: F, timeout: Option<Timeout>) -> Self {
        match timeout {
            Some(timeout) => MaybeLimited::Limited {
                future: timeout.run(future),
            },
            None => MaybeLimited::Plain { future },
        }
    }
}

impl<F: Future> Future for MaybeLimited<F> {
    /// `Err(after)` when the limit passed.
    type Output = Result<F::Output, std::time::Duration>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            MaybeLimitedProj::Plain { future } => future.poll(cx).map(Ok),
            MaybeLimitedProj::Limited { future } => future.poll(cx).map_err(|e| e.after),
        }
    }
}
