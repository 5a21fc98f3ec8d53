//! Small pieces of generated code every attribute writes the same way.

use std::time::Duration;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

/// `::core::time::Duration::from_nanos(n)`: a `const` expression.
pub(crate) fn duration(d: Duration) -> TokenStream {
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    quote!(::core::time::Duration::from_nanos(#nanos))
}

/// `::core::option::Option::Some(value)` or `None`, immune to a user's
/// `Option`, `Some` or `None`.
pub(crate) fn option<T: ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}
