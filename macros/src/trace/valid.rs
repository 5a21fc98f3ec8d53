//! The checks of `#[trace_operation]` that only the macro can make: options
//! that go together, and the options against the function's arguments.

use syn::ext::IdentExt as _;

use super::args::TraceArgs;
use crate::diag::{Errors, suggestion};
use crate::signature::Function;

/// Rules between options, and between options and the function.
pub(crate) fn check(args: &TraceArgs, function: Option<&Function>, errors: &mut Errors) {
    if let (Some(key), false) = (args.read.key("skip"), args.include_args) {
        errors.at(
            key,
            "`skip` has no effect without `include_args`: add `include_args`, or remove `skip`",
        );
    }
    if let Some(function) = function {
        let names: Vec<String> = function.args.iter().map(ToString::to_string).collect();
        let options: Vec<&str> = names.iter().map(String::as_str).collect();
        for skipped in &args.skip {
            if !function.args.contains(skipped) {
                errors.at(
                    skipped,
                    format!(
                        "`{skipped}` is not an argument of this function; {}",
                        suggestion(&skipped.to_string(), &options)
                    ),
                );
            }
        }
        for field in &args.fields {
            let key = &field.name;
            let recorded = function
                .args
                .iter()
                .find(|arg| arg.unraw() == key)
                .filter(|arg| args.include_args && !args.skip.contains(arg));
            if recorded.is_some() {
                errors.at_span(field.span, format!("`{key}` is already recorded as an argument: rename the field or `skip({key})`"));
            }
        }
    }
}
