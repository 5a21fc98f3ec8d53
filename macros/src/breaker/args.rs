//! The options of `#[circuit_breaker]`, read and checked against each other
//! and against the function.

use std::collections::HashMap;
use std::time::Duration;

use proc_macro2::TokenStream;
use syn::{Expr, ExprPath, Ident, LitStr, Pat};

use crate::args::{Options, value};
use crate::diag::Errors;
use crate::signature::Function;

pub(crate) const ATTRIBUTE: &str = "circuit_breaker";

pub(crate) const KEYS: &[&str] = &[
    "name",
    "failure_threshold",
    "window",
    "failure_rate",
    "minimum_calls",
    "consecutive_failures",
    "slow_call_duration",
    "slow_call_rate",
    "recovery_timeout",
    "half_open_max_calls",
    "success_threshold",
    "half_open_max_duration",
    "timeout",
    "expected_errors",
    "failure_if",
    "retries",
    "backoff",
    "retry_delay",
    "max_retry_delay",
    "fallback",
];

pub(crate) const BACKOFFS: &[&str] = &["fixed", "linear", "exponential"];

/// Probe counts share an atomic word with 12 bits each (the runtime's
/// `breaker::MAX_PROBES`).
const MAX_PROBES: u64 = 4095;

/// Window buckets count to 2^24 - 1 (the runtime's `breaker::MAX_WINDOW_COUNT`).
const MAX_WINDOW_COUNT: u64 = (1 << 24) - 1;

/// False for types that are certainly not a `Result` (aliases of one are
/// left to the type checker, which reports at the return type too).
fn may_be_result(ty: &syn::Type) -> bool {
    const NOT_RESULTS: &[&str] = &[
        "Option", "Vec", "String", "Box", "Arc", "Rc", "HashMap", "BTreeMap", "HashSet",
        "BTreeSet", "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
        "i32", "i64", "i128", "isize", "f32", "f64",
    ];
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .is_none_or(|last| !NOT_RESULTS.iter().any(|name| last.ident == name)),
        syn::Type::Paren(inner) => may_be_result(&inner.elem),
        syn::Type::Group(inner) => may_be_result(&inner.elem),
        _ => false,
    }
}

/// `#[circuit_breaker(..)]`, checked.
pub(crate) struct BreakerArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) failure_threshold: u64,
    pub(crate) window: Duration,
    pub(crate) failure_rate: Option<f64>,
    pub(crate) minimum_calls: u64,
    pub(crate) consecutive_failures: Option<u64>,
    pub(crate) slow_call_duration: Option<Duration>,
    pub(crate) slow_call_rate: Option<f64>,
    pub(crate) recovery_timeout: Duration,
    pub(crate) half_open_max_calls: u64,
    pub(crate) success_threshold: u64,
    pub(crate) half_open_max_duration: Duration,
    pub(crate) timeout: Option<Duration>,
    pub(crate) expected_errors: Option<Vec<Pat>>,
    pub(crate) failure_if: Option<Expr>,
    pub(crate) retries: u64,
    pub(crate) backoff: &'static str,
    pub(crate) retry_delay: Duration,
    pub(crate) max_retry_delay: Duration,
    pub(crate) fallback: Option<ExprPath>,
}

impl crate::driver::Layer for BreakerArgs {
    fn wrap(&self, function: &Function, inner: crate::signature::Inner) -> TokenStream {
        super::expand::expand(self, function, inner)
    }

