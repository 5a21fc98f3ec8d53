//! The options of `#[trace_operation]`, read and checked against the
//! function's arguments.

use proc_macro2::TokenStream;
use syn::ext::IdentExt as _;
use syn::{Expr, Ident};

use super::fields::{Field, fields};
use crate::args::raw::{self, RawArg, RawValue};
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
    "ret",
    "err",
    "parent",
    "follows_from",
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
    /// A string literal or a path to a `&'static str` constant.
    pub(crate) name: Option<Expr>,
    /// One of [`value::LEVELS`].
    pub(crate) level: &'static str,
    /// A string literal or a path to a `&'static str` constant.
    pub(crate) target: Option<Expr>,
    pub(crate) include_args: bool,
    pub(crate) skip: Vec<Ident>,
    /// `include_result`, or `ret`.
    pub(crate) include_result: bool,
    /// How the result and the error are recorded, and the levels of their
    /// events (`ret(..)`, `err(..)`).
    pub(crate) ret: Event,
    pub(crate) err: Event,
    pub(crate) fields: Vec<Field>,
    pub(crate) parent: Option<Expr>,
    pub(crate) follows_from: Option<Expr>,
    pub(crate) sample_rate: f64,
}

/// `ret(..)` or `err(..)`: `Debug` or `Display`, and `level = ..`.
#[derive(Default)]
pub(crate) struct Event {
    /// `Some(true)` for `Display`, `Some(false)` for `Debug`, `None` for the
    /// default (`Debug` for a result; for an error, `Display` if it has it).
    pub(crate) display: Option<bool>,
    /// One of [`value::LEVELS`].
    pub(crate) level: Option<&'static str>,
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
            ret: Event::default(),
            err: Event::default(),
            fields: Vec::new(),
            parent: None,
            follows_from: None,
            sample_rate: 1.0,
        };
        let mut skip_key = None;
        for arg in options.into_entries() {
            match arg.key.to_string().as_str() {
                "name" => a.name = value::string_or_const(&arg, errors),
                "level" => a.level = value::level(&arg, errors).unwrap_or(a.level),
                "target" => a.target = value::string_or_const(&arg, errors),
                "include_args" => a.include_args = value::flag(&arg, errors),
                "skip" => {
                    a.skip = value::ident_list(&arg, errors);
                    skip_key = Some(arg.key.clone());
                }
                "include_result" => a.include_result = value::flag(&arg, errors),
                "fields" => a.fields = fields(&arg, errors),
                "ret" => {
                    a.include_result = true;
                    a.ret = event(&arg, errors);
                }
                "err" => a.err = event(&arg, errors),
                "parent" => a.parent = value::expr(&arg, errors),
                "follows_from" => {
                    a.follows_from = match &arg.value {
                        // An array literal, read as bracketed tokens.
                        RawValue::Bracket(group) => {
                            syn::parse2::<Expr>(quote::ToTokens::into_token_stream(group.clone()))
                                .map_err(|error| errors.push(error))
                                .ok()
                        }
                        _ => value::expr(&arg, errors),
                    }
                }
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
            for field in &a.fields {
                let key = &field.name;
                let recorded = function
                    .args
                    .iter()
                    .find(|arg| arg.unraw() == key)
                    .filter(|arg| a.include_args && !a.skip.contains(arg));
                if recorded.is_some() {
                    errors.at_span(field.span, format!("`{key}` is already recorded as an argument: rename the field or `skip({key})`"));
                }
            }
        }
        a
    }
}

/// `ret` / `err` alone, or with `(Debug)`, `(Display)` and `level = ..`.
fn event(arg: &RawArg, errors: &mut Errors) -> Event {
    let mut event = Event::default();
    let group = match &arg.value {
        RawValue::Flag => return event,
        RawValue::List(group) => group,
        _ => {
            errors.at(
                &arg.key,
                format!(
                    "`{0}` takes no value: write `{0}`, `{0}(Debug)`, `{0}(Display)` or `{0}(level = \"warn\")`",
                    arg.key
                ),
            );
            return event;
        }
    };
    for entry in raw::parse(group.stream(), errors) {
        let key = entry.key.to_string();
        match (key.as_str(), &entry.value) {
            ("Debug" | "Display", RawValue::Flag) if event.display.is_none() => {
                event.display = Some(key == "Display");
            }
            ("Debug" | "Display", RawValue::Flag) => {
                errors.at(&entry.key, "give one of `Debug` and `Display`");
            }
            ("level", _) => event.level = value::level(&entry, errors),
            _ => errors.at(
                &entry.key,
                format!(
                    "`{}(..)` takes `Debug`, `Display` or `level = ..`; {}",
                    arg.key,
                    suggestion(&key, &["Debug", "Display", "level"])
                ),
            ),
        }
    }
    event
}
