//! Attribute arguments shared by every attribute: splitting into entries
//! ([`raw`]), the table of an attribute's options ([`table`]), and one reader
//! ([`read`]) that checks the names against the table and reads each value
//! with its kind's reader ([`value`]).

pub(crate) mod duration;
pub(crate) mod raw;
pub(crate) mod table;
pub(crate) mod value;

use std::time::Duration;

use proc_macro2::{Span, TokenStream};
use syn::{Expr, ExprPath, Ident, LitStr, Pat};

use crate::diag::{Errors, suggestion};
use raw::RawArg;
use table::{Kind, Opt};

/// One option as written, with its value read.
pub(crate) struct Given {
    pub(crate) key: Ident,
    /// Where the value is written (the key, for a flag).
    pub(crate) span: Span,
    pub(crate) value: Value,
}

/// A value read by its option's [`Kind`].
pub(crate) enum Value {
    Text(LitStr),
    Expr(Expr),
    Path(ExprPath),
    Duration(Duration),
    Int(u64),
    Number(f64),
    Flag(bool),
    /// A level or a choice, as written in its list.
    Word(&'static str),
    Patterns(Vec<Pat>),
    Idents(Vec<Ident>),
    /// Read by the attribute itself.
    Raw(RawArg),
}

/// The options of one attribute, each a known option given once and read
/// without error, in the order written.
pub(crate) struct Read {
    given: Vec<Given>,
    /// Every known option given, its value read or not.
    keys: Vec<Ident>,
}

/// Reads `tokens` against `options`: unknown options (with the closest valid
/// name) and options given twice are reported, and every value is read by its
/// kind, each mistake reported at its tokens.
pub(crate) fn read(
    tokens: TokenStream,
    attribute: &str,
    options: &[Opt],
    errors: &mut Errors,
) -> Read {
    let known: Vec<&str> = options.iter().map(|opt| opt.key).collect();
    let mut seen: Vec<Ident> = Vec::new();
    let mut given = Vec::new();
    for arg in raw::parse(tokens, errors) {
        let key = arg.key.to_string();
        let Some(opt) = options.iter().find(|opt| opt.key == key) else {
            errors.at(
                &arg.key,
                format!(
                    "unknown option `{key}` for `#[{attribute}]`; {}",
                    suggestion(&key, &known)
                ),
            );
            continue;
        };
        if seen.contains(&arg.key) {
            errors.at(
                &arg.key,
                format!("`{key}` is given more than once; keep one"),
            );
            continue;
        }
        seen.push(arg.key.clone());
        let span = value::value_span(&arg);
        if let Some(value) = read_value(&arg, opt.kind, errors) {
            given.push(Given {
                key: arg.key.clone(),
                span,
                value,
            });
        }
    }
    Read { given, keys: seen }
}

fn read_value(arg: &RawArg, kind: Kind, errors: &mut Errors) -> Option<Value> {
    Some(match kind {
        Kind::Text => Value::Text(value::string(arg, errors)?),
        Kind::TextOrConst => Value::Expr(value::string_or_const(arg, errors)?),
        Kind::Duration => Value::Duration(value::duration(arg, true, errors)?),
        Kind::Int { max } => Value::Int(value::integer(arg, 0, max, errors)?),
        Kind::Number => Value::Number(value::rate(
            arg,
            f64::NEG_INFINITY,
            false,
            f64::INFINITY,
            errors,
        )?),
        Kind::Rate { min, max } => Value::Number(value::rate(arg, min, false, max, errors)?),
        Kind::Flag => Value::Flag(value::flag(arg, errors)),
        Kind::Level => Value::Word(value::level(arg, errors)?),
        Kind::Choice(what, words) => Value::Word(value::choice(arg, what, words, errors)?),
        Kind::Patterns => Value::Patterns(value::patterns(arg, errors)?),
        Kind::Predicate => Value::Expr(value::closure_or_path(arg, errors)?),
        Kind::FnPath => Value::Path(value::path(arg, errors)?),
        Kind::Expr => Value::Expr(value::expr(arg, errors)?),
        Kind::Idents => Value::Idents(value::ident_list(arg, errors)),
        Kind::Custom => Value::Raw(RawArg {
            key: arg.key.clone(),
            value: arg.value.clone(),
        }),
    })
}

/// One typed getter per kind of value: the value of the option if given
/// and read.
macro_rules! getters {
    ($($(#[$doc:meta])* $name:ident -> $ty:ty: $variant:ident;)*) => {$(
        $(#[$doc])*
        pub(crate) fn $name(&self, key: &str) -> Option<$ty> {
            match self.value(key)? {
                Value::$variant(value) => Some(value.clone()),
                _ => None,
            }
        }
    )*};
}

impl Read {
    /// Every option given, in the order written.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Given> {
        self.given.iter()
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Given> {
        self.given.iter().find(|given| given.key == key)
    }

    /// The key as written, if given (even with a value in error).
    pub(crate) fn key(&self, key: &str) -> Option<&Ident> {
        self.keys.iter().find(|written| *written == key)
    }

    fn value(&self, key: &str) -> Option<&Value> {
        self.get(key).map(|given| &given.value)
    }

    getters! {
        /// A string option.
        text -> LitStr: Text;
        /// An expression option (also a string or a constant's path).
        expr -> Expr: Expr;
        /// A function path option.
        path -> ExprPath: Path;
        /// A duration option.
        duration -> Duration: Duration;
        /// A whole number option.
        int -> u64: Int;
        /// A number option.
        number -> f64: Number;
        /// A level or choice option, as written in its list.
        word -> &'static str: Word;
        /// A patterns option.
        patterns -> Vec<Pat>: Patterns;
    }

    /// A flag: false when not given.
    pub(crate) fn flag(&self, key: &str) -> bool {
        matches!(self.value(key), Some(Value::Flag(true)))
    }

    pub(crate) fn idents(&self, key: &str) -> Vec<Ident> {
        match self.value(key) {
            Some(Value::Idents(idents)) => idents.clone(),
            _ => Vec::new(),
        }
    }

    pub(crate) fn raw(&self, key: &str) -> Option<&RawArg> {
        match self.value(key)? {
            Value::Raw(raw) => Some(raw),
            _ => None,
        }
    }
}
