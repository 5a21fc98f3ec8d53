//! The per-callsite `static` every attribute expands to: its runtime
//! `Callsite`, found once, with the marker item that names the function.

use proc_macro2::{Ident, TokenStream};
use quote::ToTokens;
use quote::quote;

use crate::signature::Function;

/// A block that declares `static #name: ::opguard::__private::#module::Callsite`
/// with `meta` (the fields after `site`) and evaluates `#name.#method(#call)`.
pub(crate) fn lookup(
    module: &str,
    static_name: &str,
    method: &str,
    call: TokenStream,
    name: Option<&impl ToTokens>,
    function: &Function,
    meta: TokenStream,
) -> TokenStream {
    let site = site(module, static_name, name, function, meta);
    let method = Ident::new(method, proc_macro2::Span::call_site());
    quote!(#site.#method(#call))
}

/// A block that declares `static #name: ::opguard::__private::#module::Callsite`
/// with `meta` (the fields after `site`) and evaluates to `&#name`.
///
/// The items live in this inner block, so the user's body never sees them,
/// even when its arguments have the same names.
pub(crate) fn site(
    module: &str,
    static_name: &str,
    name: Option<&impl ToTokens>,
    function: &Function,
    meta: TokenStream,
) -> TokenStream {
    let private = crate::emit::private("");
    let module = crate::emit::private(module);
    let static_name = Ident::new(static_name, proc_macro2::Span::call_site());
    let name = crate::emit::option(name);
    let fn_name = function.item.sig.ident.to_string();
    // Where the function's name is written: stacked attributes see the same
    // tokens, so they agree; two nested functions of one name do not.
    let location = quote::quote_spanned! {function.item.sig.ident.span()=>
        ::core::concat!(::core::file!(), ":", ::core::line!(), ":", ::core::column!())
    };
    quote! {{
        fn __opguard_here() -> &'static str {
            ::core::any::type_name_of_val(&__opguard_here)
        }
        static #static_name: #module::Callsite =
            #module::Callsite::new(#module::CallsiteMeta {
                site: #private::Site {
                    name: #name,
                    module: ::core::module_path!(),
                    fn_name: #fn_name,
                    locate: __opguard_here,
                    location: #location,
                },
                #meta
            });
        &#static_name
    }}
}
