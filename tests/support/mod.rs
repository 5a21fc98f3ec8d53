//! What several test files need: an error type for `#[circuit_breaker]`
//! functions and the text of a caught panic.

#![allow(dead_code)]

use opguard::GuardError;

/// (The OpenTelemetry crates are dev-dependencies: no feature needed.)
pub(crate) mod otel;

/// A dependency's error: every `Err` of the test functions.
#[derive(Debug)]
pub(crate) struct Down;

impl From<GuardError> for Down {
    fn from(_: GuardError) -> Self {
        Down
    }
}

impl std::fmt::Display for Down {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("down")
    }
}

/// The message of a panic payload (`panic!` with or without arguments).
pub(crate) fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}
