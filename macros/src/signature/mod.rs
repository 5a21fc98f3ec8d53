//! What an attribute needs to know about the function it is on: whether its
//! body runs synchronously, as an `async fn`, or as a returned `async` block
//! (the shape `#[async_trait]` leaves), its return type, and the names its
//! arguments bind. Shapes an attribute cannot wrap are refused here, with the
//! way out.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::{AttrStyle, Expr, FnArg, Ident, ItemFn, Pat, ReturnType, Type};

use crate::diag::Errors;
pub(crate) use shape::bindings;
use shape::{future_output, has_impl_trait, tail_async, tail_async_mut};

mod shape;

/// Where the function's work happens.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// A plain `fn`: the work is the body.
    Sync,
    /// An `async fn`: the work is the body, run when polled.
    Async,
    /// A `fn` returning a future whose body ends in an `async` block (also
    /// inside `Box::pin(..)`, as `#[async_trait]` writes it): the work is that
    /// block, so timing starts at its first poll.
    TailAsync,
}

/// The expression an attribute wraps.
pub(crate) enum Inner {
    /// Evaluates to the function's return value.
    Value(TokenStream),
    /// Evaluates to a future of the return value (async bodies).
    Future(TokenStream),
}

/// An annotated function, checked.
pub(crate) struct Function {
    pub(crate) item: ItemFn,
    pub(crate) kind: BodyKind,
    /// The type of the value the work yields, where it can be written in a
    /// `let` (it cannot when it holds `impl Trait`).
    pub(crate) output: Option<Type>,
    /// Where to point errors about the returned value.
    pub(crate) output_span: Span,
    /// The identifiers the (non-receiver) arguments bind.
    pub(crate) args: Vec<Ident>,
    /// Those of [`args`](Self::args) bound with `mut`.
    pub(crate) mutable: Vec<Ident>,
    /// One name per argument, when every argument is a plain name (so the
    /// call can be repeated with the same arguments, as `fallback` does).
    pub(crate) plain_args: Option<Vec<Ident>>,
    /// The receiver, if a method.
    pub(crate) receiver: Option<Receiver>,
}

/// How a method takes `self`.
pub(crate) struct Receiver {
    /// `&self` (copyable, so a body may run more than once).
    pub(crate) shared: bool,
    /// The receiver's tokens, for errors.
    pub(crate) tokens: TokenStream,
}

