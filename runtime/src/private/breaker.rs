//! The breaker's part of generated code.

pub use crate::GuardError;
pub use crate::breaker::{Backoff, BreakerConfig, CallPolicy, Callsite, CallsiteMeta, RetryPolicy};

/// The message of a rule of [`BreakerConfig::validate`] that involves
/// `option` and that `config` breaks: generated code panics with it in a
/// `const`, at the option's tokens.
pub const fn problem(config: &BreakerConfig, option: &str) -> Option<&'static str> {
    match config.check(Some(option)) {
        Err(error) => Some(error.message),
        Ok(()) => None,
    }
}

/// [`problem`] for the retry options ([`RetryPolicy::validate`]).
pub const fn retry_problem(policy: &RetryPolicy, option: &str) -> Option<&'static str> {
    match policy.check(Some(option)) {
        Err(error) => Some(error.message),
        Ok(()) => None,
    }
}

/// A function's return type under `#[circuit_breaker]`: a `Result`.
#[diagnostic::on_unimplemented(
    message = "`#[circuit_breaker]` needs a function returning `Result<T, E>`, not `{Self}`",
    label = "a rejected or timed-out call must be able to return `Err`",
    note = "return `Result<T, E>` with `impl From<opguard::GuardError> for E` (`anyhow::Error` and `Box<dyn Error + Send + Sync>` qualify)"
)]
pub trait GuardedOutput {
    /// The error type.
    type Err;
}

impl<T, E> GuardedOutput for ::core::result::Result<T, E> {
    type Err = E;
}

/// An error type that can carry a `GuardError`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot carry an `opguard::GuardError`",
    label = "`#[circuit_breaker]` and `#[rate_limit]` return `Err(GuardError.into())` for a call they refuse or time out",
    note = "add `impl From<opguard::GuardError> for {Self}` (`anyhow::Error` and `Box<dyn Error + Send + Sync>` already have it)"
)]
pub trait FromGuardError {
    /// `From::from`.
    fn __opguard_from(error: GuardError) -> Self;
}

impl<E: ::core::convert::From<GuardError>> FromGuardError for E {
    #[inline(always)]
    fn __opguard_from(error: GuardError) -> Self {
        E::from(error)
    }
}

/// The conversion of a guard error into the function's error type: the one
/// place generated code needs `E: From<GuardError>`, checked at the
/// return type.
#[inline(always)]
pub fn converter<E: FromGuardError>() -> fn(GuardError) -> E {
    E::__opguard_from
}

/// Types a failure predicate as `Fn(&E) -> bool`, so that a closure's
/// parameter is inferred and a wrong signature is reported at it.
#[inline(always)]
pub fn judge<E, F: Fn(&E) -> bool + Send + Sync>(predicate: F) -> F {
    predicate
}

/// Types the error-describing closure as `Fn(&E) -> String`.
#[inline(always)]
pub fn describer<E, F: Fn(&E) -> ::std::string::String + Send + Sync>(describe: F) -> F {
    describe
}

/// An argument a retried call passes again.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be passed to a retried call again: it is not `Clone`",
    label = "`retries` re-runs the body with a clone of this argument",
    note = "take the argument by reference, make its type `Clone`, or remove `retries`"
)]
pub trait Reusable: ::core::clone::Clone {}

impl<T: ::core::clone::Clone> Reusable for T {}

/// A clone of an argument for the next attempt.
#[inline(always)]
pub fn reuse<T: Reusable>(value: &T) -> T {
    value.clone()
}

pub use super::{Describe, DescribeAny, DescribeDebug, DescribeDisplay};
