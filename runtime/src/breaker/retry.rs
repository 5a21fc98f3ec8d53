//! Retrying failed calls through a breaker: the [`retry`](crate::retry)
//! primitive's attempts, where each attempt asks the breaker for a permit and
//! retrying stops once the breaker opens.

use std::future::Future;
use std::ops::ControlFlow;
use std::time::Duration;

use super::clock::require_tokio_timer;
use super::handle::Breaker;
use super::policy::CallPolicy;
use super::state::BreakerState;
use crate::GuardError;
use crate::retry::{self, RetryPolicy};

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
                    require_tokio_timer(self.name(), "retries");
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
    attempts: retry::Attempts<'a>,
    last: Option<Result<T, E>>,
}

impl<'a, T, E> Attempts<'a, T, E> {
    fn new(breaker: &'a Breaker, retry: &'a RetryPolicy) -> Self {
        Self {
            breaker,
            attempts: retry::Attempts::new(retry),
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
        if !failed || open {
            return ControlFlow::Break(result);
        }
        match self.attempts.next_delay() {
            None => ControlFlow::Break(result),
            Some(delay) => {
                self.last = Some(result);
                ControlFlow::Continue(delay)
            }
        }
    }

    /// A rejected attempt: the last failure if there was one (the breaker
    /// opened while waiting), else the rejection.
    fn rejected(self, rejected: GuardError) -> Result<Result<T, E>, GuardError> {
        self.last.ok_or(rejected)
    }
}
