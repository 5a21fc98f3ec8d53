//! Tests of [`super`]: the shapes of functions read, and refused.

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
