//! The code `#[monitor_performance]` wraps around a function's work: a guard
//! from a per-callsite `static` timer, finished with the outcome.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::args::MonitorArgs;
use crate::emit::{self, Settings};
use crate::signature::{Function, Inner};

/// A block expression that times `inner` and yields its value.
pub(crate) fn expand(args: &MonitorArgs, function: &Function, inner: Inner) -> TokenStream {
    let guard = Ident::new("__opguard_monitor", Span::mixed_site());
    let ret = Ident::new("__opguard_ret", Span::mixed_site());
    let private = emit::private("");

    let record_args = (args.include_args && !function.args.is_empty()).then(|| {
        let format = function
            .args
            .iter()
            .map(|arg| format!("{arg} = {{:?}}"))
            .collect::<Vec<_>>()
            .join(", ");
        let values = function.args.iter().map(|arg| {
            let debug = emit::private_at("debug", arg.span());
            quote_spanned!(arg.span()=> #debug(&#arg))
        });
        quote!(#guard.record_args(|| ::std::format!(#format, #(#values),*));)
    });
    let mutability = record_args.as_ref().map(|_| quote!(mut));

    let annotation = function.output_annotation();
    let value = match inner {
        Inner::Value(value) => quote!(#value),
        Inner::Future(future) => quote!(#guard.watch(#future).await),
    };
    let is_err = quote! {{
        use #private::{SplitOther as _, SplitResult as _};
        (&&#private::Probe(&#ret)).__opguard_err().is_some()
    }};
    let finish = if args.include_result {
        // Every token at the return type, in the bindings' hygiene, so that a
        // missing `Debug` is reported there.
        let at = Span::mixed_site().located_at(function.output_span);
        let ret = Ident::new("__opguard_ret", at);
        let debug = emit::private_at("debug", at);
        let debug = quote_spanned!(at=> #debug(&#ret));
        quote!(#guard.finish_with(#is_err, #debug);)
    } else {
        quote!(#guard.finish(#is_err);)
    };

    let config = config(args);
    let lookup = crate::callsite::lookup(
        "monitor",
        "__OPGUARD_MONITOR",
        "start",
        quote!(),
        args.name.as_ref(),
        function,
        quote!(config: #config,),
    );

    quote! {{
        let #mutability #guard = #lookup;
        #record_args
        let #ret #annotation = #value;
        #finish
        #ret
    }}
}

/// The timer's settings: those given, and the runtime's defaults.
fn config(args: &MonitorArgs) -> TokenStream {
    let read = &args.read;
    let mut fields = Vec::new();
    if let Some(threshold) = read.duration("threshold") {
        fields.push(("threshold", emit::duration(threshold)));
    }
    if let Some(level) = read.word("level") {
        let level = format_ident!("{}", level.to_ascii_uppercase());
        let private = emit::private("");
        fields.push(("level", quote!(#private::Level::#level)));
    }
    const CONFIG: Settings<'static> = Settings {
        module: "monitor",
        ty: "TimerConfig",
        default: "DEFAULT",
        problem: "problem",
        name: "__OPGUARD_TIMER_CONFIG",
        options: &["threshold"],
    };
    CONFIG.declare(read, fields, quote!(__OPGUARD_TIMER_CONFIG))
}