    fn parse(tokens: TokenStream, function: Option<&Function>, errors: &mut Errors) -> Self {
        let options = Options::parse(tokens, ATTRIBUTE, KEYS, errors);
        let mut a = Self {
            name: None,
            failure_threshold: 5,
            window: Duration::from_secs(60),
            failure_rate: None,
            minimum_calls: 20,
            consecutive_failures: None,
            slow_call_duration: None,
            slow_call_rate: None,
            recovery_timeout: Duration::from_secs(30),
            half_open_max_calls: 1,
            success_threshold: 1,
            half_open_max_duration: Duration::from_secs(60),
            timeout: None,
            expected_errors: None,
            failure_if: None,
            retries: 0,
            backoff: "exponential",
            retry_delay: Duration::from_millis(100),
            max_retry_delay: Duration::from_secs(10),
            fallback: None,
        };
        let u32_max = u64::from(u32::MAX);
        let mut keys: HashMap<String, Ident> = HashMap::new();
        for arg in options.into_entries() {
            let key = arg.key.to_string();
            match key.as_str() {
                "name" => a.name = value::string(&arg, errors),
                "failure_threshold" => {
                    a.failure_threshold = value::integer(&arg, 1, MAX_WINDOW_COUNT, errors)
                        .unwrap_or(a.failure_threshold)
                }
                "window" => {
                    if let Some(window) = value::duration(&arg, false, errors) {
                        if window < Duration::from_millis(10) {
                            errors.at_span(
                                value::value_span(&arg),
                                "`window` must be at least \"10ms\" (it is kept as ten buckets)",
                            );
                        }
                        a.window = window;
                    }
                }
                "failure_rate" => a.failure_rate = value::rate(&arg, 0.0, true, 1.0, errors),
                "minimum_calls" => {
                    a.minimum_calls =
                        value::integer(&arg, 1, MAX_WINDOW_COUNT, errors).unwrap_or(a.minimum_calls)
                }
                "consecutive_failures" => {
                    a.consecutive_failures = value::integer(&arg, 1, u32_max, errors)
                }
                "slow_call_duration" => a.slow_call_duration = value::duration(&arg, false, errors),
                "slow_call_rate" => a.slow_call_rate = value::rate(&arg, 0.0, true, 1.0, errors),
                "recovery_timeout" => {
                    a.recovery_timeout =
                        value::duration(&arg, false, errors).unwrap_or(a.recovery_timeout)
                }
                "half_open_max_calls" => {
                    a.half_open_max_calls =
                        value::integer(&arg, 1, MAX_PROBES, errors).unwrap_or(a.half_open_max_calls)
                }
                "success_threshold" => {
                    a.success_threshold =
                        value::integer(&arg, 1, MAX_PROBES, errors).unwrap_or(a.success_threshold)
                }
                "half_open_max_duration" => {
                    a.half_open_max_duration =
                        value::duration(&arg, false, errors).unwrap_or(a.half_open_max_duration)
                }
                "timeout" => a.timeout = value::duration(&arg, false, errors),
                "expected_errors" => a.expected_errors = value::patterns(&arg, errors),
                "failure_if" => a.failure_if = value::closure_or_path(&arg, errors),
                "retries" => a.retries = value::integer(&arg, 0, 100, errors).unwrap_or(0),
                "backoff" => {
                    a.backoff =
                        value::choice(&arg, "backoff", BACKOFFS, errors).unwrap_or(a.backoff)
                }
                "retry_delay" => {
                    a.retry_delay = value::duration(&arg, true, errors).unwrap_or(a.retry_delay)
                }
                "max_retry_delay" => {
                    a.max_retry_delay =
                        value::duration(&arg, true, errors).unwrap_or(a.max_retry_delay)
                }
                "fallback" => a.fallback = value::path(&arg, errors),
                _ => {} // `Options::parse` reported it.
            }
            keys.insert(key, arg.key);
        }
        a.check_together(&keys, function, errors);
        a
    }
}

impl BreakerArgs {
    /// Rules between options, and between options and the function.
    fn check_together(
        &self,
        keys: &HashMap<String, Ident>,
        function: Option<&Function>,
        errors: &mut Errors,
    ) {
        let key = |name: &str| keys.get(name);
        if let (Some(_), Some(second)) = (key("expected_errors"), key("failure_if")) {
            errors.at(
                second,
                "`failure_if` and `expected_errors` both decide what counts as a failure: keep one",
            );
        }
        match (key("slow_call_duration"), key("slow_call_rate")) {
            (Some(duration), None) => errors.at(duration, "`slow_call_duration` needs `slow_call_rate`, the share of slow calls that opens the breaker (like `slow_call_rate = 0.5`)"),
            (None, Some(rate)) => errors.at(rate, "`slow_call_rate` needs `slow_call_duration`, the time above which a call is slow (like `slow_call_duration = \"2s\"`)"),
            _ => {}
        }
        if let Some(minimum) = key("minimum_calls")
            && key("failure_rate").is_none()
            && key("slow_call_rate").is_none()
        {
            errors.at(minimum, "`minimum_calls` only applies to `failure_rate` and `slow_call_rate`; add one or remove it");
        }
        if self.retries == 0 {
            for option in ["backoff", "retry_delay", "max_retry_delay"] {
                if let Some(k) = key(option) {
                    errors.at(k, format!("`{option}` has no effect without `retries = N`"));
                }
            }
        }
        if self.retry_delay > self.max_retry_delay
            && let Some(k) = key("retry_delay").or(key("max_retry_delay"))
        {
            errors.at(k, "`retry_delay` is longer than `max_retry_delay`");
        }
        let Some(function) = function else { return };
        if let (Some(timeout), false) = (key("timeout"), function.is_async()) {
            errors.at(
                timeout,
                "`timeout` needs an async function: a synchronous call cannot be abandoned; make the function `async` or remove `timeout`",
            );
        }
        if self.retries > 0
            && let Some(receiver) = function.receiver.as_ref().filter(|r| !r.shared)
        {
            let written = receiver
                .tokens
                .to_string()
                .replace("& ", "&")
                .replace("&mut", "&mut ")
                .replace("  ", " ");
            errors.at(
                &receiver.tokens,
                format!("`retries` re-runs the body, which needs `{written}` again: take `&self`, or retry at the caller"),
            );
        }
        if let (Some(fallback), None) = (&self.fallback, &function.plain_args) {
            errors.at(
                fallback,
                "`fallback` is called with the function's arguments, so each must be a plain name: bind patterns inside the body",
            );
        }
        match &function.output {
            None => errors.at_span(
                function.output_span,
                "`#[circuit_breaker]` needs a nameable return type `Result<T, E>`, not `impl Trait`",
            ),
            Some(output) if !may_be_result(output) => errors.at(
                output,
                format!(
                    "`#[circuit_breaker]` needs a function returning `Result<T, E>`, not `{}`: a rejected or timed-out call must be able to return `Err`",
                    quote::ToTokens::to_token_stream(output).to_string().replace(" < ", "<").replace(" >", ">").replace(" ,", ",")
                ),
            ),
            Some(_) => {}
        }
    }
}
