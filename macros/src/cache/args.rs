//! The options of `#[cacheable]`, read and checked against the function.

use std::time::Duration;

use proc_macro2::TokenStream;
use syn::{Expr, FnArg, LitStr, ReturnType, Type};

use crate::args::{Options, value};
use crate::diag::Errors;
use crate::signature::{Function, Inner};

pub(crate) const ATTRIBUTE: &str = "cacheable";

pub(crate) const KEYS: &[&str] = &[
    "ttl",
    "tti",
    "max_capacity",
    "name",
    "key",
    "condition",
    "cache_none",
];

/// `#[cacheable(..)]`, checked.
pub(crate) struct CacheArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) ttl: Duration,
    pub(crate) tti: Option<Duration>,
    pub(crate) max_capacity: u64,
    pub(crate) key: Option<Expr>,
    pub(crate) condition: Option<Expr>,
    pub(crate) cache_none: bool,
}

impl crate::driver::Layer for CacheArgs {
    fn wrap(&self, function: &Function, inner: Inner) -> TokenStream {
        super::expand::expand(self, function, inner)
    }

    fn parse(tokens: TokenStream, function: Option<&Function>, errors: &mut Errors) -> Self {
        let options = Options::parse(tokens, ATTRIBUTE, KEYS, errors);
        let mut a = Self {
            name: None,
            ttl: Duration::from_secs(300),
            tti: None,
            max_capacity: 10_000,
            key: None,
            condition: None,
            cache_none: false,
        };
        let mut cache_none_key = None;
        for arg in options.into_entries() {
            match arg.key.to_string().as_str() {
                "name" => a.name = value::string(&arg, errors),
                "ttl" => a.ttl = value::duration(&arg, false, errors).unwrap_or(a.ttl),
                "tti" => a.tti = value::duration(&arg, false, errors),
                "max_capacity" => {
                    a.max_capacity =
                        value::integer(&arg, 1, u64::MAX, errors).unwrap_or(a.max_capacity)
                }
                "key" => a.key = value::expr(&arg, errors),
                "condition" => a.condition = value::closure_or_path(&arg, errors),
                "cache_none" => {
                    a.cache_none = value::flag(&arg, errors);
                    cache_none_key = Some(arg.key.clone());
                }
                _ => {} // `Options::parse` reported it.
            }
        }
        if let Some(function) = function {
            a.check_function(function, cache_none_key, errors);
        }
        a
    }
}

impl CacheArgs {
    /// What the function must be for its calls to be cached.
    fn check_function(
        &self,
        function: &Function,
        cache_none: Option<syn::Ident>,
        errors: &mut Errors,
    ) {
        for input in &function.item.sig.inputs {
            let FnArg::Typed(typed) = input else { continue };
            if let Type::Reference(reference) = &*typed.ty
                && reference.mutability.is_some()
            {
                errors.at(
                    &typed.ty,
                    "`#[cacheable]` cannot take `&mut` arguments: a cache hit skips the body, and the mutation with it",
                );
            } else if self.key.is_none() && matches!(&*typed.ty, Type::ImplTrait(_)) {
                errors.at(&typed.ty, "an `impl Trait` argument cannot be part of the default cache key: build the key with `key = ...`");
            }
        }
        let output = match &function.item.sig.output {
            ReturnType::Default => None,
            ReturnType::Type(_, ty) => Some(ty),
        };
        let output = if function.kind == crate::signature::BodyKind::TailAsync {
            function.output.as_ref()
        } else {
            output.map(|ty| &**ty)
        };
        match output {
            None => errors.at_span(function.output_span, "`#[cacheable]` needs a return value to cache; this function returns `()`"),
            Some(Type::Tuple(tuple)) if tuple.elems.is_empty() => {
                errors.at(tuple, "`#[cacheable]` needs a return value to cache; this function returns `()`")
            }
            Some(ty @ Type::Reference(_)) => errors.at(
                ty,
                "`#[cacheable]` cannot cache a borrowed value: return an owned one (`T`, `String`, `Arc<T>`)",
            ),
            Some(ty @ Type::ImplTrait(_)) => errors.at(ty, "`#[cacheable]` cannot cache an `impl Trait` value: name the type"),
            Some(ty) => {
                if let Some(key) = cache_none
                    && self.cache_none
                    && !last_segment_is(ty, "Option")
                {
                    errors.at(key, "`cache_none` applies to functions returning `Option<T>`");
                }
            }
        }
    }
}

fn last_segment_is(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == name))
}
