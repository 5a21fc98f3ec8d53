//! Retrying failed calls through a breaker, with capped, fully jittered
//! backoff.

use std::future::Future;
use std::ops::ControlFlow;
use std::time::Duration;

use super::{Breaker, BreakerState, CallPolicy};
use crate::GuardError;

/// The delay curve between retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backoff {
    /// Every retry waits up to `retry_delay`.
    Fixed,
    /// Retry `n` waits up to `n × retry_delay`.
    Linear,
    /// Retry `n` waits up to `2ⁿ⁻¹ × retry_delay`.
    Exponential,
}

/// How often and how patiently a failed call is retried.
///
/// Only failures are retried (errors the breaker counts, and timeouts); a
/// rejected call never is. Each attempt goes through the breaker and is
/// counted. The wait before retry `n` is drawn uniformly from zero to the
/// curve's value, capped at `max_retry_delay` ("full jitter"), so that
/// clients retrying together spread out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The delay curve.
    pub backoff: Backoff,
    /// The first delay.
    pub retry_delay: Duration,
    /// The cap on any delay.
    pub max_retry_delay: Duration,
}

impl RetryPolicy {
    /// No retries; the default delays (100 ms doubling up to 10 s) for when
    /// `retries` is raised.
    pub const NONE: Self = Self {
        retries: 0,
        backoff: Backoff::Exponential,
        retry_delay: Duration::from_millis(100),
        max_retry_delay: Duration::from_secs(10),
    };

    /// The upper bound of the wait before retry `retry` (1 for the first).
    ///
    /// ```
    /// use std::time::Duration;
    /// use opguard_runtime::breaker::{Backoff, RetryPolicy};
    /// let policy = RetryPolicy { retries: 5, ..RetryPolicy::NONE };
    /// assert_eq!(policy.ceiling(3), Duration::from_millis(400));
    /// let linear = RetryPolicy { backoff: Backoff::Linear, ..policy };
    /// assert_eq!(linear.ceiling(3), Duration::from_millis(300));
    /// ```
    pub fn ceiling(&self, retry: u32) -> Duration {
        let n = retry.max(1);
        let delay = match self.backoff {
            Backoff::Fixed => self.retry_delay,
            Backoff::Linear => self.retry_delay.saturating_mul(n),
            Backoff::Exponential => self.retry_delay.saturating_mul(2u32.saturating_pow(n - 1)),
        };
        delay.min(self.max_retry_delay)
    }

    /// The wait before retry `retry`: uniform in `[0, ceiling(retry)]`.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = u64::try_from(self.ceiling(retry).as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=ceiling))
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::NONE
    }
}

impl Breaker {
    /// Runs the call `attempt` makes, retrying failures as `retry` says.
    ///
    /// `Err(GuardError)` when the first attempt is rejected; otherwise the
    /// last attempt's result. If a failure opens the breaker, retrying stops
    /// at once (no wait) and that failure is returned.
    pub async fn call_with_retries<T, E, F, Fut>(
        &self,
        policy: &CallPolicy<'_, E>,
        retry: &RetryPolicy,
        mut attempt: F,
    ) -> Result<Result<T, E>, GuardError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempts = Attempts::new(self, retry);
        loop {
            let permit = match self.acquire() {
                Ok(permit) => permit,
                Err(rejected) => return attempts.rejected(rejected),
            };
            let (result, failed) = permit.run_judged(policy, attempt()).await;
            match attempts.after(result, failed) {
                ControlFlow::Break(result) => return Ok(result),
                ControlFlow::Continue(delay) => {
                    super::require_tokio_timer(self.name(), "retries");
                    tokio::time::sleep(delay).await
                }
            }
        }
    }

    /// [`call_with_retries`](Self::call_with_retries) for a synchronous call;
    /// the waits block the thread.
    pub fn call_sync_with_retries<T, E, F>(
        &self,
        policy: &CallPolicy<'_, E>,
        retry: &RetryPolicy,
        mut attempt: F,
    ) -> Result<Result<T, E>, GuardError>
    where
        F: FnMut() -> Result<T, E>,
    {
        let mut attempts = Attempts::new(self, retry);
        loop {
            let permit = match self.acquire() {
                Ok(permit) => permit,
                Err(rejected) => return attempts.rejected(rejected),
            };
            let (result, failed) = permit.run_sync_judged(policy, &mut attempt);
            match attempts.after(result, failed) {
                ControlFlow::Break(result) => return Ok(result),
                ControlFlow::Continue(delay) => std::thread::sleep(delay),
            }
        }
    }
}

/// What the sync and async retry loops share: the attempts made, the last
/// failure, and when to stop.
struct Attempts<'a, T, E> {
    breaker: &'a Breaker,
    retry: &'a RetryPolicy,
    retried: u32,
    last: Option<Result<T, E>>,
}

impl<'a, T, E> Attempts<'a, T, E> {
    fn new(breaker: &'a Breaker, retry: &'a RetryPolicy) -> Self {
        Self {
            breaker,
            retry,
            retried: 0,
            last: None,
        }
    }

    /// After an attempt: the result to return (a success, a failure that is
    /// not retried, the last retry's, or one that opened the breaker), or
    /// the wait before the next attempt.
    fn after(&mut self, result: Result<T, E>, failed: bool) -> ControlFlow<Result<T, E>, Duration> {
        let open = matches!(
            self.breaker.state(),
            BreakerState::Open | BreakerState::ForcedOpen
        );
        if !failed || self.retried == self.retry.retries || open {
            return ControlFlow::Break(result);
        }
        self.last = Some(result);
        self.retried += 1;
        ControlFlow::Continue(self.retry.delay(self.retried))
    }

    /// A rejected attempt: the last failure if there was one (the breaker
    /// opened while waiting), else the rejection.
    fn rejected(self, rejected: GuardError) -> Result<Result<T, E>, GuardError> {
        self.last.ok_or(rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::{Backoff, RetryPolicy};
    use std::time::Duration;

    #[test]
    fn curves_are_capped_and_jitter_stays_within_them() {
        let policy = RetryPolicy {
            retries: 10,
            backoff: Backoff::Exponential,
            retry_delay: Duration::from_millis(100),
            max_retry_delay: Duration::from_secs(1),
        };
        let ceilings: Vec<u128> = (1..=6).map(|n| policy.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        let fixed = RetryPolicy {
            backoff: Backoff::Fixed,
            ..policy
        };
        assert_eq!(fixed.ceiling(9), Duration::from_millis(100));
        assert_eq!(
            policy.ceiling(u32::MAX),
            Duration::from_secs(1),
            "no overflow"
        );
        for n in 1..=6 {
            for _ in 0..200 {
                assert!(policy.delay(n) <= policy.ceiling(n));
            }
        }
        let spread: std::collections::HashSet<Duration> =
            (0..50).map(|_| policy.delay(3)).collect();
        assert!(spread.len() > 40, "delays are jittered");
    }
}
