//! Tests of [`super`]: every kind of value, right and wrong.

use super::*;
use crate::args::raw;
use quote::quote;

fn one(tokens: proc_macro2::TokenStream) -> RawArg {
    let mut errors = Errors::default();
    let mut args = raw::parse(tokens, &mut errors);
    assert!(errors.is_empty());
    args.remove(0)
}

fn message<T>(
    read: impl FnOnce(&RawArg, &mut Errors) -> T,
    tokens: proc_macro2::TokenStream,
) -> String {
    let arg = one(tokens);
    let mut errors = Errors::default();
    read(&arg, &mut errors);
    errors.to_compile_errors().to_string()
}

#[test]
fn durations() {
    let mut errors = Errors::default();
    let d = duration(&one(quote!(ttl = "5m")), false, &mut errors).unwrap();
    assert_eq!(d, Duration::from_secs(300));
    assert!(
        message(|a, e| duration(a, false, e), quote!(ttl = 300))
            .contains(r#"write \"300s\" or \"300ms\""#)
    );
    assert!(message(|a, e| duration(a, false, e), quote!(ttl = "0s")).contains("longer than zero"));
    assert!(message(|a, e| duration(a, true, e), quote!(ttl = "0s")).is_empty());
    assert!(message(|a, e| duration(a, false, e), quote!(ttl)).contains("needs a value"));
}

#[test]
fn flags_strings_and_levels() {
    let mut errors = Errors::default();
    assert!(flag(&one(quote!(include_args)), &mut errors));
    assert!(!flag(&one(quote!(include_args = false)), &mut errors));
    assert!(errors.is_empty());
    assert!(message(flag, quote!(include_args = 1)).contains("is a flag"));
    assert!(message(string, quote!(name = "")).contains("cannot be empty"));
    assert!(message(string, quote!(name = 5)).contains("takes a string"));
    assert_eq!(
        level(&one(quote!(level = "WARN")), &mut errors).unwrap(),
        "warn"
    );
    assert!(message(level, quote!(level = "warning")).contains("did you mean `warn`?"));
    // As `#[tracing::instrument]` takes them: a level's constant, 1 to 5.
    let mut errors = Errors::default();
    assert_eq!(
        level(&one(quote!(level = Level::WARN)), &mut errors),
        Some("warn")
    );
    let path = quote!(level = tracing::Level::TRACE);
    assert_eq!(level(&one(path), &mut errors), Some("trace"));
    assert_eq!(level(&one(quote!(level = 2)), &mut errors), Some("debug"));
    assert!(errors.is_empty());
    assert!(message(level, quote!(level = 6)).contains("1 (`trace`) to 5 (`error`)"));
    assert!(message(level, quote!(level = Level::LOUD)).contains("`Level::TRACE`"));
}

#[test]
fn numbers_lists_and_expressions() {
    let mut errors = Errors::default();
    assert_eq!(
        integer(&one(quote!(n = 5)), 1, u64::MAX, &mut errors).unwrap(),
        5
    );
    assert!(message(|a, e| integer(a, 1, u64::MAX, e), quote!(n = 0)).contains("at least 1"));
    assert!(message(|a, e| integer(a, 1, 10, e), quote!(n = 11)).contains("at most 10"));
    assert!(message(|a, e| integer(a, 1, 10, e), quote!(n = "5")).contains("not a string"));
    assert_eq!(
        rate(&one(quote!(r = 0.5)), 0.0, true, 1.0, &mut errors).unwrap(),
        0.5
    );
    assert!(
        message(|a, e| rate(a, 0.0, true, 1.0, e), quote!(r = 1.5))
            .contains("must be in (0.0, 1.0]")
    );
    assert!(
        message(|a, e| rate(a, 0.0, true, 1.0, e), quote!(r = 0.0))
            .contains("must be in (0.0, 1.0]")
    );
    assert!(message(|a, e| rate(a, 0.0, false, 1.0, e), quote!(r = 0.0)).is_empty());
    let idents = ident_list(&one(quote!(skip(a, b))), &mut errors);
    assert_eq!(idents.len(), 2);
    assert!(message(ident_list, quote!(skip(a + b))).contains("lists argument names"));
    assert!(expr(&one(quote!(key = (self.tenant, id))), &mut errors).is_some());
    assert!(path(&one(quote!(fallback = Self::cached)), &mut errors).is_some());
    assert!(message(path, quote!(fallback = "f")).contains("a path to a function"));
    assert!(closure_or_path(&one(quote!(condition = |v| v.is_some())), &mut errors).is_some());
    assert!(
        message(closure_or_path, quote!(condition = 5)).contains("a closure or a function path")
    );
    assert!(errors.is_empty());
}

#[test]
fn patterns_and_choices() {
    let mut errors = Errors::default();
    let pats = patterns(
        &one(quote!(expected_errors = [E::A, E::B(_) | E::C { .. }])),
        &mut errors,
    );
    assert_eq!(pats.map(|p| p.len()), Some(2));
    assert!(message(patterns, quote!(expected_errors = [1 + 2])).contains("lists patterns"));
    assert!(message(patterns, quote!(expected_errors = [])).contains("is empty"));
    assert!(message(patterns, quote!(expected_errors = E::A)).contains("a list of error patterns"));
    let backoff = ["fixed", "linear", "exponential"];
    assert_eq!(
        choice(
            &one(quote!(backoff = "Linear")),
            "backoff",
            &backoff,
            &mut errors
        ),
        Some("linear")
    );
    assert!(errors.is_empty());
    let expo = message(
        |a, e| choice(a, "backoff", &backoff, e),
        quote!(backoff = "expo"),
    );
    assert!(expo.contains("did you mean `exponential`?"), "{expo}");
    let bare = message(
        |a, e| choice(a, "backoff", &backoff, e),
        quote!(backoff = linear),
    );
    assert!(bare.contains(r#"backoff = \"linear\""#), "{bare}");
}
