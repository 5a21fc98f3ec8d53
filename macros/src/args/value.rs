//! Typed option values. Each reader reports a mistake at the user's tokens
//! and says what to write instead.

use std::time::Duration;

use proc_macro2::Span;
use syn::{Expr, ExprLit, Lit, LitStr};

use super::duration;
use super::raw::{RawArg, RawValue};
use crate::diag::{Errors, suggestion};

fn literal(arg: &RawArg) -> Option<&Lit> {
    match &arg.value {
        RawValue::Expr(Expr::Lit(ExprLit { lit, .. })) => Some(lit),
        _ => None,
    }
}

/// Where to point at the value (or at the key, for a flag).
pub(crate) fn value_span(arg: &RawArg) -> Span {
    match &arg.value {
        RawValue::Flag => arg.key.span(),
        RawValue::Expr(expr) => syn::spanned::Spanned::span(expr),
        RawValue::Bracket(group) | RawValue::List(group) => group.span(),
    }
}

fn wrong(arg: &RawArg, errors: &mut Errors, expected: &str) {
    let key = &arg.key;
    match &arg.value {
        RawValue::Flag => errors.at_span(key.span(), format!("`{key}` needs a value: {expected}")),
        _ => errors.at_span(value_span(arg), format!("`{key}` takes {expected}")),
    }
}

/// `key = "250ms"`. Zero is refused unless `allow_zero`.
pub(crate) fn duration(arg: &RawArg, allow_zero: bool, errors: &mut Errors) -> Option<Duration> {
    let key = &arg.key;
    let expected = format!("a duration with a unit, like `{key} = \"500ms\"`");
    match literal(arg) {
        Some(Lit::Str(text)) => match duration::parse(&text.value()) {
            Ok(value) if value.is_zero() && !allow_zero => {
                errors.at(text, format!("`{key}` must be longer than zero"));
                None
            }
            Ok(value) => Some(value),
            Err(message) => {
                errors.at(text, message);
                None
            }
        },
        Some(Lit::Int(int)) => {
            let n = int.base10_digits();
            errors.at(
                int,
                format!("a bare number is not a duration: durations are never guessed; write \"{n}s\" or \"{n}ms\""),
            );
            None
        }
        _ => {
            wrong(arg, errors, &expected);
            None
        }
    }
}

/// `key` alone, or `key = true` / `key = false`.
pub(crate) fn flag(arg: &RawArg, errors: &mut Errors) -> bool {
    match (&arg.value, literal(arg)) {
        (RawValue::Flag, _) => true,
        (_, Some(Lit::Bool(b))) => b.value,
        _ => {
            let key = &arg.key;
            errors.at_span(
                value_span(arg),
                format!("`{key}` is a flag: write `{key}` or `{key} = false`"),
            );
            false
        }
    }
}

/// `key = "text"`, not empty.
pub(crate) fn string(arg: &RawArg, errors: &mut Errors) -> Option<LitStr> {
    match literal(arg) {
        Some(Lit::Str(text)) if text.value().trim().is_empty() => {
            errors.at(text, format!("`{}` cannot be empty", arg.key));
            None
        }
        Some(Lit::Str(text)) => Some(text.clone()),
        _ => {
            wrong(
                arg,
                errors,
                &format!("a string, like `{} = \"...\"`", arg.key),
            );
            None
        }
    }
}

