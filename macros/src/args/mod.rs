//! Attribute arguments shared by every attribute: splitting into entries
//! ([`raw`]), checking names against an attribute's options ([`Options`]) and
//! reading typed values ([`value`]).

pub(crate) mod duration;
pub(crate) mod raw;
pub(crate) mod value;

use proc_macro2::TokenStream;

use crate::diag::{Errors, suggestion};
use raw::RawArg;

/// The entries of one attribute, each a known option given once.
pub(crate) struct Options {
    entries: Vec<RawArg>,
}

impl Options {
    /// Reads `tokens`, reporting unknown options (with the closest valid name)
    /// and options given twice.
    pub(crate) fn parse(
        tokens: TokenStream,
        attribute: &str,
        known: &[&str],
        errors: &mut Errors,
    ) -> Self {
        let mut entries: Vec<RawArg> = Vec::new();
        for arg in raw::parse(tokens, errors) {
            let key = arg.key.to_string();
            if !known.contains(&key.as_str()) {
                errors.at(
                    &arg.key,
                    format!(
                        "unknown option `{key}` for `#[{attribute}]`; {}",
                        suggestion(&key, known)
                    ),
                );
            } else if entries.iter().any(|seen| seen.key == arg.key) {
                errors.at(
                    &arg.key,
                    format!("`{key}` is given more than once; keep one"),
                );
            } else {
                entries.push(arg);
            }
        }
        Self { entries }
    }

    /// The entries in the order written, so that errors come out in that
    /// order too.
    pub(crate) fn into_entries(self) -> Vec<RawArg> {
        self.entries
    }
}
