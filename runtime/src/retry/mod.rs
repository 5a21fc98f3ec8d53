//! Retries: run a failed call again, after capped and fully jittered waits.
//!
//! A [`RetryPolicy`] says how many retries a call gets and how long to wait
//! before each ([`Backoff`]: fixed, linear or exponential, each wait drawn
//! uniformly from zero to the curve's value so that clients retrying
//! together spread out). [`Attempts`] counts one call's retries. It is the
//! primitive under a breaker's `retries` options
//! ([`Breaker::call_with_retries`](crate::breaker::Breaker::call_with_retries)),
//! and usable alone:
//!
//! ```
//! use std::time::Duration;
//! use opguard_runtime::retry::{self, Backoff, RetryPolicy};
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)] async fn main() {
//! let policy = RetryPolicy { retries: 2, backoff: Backoff::Fixed, ..RetryPolicy::NONE };
//! let mut attempts = 0;
//! let result: Result<u32, &str> = retry::run(&policy, |_| true, || {
//!     attempts += 1;
//!     let n = attempts;
//!     async move { if n < 3 { Err("busy") } else { Ok(n) } }
//! })
//! .await;
//! assert_eq!(result, Ok(3));
//! # }
//! ```
//!
//! The async waits sleep on tokio's timer (polled outside a tokio runtime,
//! they panic); the sync ones block the thread.

mod policy;

pub use policy::{Attempts, Backoff, RetryPolicy};

use std::future::Future;

/// Runs the call `attempt` makes until it succeeds, fails with an error
/// `retryable` refuses, or the retries of `policy` run out; the last
/// attempt's result.
pub async fn run<T, E, F, Fut>(
    policy: &RetryPolicy,
    retryable: impl Fn(&E) -> bool,
    mut attempt: F,
) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempts = Attempts::new(policy);
    loop {
        match attempt().await {
            Err(error) if retryable(&error) => match attempts.next_delay() {
                Some(delay) => tokio::time::sleep(delay).await,
                None => return Err(error),
            },
            done => return done,
        }
    }
}

/// [`run`] for a synchronous call; the waits block the thread.
pub fn run_sync<T, E>(
    policy: &RetryPolicy,
    retryable: impl Fn(&E) -> bool,
    mut attempt: impl FnMut() -> Result<T, E>,
) -> Result<T, E> {
    let mut attempts = Attempts::new(policy);
    loop {
        match attempt() {
            Err(error) if retryable(&error) => match attempts.next_delay() {
                Some(delay) => std::thread::sleep(delay),
                None => return Err(error),
            },
            done => return done,
        }
    }
}
