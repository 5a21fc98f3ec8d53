//! What the breaker's runtime tests share: a caller's error type, and small
//! steps (a failure, a trip, the transitions received).

#![allow(dead_code)]

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{Breaker, BreakerEvent, BreakerState};
use tokio::sync::broadcast::{Receiver, error::TryRecvError};
use tokio::time::advance;

/// A caller's own error type, as `#[circuit_breaker]` functions return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AppError {
    Guard(GuardError),
    Down(u64),
    NotFound,
}

impl From<GuardError> for AppError {
    fn from(error: GuardError) -> Self {
        AppError::Guard(error)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppError::Guard(error) => write!(f, "guard: {error}"),
            AppError::Down(n) => write!(f, "down ({n})"),
            AppError::NotFound => f.write_str("not found"),
        }
    }
}

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Records one failure through a fresh permit.
pub(crate) fn fail(breaker: &Breaker) {
    breaker.acquire().expect("a permit").failure("down");
}

pub(crate) fn is_rejection(result: &Result<impl Sized, GuardError>, after: Duration) -> bool {
    matches!(result, Err(GuardError::CircuitOpen { retry_after, .. }) if *retry_after == after)
}

/// The transitions of breaker `name` received so far.
pub(crate) fn transitions_of(
    events: &mut Receiver<BreakerEvent>,
    name: &str,
) -> Vec<(BreakerState, BreakerState)> {
    let mut seen = Vec::new();
    loop {
        match events.try_recv() {
            Ok(event) if &*event.name == name => seen.push((event.from, event.to)),
            Ok(_) => {}
            Err(TryRecvError::Empty) => return seen,
            Err(other) => panic!("events: {other:?}"),
        }
    }
}

/// Trips a `failure_threshold(1)` breaker and lets its recovery timeout pass.
pub(crate) async fn trip_and_wait(breaker: &Breaker) {
    fail(breaker);
    assert_eq!(breaker.state(), BreakerState::Open);
    advance(breaker.config().recovery_timeout).await;
}

/// Every error counts as a failure.
pub(crate) fn always(_: &AppError) -> bool {
    true
}

/// An error's text, for `last_failures`.
pub(crate) fn describe(error: &AppError) -> String {
    error.to_string()
}

/// Sets its flag when dropped.
pub(crate) struct DropFlag(pub(crate) Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}
