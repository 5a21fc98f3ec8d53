//! The options of `#[cacheable]`: their table, and reading them.

use proc_macro2::TokenStream;
use syn::{Expr, LitStr};

use crate::args::table::{Kind, Opt};
use crate::args::{Read, read};
use crate::diag::Errors;

pub(crate) const ATTRIBUTE: &str = "cacheable";

/// Every option. Limits and defaults of the settings are the runtime's
/// (`CacheConfig`).
pub(crate) const OPTIONS: &[Opt] = &[
    opt("ttl", Kind::Duration, r#"ttl = "5m""#),
    opt("tti", Kind::Duration, r#"tti = "1m""#),
    opt(
        "max_capacity",
        Kind::Int { max: u64::MAX },
        "max_capacity = 100",
    ),
    opt("name", Kind::Text, r#"name = "users""#),
    opt("key", Kind::Expr, "key = ( self . tenant , id )"),
    opt(
        "condition",
        Kind::Predicate,
        "condition = | v | v . is_ok ( )",
    ),
    opt("cache_none", Kind::Flag, "cache_none = false"),
    opt("shared", Kind::Flag, "shared"),
    opt("local_ttl", Kind::Duration, r#"local_ttl = "30s" , shared"#),
    opt(
        "load_timeout",
        Kind::Duration,
        r#"load_timeout = "2s" , shared"#,
    ),
    opt(
        "sync_interval",
        Kind::Duration,
        r#"sync_interval = "50ms" , shared"#,
    ),
];

const fn opt(key: &'static str, kind: Kind, example: &'static str) -> Opt {
    Opt { key, kind, example }
}

/// `#[cacheable(..)]`, read: each option as given, `None` if not.
pub(crate) struct CacheArgs {
    pub(crate) read: Read,
    pub(crate) name: Option<LitStr>,
    pub(crate) key: Option<Expr>,
    pub(crate) condition: Option<Expr>,
    pub(crate) cache_none: bool,
    pub(crate) shared: bool,
}

impl CacheArgs {
    pub(crate) fn read(tokens: TokenStream, errors: &mut Errors) -> Self {
        let read = read(tokens, ATTRIBUTE, OPTIONS, errors);
        Self {
            name: read.text("name"),
            key: read.expr("key"),
            condition: read.expr("condition"),
            cache_none: read.flag("cache_none"),
            shared: read.flag("shared"),
            read,
        }
    }
}
