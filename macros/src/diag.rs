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
/// likely typo: within one edit per four letters (a transposition such as
/// `tll` for `ttl` is one edit), or similar by Jaro-Winkler. Fewer edits
/// win, then the closer Jaro-Winkler score.
pub(crate) fn closest<'a>(given: &str, options: &[&'a str]) -> Option<&'a str> {
    let given = given.to_ascii_lowercase();
    let max_edits = (given.chars().count() / 4).max(1);
    options
        .iter()
        .filter_map(|option| {
            let edits = strsim::osa_distance(&given, option);
            let similarity = strsim::jaro_winkler(&given, option);
            (edits <= max_edits || similarity >= 0.8).then_some((edits, similarity, *option))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, option)| option)
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
        // Transpositions and one-letter slips in short names.
        let cache = ["ttl", "tti", "max_capacity", "name", "key"];
        assert_eq!(closest("tll", &cache), Some("ttl"));
        assert_eq!(closest("tit", &cache), Some("tti"));
        assert_eq!(closest("nmae", &cache), Some("name"));
        assert_eq!(closest("kye", &cache), Some("key"));
        assert_eq!(closest("levle", &keys), Some("level"));
        assert_eq!(suggestion("zzz", &["a", "b"]), "expected one of: a, b");
    }
}
