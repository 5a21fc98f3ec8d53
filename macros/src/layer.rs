//! What an attribute is to the driver: its name, its options table, and a
//! [`Layer`], the options read and checked, which wraps the function's work.
//! The driver and every attribute import this module; attributes never
//! import the driver.

use proc_macro2::TokenStream;

use crate::args::table::Opt;
use crate::diag::Errors;
use crate::signature::{Function, Inner};

/// One attribute's options, read and checked, ready to wrap the work.
pub(crate) trait Layer {
    /// Reads (`args.rs`) and checks (`valid.rs`) the options; `function` is
    /// `None` when the item is not a function that can be wrapped.
    fn parse(tokens: TokenStream, function: Option<&Function>, errors: &mut Errors) -> Self
    where
        Self: Sized;

    /// The block that runs `inner` under this attribute (`expand.rs`).
    fn wrap(&self, function: &Function, inner: Inner) -> TokenStream;
}

/// Reads one attribute's options into its layer.
pub(crate) type Parse = fn(TokenStream, Option<&Function>, &mut Errors) -> Box<dyn Layer>;

/// An attribute, as the driver and the fuzz test see it.
pub(crate) struct Attribute {
    /// The name in `#[name(..)]`.
    pub(crate) name: &'static str,
    /// Its options.
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the fuzz test"))]
    pub(crate) options: &'static [Opt],
    pub(crate) parse: Parse,
}

/// [`Parse`] for a layer type.
pub(crate) fn parse<L: Layer + 'static>(
    tokens: TokenStream,
    function: Option<&Function>,
    errors: &mut Errors,
) -> Box<dyn Layer> {
    Box::new(L::parse(tokens, function, errors))
}

/// The stacking glue of an attribute's `mod.rs`: its [`Attribute`] as
/// `ATTRIBUTE`, and its options type as a [`Layer`] that reads (`args.rs`,
/// `$args::read`), checks (`valid::check`) and writes (`expand::expand`).
macro_rules! attribute {
    ($args:ident) => {
        pub(crate) const ATTRIBUTE: $crate::layer::Attribute = $crate::layer::Attribute {
            name: args::ATTRIBUTE,
            options: args::OPTIONS,
            parse: $crate::layer::parse::<args::$args>,
        };

        impl $crate::layer::Layer for args::$args {
            fn parse(
                tokens: ::proc_macro2::TokenStream,
                function: ::core::option::Option<&$crate::signature::Function>,
                errors: &mut $crate::diag::Errors,
            ) -> Self {
                let args = Self::read(tokens, errors);
                valid::check(&args, function, errors);
                args
            }

            fn wrap(
                &self,
                function: &$crate::signature::Function,
                inner: $crate::signature::Inner,
            ) -> ::proc_macro2::TokenStream {
                expand::expand(self, function, inner)
            }
        }
    };
}

pub(crate) use attribute;