/// `key = "one"` of `options` (any case).
pub(crate) fn choice(
    arg: &RawArg,
    what: &str,
    options: &[&'static str],
    errors: &mut Errors,
) -> Option<&'static str> {
    match literal(arg) {
        Some(Lit::Str(text)) => {
            let given = text.value().to_ascii_lowercase();
            let found = options.iter().find(|option| **option == given).copied();
            if found.is_none() {
                errors.at(
                    text,
                    format!(
                        "unknown {what} \"{}\"; {}",
                        text.value(),
                        suggestion(&given, options)
                    ),
                );
            }
            found
        }
        _ => {
            let hint = match &arg.value {
                RawValue::Expr(Expr::Path(path)) => path
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string().to_ascii_lowercase())
                    .filter(|s| options.contains(&s.as_str()))
                    .map(|s| format!("write the {what} as a string: `{} = \"{s}\"`", arg.key)),
                _ => None,
            };
            match hint {
                Some(hint) => errors.at_span(value_span(arg), hint),
                None => wrong(
                    arg,
                    errors,
                    &format!("a {what} string, one of {}", options.join(", ")),
                ),
            }
            None
        }
    }
}

/// `key = [Pattern, ..]`: patterns (of an error type).
pub(crate) fn patterns(arg: &RawArg, errors: &mut Errors) -> Option<Vec<syn::Pat>> {
    use syn::parse::Parser;
    use syn::punctuated::Punctuated;
    let key = &arg.key;
    let example = format!("`{key} = [DbError::Timeout, DbError::Io(_)]`");
    let RawValue::Bracket(group) = &arg.value else {
        wrong(
            arg,
            errors,
            &format!("a list of error patterns, like {example}"),
        );
        return None;
    };
    let parser = |input: syn::parse::ParseStream<'_>| {
        Punctuated::<syn::Pat, syn::Token![,]>::parse_terminated_with(input, syn::Pat::parse_multi)
    };
    match parser.parse2(group.stream()) {
        Ok(patterns) if patterns.is_empty() => {
            errors.at_span(
                group.span(),
                format!("`{key}` is empty: list the error patterns that count, like {example}"),
            );
            None
        }
        Ok(patterns) => Some(patterns.into_iter().collect()),
        Err(error) => {
            errors.at_span(
                error.span(),
                format!("`{key}` lists patterns of the error type, like {example}"),
            );
            None
        }
    }
}

/// The `tracing` levels, as written in attributes.
pub(crate) const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error"];

/// `key = "warn"`: one of [`LEVELS`] (any case), as written in [`LEVELS`].
/// As `#[tracing::instrument]` also takes them: `Level::WARN` (any path
/// ending in a level's constant) and the numbers 1 (`trace`) to 5 (`error`).
pub(crate) fn level(arg: &RawArg, errors: &mut Errors) -> Option<&'static str> {
    match &arg.value {
        RawValue::Expr(Expr::Path(path)) => {
            let last = path.path.segments.last().map(|s| s.ident.to_string());
            let found = last.as_deref().and_then(|constant| {
                LEVELS
                    .iter()
                    .find(|level| level.to_ascii_uppercase() == constant)
                    .copied()
            });
            if found.is_none() {
                errors.at(
                    path,
                    "expected a level: `Level::TRACE` … `Level::ERROR`, or \"trace\" … \"error\"",
                );
            }
            found
        }
        RawValue::Expr(Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        })) => {
            let found = int
                .base10_parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|index| LEVELS.get(index))
                .copied();
            if found.is_none() {
                errors.at(
                    int,
                    "a numeric level is 1 (`trace`) to 5 (`error`), as in `#[instrument]`",
                );
            }
            found
        }
        _ => choice(arg, "level", LEVELS, errors),
    }
}

/// `key = "text"`, or `key = NAME`, a path to a `&'static str` constant (as
/// `#[tracing::instrument]` takes `name` and `target`).
pub(crate) fn string_or_const(arg: &RawArg, errors: &mut Errors) -> Option<Expr> {
    match &arg.value {
        RawValue::Expr(path @ Expr::Path(_)) => Some(path.clone()),
        _ => string(arg, errors).map(|text| {
            Expr::Lit(ExprLit {
                attrs: Vec::new(),
                lit: Lit::Str(text),
            })
        }),
    }
}

