//! How a guarded call ended.

#[cfg(feature = "serde")]
use serde::Serialize;

/// How one call of a guarded function ended.
///
/// Every primitive records one of these per call: a cancelled future and a
/// panicking body are outcomes like any other, never lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Outcome {
    /// The call returned a value that is not an `Err`.
    Ok,
    /// The call returned `Err(..)`.
    Error,
    /// The caller dropped the future before it completed.
    Cancelled,
    /// The body panicked; the panic kept unwinding.
    Panicked,
}

impl Outcome {
    /// The lower-case name used in logs, span fields and metric labels.
    ///
    /// ```
    /// assert_eq!(opguard_runtime::Outcome::Cancelled.as_str(), "cancelled");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Cancelled => "cancelled",
            Outcome::Panicked => "panicked",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Tells whether a returned value is an error, for the builder API
/// ([`Timer::call`](crate::monitor::Timer::call)).
///
/// Implemented for `Result` (an `Err` is an error), and for `Option` and `()`
/// (never an error). The attributes do not need it: they recognise a `Result`
/// by its type at the call site, whatever alias names it.
pub trait Classify {
    /// `true` when the value counts as a failed call.
    fn is_error(&self) -> bool;
}

impl<T, E> Classify for Result<T, E> {
    fn is_error(&self) -> bool {
        self.is_err()
    }
}

impl<T> Classify for Option<T> {
    fn is_error(&self) -> bool {
        false
    }
}

impl Classify for () {
    fn is_error(&self) -> bool {
        false
    }
}
