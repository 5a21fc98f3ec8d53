//! The checks of `#[circuit_breaker]` that only the macro can make: options
//! that go together, and the options against the function. The limits of
//! each setting are the runtime's, checked by the generated code.

use super::args::BreakerArgs;
use crate::diag::Errors;
use crate::signature::Function;

/// Rules between options, and between options and the function.
pub(crate) fn check(args: &BreakerArgs, function: Option<&Function>, errors: &mut Errors) {
    let key = |name: &str| args.read.key(name);
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
    let retries = args.retrying();
    if !retries {
        for option in ["backoff", "retry_delay", "max_retry_delay"] {
            if let Some(k) = key(option) {
                errors.at(k, format!("`{option}` has no effect without `retries = N`"));
            }
        }
    }
    if let (Some(interval), false) = (key("sync_interval"), args.read.flag("shared")) {
        errors.at(
            interval,
            "`sync_interval` is how often a shared breaker syncs with the fleet: it has no effect without `shared`",
        );
    }
    let Some(function) = function else { return };
    if let (Some(timeout), false) = (key("timeout"), function.is_async()) {
        errors.at(
                timeout,
                "`timeout` needs an async function: a synchronous call cannot be abandoned; make the function `async` or remove `timeout`",
            );
    }
    if retries && let Some(receiver) = function.receiver.as_ref().filter(|r| !r.shared) {
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
    if let (Some(fallback), None) = (&args.fallback, &function.plain_args) {
        errors.at(
                fallback,
                "`fallback` is called with the function's arguments, so each must be a plain name: bind patterns inside the body",
            );
    }
    result_output(
        "circuit_breaker",
        "a rejected or timed-out call",
        function,
        errors,
    );
}

/// The function returns (as far as syntax tells) a `Result`, so that the
/// attribute can return `Err` for `what`.
pub(crate) fn result_output(attribute: &str, what: &str, function: &Function, errors: &mut Errors) {
    match &function.output {
        None => errors.at_span(
            function.output_span,
            format!("`#[{attribute}]` needs a nameable return type `Result<T, E>`, not `impl Trait`"),
        ),
        Some(output) if !may_be_result(output) => errors.at(
            output,
            format!(
                "`#[{attribute}]` needs a function returning `Result<T, E>`, not `{}`: {what} must be able to return `Err`",
                quote::ToTokens::to_token_stream(output)
                    .to_string()
                    .replace(" < ", "<")
                    .replace(" >", ">")
                    .replace(" ,", ",")
            ),
        ),
        Some(_) => {}
    }
}

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
