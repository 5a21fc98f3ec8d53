//! The options of `#[rate_limit]`: their table, and reading them.

use std::time::Duration;

use proc_macro2::TokenStream;
use syn::{Expr, Lit, LitStr};

use crate::args::raw::RawValue;
use crate::args::table::{Kind, Opt, U32};
use crate::args::{Read, read};
use crate::diag::Errors;

pub(crate) const ATTRIBUTE: &str = "rate_limit";

/// Every option. Limits and defaults of the settings are the runtime's
/// (`RateLimitConfig`).
pub(crate) const OPTIONS: &[Opt] = &[
    opt("rate", Kind::Custom, r#"rate = "100/1m""#),
    opt("burst", U32, r#"burst = 20 , rate = "100/1m""#),
    opt("key", Kind::Expr, r#"key = id , rate = "5/1s""#),
    opt("wait", Kind::Duration, r#"wait = "200ms" , rate = "5/1s""#),
    opt(
        "max_keys",
        Kind::Int {
            max: u32::MAX as u64,
        },
        r#"max_keys = 1000 , key = id , rate = "5/1s""#,
    ),
    opt("shared", Kind::Flag, r#"shared , rate = "5/1s""#),
    opt(
        "name",
        Kind::Text,
        r#"name = "partner-api" , rate = "5/1s""#,
    ),
];

const fn opt(key: &'static str, kind: Kind, example: &'static str) -> Opt {
    Opt { key, kind, example }
}

/// `#[rate_limit(..)]`, read: each option as given, `None` if not.
pub(crate) struct RateLimitArgs {
    pub(crate) read: Read,
    pub(crate) name: Option<LitStr>,
    /// `rate = "N/duration"`: the count, the period, and the literal.
    pub(crate) rate: Option<(u64, Duration, LitStr)>,
    pub(crate) key: Option<Expr>,
}

impl RateLimitArgs {
    pub(crate) fn read(tokens: TokenStream, errors: &mut Errors) -> Self {
        let read = read(tokens, ATTRIBUTE, OPTIONS, errors);
        let rate = read
            .raw("rate")
            .and_then(|raw| rate(&raw.key, &raw.value, errors));
        Self {
            name: read.text("name"),
            key: read.expr("key"),
            rate,
            read,
        }
    }
}

const RATE_FORM: &str =
    r#"write it as calls per period, like `rate = "100/1m"`, `"5/1s"` or `"1000/1h"`"#;

/// Reads `rate = "N/duration"`; the count and period must be positive (the
/// runtime's rules say so at compile time, at the same token).
fn rate(
    key: &syn::Ident,
    value: &RawValue,
    errors: &mut Errors,
) -> Option<(u64, Duration, LitStr)> {
    let literal = match value {
        RawValue::Expr(Expr::Lit(lit)) => match &lit.lit {
            Lit::Str(text) => text.clone(),
            _ => {
                errors.at(lit, format!("`rate` takes a string: {RATE_FORM}"));
                return None;
            }
        },
        RawValue::Expr(other) => {
            errors.at(other, format!("`rate` takes a string: {RATE_FORM}"));
            return None;
        }
        _ => {
            errors.at(key, format!("`rate` needs a value: {RATE_FORM}"));
            return None;
        }
    };
    let text = literal.value();
    let Some((count, period)) = text.split_once('/') else {
        errors.at(&literal, format!("\"{text}\" has no period: {RATE_FORM}"));
        return None;
    };
    let Ok(count) = count.trim().parse::<u64>() else {
        errors.at(
            &literal,
            format!("\"{text}\": `{count}` is not a whole number of calls; {RATE_FORM}"),
        );
        return None;
    };
    if count > u64::from(u32::MAX) {
        errors.at(
            &literal,
            format!("\"{text}\": at most {} calls per period", u32::MAX),
        );
        return None;
    }
    match crate::args::duration::parse(period.trim()) {
        Ok(period) => Some((count, period, literal)),
        Err(why) => {
            errors.at(&literal, format!("\"{text}\": the period {why}"));
            None
        }
    }
}
