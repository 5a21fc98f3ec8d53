//! The options of `#[monitor_performance]`: their table, and reading them.

use proc_macro2::TokenStream;
use syn::LitStr;

use crate::args::table::{Kind, Opt};
use crate::args::{Read, read};
use crate::diag::Errors;

pub(crate) const ATTRIBUTE: &str = "monitor_performance";

/// Every option. Limits and defaults of the settings are the runtime's
/// (`TimerConfig`).
pub(crate) const OPTIONS: &[Opt] = &[
    opt("name", Kind::Text, r#"name = "op""#),
    opt("threshold", Kind::Duration, r#"threshold = "250ms""#),
    opt("include_args", Kind::Flag, "include_args"),
    opt("include_result", Kind::Flag, "include_result = false"),
    opt("level", Kind::Level, r#"level = "info""#),
];

const fn opt(key: &'static str, kind: Kind, example: &'static str) -> Opt {
    Opt { key, kind, example }
}

/// `#[monitor_performance(..)]`, read: each option as given, `None` if not.
pub(crate) struct MonitorArgs {
    pub(crate) read: Read,
    pub(crate) name: Option<LitStr>,
    pub(crate) include_args: bool,
    pub(crate) include_result: bool,
}

impl MonitorArgs {
    pub(crate) fn read(tokens: TokenStream, errors: &mut Errors) -> Self {
        let read = read(tokens, ATTRIBUTE, OPTIONS, errors);
        Self {
            name: read.text("name"),
            include_args: read.flag("include_args"),
            include_result: read.flag("include_result"),
            read,
        }
    }
}
