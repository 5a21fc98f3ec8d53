//! Timeouts: abandon a future that takes longer than a limit.
//!
//! A [`Timeout`] wraps a future with a deadline on tokio's timer; past it the
//! future is dropped (cancelled) and [`Elapsed`] returned. It is the
//! primitive under a breaker's `timeout` option, and usable alone:
//!
//! ```
//! use std::time::Duration;
//! use opguard_runtime::timeout::{Elapsed, Timeout};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! let limit = Timeout::new(Duration::from_millis(50));
//! assert_eq!(limit.run(async { 7 }).await, Ok(7));
//! let slow = limit.run(tokio::time::sleep(Duration::from_secs(1))).await;
//! assert_eq!(slow, Err(Elapsed { after: Duration::from_millis(50) }));
//! assert_eq!(slow.unwrap_err().to_string(), "timed out after 50ms");
//! # }
//! ```
//!
//! Polling a [`Timeout`]'s future outside a tokio runtime panics (tokio's
//! timer is needed); a breaker says which breaker and option instead.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A time limit for futures; `Copy`, so one value serves many calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timeout {
    after: Duration,
}

impl Timeout {
    /// A limit of `after`.
    pub const fn new(after: Duration) -> Self {
        Self { after }
    }

    /// The limit.
    pub const fn after(&self) -> Duration {
        self.after
    }

    /// Runs `future` under the limit: its output, or [`Elapsed`] once the
    /// limit has passed (the future is then dropped). The deadline starts
    /// now, when the returned future is made.
    pub fn run<F: Future>(&self, future: F) -> Limited<F> {
        Limited {
            inner: tokio::time::timeout(self.after, future),
            after: self.after,
        }
    }
}

/// A future ran out of time (the [`Timeout`] it ran under).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Elapsed {
    /// The limit that passed.
    pub after: Duration,
}

impl std::fmt::Display for Elapsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "timed out after {:?}", self.after)
    }
}

impl std::error::Error for Elapsed {}

pin_project_lite::pin_project! {
    /// A future under a [`Timeout`], from [`Timeout::run`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Limited<F> {
        #[pin]
        inner: tokio::time::Timeout<F>,
        after: Duration,
    }
}

impl<F: Future> Future for Limited<F> {
    type Output = Result<F::Output, Elapsed>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let after = *this.after;
        this.inner.poll(cx).map_err(|_| Elapsed { after })
    }
}
