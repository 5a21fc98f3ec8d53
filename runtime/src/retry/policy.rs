//! How often and how patiently a failed call is retried: the policy, its
//! capped and fully jittered backoff, and one call's count of attempts.

use std::time::Duration;

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
/// Only failures are retried (under a breaker: errors it counts, and
/// timeouts; a rejected call never is, and each attempt goes through the
/// breaker and is counted). The wait before retry `n` is drawn uniformly from zero to the
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
    /// use opguard_runtime::retry::{Backoff, RetryPolicy};
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

/// One call's attempts under a [`RetryPolicy`]: how many retries were made,
/// and the wait before the next one while any are left.
#[derive(Debug, Clone)]
pub struct Attempts<'a> {
    policy: &'a RetryPolicy,
    retried: u32,
}

impl<'a> Attempts<'a> {
    /// Before the first attempt.
    pub fn new(policy: &'a RetryPolicy) -> Self {
        Self { policy, retried: 0 }
    }

    /// Retries made so far.
    pub fn retried(&self) -> u32 {
        self.retried
    }

    /// After a failed attempt: the wait before the next (counting it as a
    /// retry), or `None` when every retry has been made.
    pub fn next_delay(&mut self) -> Option<Duration> {
        if self.retried >= self.policy.retries {
            return None;
        }
        self.retried += 1;
        Some(self.policy.delay(self.retried))
    }
}

#[cfg(test)]
mod tests {
    use super::{Attempts, Backoff, RetryPolicy};
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

    #[test]
    fn attempts_stop_after_the_last_retry() {
        let policy = RetryPolicy {
            retries: 2,
            ..RetryPolicy::NONE
        };
        let mut attempts = Attempts::new(&policy);
        assert!(attempts.next_delay().is_some());
        assert!(attempts.next_delay().is_some());
        assert_eq!(attempts.retried(), 2);
        assert_eq!(attempts.next_delay(), None);
        assert_eq!(attempts.retried(), 2);
        assert_eq!(Attempts::new(&RetryPolicy::NONE).next_delay(), None);
    }
}
