//! The options of `#[monitor_performance]`, read and checked.

use std::time::Duration;

use proc_macro2::TokenStream;
use syn::LitStr;

use crate::args::{Options, value};
use crate::diag::Errors;
use crate::signature::Function;

pub(crate) const ATTRIBUTE: &str = "monitor_performance";

pub(crate) const KEYS: &[&str] = &[
    "name",
    "threshold",
    "include_args",
    "include_result",
    "level",
];

/// `#[monitor_performance(..)]`, checked.
pub(crate) struct MonitorArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) threshold: Duration,
    pub(crate) include_args: bool,
    pub(crate) include_result: bool,
    /// One of [`value::LEVELS`].
    pub(crate) level: &'static str,
}

impl MonitorArgs {
    pub(crate) fn parse(
        tokens: TokenStream,
        _function: Option<&Function>,
        errors: &mut Errors,
    ) -> Self {
        let mut options = Options::parse(tokens, ATTRIBUTE, KEYS, errors);
        let mut args = Self {
            name: None,
            threshold: Duration::from_secs(1),
            include_args: false,
            include_result: false,
            level: "warn",
        };
        if let Some(arg) = options.take("name") {
            args.name = value::string(&arg, errors);
        }
        if let Some(arg) = options.take("threshold")
            && let Some(threshold) = value::duration(&arg, false, errors)
        {
            args.threshold = threshold;
        }
        if let Some(arg) = options.take("include_args") {
            args.include_args = value::flag(&arg, errors);
        }
        if let Some(arg) = options.take("include_result") {
            args.include_result = value::flag(&arg, errors);
        }
        if let Some(arg) = options.take("level")
            && let Some(level) = value::level(&arg, errors)
        {
            args.level = level;
        }
        args
    }
}
