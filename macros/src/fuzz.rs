//! Property tests: no token stream makes an attribute's parser panic, and the
//! function is always emitted, expanded or next to the errors.

use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;

use crate::driver::run;
use crate::{breaker, cache, monitor, trace};

/// An attribute's entry point, on `proc_macro2` tokens.
type Entry = fn(TokenStream, TokenStream) -> TokenStream;

/// Every attribute, as the entry points build it, with a valid argument list.
fn attributes() -> Vec<(&'static str, Entry, &'static str)> {
    fn monitor(args: TokenStream, item: TokenStream) -> TokenStream {
        run(monitor::args::ATTRIBUTE, args, item)
    }
    fn breaker(args: TokenStream, item: TokenStream) -> TokenStream {
        run(breaker::args::ATTRIBUTE, args, item)
    }
    fn cacheable(args: TokenStream, item: TokenStream) -> TokenStream {
        run(cache::args::ATTRIBUTE, args, item)
    }
    fn trace_operation(args: TokenStream, item: TokenStream) -> TokenStream {
        run(trace::args::ATTRIBUTE, args, item)
    }
    vec![
        (
            "trace_operation",
            trace_operation,
            r#"name = "op" , level = "debug" , target = "audit" , include_args , skip ( id ) , include_result , fields ( region = "eu" , n = id + 1 ) , sample_rate = 0.5"#,
        ),
        (
            "cacheable",
            cacheable,
            r#"ttl = "5m" , tti = "1m" , max_capacity = 100 , name = "users" , key = ( self . tenant , id ) , condition = | v | v . is_ok ( ) , cache_none = false"#,
        ),
        (
            "monitor_performance",
            monitor,
            r#"name = "op" , threshold = "250ms" , include_args , include_result = false , level = "info""#,
        ),
        (
            "circuit_breaker",
            breaker,
            r#"name = "db" , failure_threshold = 3 , window = "30s" , failure_rate = 0.5 , minimum_calls = 10 , recovery_timeout = "5s" , retries = 2 , backoff = "linear" , expected_errors = [ E :: A | E :: B ( _ ) ] , fallback = Self :: cached"#,
        ),
    ]
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
        prop::sample::select(vec![
            "name",
            "threshold",
            "include_args",
            "include_result",
            "level",
            "ttl",
            "key",
            "skip",
            "fields",
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
    let lists: Vec<&'static str> = attributes()
        .into_iter()
        .map(|(_, _, valid)| valid)
        .collect();
    (
        prop::sample::select(lists),
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
    for (name, attribute, _) in attributes() {
        let output = attribute(args.clone(), item.clone()).to_string();
        prop_assert!(
            output.contains("lookup"),
            "`{}` dropped the item: {}",
            name,
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
fn the_valid_lists_expand_without_errors() {
    let item =
        TokenStream::from_str("async fn lookup(&self, id: u64) -> Result<u64, E> { Ok(id) }")
            .unwrap();
    for (name, attribute, valid) in attributes() {
        let output = attribute(TokenStream::from_str(valid).unwrap(), item.clone()).to_string();
        assert!(!output.contains("compile_error"), "{name}: {output}");
        assert!(output.contains("__OPGUARD_"), "{name}: {output}");
    }
}
