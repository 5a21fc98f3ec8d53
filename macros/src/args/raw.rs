//! The first pass over an attribute's arguments: `key`, `key = value` and
//! `key(...)` entries, with recovery so that every mistake is reported.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use syn::Ident;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Token};

use crate::diag::Errors;

/// One `key`, `key = value` or `key(...)` entry.
#[derive(Clone)]
pub(crate) struct RawArg {
    pub(crate) key: Ident,
    pub(crate) value: RawValue,
}

#[derive(Clone)]
pub(crate) enum RawValue {
    /// `key` alone.
    Flag,
    /// `key = expr`.
    Expr(Expr),
    /// `key = [ ... ]`, kept as tokens (the contents may be patterns).
    Bracket(Group),
    /// `key( ... )`.
    List(Group),
}

/// Splits the attribute's tokens into entries; malformed entries become
/// errors and the rest is still read.
pub(crate) fn parse(tokens: TokenStream, errors: &mut Errors) -> Vec<RawArg> {
    let mut args = Vec::new();
    let parser = |input: ParseStream<'_>| {
        while !input.is_empty() {
            match entry(input) {
                Ok(arg) => args.push(arg),
                Err(error) => {
                    errors.push(error);
                    skip_to_comma(input)?;
                    continue;
                }
            }
            if input.is_empty() {
                break;
            }
            if let Err(error) = input.parse::<Token![,]>() {
                errors.push(syn::Error::new(
                    error.span(),
                    "expected `,` between options",
                ));
                skip_to_comma(input)?;
            }
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
    }
    args
}

/// The expression inside invisible groups: a `$value:literal` or `$e:expr`
/// of a `macro_rules!` macro arrives wrapped in one, and reads as what it
/// holds.
fn ungroup(expr: syn::Expr) -> syn::Expr {
    match expr {
        syn::Expr::Group(group) => ungroup(*group.expr),
        other => other,
    }
}

fn entry(input: ParseStream<'_>) -> syn::Result<RawArg> {
    if !input.peek(Ident::peek_any) {
        return Err(input.error("expected an option name, like `name = \"...\"`"));
    }
    let key = input.call(Ident::parse_any)?;
    let value = if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        if input.is_empty() || input.peek(Token![,]) {
            return Err(syn::Error::new(
                key.span(),
                format!("`{key} =` needs a value"),
            ));
        }
        match input.fork().parse::<TokenTree>()? {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {
                input.parse::<TokenTree>()?;
                RawValue::Bracket(group)
            }
            _ => RawValue::Expr(ungroup(input.parse()?)),
        }
    } else if input.peek(syn::token::Paren) {
        match input.parse::<TokenTree>()? {
            TokenTree::Group(group) => RawValue::List(group),
            other => return Err(syn::Error::new(other.span(), "expected `(`")),
        }
    } else {
        RawValue::Flag
    };
    Ok(RawArg { key, value })
}

/// Skips tokens up to and including the next `,` at this level.
fn skip_to_comma(input: ParseStream<'_>) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tree, next)) = rest.token_tree() {
            if let TokenTree::Punct(punct) = &tree
                && punct.as_char() == ','
            {
                return Ok(((), next));
            }
            rest = next;
        }
        Ok(((), rest))
    })
}
