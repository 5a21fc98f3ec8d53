//! The code `#[trace_operation]` wraps around a function's work: a span from
//! a per-callsite `static`, entered around the work, closed with its outcome.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;
use syn::ext::IdentExt as _;

use super::args::{CLOSING_FIELDS, TraceArgs};
use super::fields::FieldValue;
use crate::emit;
use crate::signature::{Function, Inner};

/// A block expression that does `inner` inside a span.
pub(crate) fn expand(args: &TraceArgs, function: &Function, inner: Inner) -> TokenStream {
    let call = Ident::new("__opguard_trace", Span::mixed_site());
    let meta = Ident::new("__opguard_meta", Span::mixed_site());
    let ret = Ident::new("__opguard_ret", Span::mixed_site());
    let private = emit::private("");
    let trace = emit::private("trace");

    // The recorded arguments and extra fields, then the closing fields.
    let recorded: Vec<&Ident> = if args.include_args {
        function
            .args
            .iter()
            .filter(|arg| !args.skip.contains(arg))
            .collect()
    } else {
        Vec::new()
    };
    // Field names without `r#`: `r#type` records `type`.
    let mut names: Vec<String> = recorded
        .iter()
        .map(|name| name.unraw().to_string())
        .chain(args.fields.iter().map(|field| field.name.clone()))
        .collect();
    let opening = names.len();
    names.extend(CLOSING_FIELDS.iter().map(|f| (*f).to_owned()));
    if args.include_result {
        names.push("result".to_owned());
    }
    let closing = names.len() - opening;

    // Each value: checked for `Debug` at the user's token, then recorded as a
    // value or with `Debug`.
    let mut locals = Vec::new();
    let mut values = Vec::new();
    let probe = |at: Span, value: TokenStream, index: usize| {
        let local = format_ident!("__opguard_field{index}", span = Span::mixed_site());
        let at = Span::mixed_site().located_at(at);
        let trace_at = emit::private_at("trace", at);
        let checked = quote_spanned!(at=> #trace_at::check(&#value););
        let statement = quote! {
            #checked
            let #local = (&&&#private::Probe(&#value)).__opguard_field();
        };
        (
            statement,
            quote!(::core::option::Option::Some(&#local as &dyn #trace::Value)),
        )
    };
    for (index, arg) in recorded.iter().enumerate() {
        let (statement, value) = probe(arg.span(), quote!(#arg), index);
        locals.push(statement);
        values.push(value);
    }
    for (index, field) in args.fields.iter().enumerate() {
        // Bound first: the recorded value borrows it.
        let bound = format_ident!("__opguard_value{index}", span = Span::mixed_site());
        match &field.value {
            FieldValue::Value(expr) => {
                locals.push(quote!(let #bound = #expr;));
                let (statement, value) = probe(
                    syn::spanned::Spanned::span(expr),
                    quote!(#bound),
                    recorded.len() + index,
                );
                locals.push(statement);
                values.push(value);
            }
            FieldValue::Display(expr) | FieldValue::Debug(expr) => {
                // Borrowed, checked at the user's token, then formatted.
                let shown = matches!(field.value, FieldValue::Display(_));
                let at = Span::mixed_site().located_at(syn::spanned::Spanned::span(expr));
                // Located at the value, so a missing trait is reported there.
                let raw = format_ident!("__opguard_raw{index}", span = at);
                let (check, method) = if shown {
                    (quote!(check_display), quote!(__opguard_shown))
                } else {
                    (quote!(check), quote!(__opguard_debugged))
                };
                let trace_at = emit::private_at("trace", at);
                let checked = quote_spanned!(at=> #trace_at::#check(#raw););
                locals.push(quote! {
                    let #raw = &(#expr);
                    #checked
                    let #bound = {
                        use #trace::{FieldDebugged as _, FieldFormatRefused as _, FieldShown as _};
                        (&&#private::Probe(#raw)).#method()
                    };
                });
                values.push(quote!(::core::option::Option::Some(&#bound as &dyn #trace::Value)));
            }
            FieldValue::Empty => values.push(quote!(::core::option::Option::None)),
        }
    }
    values.extend((0..closing).map(|_| quote!(::core::option::Option::None)));

    let level = format_ident!("{}", args.level.to_ascii_uppercase());
    let target = match &args.target {
        Some(target) => quote!(#target),
        None => quote!(::core::module_path!()),
    };
    let rate = args.sample_rate;
    let level_of = |level: &str| {
        let level = format_ident!("{}", level.to_ascii_uppercase());
        quote!(#private::Level::#level)
    };
    let error_level = level_of(args.err.level.unwrap_or("error"));
    let result_level = emit::option(args.ret.level.map(level_of));
    let include_elapsed = args.include_elapsed;
    let site = Ident::new("__opguard_site", Span::mixed_site());
    let lookup = crate::callsite::site(
        "trace",
        "__OPGUARD_TRACE",
        args.name.as_ref(),
        function,
        quote! {
            level: #private::Level::#level,
            target: #target,
            fields: &[#(#names),*],
            file: ::core::file!(),
            line: ::core::line!(),
            sample_rate: #rate,
            error_level: #error_level,
            result_level: #result_level,
            include_elapsed: #include_elapsed,
        },
    );

    // `err(Debug)` / `err(Display)` choose how the error is written; by
    // default `Display` when the error has it, else `Debug`.
    let describe_error = match args.err.display {
        Some(true) => quote!(::std::format!(
            "{}",
            #trace::check_display(__opguard_error)
        )),
        Some(false) => quote!(::std::format!("{:?}", __opguard_error)),
        None => quote!((&&&#private::Describe(__opguard_error)).__opguard_describe()),
    };
    let result = if args.include_result {
        let at = Span::mixed_site().located_at(function.output_span);
        let ret_at = Ident::new("__opguard_ret", at);
        let private = emit::private_at("", at);
        let trace = emit::private_at("trace", at);
        // `ret(Display)` records the result with `Display`, else with `Debug`.
        let format_result = if args.ret.display == Some(true) {
            quote_spanned!(at=> ::std::format!("{}", #trace::check_display(__opguard_ok)))
        } else {
            quote_spanned! {at=>
                #trace::check(__opguard_ok);
                ::std::format!("{:?}", __opguard_ok)
            }
        };
        quote_spanned!(at=> || {
            use #private::{SplitOther as _, SplitResult as _};
            let __opguard_ok = (&&#private::Probe(#ret_at)).__opguard_ok();
            __opguard_ok.map(|__opguard_ok| {
                #format_result
            })
        })
    } else {
        quote!(|| ::core::option::Option::None)
    };

    // Finishes a traced call, given the value (`&`) the work returned; typed,
    // so that the value's type is known where it is taken apart.
    let returned = match &function.output {
        Some(ty) => quote!(#ret: &#ty),
        None => quote!(#ret),
    };
    let end = quote! {
        |#call: &mut #trace::TraceCall, #returned| {
            use #private::{SplitOther as _, SplitResult as _};
            let __opguard_err = (&&#private::Probe(#ret)).__opguard_err();
            #call.finish(
                __opguard_err.is_some(),
                || {
                    use #private::{DescribeAny as _, DescribeDebug as _, DescribeDisplay as _};
                    match __opguard_err {
                        ::core::option::Option::Some(__opguard_error) => {
                            #describe_error
                        }
                        ::core::option::Option::None => ::std::string::String::new(),
                    }
                },
                #result,
            );
        }
    };

    // Whether the value is an `Err`: on the disabled path, all that is
    // looked at.
    let is_err = quote! {
        |#returned| {
            use #private::{SplitOther as _, SplitResult as _};
            (&&#private::Probe(#ret)).__opguard_err().is_some()
        }
    };

    // The work runs bare when nobody traces the call (its level is
    // disabled, or `start` says no: `#call` is `None`), under the call
    // otherwise. An async body nobody traces is awaited directly, not
    // through `instrument` with an untraced call (1.29x `#[instrument]`'s
    // cost with a subscriber elsewhere whose interest is "never"): one
    // future for both paths (an enum) measured slower, as the async
    // function's state then moves the traced path's call too.
    let enabled = Ident::new("__opguard_enabled", Span::mixed_site());
    let value = match inner {
        Inner::Value(value) => {
            quote!(#trace::run(#site, #call, || #value, #is_err, #end))
        }
        Inner::Future(future) => {
            let body = Ident::new("__opguard_body", Span::mixed_site());
            let end_fn = Ident::new("__opguard_end", Span::mixed_site());
            let value = Ident::new("__opguard_value", Span::mixed_site());
            quote! {{
                let (#body, #end_fn) = #trace::with_end(#future, #end);
                // Not `is_some(&call)`: a borrowed local stays in the
                // future's state across the `.await`s (120 -> 192 bytes).
                if ::core::matches!(#call, ::core::option::Option::Some(_)) {
                    #trace::instrument(#site, #call, #body, #end_fn).await
                } else {
                    #trace::untraced(#call);
                    let #value = #body.await;
                    #trace::disabled_end(#site, &#value, #is_err, #end_fn);
                    #value
                }
            }}
        }
    };
    let annotation = function.output_annotation();

    // `parent = ..` and `follows_from = ..`, as `#[tracing::instrument]`.
    let span_var = Ident::new("__opguard_span", Span::mixed_site());
    let new_span = match &args.parent {
        Some(parent) => {
            quote!(#trace::child_span(#meta, #parent, &[#(#values),*]))
        }
        // Nothing to record yet: a value set the subscriber need not walk.
        None if opening == 0 => quote!(#trace::span_without_values(#meta)),
        None => quote!(#trace::span(#meta, &[#(#values),*])),
    };
    let make_span = match &args.follows_from {
        Some(causes) => quote! {
            let #span_var = #new_span;
            for __opguard_cause in #causes {
                #span_var.follows_from(__opguard_cause);
            }
            #span_var
        },
        None => new_span,
    };

    quote! {{
        let #site: &'static #trace::Callsite = #lookup;
        // The arguments are borrowed only when the span's level is enabled,
        // so the disabled path costs a level check and runs the work bare.
        // Nobody tracing the call (`None` from `start`) runs it bare too.
        let #enabled = #site.level_enabled();
        let #call = if #enabled {
            #site.start(|#meta: &'static #trace::Metadata| {
                use #trace::{FieldAsDebug as _, FieldAsValue as _, FieldRefused as _};
                #(#locals)*
                #make_span
            })
        } else {
            ::core::option::Option::None
        };
        let #ret #annotation = #value;
        #ret
    }}
}
