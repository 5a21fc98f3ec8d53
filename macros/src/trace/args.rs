//! The options of `#[trace_operation]`, read and checked against the
//! function's arguments.

use proc_macro2::TokenStream;
use syn::parse::Parser;
use syn::{Expr, Ident, LitStr, Token};

use crate::args::raw::{RawArg, RawValue};
use crate::args::{Options, value};
use crate::diag::{Errors, suggestion};
use crate::signature::{Function, Inner};

pub(crate) const ATTRIBUTE: &str = "trace_operation";

pub(crate) const KEYS: &[&str] = &[
    "name",
    "level",
    "target",
    "include_args",
    "skip",
    "include_result",
    "fields",
    "sample_rate",
];

/// Fields every span declares, recorded when the call ends.
pub(crate) const CLOSING_FIELDS: &[&str] = &[
    "outcome",
    "elapsed_ms",
    "error",
    "otel.status_code",
    "otel.status_description",
];

/// `#[trace_operation(..)]`, checked.
pub(crate) struct TraceArgs {
    pub(crate) name: Option<LitStr>,
    /// One of [`value::LEVELS`].
    pub(crate) level: &'static str,
    pub(crate) target: Option<LitStr>,
    pub(crate) include_args: bool,
    pub(crate) skip: Vec<Ident>,
    pub(crate) include_result: bool,
    pub(crate) fields: Vec<(Ident, Expr)>,
    pub(crate) sample_rate: f64,
}

impl crate::driver::Layer for TraceArgs {
    fn wrap(&self, function: &Function, inner: Inner) -> TokenStream {
        super::expand::expand(self, function, inner)
    }

    fn parse(tokens: TokenStream, function: Option<&Function>, errors: &mut Errors) -> Self {
        let options = Options::parse(tokens, ATTRIBUTE, KEYS, errors);
        let mut a = Self {
            name: None,
            level: "info",
            target: None,
            include_args: false,
            skip: Vec::new(),
            include_result: false,
            fields: Vec::new(),
            sample_rate: 1.0,
        };
        let mut skip_key = None;
        for arg in options.into_entries() {
            match arg.key.to_string().as_str() {
                "name" => a.name = value::string(&arg, errors),
                "level" => a.level = value::level(&arg, errors).unwrap_or(a.level),
                "target" => a.target = value::string(&arg, errors),
                "include_args" => a.include_args = value::flag(&arg, errors),
                "skip" => {
                    a.skip = value::ident_list(&arg, errors);
                    skip_key = Some(arg.key.clone());
                }
                "include_result" => a.include_result = value::flag(&arg, errors),
                "fields" => a.fields = fields(&arg, errors),
                "sample_rate" => {
                    a.sample_rate =
                        value::rate(&arg, 0.0, false, 1.0, errors).unwrap_or(a.sample_rate)
                }
                _ => {} // `Options::parse` reported it.
            }
        }
        if let (Some(key), false) = (&skip_key, a.include_args) {
            errors.at(
                key,
                "`skip` has no effect without `include_args`: add `include_args`, or remove `skip`",
            );
        }
        if let Some(function) = function {
            let names: Vec<String> = function.args.iter().map(ToString::to_string).collect();
            let options: Vec<&str> = names.iter().map(String::as_str).collect();
            for skipped in &a.skip {
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
            for (key, _) in &a.fields {
                if a.include_args && function.args.contains(key) && !a.skip.contains(key) {
                    errors.at(key, format!("`{key}` is already recorded as an argument: rename the field or `skip({key})`"));
                }
            }
        }
        a
    }
}

/// `fields(key = expr, ..)`.
fn fields(arg: &RawArg, errors: &mut Errors) -> Vec<(Ident, Expr)> {
    const EXAMPLE: &str = "like `fields(region = \"eu\", attempt = retries + 1)`";
    let RawValue::List(group) = &arg.value else {
        errors.at(
            &arg.key,
            format!("`fields` takes a list of `name = value`, {EXAMPLE}"),
        );
        return Vec::new();
    };
    let entry = |input: syn::parse::ParseStream<'_>| {
        let key: Ident = input.parse()?;
        input.parse::<Token![=]>()?;
        let value: Expr = input.parse()?;
        Ok((key, value))
    };
    // A mistake is reported at its field, also one that ends too early
    // (`fields(foo = )`), which syn reports at the end of the whole input.
    let list = |input: syn::parse::ParseStream<'_>| {
        let mut entries = Vec::new();
        while !input.is_empty() {
            let field = input.span();
            let parsed = entry(input).map_err(|error| {
                if input.is_empty() {
                    syn::Error::new(field, error)
                } else {
                    error
                }
            })?;
            entries.push(parsed);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(entries)
    };
    match list.parse2(group.stream()) {
        Ok(entries) => {
            let mut seen: Vec<(Ident, Expr)> = Vec::new();
            for (key, value) in entries {
                if CLOSING_FIELDS.contains(&key.to_string().as_str()) || key == "result" {
                    errors.at(&key, format!("`{key}` is recorded by `#[trace_operation]` itself; choose another field name"));
                } else if seen.iter().any(|(k, _)| *k == key) {
                    errors.at(
                        &key,
                        format!("field `{key}` is given more than once; keep one"),
                    );
                } else {
                    seen.push((key, value));
                }
            }
            seen
        }
        Err(error) => {
            errors.at_span(
                error.span(),
                format!("`fields(..)` lists `name = value` pairs, {EXAMPLE}"),
            );
            Vec::new()
        }
    }
}
