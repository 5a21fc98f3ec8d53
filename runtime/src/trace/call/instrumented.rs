//! The async driver: an async body polled under its call (the span entered
//! on every poll, never held across an `.await`), finished with its output.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{Callsite, State, TraceCall};

/// `future` and `end`, with `end` typed as the finisher of `future`'s output
/// (so that the closure's argument types are known where it is written).
#[inline(always)]
pub fn with_end<F: Future, E: FnOnce(&mut TraceCall, &F::Output)>(future: F, end: E) -> (F, E) {
    (future, end)
}

/// Runs an async function's work under `call`: the span is entered on
/// every poll (never held across an `.await`), a panic inside is noticed,
/// and `end` finishes the call with the output.
///
/// Generated code calls this only with a call (traced, or sampled out); a
/// call nobody traces is awaited directly, with
/// [`disabled_end`](super::disabled_end). Given `None`, the work is polled
/// as an untraced call, whose end still logs an `Err`.
#[inline]
pub fn instrument<F: Future, E: FnOnce(&mut TraceCall, &F::Output)>(
    callsite: &'static Callsite,
    call: Option<TraceCall>,
    future: F,
    end: E,
) -> Instrumented<F, E> {
    Instrumented {
        future,
        call: call.unwrap_or(TraceCall {
            callsite,
            state: State::Untraced,
        }),
        end: Some(end),
    }
}

pin_project_lite::pin_project! {
    /// An async body run under a [`TraceCall`]; from [`instrument`]. Dropped
    /// before it completes, the body is dropped first, then the call closes
    /// as cancelled.
    pub struct Instrumented<F, E> {
        #[pin]
        future: F,
        call: TraceCall,
        end: Option<E>,
    }
}

impl<F: Future, E: FnOnce(&mut TraceCall, &F::Output)> Future for Instrumented<F, E> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let poll = this.call.in_scope(|| this.future.poll(cx));
        // Finished in place: `finish` leaves the call untraced, so dropping
        // it afterwards records nothing more.
        if let Poll::Ready(output) = &poll
            && let Some(end) = this.end.take()
        {
            end(this.call, output);
        }
        poll
    }
}
