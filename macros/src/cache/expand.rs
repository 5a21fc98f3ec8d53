//! The code `#[cacheable]` wraps around a function's work: look the key up,
//! and on a miss run the work through the cache's coalescing load.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{FnArg, Ident, Pat, Type};

use super::args::CacheArgs;
use crate::emit::{self, Settings, duration, option};
use crate::signature::{Function, Inner};

/// A block expression that answers from the cache or runs `inner`.
pub(crate) fn expand(args: &CacheArgs, function: &Function, inner: Inner) -> TokenStream {
    let adapter = Ident::new("__opguard_adapter", Span::mixed_site());
    let cache = Ident::new("__opguard_cache", Span::mixed_site());
    let key = Ident::new("__opguard_key", Span::mixed_site());
    let value = Ident::new("__opguard_value", Span::mixed_site());

    let (at_output, output) = emit::output(function);
    let at = emit::private_at("cache", at_output);
    let pick = if args.cache_none {
        quote_spanned!(at_output=> #at::Adapter::<#output, #output>::VALUE)
    } else {
        quote_spanned!(at_output=> {
            use #at::{ShapeOption as _, ShapeResult as _, ShapeResultShared as _, ShapeValue as _};
            (&&&&#at::Shape::<#output>::new()).__opguard_adapter()
        })
    };
    let adapter_at_output = Ident::new("__opguard_adapter", at_output);
    let mut check_value = quote_spanned!(at_output=> #at::check_value(&#adapter_at_output););
    if args.shared {
        check_value
            .extend(quote_spanned!(at_output=> #at::check_shared_value(&#adapter_at_output);));
    }

    let config = config(args);
    let getter = match (args.shared, function.is_async()) {
        (true, _) => "shared_cache",
        (false, true) => "async_cache",
        (false, false) => "sync_cache",
    };
    let lookup = crate::callsite::lookup(
        "cache",
        "__OPGUARD_CACHE",
        getter,
        // The instantiation: a closure's type name carries every generic
        // argument, the function's and a generic `impl`'s.
        quote!(&#adapter, ::core::any::type_name_of_val(&|| ())),
        args.name.as_ref(),
        function,
        quote!(config: #config,),
    );

    let keep = match &args.condition {
        Some(condition) => quote!(#adapter.keep(#condition)),
        None => quote!(|_| true),
    };
    let (hit, load) = match &inner {
        Inner::Value(_) => (quote!(), quote!()),
        Inner::Future(_) => (quote!(.await), quote!(.await)),
    };
    let body = match inner {
        Inner::Value(v) => quote!(move || #v),
        Inner::Future(f) => f,
    };

    // The key: looked up borrowed where it can be, owned only on a miss.
    let (prepare, lookup_key, owned_key) = key_parts(args, function, &key);
    // An async miss is boxed: the load (moka's coalescing state and the
    // body) then lives on the heap only when it runs, and the function's
    // future, created on every call, stays small (1.7 KB to about 0.8 KB for
    // a `u64 -> u64` function), which the hit path pays for in copies.
    let load_call = quote!(#cache.load(#owned_key, &#adapter, #keep, #body));
    let miss = match load.is_empty() {
        true => load_call,
        false => quote!(::std::boxed::Box::pin(#load_call).await),
    };

    quote! {{
        let #adapter = #pick;
        #check_value
        let #cache = #lookup;
        #prepare
        match #cache.hit(#lookup_key)#hit {
            ::core::option::Option::Some(#value) => #adapter.wrap(#value),
            ::core::option::Option::None => #miss,
        }
    }}
}

/// The cache's settings: those given, and the runtime's defaults.
fn config(args: &CacheArgs) -> TokenStream {
    let read = &args.read;
    let mut fields = Vec::new();
    if let Some(ttl) = read.duration("ttl") {
        fields.push(("ttl", duration(ttl)));
    }
    if let Some(tti) = read.duration("tti") {
        fields.push(("tti", option(Some(duration(tti)))));
    }
    if let Some(n) = read.int("max_capacity") {
        fields.push(("max_capacity", emit::int(n)));
    }
    if args.shared {
        fields.push(("shared", quote!(true)));
    }
    if let Some(local) = read.duration("local_ttl") {
        fields.push(("local_ttl", option(Some(duration(local)))));
    }
    for field in ["load_timeout", "sync_interval"] {
        if let Some(d) = read.duration(field) {
            fields.push((field, duration(d)));
        }
    }
    const CONFIG: Settings<'static> = Settings {
        module: "cache",
        ty: "CacheConfig",
        default: "DEFAULT",
        problem: "problem",
        name: "__OPGUARD_CACHE_CONFIG",
        options: &[
            "ttl",
            "tti",
            "max_capacity",
            "shared",
            "local_ttl",
            "load_timeout",
            "sync_interval",
        ],
    };
    CONFIG.declare(read, fields, quote!(__OPGUARD_CACHE_CONFIG))
}

/// Statements that build the key, the expression to look it up with, and the
/// owned key for a miss.
fn key_parts(
    args: &CacheArgs,
    function: &Function,
    key: &Ident,
) -> (TokenStream, TokenStream, TokenStream) {
    // A shared cache's key also crosses processes: its own checks, and
    // probes that refuse what is not `Serialize + DeserializeOwned`.
    let kind = if args.shared { &SHARED } else { &LOCAL };
    if let Some(expr) = &args.key {
        // The check at the expression; the rest in the macro's own hygiene,
        // so that lints on the unused one of the two traits stay silent.
        let at = emit::private_at("cache", syn::spanned::Spanned::span(expr));
        let whole_check = Ident::new(kind.whole_check, syn::spanned::Spanned::span(expr));
        let check = quote_spanned!(syn::spanned::Spanned::span(expr)=> #at::#whole_check(#expr));
        let private = emit::private_at("cache", Span::mixed_site());
        let [valid, refused] = kind.whole.map(|n| Ident::new(n, Span::mixed_site()));
        let build = quote_spanned!(Span::mixed_site()=> {
            use #private::{#refused as _, #valid as _};
            #private::WholeKey(#check).__opguard_whole()
        });
        return (quote!(let #key = #build;), quote!(&#key), quote!(#key));
    }
    let typed: Vec<(&Pat, &Type)> = function
        .item
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(t) => Some((&*t.pat, &*t.ty)),
            FnArg::Receiver(_) => None,
        })
        .collect();
    // Every token at the argument, so that a key type error is reported
    // there: `check_key_part` (`check_key_lookup` for a lone argument) names
    // the argument's type with a hint, and the key (or the lookup) is built
    // through a probe that gives a placeholder for a type the check refused,
    // so that the cache's own bounds on the key add no further errors.
    let check = |ident: &Ident, refs: u8, check: &str| {
        let at = Span::mixed_site().located_at(ident.span());
        let borrowed = borrowed(ident, refs, at);
        let check = Ident::new(check, at);
        let private = emit::private_at("cache", at);
        quote_spanned!(at=> #private::#check(#borrowed);)
    };
    let probe = |ident: &Ident, refs: u8, method: &str| {
        let at = Span::mixed_site().located_at(ident.span());
        let borrowed = borrowed(ident, refs, at);
        let method = Ident::new(method, at);
        let private = emit::private_at("", at);
        let [lookup, own, refused] = kind.probes.map(|n| Ident::new(n, at));
        quote_spanned!(at=> {
            use #private::cache::{#lookup as _, #own as _, #refused as _};
            (&&#private::Probe(#borrowed)).#method()
        })
    };
    // One plain argument: look up by reference, own the key on a miss.
    if let [(Pat::Ident(p), ty)] = typed.as_slice()
        && p.subpat.is_none()
    {
        let ident = &p.ident;
        let refs = references(p, ty);
        // Owned (cloned) only on a miss: a hit looks up the borrowed value.
        return (
            check(ident, refs, kind.lookup_check),
            probe(ident, refs, "__opguard_lookup"),
            probe(ident, refs, "__opguard_key"),
        );
    }
    let names: Vec<(Ident, u8)> = typed
        .iter()
        .flat_map(|(pat, ty)| {
            // Bindings inside a pattern may be references by match
            // ergonomics, which the tokens do not tell: taken as values.
            let refs = match pat {
                Pat::Ident(p) => references(p, ty),
                _ => 0,
            };
            let mut names = Vec::new();
            crate::signature::bindings(pat, &mut names, &mut Vec::new());
            names.into_iter().map(move |name| (name, refs))
        })
        .collect();
    let checks = names
        .iter()
        .map(|(name, refs)| check(name, *refs, kind.part_check));
    let parts: Vec<TokenStream> = names
        .iter()
        .map(|(name, refs)| probe(name, *refs, "__opguard_key"))
        .collect();
    let tuple = match parts.as_slice() {
        [] => quote!(()),
        _ => quote!((#(#parts,)*)),
    };
    (
        quote!(#(#checks)* let #key = #tuple;),
        quote!(&#key),
        quote!(#key),
    )
}

/// The runtime's checks and probes of a key, by the cache's kind.
struct KeyNames {
    /// The check of a `key = ...` expression, and its probes (valid, refused).
    whole_check: &'static str,
    whole: [&'static str; 2],
    /// The checks of a lone argument and of a part of several.
    lookup_check: &'static str,
    part_check: &'static str,
    /// The probes of an argument: lookup, owned, refused.
    probes: [&'static str; 3],
}

const LOCAL: KeyNames = KeyNames {
    whole_check: "key",
    whole: ["WholeValid", "WholeRefused"],
    lookup_check: "check_key_lookup",
    part_check: "check_key_part",
    probes: ["KeyLookup", "KeyOwn", "KeyRefused"],
};

const SHARED: KeyNames = KeyNames {
    whole_check: "shared_key",
    whole: ["WholeSharedValid", "WholeSharedRefused"],
    lookup_check: "check_shared_key_lookup",
    part_check: "check_shared_key_part",
    probes: ["SharedLookup", "SharedOwn", "SharedRefused"],
};

/// How many references stand between an argument's binding and its value:
/// one for a reference type (`x: &str`), one for a `ref` binding
/// (`ref x: u64`).
fn references(binding: &syn::PatIdent, ty: &Type) -> u8 {
    u8::from(matches!(ty, Type::Reference(_))) + u8::from(binding.by_ref.is_some())
}

/// The argument `ident`, `refs` references deep, as one reference to its
/// value (`&x`, `x` or `*x`).
fn borrowed(ident: &Ident, refs: u8, at: Span) -> TokenStream {
    match refs {
        0 => quote_spanned!(at=> &#ident),
        1 => quote_spanned!(at=> #ident),
        _ => quote_spanned!(at=> *#ident),
    }
}
