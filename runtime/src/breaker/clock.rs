//! The clock a breaker reads (tokio's, or one given to its builder), and the
//! check that tokio's timer, which timeouts and retries wait on, is there.

use std::sync::Arc;

use tokio::time::Instant;

/// Where a breaker reads the time: its window, recovery timeout, half-open
/// bound and slow calls follow it. By default tokio's clock
/// ([`tokio::time::Instant::now`], so that `tokio::time::pause()` and
/// `advance()` drive it in tests); [`Clock::from_fn`] gives another, e.g.
/// one running ahead of or behind the others, with
/// [`BreakerBuilder::clock`](super::BreakerBuilder::clock).
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::breaker::Clock;
/// use tokio::time::Instant;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
/// let ahead = Clock::from_fn(|| Instant::now() + Duration::from_secs(5));
/// assert_eq!(ahead.now(), Clock::tokio().now() + Duration::from_secs(5));
/// # }
/// ```
///
/// Timeouts and the waits between retries sleep on tokio's timer whatever
/// the clock.
#[derive(Clone, Default)]
pub struct Clock(Option<Arc<dyn Fn() -> Instant + Send + Sync>>);

impl Clock {
    /// tokio's clock (the default).
    pub const fn tokio() -> Self {
        Self(None)
    }

    /// A clock that reads `now`. It should never go backwards.
    pub fn from_fn(now: impl Fn() -> Instant + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(now)))
    }

    /// The time now.
    #[inline]
    pub fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(now) => now(),
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            None => "Clock(tokio)",
            Some(_) => "Clock(custom)",
        })
    }
}

/// Panics with a message that names opguard, the breaker, the option and the
/// fix when an async call that waits on tokio's timer (`timeout`, or the
/// pauses between `retries`) is polled outside a tokio runtime, instead of
/// tokio's "there is no reactor running".
#[inline]
pub(crate) fn require_tokio_timer(breaker: &str, option: &str) {
    if tokio::runtime::Handle::try_current().is_err() {
        no_tokio_timer(breaker, option);
    }
}

#[cold]
#[inline(never)]
fn no_tokio_timer(breaker: &str, option: &str) -> ! {
    panic!(
        "opguard: breaker `{breaker}` has `{option}`, which waits on tokio's timer, but this call \
         is polled outside a tokio runtime; run it inside one (`#[tokio::main]`, \
         `Runtime::block_on`, `Handle::enter`), or remove `{option}`"
    )
}
