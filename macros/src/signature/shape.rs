//! Reading types and patterns of a signature: the `async` block at the tail
//! of a body, a future's output type, `impl Trait` in a type, the names a
//! pattern binds.

use syn::visit::Visit;
use syn::{Expr, GenericArgument, Ident, ItemFn, Pat, PathArguments, Stmt, Type};

/// The `async` block at the tail of a non-async body: `async move { .. }` or
/// `Box::pin(async move { .. })`.
pub(super) fn tail_async(item: &ItemFn) -> Option<&Expr> {
    match (tail_kind(item)?, item.block.stmts.last()?) {
        (Tail::Block, Stmt::Expr(tail, None)) => Some(tail),
        (Tail::Pinned, Stmt::Expr(Expr::Call(call), None)) => call.args.first(),
        _ => None,
    }
}

/// [`tail_async`], to replace it.
pub(super) fn tail_async_mut(item: &mut ItemFn) -> Option<&mut Expr> {
    match (tail_kind(item)?, item.block.stmts.last_mut()?) {
        (Tail::Block, Stmt::Expr(tail, None)) => Some(tail),
        (Tail::Pinned, Stmt::Expr(Expr::Call(call), None)) => call.args.first_mut(),
        _ => None,
    }
}

/// How the body ends in an `async` block.
enum Tail {
    /// `async move { .. }`.
    Block,
    /// `Box::pin(async move { .. })`.
    Pinned,
}

fn tail_kind(item: &ItemFn) -> Option<Tail> {
    let Some(Stmt::Expr(tail, None)) = item.block.stmts.last() else {
        return None;
    };
    match tail {
        Expr::Async(_) => Some(Tail::Block),
        Expr::Call(call)
            if is_pin_call(&call.func)
                && call.args.len() == 1
                && matches!(call.args.first(), Some(Expr::Async(_))) =>
        {
            Some(Tail::Pinned)
        }
        _ => None,
    }
}

fn is_pin_call(func: &Expr) -> bool {
    matches!(func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "pin"))
}

/// `T` in a return type that mentions `Future<Output = T>`.
pub(super) fn future_output(ty: &Type) -> Option<Type> {
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

pub(super) fn has_impl_trait(ty: &Type) -> bool {
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
