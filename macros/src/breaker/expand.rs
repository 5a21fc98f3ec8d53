//! The code `#[circuit_breaker]` wraps around a function's work: a permit
//! from a per-callsite `static` breaker, the call run under it (retried if
//! asked), and on rejection the fallback or `Err(GuardError.into())`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::args::BreakerArgs;
use crate::signature::{Function, Inner};
use crate::tokens::{duration, option as some};

/// A block expression that runs `inner` through the breaker.
pub(crate) fn expand(args: &BreakerArgs, function: &Function, inner: Inner) -> TokenStream {
    let breaker = Ident::new("__opguard_breaker", Span::mixed_site());
    let policy = Ident::new("__opguard_policy", Span::mixed_site());
    let permit = Ident::new("__opguard_permit", Span::mixed_site());
    let rejected = Ident::new("__opguard_rejected", Span::mixed_site());
    let error = Ident::new("__opguard_error", Span::mixed_site());
    let is_failure = Ident::new("__opguard_is_failure", Span::mixed_site());
    let describe = Ident::new("__opguard_describe", Span::mixed_site());

    // The return type is checked (and its error type named) at the user's
    // return type, so mistakes are reported there.
    let at_output = Span::mixed_site().located_at(function.output_span);
    let output = function
        .output
        .as_ref()
        .map_or_else(|| quote!(_), |ty| quote!(#ty));
    let err_ty =
        quote_spanned!(at_output=> <#output as ::opguard::__private::breaker::GuardedOutput>::Err);
    let convert_fn =
        quote_spanned!(at_output=> ::opguard::__private::breaker::converter::<#err_ty>());
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
        let #is_failure = ::opguard::__private::breaker::judge::<#err_ty, _>(#judge);
        let #describe = ::opguard::__private::breaker::describer::<#err_ty, _>(|#error| {
            use ::opguard::__private::breaker::{DescribeAny as _, DescribeDebug as _, DescribeDisplay as _};
            (&&&::opguard::__private::breaker::Describe(#error)).__opguard_describe()
        });
        let #convert = #convert_fn;
        let #policy = ::opguard::__private::breaker::CallPolicy::new(&#is_failure, &#describe, &#convert);
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

    let run = if args.retries == 0 {
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
            quote_spanned!(arg.span()=> let #binding = ::opguard::__private::breaker::reuse(&#arg);)
        });
        let touch = function
            .mutable
            .iter()
            .map(|arg| quote!(let _ = &mut #arg;));
        let call = match inner {
            Inner::Value(value) => quote! {
                #breaker.call_sync_with_retries(&#policy, &#retry, || { #(#clones)* #value })
            },
            Inner::Future(future) => quote! {
                #breaker.call_with_retries(&#policy, &#retry, || { #(#clones)* #future }).await
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

fn config(args: &BreakerArgs) -> TokenStream {
    let to_u32 = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let failure_threshold = to_u32(args.failure_threshold);
    let window = duration(args.window);
    let failure_rate = some(args.failure_rate);
    let minimum_calls = to_u32(args.minimum_calls);
    let consecutive = some(args.consecutive_failures.map(to_u32));
    let slow_call = some(
        args.slow_call_duration
            .zip(args.slow_call_rate)
            .map(|(d, rate)| {
                let d = duration(d);
                quote!((#d, #rate))
            }),
    );
    let recovery = duration(args.recovery_timeout);
    let half_open = to_u32(args.half_open_max_calls);
    let success = to_u32(args.success_threshold);
    let half_open_max = duration(args.half_open_max_duration);
    let timeout = some(args.timeout.map(duration));
    quote! {
        ::opguard::__private::breaker::BreakerConfig {
            failure_threshold: #failure_threshold,
            window: #window,
            failure_rate: #failure_rate,
            minimum_calls: #minimum_calls,
            consecutive_failures: #consecutive,
            slow_call: #slow_call,
            recovery_timeout: #recovery,
            half_open_max_calls: #half_open,
            success_threshold: #success,
            half_open_max_duration: #half_open_max,
            timeout: #timeout,
        }
    }
}

fn retry_policy(args: &BreakerArgs) -> TokenStream {
    let retries = u32::try_from(args.retries).unwrap_or(u32::MAX);
    let backoff = format_ident!(
        "{}",
        match args.backoff {
            "fixed" => "Fixed",
            "linear" => "Linear",
            _ => "Exponential",
        }
    );
    let delay = duration(args.retry_delay);
    let max = duration(args.max_retry_delay);
    quote! {
        ::opguard::__private::breaker::RetryPolicy {
            retries: #retries,
            backoff: ::opguard::__private::breaker::Backoff::#backoff,
            retry_delay: #delay,
            max_retry_delay: #max,
        }
    }
}
