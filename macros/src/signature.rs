//! What an attribute needs to know about the function it is on: whether its
//! body runs synchronously, as an `async fn`, or as a returned `async` block
//! (the shape `#[async_trait]` leaves), its return type, and the names its
//! arguments bind. Shapes an attribute cannot wrap are refused here, with the
//! way out.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::visit::Visit;
use syn::{
    AttrStyle, Expr, FnArg, GenericArgument, Ident, ItemFn, Pat, PathArguments, ReturnType, Stmt,
    Type,
};

use crate::diag::Errors;

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
            BodyKind::Sync => Inner::Value(quote!(::opguard::__private::call_once(move || #block))),
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

/// The `async` block at the tail of a non-async body: `async move { .. }` or
/// `Box::pin(async move { .. })`.
fn tail_async(item: &ItemFn) -> Option<&Expr> {
    let Some(Stmt::Expr(tail, None)) = item.block.stmts.last() else {
        return None;
    };
    match tail {
        Expr::Async(_) => Some(tail),
        Expr::Call(call) if is_pin_call(&call.func) && call.args.len() == 1 => call
            .args
            .first()
            .filter(|arg| matches!(arg, Expr::Async(_))),
        _ => None,
    }
}

fn tail_async_mut(item: &mut ItemFn) -> Option<&mut Expr> {
    let Some(Stmt::Expr(tail, None)) = item.block.stmts.last_mut() else {
        return None;
    };
    match tail {
        Expr::Async(_) => Some(tail),
        Expr::Call(call) if is_pin_call(&call.func) && call.args.len() == 1 => call
            .args
            .first_mut()
            .filter(|arg| matches!(arg, Expr::Async(_))),
        _ => None,
    }
}

fn is_pin_call(func: &Expr) -> bool {
    matches!(func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "pin"))
}

/// `T` in a return type that mentions `Future<Output = T>`.
fn future_output(ty: &Type) -> Option<Type> {
    struct Find(Option<Type>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_path_segment(&mut self, segment: &'ast syn::PathSegment) {
            if self.0.is_none()
                && segment.ident == "Future"
                && let PathArguments::AngleBracketed(args) = &segment.arguments
            {
                for arg in &args.args {
                    if let GenericArgument::AssocType(assoc) = arg
                        && assoc.ident == "Output"
                    {
                        self.0 = Some(assoc.ty.clone());
                    }
                }
            }
            syn::visit::visit_path_segment(self, segment);
        }
    }
    let mut find = Find(None);
    find.visit_type(ty);
    find.0
}

fn has_impl_trait(ty: &Type) -> bool {
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
        fn visit_type_infer(&mut self, _: &'ast syn::TypeInfer) {
            self.0 = true;
        }
    }
    let mut find = Find(false);
    find.visit_type(ty);
    find.0
}

/// The identifiers a pattern binds, in order, and those bound `mut`.
pub(crate) fn bindings(pat: &Pat, out: &mut Vec<Ident>, mutable: &mut Vec<Ident>) {
    match pat {
        Pat::Ident(p) => {
            out.push(p.ident.clone());
            if p.mutability.is_some() {
                mutable.push(p.ident.clone());
            }
            if let Some((_, sub)) = &p.subpat {
                bindings(sub, out, mutable);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|p| bindings(p, out, mutable)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| bindings(p, out, mutable)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| bindings(&f.pat, out, mutable)),
        Pat::Slice(s) => s.elems.iter().for_each(|p| bindings(p, out, mutable)),
        Pat::Reference(r) => bindings(&r.pat, out, mutable),
        Pat::Type(t) => bindings(&t.pat, out, mutable),
        Pat::Paren(p) => bindings(&p.pat, out, mutable),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{BodyKind, Function};
    use crate::diag::Errors;
    use quote::quote;

    fn read(tokens: proc_macro2::TokenStream) -> (Option<Function>, String) {
        let mut errors = Errors::default();
        let function = Function::parse(tokens, "attr", &mut errors);
        (function, errors.to_compile_errors().to_string())
    }

    /// A function that must read without errors.
    fn parsed(tokens: proc_macro2::TokenStream) -> Function {
        let (function, errors) = read(tokens);
        assert_eq!(errors, "");
        function.unwrap_or_else(|| unreachable!("no errors, so a function"))
    }

    #[test]
    fn recognises_body_kinds() {
        assert!(
            parsed(quote!(
                fn f() {}
            ))
            .kind
                == BodyKind::Sync
        );
        assert!(
            parsed(quote!(
                async fn f(&self) -> u8 {
                    1
                }
            ))
            .kind
                == BodyKind::Async
        );
        let function = parsed(quote! {
            fn f<'life0, 'async_trait>(&'life0 self) -> ::core::pin::Pin<Box<dyn ::core::future::Future<Output = Result<u8, E>> + ::core::marker::Send + 'async_trait>> {
                Box::pin(async move { let __self = self; Ok(1) })
            }
        });
        assert!(function.kind == BodyKind::TailAsync);
        assert_eq!(
            function.output_annotation().to_string(),
            quote!(: Result<u8, E>).to_string()
        );
    }

    #[test]
    fn binds_pattern_names_and_skips_receivers() {
        let function = parsed(quote!(
            fn f(&self, (a, mut b): (u8, u8), Point { x, .. }: Point, _: u8, c: impl Fn()) {}
        ));
        let names: Vec<String> = function.args.iter().map(ToString::to_string).collect();
        assert_eq!(names, ["a", "b", "x", "c"]);
        assert_eq!(function.mutable.len(), 1, "`mut b`");
        assert!(
            function.plain_args.is_none(),
            "patterns are not plain names"
        );
        assert!(
            function.receiver.as_ref().is_some_and(|r| r.shared),
            "&self"
        );

        let function = parsed(quote!(
            fn f(self: Arc<Self>, a: u8, mut b: String) {}
        ));
        assert_eq!(function.plain_args.map(|args| args.len()), Some(2));
        assert!(
            function.receiver.is_some_and(|r| !r.shared),
            "self: Arc<Self> is not &self"
        );
    }

    #[test]
    fn impl_trait_outputs_are_not_annotated() {
        assert!(
            parsed(quote!(
                fn f() -> impl Iterator<Item = u8> {
                    0..3
                }
            ))
            .output_annotation()
            .is_empty()
        );
    }

    #[test]
    fn refuses_shapes_it_cannot_wrap() {
        assert!(
            read(quote!(
                const fn f() {}
            ))
            .1
            .contains("const fn")
        );
        assert!(
            read(quote!(
                fn f() -> ! {
                    loop {}
                }
            ))
            .1
            .contains("never returns")
        );
        assert!(
            read(quote!(
                struct S;
            ))
            .1
            .contains("not to a struct")
        );
        assert!(
            read(quote!(
                fn f(&self);
            ))
            .1
            .contains("needs a function body")
        );
        assert!(read(quote!(impl S {})).1.contains("an `impl` block"));
    }
}
