//! A user crate that denies warnings, clippy::all and unused qualifications.
#![deny(warnings, clippy::all, unused_qualifications)]

use opguard::{cacheable, monitor_performance, trace_operation};

/// A documented type.
#[derive(Debug, Default)]
pub struct Service {
    hits: u32,
}

impl Service {
    /// Counts.
    #[monitor_performance(include_args, include_result, level = "info")]
    pub fn hit(&mut self, by: u32) -> Result<u32, String> {
        self.hits += by;
        Ok(self.hits)
    }

    /// Waits.
    #[monitor_performance(threshold = "250ms")]
    pub async fn wait(&self) -> Option<u32> {
        Some(self.hits)
    }
}

/// Does nothing.
#[monitor_performance]
pub fn nothing() {}

/// An error.
#[derive(Debug)]
pub struct Failed(pub opguard::GuardError);

impl From<opguard::GuardError> for Failed {
    fn from(error: opguard::GuardError) -> Self {
        Failed(error)
    }
}

/// Sums, with retries (a `mut` argument cloned per attempt) and a fallback.
#[opguard::monitor_performance]
#[opguard::circuit_breaker(retries = 1, retry_delay = "0ms", fallback = zero, expected_errors = [Failed(_)])]
pub fn sum(mut values: Vec<u32>, extra: &u32) -> Result<u32, Failed> {
    values.push(*extra);
    Ok(values.iter().sum())
}

/// The fallback.
pub fn zero(_values: Vec<u32>, _extra: &u32) -> Result<u32, Failed> {
    Ok(0)
}

/// All four attributes, fused by the outermost: every import is used.
#[trace_operation(include_args, include_result)]
#[monitor_performance]
#[cacheable]
#[opguard::circuit_breaker]
pub fn all_four(x: u32) -> Result<u32, Failed> {
    Ok(x)
}

/// Async, with a timeout.
#[opguard::circuit_breaker(timeout = "1s", failure_if = |_| true)]
pub async fn later(value: u32) -> Result<u32, Failed> {
    Ok(value)
}

fn main() {
    let mut service = Service::default();
    assert_eq!(service.hit(2), Ok(2));
    let _ = service.wait();
    nothing();
    assert_eq!(sum(vec![1, 2], &3).unwrap(), 6);
    assert_eq!(all_four(2).unwrap(), 2);
    let _ = later(1);
}
