//! The checks of `#[rate_limit]` that only the macro can make: the rate is
//! required, `wait` and `shared` need an async function, `max_keys` needs
//! `key`, and the function must return a `Result`.
//! The limits of each setting are the runtime's, checked by the generated
//! code.

use super::args::RateLimitArgs;
use crate::diag::Errors;
use crate::signature::Function;

/// Rules between options, and between options and the function.
pub(crate) fn check(args: &RateLimitArgs, function: Option<&Function>, errors: &mut Errors) {
    let key = |name: &str| args.read.key(name);
    if key("rate").is_none() {
        errors.at_span(
            proc_macro2::Span::call_site(),
            r#"`#[rate_limit]` needs a `rate`, like `#[rate_limit(rate = "100/1m")]`"#,
        );
    }
    if let (Some(max_keys), None) = (key("max_keys"), key("key")) {
        errors.at(
            max_keys,
            "`max_keys` bounds the keys of `key = ..`; add a key or remove it",
        );
    }
    let Some(function) = function else { return };
    if let (Some(shared), false) = (key("shared"), function.is_async()) {
        errors.at(
            shared,
            "`shared` asks Redis for every call, which a synchronous function cannot wait for \
             without blocking its thread; make the function `async`, or remove `shared` to \
             limit each instance on its own",
        );
    }
    if let (Some(wait), false) = (key("wait"), function.is_async()) {
        errors.at(
            wait,
            "`wait` needs an async function: a synchronous call cannot wait for its turn without \
             blocking its thread; make the function `async` or remove `wait`",
        );
    }
    crate::breaker::valid::result_output("rate_limit", "a refused call", function, errors);
}
