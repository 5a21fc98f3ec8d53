//! Durations written as the attributes write them, read at run time: for
//! builders that take a duration string (`health::register(..).timeout("2s")`).
//!
//! The syntax is the attributes' (`"250ms"`, `"30s"`, `"5m"`, `"1h30m"`,
//! units `us`, `ms`, `s`, `m`, `h`; a number without a unit is never
//! guessed); `tests/duration_syntax.rs` checks that both readers agree.

use std::time::Duration;

/// A duration string this crate could not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidDuration {
    text: String,
    reason: &'static str,
}

impl std::fmt::Display for InvalidDuration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid duration \"{}\": {}; write one like \"500ms\", \"30s\" or \"1h30m\"",
            self.text, self.reason
        )
    }
}

impl std::error::Error for InvalidDuration {}

/// Reads `text` as a duration.
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::duration::parse;
///
/// assert_eq!(parse("1h30m").unwrap(), Duration::from_secs(5400));
/// assert!(parse("500").unwrap_err().to_string().contains("no unit"));
/// ```
pub fn parse(text: &str) -> Result<Duration, InvalidDuration> {
    let fail = |reason| InvalidDuration {
        text: text.to_owned(),
        reason,
    };
    if text.is_empty() {
        return Err(fail("it is empty"));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_end = rest[number_end..]
            .find(|c: char| c.is_ascii_digit())
            .map_or(rest.len(), |i| number_end + i);
        let (number, unit) = (&rest[..number_end], &rest[number_end..unit_end]);
        let number: u64 = match (number.is_empty(), unit.is_empty()) {
            (true, _) => return Err(fail("expected a number before each unit")),
            (false, true) => return Err(fail("no unit after the number")),
            (false, false) => number.parse().map_err(|_| fail("too long"))?,
        };
        let part = match unit {
            "us" => Some(Duration::from_micros(number)),
            "ms" => Some(Duration::from_millis(number)),
            "s" => Some(Duration::from_secs(number)),
            "m" => number.checked_mul(60).map(Duration::from_secs),
            "h" => number.checked_mul(3600).map(Duration::from_secs),
            _ => return Err(fail("units are us, ms, s, m and h, in whole numbers")),
        };
        total = part
            .and_then(|part| total.checked_add(part))
            .filter(|total| total.as_nanos() <= u128::from(u64::MAX))
            .ok_or_else(|| fail("too long"))?;
        rest = &rest[unit_end..];
    }
    Ok(total)
}

/// A duration given as a [`Duration`] or as a duration string; a string
/// that cannot be read panics with the reason (a mistake in the program, like
/// a bad literal in an attribute, which is a compile error there).
pub trait IntoDuration {
    /// The duration.
    fn into_duration(self) -> Duration;
}

impl IntoDuration for Duration {
    fn into_duration(self) -> Duration {
        self
    }
}

impl IntoDuration for &str {
    #[track_caller]
    fn into_duration(self) -> Duration {
        match parse(self) {
            Ok(duration) => duration,
            Err(error) => panic!("opguard: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::time::Duration;

    #[test]
    fn reads_units_and_refuses_the_rest() {
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("100us"), Ok(Duration::from_micros(100)));
        for bad in ["", "300", "5sec", "1.5s", "ms", "99999999999999h"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
