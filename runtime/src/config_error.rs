//! [`ConfigError`]: a setting out of range, as every primitive's rulebook
//! (`BreakerConfig::validate`, `CacheConfig::validate`,
//! `TimerConfig::validate`) reports it.
//!
//! The rulebooks are `const fn`s, so that the attributes check the same rules
//! at compile time: for each option written, generated code asks the
//! rulebook (`__private::<primitive>::problem`) for the message of a broken
//! rule involving that option, and panics with it in a `const`.

use std::fmt;

/// A setting out of range: the option and what is wrong with it.
///
/// ```
/// use opguard_runtime::breaker::BreakerConfig;
///
/// let config = BreakerConfig { failure_threshold: 0, ..BreakerConfig::DEFAULT };
/// let error = config.validate().unwrap_err();
/// assert_eq!(error.option, "failure_threshold");
/// assert_eq!(error.to_string(), "`failure_threshold` must be at least 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigError {
    /// The option, named as the attribute and the builder name it.
    pub option: &'static str,
    /// What is wrong, naming the option (as the attribute reports it).
    pub message: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Whether `rule_options` (the options a rule involves) include `option`,
/// or `option` is `None` (every rule applies).
pub(crate) const fn involves(rule_options: &[&str], option: Option<&str>) -> bool {
    let Some(option) = option else { return true };
    let mut i = 0;
    while i < rule_options.len() {
        if same(rule_options[i], option) {
            return true;
        }
        i += 1;
    }
    false
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Checks each rule in order: `rule!(option, [options involved], holds, message)`
/// returns `Err` for the first rule that fails and involves `$only`.
macro_rules! rules {
    ($only:expr; $( [$($option:literal),+] $holds:expr => $message:expr; )*) => {{
        $(
            if !($holds) && $crate::config_error::involves(&[$($option),+], $only) {
                let options: &[&'static str] = &[$($option),+];
                return ::core::result::Result::Err($crate::config_error::ConfigError {
                    option: options[0],
                    message: $message,
                });
            }
        )*
        ::core::result::Result::Ok(())
    }};
}

pub(crate) use rules;

/// The number a limit's message names, for tests that it is the limit.
#[cfg(test)]
pub(crate) fn number_in(message: &str) -> u64 {
    let digits: String = message
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a number in the message")
}
