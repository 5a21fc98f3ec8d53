//! The error a guard returns instead of running the call.

use std::borrow::Cow;
use std::time::Duration;

/// Why a guarded call did not produce the function's own result.
///
/// Functions under `#[circuit_breaker]` (and `#[rate_limit]`) return `Result<T, E>` with
/// `E: From<GuardError>`, so this reaches callers as their own error type;
/// `anyhow::Error` and `Box<dyn Error + Send + Sync>` qualify as they are.
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::GuardError;
///
/// let error = GuardError::CircuitOpen { name: "user-db".into(), retry_after: Duration::from_secs(3) };
/// assert_eq!(error.to_string(), "circuit breaker `user-db` is open; retry after 3s");
/// let boxed: Box<dyn std::error::Error + Send + Sync> = error.into();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardError {
    /// The breaker is open (or half-open with every probe slot taken): the
    /// body did not run.
    CircuitOpen {
        /// The breaker's name. A breaker's own errors borrow it (the name
        /// lives as long as the breaker, which is registered for good), so
        /// that rejecting a call copies a pointer and touches no shared
        /// reference count; build one by hand with `"name".into()` or
        /// `String::into()`.
        name: Cow<'static, str>,
        /// When the breaker lets a probe through, as far as it knows (zero
        /// while probes are in flight).
        retry_after: Duration,
    },
    /// A rate limit refused the call: the body did not run.
    RateLimited {
        /// The limiter's name.
        name: Cow<'static, str>,
        /// When the limit admits a call again (exact, as far as this process
        /// knows).
        retry_after: Duration,
    },
    /// The call took longer than the breaker's `timeout` and was abandoned.
    Timeout {
        /// The breaker's name, as for `CircuitOpen`.
        name: Cow<'static, str>,
        /// The timeout.
        after: Duration,
    },
}

impl GuardError {
    /// The name of the guard that produced the error.
    pub fn name(&self) -> &str {
        match self {
            GuardError::CircuitOpen { name, .. }
            | GuardError::RateLimited { name, .. }
            | GuardError::Timeout { name, .. } => name,
        }
    }
}

impl std::fmt::Display for GuardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GuardError::CircuitOpen { name, retry_after } => {
                write!(
                    f,
                    "circuit breaker `{name}` is open; retry after {retry_after:?}"
                )
            }
            GuardError::RateLimited { name, retry_after } => {
                write!(
                    f,
                    "rate limit `{name}` reached; retry after {retry_after:?}"
                )
            }
            GuardError::Timeout { name, after } => {
                write!(f, "call to `{name}` timed out after {after:?}")
            }
        }
    }
}

impl std::error::Error for GuardError {}
