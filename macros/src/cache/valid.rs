//! The checks of `#[cacheable]` that only the macro can make: the options
//! against the function. The limits of each setting are the runtime's,
//! checked by the generated code.

use syn::{FnArg, ReturnType, Type};

use super::args::CacheArgs;
use crate::diag::Errors;
use crate::signature::Function;

/// What the function must be for its calls to be cached.
pub(crate) fn check(args: &CacheArgs, function: Option<&Function>, errors: &mut Errors) {
    if !args.shared {
        for option in ["local_ttl", "load_timeout", "sync_interval"] {
            if let Some(key) = args.read.key(option) {
                errors.at(
                    key,
                    format!("`{option}` applies to a cache shared through Redis: add `shared`, or remove it"),
                );
            }
        }
    }
    let Some(function) = function else { return };
    if let (Some(shared), false) = (args.read.key("shared"), function.is_async()) {
        errors.at(
            shared,
            "`shared` needs an `async fn`: a miss may wait on Redis and on other instances, which must not block a thread",
        );
    }
    let cache_none = args.read.key("cache_none");
    for input in &function.item.sig.inputs {
        let FnArg::Typed(typed) = input else { continue };
        if let Type::Reference(reference) = &*typed.ty
            && reference.mutability.is_some()
        {
            errors.at(
                    &typed.ty,
                    "`#[cacheable]` cannot take `&mut` arguments: a cache hit skips the body, and the mutation with it",
                );
        } else if args.key.is_none() && matches!(&*typed.ty, Type::ImplTrait(_)) {
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
                    && args.cache_none
                    && !last_segment_is(ty, "Option")
                {
                    errors.at(key, "`cache_none` applies to functions returning `Option<T>`");
                }
            }
        }
}

fn last_segment_is(ty: &Type, name: &str) -> bool {
    matches!(ty, Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == name))
}
