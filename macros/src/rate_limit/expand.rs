//! The code `#[rate_limit]` wraps around a function's work: ask the
//! per-callsite limiter (per key with `key`, waiting up to `wait`), and on a
//! refusal return `Err(GuardError::RateLimited { .. }.into())` without
//! running the body.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Ident;

use super::args::RateLimitArgs;
use crate::emit::{self, Settings};
use crate::signature::{Function, Inner};

/// A block expression that runs `inner` if the limit admits the call.
pub(crate) fn expand(args: &RateLimitArgs, function: &Function, inner: Inner) -> TokenStream {
    let limiter = Ident::new("__opguard_limiter", Span::mixed_site());
    let refused = Ident::new("__opguard_refused", Span::mixed_site());
    let key = Ident::new("__opguard_key", Span::mixed_site());

    // The error type is named at the user's return type, so that a missing
    // `From<GuardError>` is reported there.
    let (at_output, output) = emit::output(function);
    let at = emit::private_at("breaker", at_output);
    let err_ty = quote_spanned!(at_output=> <#output as #at::GuardedOutput>::Err);
    let convert = quote_spanned!(at_output=> #at::converter::<#err_ty>());

    let config = config(args);
    let site = crate::callsite::site(
        "rate_limit",
        "__OPGUARD_RATE_LIMIT",
        args.name.as_ref(),
        function,
        quote!(config: #config,),
    );
    let (prepare, decide) = match &args.key {
        // Owned, so that the limiter may keep it; its type is the key type.
        Some(expr) => {
            let at_key = Span::mixed_site().located_at(syn::spanned::Spanned::span(expr));
            let owned = quote_spanned!(at_key=> ::core::clone::Clone::clone(&(#expr)));
            (
                quote!(let #key = #owned; let #limiter = #site.keyed_for(&#key);),
                quote!(&#key),
            )
        }
        None => (quote!(let #limiter = #site.limiter();), quote!()),
    };
    let key_arg = (!decide.is_empty()).then(|| quote!(#decide,));
    let decision = match (args.read.duration("wait"), &inner) {
        // The fleet's limit: asked on every call (async only).
        (wait, Inner::Future(_)) if args.read.flag("shared") => {
            let wait = emit::duration(wait.unwrap_or_default());
            quote!(#limiter.acquire(#key_arg #wait).await)
        }
        (Some(wait), Inner::Future(_)) => {
            let wait = emit::duration(wait);
            let key = (!decide.is_empty()).then(|| quote!(#decide,));
            quote!(#limiter.wait_at_most(#key #wait).await)
        }
        _ => quote!(#limiter.check(#decide)),
    };
    let run = match inner {
        Inner::Value(value) => quote!(#value),
        Inner::Future(future) => quote!(#future.await),
    };
    let annotation = function.output_annotation();
    quote! {{
        #prepare
        match #decision {
            ::core::result::Result::Ok(()) => {
                let __opguard_ret #annotation = #run;
                __opguard_ret
            }
            ::core::result::Result::Err(#refused) => ::core::result::Result::Err((#convert)(#refused)),
        }
    }}
}

/// The limiter's settings: those given, and the runtime's defaults.
fn config(args: &RateLimitArgs) -> TokenStream {
    let read = &args.read;
    let mut fields = Vec::new();
    if let Some((count, period, _)) = &args.rate {
        let private = emit::private("rate_limit");
        let count = emit::int(*count);
        let period = emit::duration(*period);
        fields.push(("rate", quote!(#private::Rate::new(#count, #period))));
    }
    if let Some(burst) = read.int("burst") {
        fields.push(("burst", emit::option(Some(emit::int(burst)))));
    }
    if let Some(max_keys) = read.int("max_keys") {
        fields.push(("max_keys", emit::int(max_keys)));
    }
    if read.flag("shared") {
        fields.push(("shared", quote!(true)));
    }
    const CONFIG: Settings<'static> = Settings {
        module: "rate_limit",
        ty: "RateLimitConfig",
        default: "DEFAULT",
        problem: "problem",
        name: "__OPGUARD_RATE_LIMIT_CONFIG",
        options: &["rate", "burst", "max_keys", "shared"],
    };
    CONFIG.declare(read, fields, quote!(__OPGUARD_RATE_LIMIT_CONFIG))
}
