//! A response future watched by a guard that must hear how the call ended:
//! the timer's guard ([`MonitorLayer`](super::MonitorLayer)) or the span's
//! call ([`TraceLayer`](super::TraceLayer)).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::classify::Classifier;
use crate::monitor::OwnedCallGuard;
use crate::trace::TraceCall;

/// What watches a call: polled inside it (a span is entered), told the end.
/// Dropped unfinished, it records a cancelled call itself.
pub trait Observer {
    /// Runs one poll of the call under the observer.
    fn poll_in<R>(&self, poll: impl FnOnce() -> R) -> R {
        poll()
    }

    /// The call ended; `failure` is the classifier's reason, if it failed.
    fn finish(self, failure: Option<String>);
}

impl Observer for OwnedCallGuard {
    fn finish(self, failure: Option<String>) {
        OwnedCallGuard::finish(self, failure.is_some());
    }
}

impl Observer for TraceCall {
    fn poll_in<R>(&self, poll: impl FnOnce() -> R) -> R {
        self.in_scope(poll)
    }

    fn finish(mut self, failure: Option<String>) {
        TraceCall::finish(
            &mut self,
            failure.is_some(),
            || failure.unwrap_or_default(),
            || None,
        );
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`Monitor`](super::Monitor) and
    /// [`Trace`](super::Trace): the inner future, watched.
    pub struct Observed<F, O, C> {
        #[pin]
        future: F,
        observer: Option<O>,
        classifier: C,
    }
}

impl<F, O, C> Observed<F, O, C> {
    pub(crate) fn new(future: F, observer: Option<O>, classifier: C) -> Self {
        Self {
            future,
            observer,
            classifier,
        }
    }
}

impl<F, O, C> std::fmt::Debug for Observed<F, O, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observed").finish_non_exhaustive()
    }
}

impl<F, Resp, E, O, C> Future for Observed<F, O, C>
where
    F: Future<Output = Result<Resp, E>>,
    O: Observer,
    C: Classifier<Resp, E>,
{
    type Output = Result<Resp, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut future = this.future;
        let result = ready!(match this.observer {
            Some(observer) => observer.poll_in(|| future.as_mut().poll(cx)),
            None => future.poll(cx),
        });
        if let Some(observer) = this.observer.take() {
            observer.finish(this.classifier.failure(&result));
        }
        Poll::Ready(result)
    }
}
