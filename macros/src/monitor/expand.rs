//! The code `#[monitor_performance]` wraps around a function's work: a guard
//! from a per-callsite `static` timer, finished with the outcome.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::args::MonitorArgs;
use crate::signature::{Function, Inner};

/// A block expression that times `inner` and yields its value.
pub(crate) fn expand(args: &MonitorArgs, function: &Function, inner: Inner) -> TokenStream {
    let guard = Ident::new("__opguard_monitor", Span::mixed_site());
    let ret = Ident::new("__opguard_ret", Span::mixed_site());
    let threshold = crate::tokens::duration(args.threshold);
    let level = format_ident!("{}", args.level.to_ascii_uppercase());

    let record_args = (args.include_args && !function.args.is_empty()).then(|| {
        let format = function
            .args
            .iter()
            .map(|arg| format!("{arg} = {{:?}}"))
            .collect::<Vec<_>>()
            .join(", ");
        let values = function
            .args
            .iter()
            .map(|arg| quote_spanned!(arg.span()=> ::opguard::__private::debug(&#arg)));
        quote!(#guard.record_args(|| ::std::format!(#format, #(#values),*));)
    });
    let mutability = record_args.as_ref().map(|_| quote!(mut));

    let annotation = function.output_annotation();
    let value = match inner {
        Inner::Value(value) => quote!(#value),
        Inner::Future(future) => quote!(#guard.watch(#future).await),
    };
    let is_err = quote! {{
        use ::opguard::__private::{SplitOther as _, SplitResult as _};
        (&&::opguard::__private::Probe(&#ret)).__opguard_err().is_some()
    }};
    let finish = if args.include_result {
        // Every token at the return type, in the bindings' hygiene, so that a
        // missing `Debug` is reported there.
        let at = Span::mixed_site().located_at(function.output_span);
        let ret = Ident::new("__opguard_ret", at);
        let debug = quote_spanned!(at=> ::opguard::__private::debug(&#ret));
        quote!(#guard.finish_with(#is_err, #debug);)
    } else {
        quote!(#guard.finish(#is_err);)
    };

    let lookup = crate::callsite::lookup(
        "monitor",
        "__OPGUARD_MONITOR",
        "start",
        quote!(),
        args.name.as_ref(),
        function,
        quote! {
            threshold: #threshold,
            level: ::opguard::__private::Level::#level,
        },
    );

    quote! {{
        let #mutability #guard = #lookup;
        #record_args
        let #ret #annotation = #value;
        #finish
        #ret
    }}
}
