//! The rate limiter's part of generated code.

pub use crate::rate_limit::{Callsite, CallsiteMeta, Rate, RateLimitConfig};

/// The message of a rule of [`RateLimitConfig::validate`] that involves
/// `option` and that `config` breaks: generated code panics with it in a
/// `const`, at the option's tokens.
pub const fn problem(config: &RateLimitConfig, option: &str) -> Option<&'static str> {
    match config.check(Some(option)) {
        Err(error) => Some(error.message),
        Ok(()) => None,
    }
}
