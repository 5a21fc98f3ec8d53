//! The steps every attribute takes: read the function, read the options,
//! and emit either the wrapped function or every error found, followed by the
//! function as written (so that one mistake does not cascade).

use proc_macro2::TokenStream;
use quote::quote;

use crate::diag::Errors;
use crate::signature::{Function, Inner};

/// One attribute: how to read its options and how to wrap a function's work.
pub(crate) struct Attribute<A> {
    pub(crate) name: &'static str,
    pub(crate) parse: fn(TokenStream, Option<&Function>, &mut Errors) -> A,
    pub(crate) expand: fn(&A, &Function, Inner) -> TokenStream,
}

pub(crate) fn run<A>(
    attribute: &Attribute<A>,
    args: TokenStream,
    item: TokenStream,
) -> TokenStream {
    let mut errors = Errors::default();
    let function = Function::parse(item.clone(), attribute.name, &mut errors);
    let args = (attribute.parse)(args, function.as_ref(), &mut errors);
    match function {
        Some(function) if errors.is_empty() => {
            function.rebuild(|f, inner| (attribute.expand)(&args, f, inner))
        }
        _ => {
            let errors = errors.to_compile_errors();
            quote!(#errors #item)
        }
    }
}