/// `key = 5`, within `min..=max`.
pub(crate) fn integer(arg: &RawArg, min: u64, max: u64, errors: &mut Errors) -> Option<u64> {
    let key = &arg.key;
    match literal(arg) {
        Some(Lit::Int(int)) => match int.base10_parse::<u64>() {
            Ok(value) if (min..=max).contains(&value) => Some(value),
            Ok(value) if value < min => {
                errors.at(int, format!("`{key}` must be at least {min}"));
                None
            }
            _ => {
                errors.at(int, format!("`{key}` must be at most {max}"));
                None
            }
        },
        Some(Lit::Str(text)) if text.value().parse::<u64>().is_ok() => {
            errors.at(
                text,
                format!(
                    "`{key}` takes a number, not a string: write `{key} = {}`",
                    text.value()
                ),
            );
            None
        }
        _ => {
            wrong(
                arg,
                errors,
                &format!("a whole number, like `{key} = {}`", min.max(1)),
            );
            None
        }
    }
}

/// `key = 0.5`, a float in `min..=max` (or `min < x` when `min_exclusive`).
pub(crate) fn rate(
    arg: &RawArg,
    min: f64,
    min_exclusive: bool,
    max: f64,
    errors: &mut Errors,
) -> Option<f64> {
    let key = &arg.key;
    let (value, span) = match literal(arg) {
        Some(Lit::Float(f)) => (f.base10_parse::<f64>().ok(), f.span()),
        Some(Lit::Int(i)) => (i.base10_parse::<u64>().ok().map(|v| v as f64), i.span()),
        _ => {
            wrong(arg, errors, &format!("a number, like `{key} = 0.5`"));
            return None;
        }
    };
    let low = if min_exclusive { "(" } else { "[" };
    match value {
        Some(v) if v <= max && (v > min || (!min_exclusive && v == min)) => Some(v),
        _ => {
            errors.at_span(span, format!("`{key}` must be in {low}{min:?}, {max:?}]"));
            None
        }
    }
}

/// `key(a, b, c)`: identifiers.
pub(crate) fn ident_list(arg: &RawArg, errors: &mut Errors) -> Vec<syn::Ident> {
    use syn::parse::Parser;
    use syn::punctuated::Punctuated;
    let key = &arg.key;
    let RawValue::List(group) = &arg.value else {
        wrong(
            arg,
            errors,
            &format!("a list of argument names, like `{key}(password, token)`"),
        );
        return Vec::new();
    };
    match Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated.parse2(group.stream()) {
        Ok(idents) => idents.into_iter().collect(),
        Err(error) => {
            errors.at_span(
                error.span(),
                format!("`{key}(..)` lists argument names separated by commas"),
            );
            Vec::new()
        }
    }
}

/// `key = expr`: any expression.
pub(crate) fn expr(arg: &RawArg, errors: &mut Errors) -> Option<Expr> {
    match &arg.value {
        RawValue::Expr(expr) => Some(expr.clone()),
        _ => {
            wrong(
                arg,
                errors,
                &format!("an expression, like `{} = (a, b)`", arg.key),
            );
            None
        }
    }
}

/// `key = some::path`.
pub(crate) fn path(arg: &RawArg, errors: &mut Errors) -> Option<syn::ExprPath> {
    match &arg.value {
        RawValue::Expr(Expr::Path(path)) => Some(path.clone()),
        _ => {
            wrong(
                arg,
                errors,
                &format!("a path to a function, like `{} = Self::fallback`", arg.key),
            );
            None
        }
    }
}

/// `key = |x| ..` or `key = some::path`.
pub(crate) fn closure_or_path(arg: &RawArg, errors: &mut Errors) -> Option<Expr> {
    match &arg.value {
        RawValue::Expr(expr @ (Expr::Closure(_) | Expr::Path(_))) => Some(expr.clone()),
        _ => {
            wrong(
                arg,
                errors,
                &format!(
                    "a closure or a function path, like `{} = |v| v.is_some()`",
                    arg.key
                ),
            );
            None
        }
    }
}

#[cfg(test)]
#[path = "value_tests.rs"]
mod tests;
