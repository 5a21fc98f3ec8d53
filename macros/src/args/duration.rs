//! Durations written as string literals with units: `"250ms"`, `"30s"`,
//! `"5m"`, `"1h30m"`. A number without a unit is never guessed.

use std::time::Duration;

const UNITS: &[(&str, u64)] = &[
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

const UNIT_NAMES: &[&str] = &["us", "ms", "s", "m", "h"];

/// Reads `text` as a duration, or says what is wrong with it.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    if text.trim().is_empty() {
        return Err("empty duration: write one like \"500ms\", \"30s\" or \"5m\"".into());
    }
    let mut nanos: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!(
                "expected a number in \"{text}\", like \"500ms\" or \"1h30m\""
            ));
        }
        let (number, after) = rest.split_at(digits);
        let unit_len = after
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(format!(
                "\"{text}\" has no unit: durations are never guessed; write \"{number}s\" or \"{number}ms\""
            ));
        }
        if unit.starts_with('.') {
            return Err(format!(
                "\"{text}\": use whole numbers of a smaller unit, like \"1500ms\" for 1.5s"
            ));
        }
        let Some((_, scale)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return Err(match alias(unit) {
                Some(known) => format!(
                    "unknown unit `{unit}` in \"{text}\"; did you mean `{known}`? (write \"{number}{known}\")"
                ),
                None => format!(
                    "unknown unit `{unit}` in \"{text}\"; units are {}",
                    UNIT_NAMES.join(", ")
                ),
            });
        };
        let part = number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(*scale))
            .ok_or_else(|| format!("\"{text}\" is too long a duration"))?;
        nanos = nanos
            .checked_add(part)
            .ok_or_else(|| format!("\"{text}\" is too long a duration"))?;
        rest = next;
    }
    Ok(Duration::from_nanos(nanos))
}

/// The unit a common spelling means (`sec` is `s`, `min` is `m`, …).
fn alias(unit: &str) -> Option<&'static str> {
    let unit = unit.to_ascii_lowercase();
    let unit = unit.trim_end_matches('s');
    Some(match unit {
        "u" | "µ" | "micro" | "microsecond" | "usec" => "us",
        "m" | "milli" | "millisecond" | "msec" | "milli-second" => "ms",
        "" | "sec" | "second" => "s",
        "min" | "minute" | "mn" => "m",
        "hr" | "hour" | "hrs" => "h",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::parse;
    use std::time::Duration;

    #[test]
    fn reads_units_and_compounds() {
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("100us"), Ok(Duration::from_micros(100)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn explains_mistakes() {
        assert!(
            parse("300")
                .unwrap_err()
                .contains("write \"300s\" or \"300ms\"")
        );
        assert!(parse("5sec").unwrap_err().contains("unknown unit `sec`"));
        assert!(parse("5sec").unwrap_err().contains("did you mean `s`?"));
        assert!(parse("1.5s").unwrap_err().contains("whole numbers"));
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("ms").unwrap_err().contains("expected a number"));
        assert!(parse("99999999999999h").unwrap_err().contains("too long"));
    }
}
