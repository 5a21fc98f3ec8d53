//! Property tests: no token stream makes an attribute's parser panic, and the
//! function is always emitted, expanded or next to the errors.

use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;

use crate::driver::{ATTRIBUTES, run};

/// Every attribute's options, each with a valid use, joined: one list per
/// attribute, from its options table.
fn full_lists() -> Vec<String> {
    ATTRIBUTES
        .iter()
        .map(|attribute| {
            let uses: Vec<&str> = attribute.options.iter().map(|opt| opt.example).collect();
            uses.join(" , ")
        })
        .collect()
}

/// The words of every option's valid use: keys and values of every table.
fn table_words() -> Vec<String> {
    let mut words: Vec<String> = full_lists()
        .iter()
        .flat_map(|list| list.split(' ').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    words.sort();
    words.dedup();
    words
}

const ITEMS: &[&str] = &[
    "fn lookup(id: u64) -> Result<u64, String> { Ok(id) }",
    "async fn lookup(&self, (a, b): (u8, u8)) -> Option<u8> { a.checked_add(b) }",
    "fn lookup<T: Clone>(x: impl Into<T>) -> T { x.into() }",
    "struct lookup;",
];

/// One token of an attribute's argument list, often a meaningful one.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(table_words()),
        prop::sample::select(vec![
            "self",
            "r#type",
            "true",
            "false",
            "=",
            ",",
            ";",
            ":",
            "::",
            ".",
            "|",
            "&",
            "<",
            ">",
            "!",
            "#",
            "-",
            "+",
            "..",
            "\"500ms\"",
            "\"0s\"",
            "\"1h30m\"",
            "\"warn\"",
            "\"\"",
            "\"x\"",
            "500",
            "0",
            "1.5",
            "-1",
            "1e400",
            "18446744073709551616",
            "'a",
            "b'x'",
            "Level::WARN",
            "|v| v.is_ok()",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,10}",
        any::<u64>().prop_map(|n| n.to_string()),
    ]
}

/// A balanced token stream of up to a few levels of groups.
fn tokens() -> impl Strategy<Value = String> {
    let leaf = prop::collection::vec(token(), 0..12).prop_map(|t| t.join(" "));
    leaf.prop_recursive(3, 48, 6, |inner| {
        prop::collection::vec(
            prop_oneof![
                token(),
                inner.clone().prop_map(|t| format!("({t})")),
                inner.clone().prop_map(|t| format!("[{t}]")),
                inner.prop_map(|t| format!("{{{t}}}")),
            ],
            0..8,
        )
        .prop_map(|t| t.join(" "))
    })
}

/// Some attribute's valid list with tokens deleted, duplicated or replaced.
fn mutated_valid_list() -> impl Strategy<Value = String> {
    (
        prop::sample::select(full_lists()),
        prop::collection::vec((0..64usize, 0..3u8, token()), 1..6),
    )
        .prop_map(|(valid, edits)| {
            let mut words: Vec<String> = valid.split(' ').map(str::to_owned).collect();
            for (at, kind, token) in edits {
                let at = at % words.len().max(1);
                match kind {
                    0 if !words.is_empty() => {
                        words.remove(at);
                    }
                    1 => words.insert(at, token),
                    _ if !words.is_empty() => words[at] = token,
                    _ => words.push(token),
                }
            }
            words.join(" ")
        })
}

fn check(args: &str, item: &str) -> Result<(), TestCaseError> {
    let Ok(args) = TokenStream::from_str(args) else {
        return Ok(()); // Not tokens at all: rustc would not call the macro.
    };
    let item = TokenStream::from_str(item).expect("items are valid tokens");
    for attribute in ATTRIBUTES {
        let output = run(attribute.name, args.clone(), item.clone()).to_string();
        prop_assert!(
            output.contains("lookup"),
            "`{}` dropped the item: {}",
            attribute.name,
            output
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_tokens_never_panic(args in tokens(), item in prop::sample::select(ITEMS)) {
        check(&args, item)?;
    }

    #[test]
    fn mutated_valid_lists_never_panic(args in mutated_valid_list(), item in prop::sample::select(ITEMS)) {
        check(&args, item)?;
    }
}

#[test]
fn every_option_expands_without_errors() {
    let item =
        TokenStream::from_str("async fn lookup(&self, id: u64) -> Result<u64, E> { Ok(id) }")
            .unwrap();
    for attribute in ATTRIBUTES {
        for opt in attribute
            .options
            .iter()
            .filter(|opt| !opt.example.is_empty())
        {
            let args = TokenStream::from_str(opt.example).unwrap();
            let output = run(attribute.name, args, item.clone()).to_string();
            let name = attribute.name;
            assert!(
                !output.contains("compile_error"),
                "{name}({}): {output}",
                opt.example
            );
            assert!(output.contains("__OPGUARD_"), "{name}: {output}");
            assert!(
                opt.example.starts_with(opt.key),
                "{name}: the example of `{}` uses it first",
                opt.key
            );
        }
    }
}
