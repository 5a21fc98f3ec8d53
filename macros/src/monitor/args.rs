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

impl crate::driver::Layer for MonitorArgs {
    fn wrap(&self, function: &Function, inner: crate::signature::Inner) -> TokenStream {
        super::expand::expand(self, function, inner)
    }

    fn parse(tokens: TokenStream, _function: Option<&Function>, errors: &mut Errors) -> Self {
        let options = Options::parse(tokens, ATTRIBUTE, KEYS, errors);
        let mut args = Self {
            name: None,
            threshold: Duration::from_secs(1),
            include_args: false,
            include_result: false,
            level: "warn",
        };
        for arg in options.into_entries() {
            match arg.key.to_string().as_str() {
                "name" => args.name = value::string(&arg, errors),
                "threshold" => {
                    args.threshold = value::duration(&arg, false, errors).unwrap_or(args.threshold)
                }
                "include_args" => args.include_args = value::flag(&arg, errors),
                "include_result" => args.include_result = value::flag(&arg, errors),
                "level" => args.level = value::level(&arg, errors).unwrap_or(args.level),
                _ => {} // `Options::parse` reported it.
            }
        }
        args
    }
}
