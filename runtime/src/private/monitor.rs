//! The monitor's part of generated code.

pub use crate::monitor::{Callsite, CallsiteMeta, TimerConfig};

/// The message of a rule of [`TimerConfig::validate`] that involves `option`
/// and that `config` breaks: generated code panics with it in a `const`, at
/// the option's tokens.
pub const fn problem(config: &TimerConfig, option: &str) -> Option<&'static str> {
    match config.check(Some(option)) {
        Err(error) => Some(error.message),
        Ok(()) => None,
    }
}
