//! `fields(..)` of `#[trace_operation]`, in every form
//! `#[tracing::instrument]` takes: `name = expr`, `name = %expr` (recorded
//! with `Display`), `name = ?expr` (with `Debug`), dotted names
//! (`http.method = ..`), `%name` / `?name` (the local `name`), and a bare
//! `name` (declared empty, to be recorded later with `Span::record`).

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, Token};

use super::args::CLOSING_FIELDS;
use crate::args::raw::{RawArg, RawValue};
use crate::diag::Errors;

/// One extra span field.
pub(crate) struct Field {
    /// The field's name as recorded (`http.method`; `r#type` is `type`).
    pub(crate) name: String,
    /// The name's first token, for errors.
    pub(crate) span: Span,
    pub(crate) value: FieldValue,
}

/// How a field's value is recorded.
pub(crate) enum FieldValue {
    /// As a `tracing` value when it is one, else with `Debug`.
    Value(Expr),
    /// With `Display` (`%`).
    Display(Expr),
    /// With `Debug` (`?`).
    Debug(Expr),
    /// Declared only: recorded later, if at all.
    Empty,
}

const EXAMPLE: &str = "like `fields(region = \"eu\", http.method = %method, attempt)`";

/// `fields(..)`: every field, each mistake reported at its field.
pub(crate) fn fields(arg: &RawArg, errors: &mut Errors) -> Vec<Field> {
    let RawValue::List(group) = &arg.value else {
        errors.at(
            &arg.key,
            format!("`fields` takes a list of fields, {EXAMPLE}"),
        );
        return Vec::new();
    };
    // A field that ends too early (`fields(foo = )`) is reported at the
    // field, not at the end of the whole input where syn would.
    let list = |input: ParseStream<'_>| {
        let mut entries = Vec::new();
        while !input.is_empty() {
            let at = input.span();
            let parsed = field(input).map_err(|error| {
                if input.is_empty() {
                    syn::Error::new(at, error)
                } else {
                    error
                }
            })?;
            entries.push(parsed);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(entries)
    };
    let entries = match list.parse2(group.stream()) {
        Ok(entries) => entries,
        Err(error) => {
            errors.at_span(
                error.span(),
                format!("`fields(..)` lists fields, {EXAMPLE}"),
            );
            return Vec::new();
        }
    };
    let mut seen: Vec<Field> = Vec::new();
    for field in entries {
        let name = field.name.as_str();
        if CLOSING_FIELDS.contains(&name) || name == "result" {
            errors.at_span(
                field.span,
                format!(
                    "`{name}` is recorded by `#[trace_operation]` itself; choose another field name"
                ),
            );
        } else if seen.iter().any(|f| f.name == field.name) {
            errors.at_span(
                field.span,
                format!("field `{name}` is given more than once; keep one"),
            );
        } else {
            seen.push(field);
        }
    }
    seen
}

/// `[%|?] name[.name]* [= [%|?] expr]`.
fn field(input: ParseStream<'_>) -> syn::Result<Field> {
    let sigil = sigil(input)?;
    let span = input.span();
    let mut parts = vec![Ident::parse_any(input)?];
    while input.peek(Token![.]) {
        input.parse::<Token![.]>()?;
        parts.push(Ident::parse_any(input)?);
    }
    let name = parts
        .iter()
        .map(|part| part.unraw().to_string())
        .collect::<Vec<_>>()
        .join(".");
    let value = if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        let sigil = sigil.or(self::sigil(input)?);
        with_sigil(sigil, input.parse()?)
    } else if let Some(sigil) = sigil {
        // `%name` / `?name`: the local of that name.
        let [local] = parts.as_slice() else {
            return Err(syn::Error::new(
                span,
                "`%` and `?` without a value name a local variable: write `name = %expr` for a dotted name",
            ));
        };
        with_sigil(Some(sigil), syn::parse_quote!(#local))
    } else {
        FieldValue::Empty
    };
    Ok(Field { name, span, value })
}

/// `%` (`Display`) or `?` (`Debug`), if there.
fn sigil(input: ParseStream<'_>) -> syn::Result<Option<char>> {
    if input.peek(Token![%]) {
        input.parse::<Token![%]>()?;
        Ok(Some('%'))
    } else if input.peek(Token![?]) {
        input.parse::<Token![?]>()?;
        Ok(Some('?'))
    } else {
        Ok(None)
    }
}

fn with_sigil(sigil: Option<char>, expr: Expr) -> FieldValue {
    match sigil {
        Some('%') => FieldValue::Display(expr),
        Some(_) => FieldValue::Debug(expr),
        None => FieldValue::Value(expr),
    }
}
