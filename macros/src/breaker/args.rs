//! The options of `#[circuit_breaker]`: their table, and reading them.

use proc_macro2::TokenStream;
use syn::{Expr, ExprPath, LitStr, Pat};

use crate::args::table::{Kind, Opt, U32};
use crate::args::{Read, read};
use crate::diag::Errors;

pub(crate) const ATTRIBUTE: &str = "circuit_breaker";

pub(crate) const BACKOFFS: &[&str] = &["fixed", "linear", "exponential"];

/// Every option. Limits and defaults of the settings are the runtime's
/// (`BreakerConfig`, `RetryPolicy`).
pub(crate) const OPTIONS: &[Opt] = &[
    opt("name", Kind::Text, r#"name = "db""#),
    opt("failure_threshold", U32, "failure_threshold = 3"),
    opt("window", Kind::Duration, r#"window = "30s""#),
    opt("failure_rate", Kind::Number, "failure_rate = 0.5"),
    opt(
        "minimum_calls",
        U32,
        "minimum_calls = 10 , failure_rate = 0.5",
    ),
    opt("consecutive_failures", U32, "consecutive_failures = 3"),
    opt(
        "slow_call_duration",
        Kind::Duration,
        r#"slow_call_duration = "2s" , slow_call_rate = 0.5"#,
    ),
    opt(
        "slow_call_rate",
        Kind::Number,
        r#"slow_call_rate = 0.5 , slow_call_duration = "2s""#,
    ),
    opt(
        "recovery_timeout",
        Kind::Duration,
        r#"recovery_timeout = "5s""#,
    ),
    opt("half_open_max_calls", U32, "half_open_max_calls = 2"),
    opt("success_threshold", U32, "success_threshold = 2"),
    opt(
        "half_open_max_duration",
        Kind::Duration,
        r#"half_open_max_duration = "10s""#,
    ),
    opt("timeout", Kind::Duration, r#"timeout = "1s""#),
    opt(
        "expected_errors",
        Kind::Patterns,
        "expected_errors = [ E :: A | E :: B ( _ ) ]",
    ),
    opt(
        "failure_if",
        Kind::Predicate,
        "failure_if = | e | e . is_down ( )",
    ),
    opt("retries", U32, "retries = 2"),
    opt(
        "backoff",
        Kind::Choice("backoff", BACKOFFS),
        r#"backoff = "linear" , retries = 2"#,
    ),
    opt(
        "retry_delay",
        Kind::Duration,
        r#"retry_delay = "50ms" , retries = 2"#,
    ),
    opt(
        "max_retry_delay",
        Kind::Duration,
        r#"max_retry_delay = "1s" , retries = 2"#,
    ),
    opt("fallback", Kind::FnPath, "fallback = Self :: cached"),
    opt("shared", Kind::Flag, "shared"),
    opt(
        "sync_interval",
        Kind::Duration,
        r#"sync_interval = "50ms" , shared"#,
    ),
];

const fn opt(key: &'static str, kind: Kind, example: &'static str) -> Opt {
    Opt { key, kind, example }
}

/// `#[circuit_breaker(..)]`, read: each option as given, `None` if not.
pub(crate) struct BreakerArgs {
    pub(crate) read: Read,
    pub(crate) name: Option<LitStr>,
    pub(crate) expected_errors: Option<Vec<Pat>>,
    pub(crate) failure_if: Option<Expr>,
    pub(crate) retries: Option<u64>,
    pub(crate) fallback: Option<ExprPath>,
}

impl BreakerArgs {
    pub(crate) fn read(tokens: TokenStream, errors: &mut Errors) -> Self {
        let read = read(tokens, ATTRIBUTE, OPTIONS, errors);
        Self {
            name: read.text("name"),
            expected_errors: read.patterns("expected_errors"),
            failure_if: read.expr("failure_if"),
            retries: read.int("retries"),
            fallback: read.path("fallback"),
            read,
        }
    }

    /// Whether failed calls are retried (`retries = N`, N above zero).
    pub(crate) fn retrying(&self) -> bool {
        self.retries.is_some_and(|n| n > 0)
    }
}
