//! The code `#[circuit_breaker]` wraps around a function's work: a permit
//! from a per-callsite `static` breaker, the call run under it (retried if
//! asked), and on rejection the fallback or `Err(GuardError.into())`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::args::BreakerArgs;
use crate::emit::{self, Settings, duration, option as some};
use crate::signature::{Function, Inner};

/// A block expression that runs `inner` through the breaker.
pub(crate) fn expand(args: &BreakerArgs, function: &Function, inner: Inner) -> TokenStream {
    let breaker = Ident::new("__opguard_breaker", Span::mixed_site());
    let policy = Ident::new("__opguard_policy", Span::mixed_site());
    let permit = Ident::new("__opguard_permit", Span::mixed_site());
    let rejected = Ident::new("__opguard_rejected", Span::mixed_site());
    let error = Ident::new("__opguard_error", Span::mixed_site());
    let is_failure = Ident::new("__opguard_is_failure", Span::mixed_site());
    let describe = Ident::new("__opguard_describe", Span::mixed_site());

    let private = emit::private("breaker");
    // The return type is checked (and its error type named) at the user's
    // return type, so mistakes are reported there.
    let (at_output, output) = emit::output(function);
    let at = emit::private_at("breaker", at_output);
    let err_ty = quote_spanned!(at_output=> <#output as #at::GuardedOutput>::Err);
    let convert_fn = quote_spanned!(at_output=> #at::converter::<#err_ty>());
    let convert = Ident::new("__opguard_convert", Span::mixed_site());

    let config = config(args);
    let lookup = crate::callsite::lookup(
        "breaker",
        "__OPGUARD_BREAKER",
        "breaker",
        quote!(),
        args.name.as_ref(),
        function,
        quote!(config: #config,),
    );
    let lookup = quote!(let #breaker = #lookup;);

    let judge = match (&args.expected_errors, &args.failure_if) {
        (Some(patterns), _) => quote!(|#error| ::core::matches!(#error, #(#patterns)|*)),
        (None, Some(predicate)) => quote!(#predicate),
        (None, None) => quote!(|_| true),
    };
    let policy_def = quote! {
        let #is_failure = #private::judge::<#err_ty, _>(#judge);
        let #describe = #private::describer::<#err_ty, _>(|#error| {
            use #private::{DescribeAny as _, DescribeDebug as _, DescribeDisplay as _};
            (&&&#private::Describe(#error)).__opguard_describe()
        });
        let #convert = #convert_fn;
        let #policy = #private::CallPolicy::new(&#is_failure, &#describe, &#convert);
    };

    let on_reject = match &args.fallback {
        Some(path) => {
            let receiver = function.receiver.as_ref().map(|_| quote!(self,));
            let plain = function.plain_args.clone().unwrap_or_default();
            let call = quote_spanned!(path_span(path)=> #path(#receiver #(#plain),*));
            if function.is_async() {
                quote!(#call.await)
            } else {
                call
            }
        }
        None => quote!(::core::result::Result::Err(#policy.convert(#rejected))),
    };

    let run = if !args.retrying() {
        let call = match inner {
            Inner::Value(value) => quote!(#permit.run_sync(&#policy, move || #value)),
            Inner::Future(future) => quote!(#permit.run(&#policy, #future).await),
        };
        quote! {
            match #breaker.acquire() {
                ::core::result::Result::Ok(#permit) => #call,
                ::core::result::Result::Err(#rejected) => #on_reject,
            }
        }
    } else {
        let retry = retry_policy(args);
        // Each attempt gets its own clone of every argument; `&mut` uses of
        // the originals keep `mut` arguments from warning as unneeded.
        let clones = function.args.iter().map(|arg| {
            let binding = if function.mutable.contains(arg) {
                quote!(mut #arg)
            } else {
                quote!(#arg)
            };
            {
                let reuse = emit::private_at("breaker::reuse", arg.span());
                quote_spanned!(arg.span()=> let #binding = #reuse(&#arg);)
            }
        });
        let touch = function
            .mutable
            .iter()
            .map(|arg| quote!(let _ = &mut #arg;));
        let call = match inner {
            Inner::Value(value) => quote! {
                #breaker.call_sync_with_retries(&#policy, #retry, || { #(#clones)* #value })
            },
            Inner::Future(future) => quote! {
                #breaker.call_with_retries(&#policy, #retry, || { #(#clones)* #future }).await
            },
        };
        quote! {
            #(#touch)*
            match #call {
                ::core::result::Result::Ok(__opguard_result) => __opguard_result,
                ::core::result::Result::Err(#rejected) => #on_reject,
            }
        }
    };

    quote! {{
        #lookup
        #policy_def
        #run
    }}
}

fn path_span(path: &syn::ExprPath) -> Span {
    syn::spanned::Spanned::span(path)
}

/// The breaker's settings: those given, and the runtime's defaults.
fn config(args: &BreakerArgs) -> TokenStream {
    let read = &args.read;
    let mut fields = Vec::new();
    for field in [
        "failure_threshold",
        "minimum_calls",
        "half_open_max_calls",
        "success_threshold",
    ] {
        if let Some(n) = read.int(field) {
            fields.push((field, emit::int(n)));
        }
    }
    if let Some(n) = read.int("consecutive_failures") {
        fields.push(("consecutive_failures", some(Some(emit::int(n)))));
    }
    if read.flag("shared") {
        fields.push(("shared", quote!(true)));
    }
    for field in [
        "window",
        "recovery_timeout",
        "half_open_max_duration",
        "sync_interval",
    ] {
        if let Some(d) = read.duration(field) {
            fields.push((field, duration(d)));
        }
    }
    if let Some(d) = read.duration("timeout") {
        fields.push(("timeout", some(Some(duration(d)))));
    }
    if let Some(rate) = read.number("failure_rate") {
        fields.push(("failure_rate", some(Some(rate))));
    }
    if let (Some(d), Some(rate)) = (
        read.duration("slow_call_duration"),
        read.number("slow_call_rate"),
    ) {
        let d = duration(d);
        fields.push(("slow_call", some(Some(quote!((#d, #rate))))));
    }
    CONFIG.declare(read, fields, quote!(__OPGUARD_BREAKER_CONFIG))
}

const CONFIG: Settings<'static> = Settings {
    module: "breaker",
    ty: "BreakerConfig",
    default: "DEFAULT",
    problem: "problem",
    name: "__OPGUARD_BREAKER_CONFIG",
    options: &[
        "failure_threshold",
        "window",
        "failure_rate",
        "minimum_calls",
        "consecutive_failures",
        "slow_call_duration",
        "slow_call_rate",
        "recovery_timeout",
        "half_open_max_calls",
        "success_threshold",
        "half_open_max_duration",
        "timeout",
        "shared",
        "sync_interval",
    ],
};

const RETRY: Settings<'static> = Settings {
    module: "breaker",
    ty: "RetryPolicy",
    default: "NONE",
    problem: "retry_problem",
    name: "__OPGUARD_RETRY",
    options: &["retries", "retry_delay", "max_retry_delay"],
};

/// A `&'static` reference to the retry policy: those given, and the
/// runtime's defaults.
fn retry_policy(args: &BreakerArgs) -> TokenStream {
    let read = &args.read;
    let mut fields = Vec::new();
    if let Some(n) = read.int("retries") {
        fields.push(("retries", emit::int(n)));
    }
    if let Some(backoff) = read.word("backoff") {
        let backoff = format_ident!(
            "{}",
            match backoff {
                "fixed" => "Fixed",
                "linear" => "Linear",
                _ => "Exponential",
            }
        );
        let private = emit::private("breaker");
        fields.push(("backoff", quote!(#private::Backoff::#backoff)));
    }
    for field in ["retry_delay", "max_retry_delay"] {
        if let Some(d) = read.duration(field) {
            fields.push((field, duration(d)));
        }
    }
    RETRY.declare(read, fields, quote!(&__OPGUARD_RETRY))
}
