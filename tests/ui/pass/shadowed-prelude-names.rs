//! Generated code must compile when the user shadows prelude names and `core`.
#![allow(dead_code, non_camel_case_types, non_snake_case)]

use opguard::monitor_performance;

struct Option;
struct Result;
struct Some;
struct None;
fn Ok() {}
fn Err() {}
mod core {}
mod std {}
mod opguard_runtime {}

#[monitor_performance(include_args, include_result, name = "shadowed")]
fn parse(text: &str) -> ::std::result::Result<u32, ::std::num::ParseIntError> {
    text.parse()
}

#[monitor_performance]
async fn later(x: u8) -> ::std::option::Option<u8> {
    ::std::option::Option::Some(x)
}

#[derive(Debug)]
struct Failed;

impl ::std::convert::From<opguard::GuardError> for Failed {
    fn from(_: opguard::GuardError) -> Self {
        Failed
    }
}

#[opguard::circuit_breaker(retries = 1, retry_delay = "0ms")]
fn guarded(x: u8) -> ::std::result::Result<u8, Failed> {
    ::std::result::Result::Ok(x)
}

fn main() {
    assert!(guarded(1).is_ok());
    assert!(parse("7").is_ok());
    let _ = later(1);
}
