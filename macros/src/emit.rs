//! Pieces of generated code every attribute writes the same way: paths into
//! `::opguard::__private`, a setting's `const` checked by the runtime's
//! rulebook, the function's return type as the checks name it, durations,
//! options and integers.

use std::time::Duration;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::Ident;

use crate::args::Read;
use crate::signature::Function;

/// `::opguard::__private::a::b` for `"a::b"` (`""` for `__private` itself).
pub(crate) fn private(path: &str) -> TokenStream {
    private_at(path, Span::call_site())
}

/// [`private`], every token at `span` (so that an error it causes is
/// reported there).
pub(crate) fn private_at(path: &str, span: Span) -> TokenStream {
    let segments = path
        .split("::")
        .filter(|s| !s.is_empty())
        .map(|s| Ident::new(s, span));
    quote_spanned!(span=> ::opguard::__private #(::#segments)*)
}

/// One primitive's settings as a `const`: the runtime's type and its rules.
pub(crate) struct Settings<'a> {
    /// The `__private` module (`"breaker"`).
    pub(crate) module: &'a str,
    /// The type in it (`"BreakerConfig"`) and its default constant.
    pub(crate) ty: &'a str,
    pub(crate) default: &'a str,
    /// The `const fn` in the module that returns a broken rule's message.
    pub(crate) problem: &'a str,
    /// The `const`'s name.
    pub(crate) name: &'a str,
    /// The options that are fields of these settings.
    pub(crate) options: &'a [&'a str],
}

impl Settings<'_> {
    /// A block that declares the settings as a `const` holding the fields
    /// given (each `(field, value)`) and the defaults for the rest, checks
    /// them with the runtime's rules, and ends with `tail` (which names the
    /// `const` as [`Settings::name`]).
    ///
    /// Each option the user gave gets its own check, at the option's value:
    /// a `const` that panics with the rulebook's message when a rule that
    /// involves the option is broken, so that every broken rule is reported
    /// in one compile, at the tokens that broke it. A rule between options
    /// is reported at each of them that was given.
    pub(crate) fn declare(
        &self,
        read: &Read,
        fields: Vec<(&str, TokenStream)>,
        tail: TokenStream,
    ) -> TokenStream {
        let module = private(self.module);
        let ty = Ident::new(self.ty, Span::call_site());
        let default = Ident::new(self.default, Span::call_site());
        let name = Ident::new(self.name, Span::call_site());
        let problem = Ident::new(self.problem, Span::call_site());
        let fields = fields.into_iter().map(|(field, value)| {
            let field = Ident::new(field, Span::call_site());
            quote!(#field: #value,)
        });
        let checks = read
            .iter()
            .filter(|given| self.options.iter().any(|option| given.key == option))
            .map(|given| {
                let option = given.key.to_string();
                quote_spanned! {given.span=>
                    const _: () = if let ::core::option::Option::Some(__opguard_m) =
                        #module::#problem(&#name, #option)
                    {
                        ::core::panic!("{}", __opguard_m)
                    };
                }
            });
        // Every field may be given: the update is then needless, and fine.
        quote! {{
            #[allow(clippy::needless_update)]
            const #name: #module::#ty = #module::#ty { #(#fields)* ..#module::#ty::#default };
            #(#checks)*
            #tail
        }}
    }
}

/// The function's return type as checks name it (`_` when unnameable), and
/// a span at the user's return type in the macro's hygiene, so that a
/// missing trait is reported there.
pub(crate) fn output(function: &Function) -> (Span, TokenStream) {
    let at_output = Span::mixed_site().located_at(function.output_span);
    let output = function
        .output
        .as_ref()
        .map_or_else(|| quote!(_), |ty| quote!(#ty));
    (at_output, output)
}

/// An unsuffixed integer literal, typed by the field it is written into.
pub(crate) fn int(n: u64) -> TokenStream {
    let literal = proc_macro2::Literal::u64_unsuffixed(n);
    quote!(#literal)
}

/// `::core::time::Duration::from_nanos(n)`: a `const` expression.
pub(crate) fn duration(d: Duration) -> TokenStream {
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    quote!(::core::time::Duration::from_nanos(#nanos))
}

/// `::core::option::Option::Some(value)` or `None`, immune to a user's
/// `Option`, `Some` or `None`.
pub(crate) fn option<T: ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}
