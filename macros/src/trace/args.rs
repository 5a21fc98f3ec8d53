//! The options of `#[trace_operation]`: their table, and reading them.

use proc_macro2::TokenStream;
use syn::{Expr, Ident};

use super::fields::{Field, fields};
use crate::args::raw::{self, RawArg, RawValue};
use crate::args::table::{Kind, Opt};
use crate::args::{Read, read, value};
use crate::diag::{Errors, suggestion};

pub(crate) const ATTRIBUTE: &str = "trace_operation";

/// Every option.
pub(crate) const OPTIONS: &[Opt] = &[
    opt("name", Kind::TextOrConst, r#"name = "op""#),
    opt("level", Kind::Level, r#"level = "debug""#),
    opt("target", Kind::TextOrConst, r#"target = "audit""#),
    opt("include_args", Kind::Flag, "include_args"),
    opt("skip", Kind::Idents, "skip ( id ) , include_args"),
    opt("include_result", Kind::Flag, "include_result"),
    opt("include_elapsed", Kind::Flag, "include_elapsed"),
    opt(
        "fields",
        Kind::Custom,
        r#"fields ( region = "eu" , n = id + 1 )"#,
    ),
    opt(
        "sample_rate",
        Kind::Rate { min: 0.0, max: 1.0 },
        "sample_rate = 0.5",
    ),
    opt("ret", Kind::Custom, r#"ret ( Display , level = "debug" )"#),
    opt("err", Kind::Custom, "err ( Debug )"),
    opt("parent", Kind::Expr, "parent = None"),
    opt(
        "follows_from",
        Kind::Custom,
        "follows_from = [ None :: < u8 > ]",
    ),
];

const fn opt(key: &'static str, kind: Kind, example: &'static str) -> Opt {
    Opt { key, kind, example }
}

/// Fields every span declares, recorded when the call ends.
pub(crate) const CLOSING_FIELDS: &[&str] = &[
    "outcome",
    "elapsed_ms",
    "error",
    "otel.status_code",
    "otel.status_description",
];

/// `#[trace_operation(..)]`, read.
pub(crate) struct TraceArgs {
    pub(crate) read: Read,
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
    /// Every call records `elapsed_ms`, and `outcome` also when `ok`.
    pub(crate) include_elapsed: bool,
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

impl TraceArgs {
    pub(crate) fn read(tokens: TokenStream, errors: &mut Errors) -> Self {
        let read = read(tokens, ATTRIBUTE, OPTIONS, errors);
        let ret = read.raw("ret").map(|arg| event(arg, errors));
        Self {
            name: read.expr("name"),
            level: read.word("level").unwrap_or("info"),
            target: read.expr("target"),
            include_args: read.flag("include_args"),
            skip: read.idents("skip"),
            include_result: read.flag("include_result") || ret.is_some(),
            include_elapsed: read.flag("include_elapsed"),
            ret: ret.unwrap_or_default(),
            err: read
                .raw("err")
                .map(|arg| event(arg, errors))
                .unwrap_or_default(),
            fields: read
                .raw("fields")
                .map(|arg| fields(arg, errors))
                .unwrap_or_default(),
            parent: read.expr("parent"),
            follows_from: read
                .raw("follows_from")
                .and_then(|arg| follows_from(arg, errors)),
            sample_rate: read.number("sample_rate").unwrap_or(1.0),
            read,
        }
    }
}

/// `follows_from = expr`, or an array literal, read as bracketed tokens.
fn follows_from(arg: &RawArg, errors: &mut Errors) -> Option<Expr> {
    match &arg.value {
        RawValue::Bracket(group) => {
            syn::parse2::<Expr>(quote::ToTokens::into_token_stream(group.clone()))
                .map_err(|error| errors.push(error))
                .ok()
        }
        _ => value::expr(arg, errors),
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