impl Function {
    /// Reads the item the attribute is on; `None` after reporting why it
    /// cannot be wrapped.
    pub(crate) fn parse(item: TokenStream, attribute: &str, errors: &mut Errors) -> Option<Self> {
        let item: ItemFn = match syn::parse2(item.clone()) {
            Ok(item) => item,
            Err(_) => {
                not_a_function(item, attribute, errors);
                return None;
            }
        };
        let sig = &item.sig;
        if let Some(constness) = &sig.constness {
            errors.at(
                constness,
                format!(
                    "`#[{attribute}]` cannot wrap a `const fn`: remove `const` or the attribute"
                ),
            );
        }
        if let ReturnType::Type(_, ty) = &sig.output
            && matches!(**ty, Type::Never(_))
        {
            errors.at(
                ty,
                format!("`#[{attribute}]` cannot wrap a function that never returns (`-> !`)"),
            );
        }
        if let Some(variadic) = &sig.variadic {
            errors.at(
                variadic,
                format!("`#[{attribute}]` cannot wrap a variadic function"),
            );
        }
        let declared = match &sig.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, ty) => (**ty).clone(),
        };
        let output_span = match &sig.output {
            ReturnType::Default => sig.ident.span(),
            ReturnType::Type(_, ty) => syn::spanned::Spanned::span(ty),
        };
        let (kind, output) = if sig.asyncness.is_some() {
            (BodyKind::Async, Some(declared))
        } else if tail_async(&item).is_some() {
            (BodyKind::TailAsync, future_output(&declared))
        } else {
            (BodyKind::Sync, Some(declared))
        };
        let output = output.filter(|ty| !has_impl_trait(ty));
        let mut args = Vec::new();
        let mut mutable = Vec::new();
        let mut plain_args = Some(Vec::new());
        let mut receiver = None;
        for input in &sig.inputs {
            match input {
                FnArg::Typed(typed) => {
                    bindings(&typed.pat, &mut args, &mut mutable);
                    match (&*typed.pat, &mut plain_args) {
                        (Pat::Ident(p), Some(plain))
                            if p.subpat.is_none() && p.by_ref.is_none() =>
                        {
                            plain.push(p.ident.clone())
                        }
                        _ => plain_args = None,
                    }
                }
                FnArg::Receiver(r) => {
                    receiver = Some(Receiver {
                        shared: r.reference.is_some()
                            && r.mutability.is_none()
                            && r.colon_token.is_none(),
                        tokens: r.to_token_stream(),
                    });
                }
            }
        }
        Some(Self {
            item,
            kind,
            output,
            output_span,
            args,
            mutable,
            plain_args,
            receiver,
        })
    }

    /// Whether the work is a future.
    pub(crate) fn is_async(&self) -> bool {
        self.kind != BodyKind::Sync
    }

    /// `: Type` for the `let` that holds the returned value, or nothing.
    pub(crate) fn output_annotation(&self) -> TokenStream {
        match &self.output {
            Some(ty) => quote!(: #ty),
            None => TokenStream::new(),
        }
    }

    /// The function with its work replaced by what `wrap` makes of it. `wrap`
    /// returns a block expression.
    pub(crate) fn rebuild(mut self, wrap: impl FnOnce(&Self, Inner) -> TokenStream) -> TokenStream {
        if self.kind == BodyKind::TailAsync {
            let Some(block) = tail_async(&self.item).cloned() else {
                return self.item.into_token_stream();
            };
            let wrapped = wrap(&self, Inner::Future(block.to_token_stream()));
            if let Some(slot) = tail_async_mut(&mut self.item) {
                *slot = Expr::Verbatim(quote!(async move #wrapped));
            }
            return self.item.into_token_stream();
        }
        let block = &self.item.block;
        let inner = match self.kind {
            BodyKind::Sync => {
                let call_once = crate::emit::private("call_once");
                Inner::Value(quote!(#call_once(move || #block)))
            }
            _ => Inner::Future(quote!(async move #block)),
        };
        let wrapped = wrap(&self, inner);
        let ItemFn {
            attrs, vis, sig, ..
        } = &self.item;
        let outer = attrs.iter().filter(|a| matches!(a.style, AttrStyle::Outer));
        let inner_attrs = attrs
            .iter()
            .filter(|a| matches!(a.style, AttrStyle::Inner(_)));
        quote! {
            #(#outer)*
            #vis #sig {
                #(#inner_attrs)*
                #wrapped
            }
        }
    }
}

/// Says what the item is and where attributes go.
fn not_a_function(item: TokenStream, attribute: &str, errors: &mut Errors) {
    if let Ok(method) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        errors.at(
            &method.sig,
            format!(
                "`#[{attribute}]` needs a function body: put it on the method in the `impl`, not on the trait's declaration"
            ),
        );
        return;
    }
    let what = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Struct(s)) => Some(("a struct", s.struct_token.to_token_stream())),
        Ok(syn::Item::Enum(e)) => Some(("an enum", e.enum_token.to_token_stream())),
        Ok(syn::Item::Impl(i)) => Some((
            "an `impl` block; put it on each method",
            i.impl_token.to_token_stream(),
        )),
        Ok(syn::Item::Trait(t)) => Some(("a trait", t.trait_token.to_token_stream())),
        Ok(syn::Item::Mod(m)) => Some(("a module", m.mod_token.to_token_stream())),
        Ok(syn::Item::Const(c)) => Some(("a constant", c.const_token.to_token_stream())),
        Ok(syn::Item::Static(s)) => Some(("a static", s.static_token.to_token_stream())),
        _ => None,
    };
    let (what, at) = what.unwrap_or(("this item", item.into_iter().take(1).collect()));
    errors.at(
        at,
        format!("`#[{attribute}]` applies to functions and methods, not to {what}"),
    );
}

#[cfg(test)]
mod tests;
