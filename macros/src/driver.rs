//! The steps every attribute takes: read the function, read the options of
//! this attribute and of every opguard attribute below it on the same
//! function, and emit either the wrapped function or every error found,
//! followed by the function as written (so that one mistake does not cascade).
//!
//! Stacked attributes are fused: the outermost one removes the others and
//! wraps the function's work in every layer itself, innermost first, so that
//! they apply outside-in as written (an attribute macro expanded alone would
//! wrap the work of the attributes above it, inverting the order).

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::Meta;

use crate::diag::Errors;
use crate::layer::{Attribute, Layer, Parse};
use crate::signature::{Function, Inner};
use crate::{breaker, cache, monitor, rate_limit, trace};

/// Every attribute; stacked attributes of these names are fused.
pub(crate) const ATTRIBUTES: &[Attribute] = &[
    monitor::ATTRIBUTE,
    breaker::ATTRIBUTE,
    cache::ATTRIBUTE,
    trace::ATTRIBUTE,
    rate_limit::ATTRIBUTE,
];

fn parser(name: &str) -> Option<Parse> {
    ATTRIBUTES
        .iter()
        .find(|attribute| attribute.name == name)
        .map(|attribute| attribute.parse)
}

const FUSED: &str = "__opguard_fused";

/// Expands attribute `name` with `args` on `item`.
pub(crate) fn run(name: &'static str, args: TokenStream, item: TokenStream) -> TokenStream {
    if args.to_string() == FUSED {
        return item;
    }
    let mut errors = Errors::default();
    let mut function = Function::parse(item.clone(), name, &mut errors);
    let stacked = function.as_mut().map(take_stacked).unwrap_or_default();
    let mut layers = Vec::new();
    if let Some(parse) = parser(name) {
        layers.push(parse(args, function.as_ref(), &mut errors));
    }
    for (inner_name, inner_args) in stacked {
        if let Some(parse) = parser(&inner_name) {
            layers.push(parse(inner_args, function.as_ref(), &mut errors));
        }
    }
    match function {
        Some(function) if errors.is_empty() => {
            function.rebuild(|f, inner| compose(&layers, f, inner))
        }
        Some(function) => {
            // The function without the attributes already reported on.
            let errors = errors.to_compile_errors();
            let item = function.item.to_token_stream();
            quote!(#errors #item)
        }
        None => {
            let errors = errors.to_compile_errors();
            quote!(#errors #item)
        }
    }
}

/// Wraps `inner` in every layer, the last (innermost) first.
fn compose(layers: &[Box<dyn Layer>], function: &Function, mut inner: Inner) -> TokenStream {
    let mut block = TokenStream::new();
    for (depth, layer) in layers.iter().rev().enumerate() {
        if depth > 0 {
            inner = if function.is_async() {
                Inner::Future(quote!(async move #block))
            } else {
                Inner::Value(block)
            };
        }
        block = layer.wrap(function, inner_take(&mut inner));
    }
    block
}

/// Moves the inner expression out, leaving an empty one.
fn inner_take(inner: &mut Inner) -> Inner {
    std::mem::replace(inner, Inner::Value(TokenStream::new()))
}

/// Takes over the opguard attributes below this one: returns their names
/// and arguments, outermost first, and leaves each on the function with the
/// [`FUSED`] marker as its arguments. Recognised by their last path segment
/// (`#[circuit_breaker]`, `#[opguard::circuit_breaker]`).
fn take_stacked(function: &mut Function) -> Vec<(String, TokenStream)> {
    let mut stacked = Vec::new();
    for attr in &mut function.item.attrs {
        let path = attr.path().clone();
        let is_opguard = path.segments.len() == 1
            || (path.segments.len() == 2
                && path.segments.first().is_some_and(|s| s.ident == "opguard"));
        let Some(name) = path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        if !is_opguard || parser(&name).is_none() {
            continue;
        }
        let args = match &attr.meta {
            Meta::List(list) => list.tokens.clone(),
            _ => TokenStream::new(),
        };
        if args.to_string() == FUSED {
            continue;
        }
        stacked.push((name, args));
        let marker = syn::Ident::new(FUSED, proc_macro2::Span::call_site());
        attr.meta = syn::parse_quote!(#path(#marker));
    }
    stacked
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn fused_attributes_stay_on_the_function_as_markers() {
        let item = quote!(
            #[cacheable(ttl = "1m")]
            #[opguard::circuit_breaker]
            fn f(x: u64) -> Result<u64, E> {
                Ok(x)
            }
        );
        let output = super::run("monitor_performance", quote!(), item).to_string();
        assert!(
            output.contains("# [cacheable (__opguard_fused)]"),
            "{output}"
        );
        assert!(
            output.contains("# [opguard :: circuit_breaker (__opguard_fused)]"),
            "{output}"
        );
        let again = super::run(
            "cacheable",
            quote!(__opguard_fused),
            quote!(
                fn f() {}
            ),
        )
        .to_string();
        assert_eq!(
            again,
            quote!(
                fn f() {}
            )
            .to_string()
        );
    }
}
