//! Diagnostics: errors are collected, never thrown, and reported together.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;

/// Every error found while reading one attribute and its function.
#[derive(Default)]
pub(crate) struct Errors {
    combined: Option<syn::Error>,
}

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    /// An error spanned at the user's `tokens`.
    pub(crate) fn at(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn at_span(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.combined.is_none()
    }

    /// `compile_error!` invocations for all errors, each at its own span.
    pub(crate) fn to_compile_errors(&self) -> TokenStream {
        self.combined
            .as_ref()
            .map(syn::Error::to_compile_error)
            .unwrap_or_default()
    }
}

/// The option in `options` closest to `given`, if any is close enough to be a
/// likely typo.
pub(crate) fn closest<'a>(given: &str, options: &[&'a str]) -> Option<&'a str> {
    let given = given.to_ascii_lowercase();
    options
        .iter()
        .map(|option| (strsim::jaro_winkler(&given, option), *option))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, option)| option)
}

/// ` (did you mean `x`?)`, or the list of valid names.
pub(crate) fn suggestion(given: &str, options: &[&str]) -> String {
    match closest(given, options) {
        Some(option) => format!("did you mean `{option}`?"),
        None => format!("expected one of: {}", options.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::{closest, suggestion};

    #[test]
    fn suggests_close_names_only() {
        let keys = [
            "threshold",
            "include_args",
            "include_result",
            "level",
            "name",
        ];
        assert_eq!(closest("treshold", &keys), Some("threshold"));
        assert_eq!(closest("include_arg", &keys), Some("include_args"));
        assert_eq!(closest("lvl", &keys), None);
        assert_eq!(suggestion("zzz", &["a", "b"]), "expected one of: a, b");
    }
}
