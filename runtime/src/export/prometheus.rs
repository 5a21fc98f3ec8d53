//! The Prometheus text exposition format (version 0.0.4).

use std::fmt::Write;

use crate::breaker::BreakerSnapshot;
use crate::cache::CacheStats;
use crate::monitor::TimerSnapshot;
use crate::rate_limit::RateLimitSnapshot;

mod families;

#[cfg(feature = "redis")]
pub(crate) use families::shared_families;
use families::{breaker_families, cache_families, rate_limit_families, timers_families};

/// Writes one metric family: `# HELP`, `# TYPE`, then its samples.
struct Family<'a> {
    out: &'a mut String,
}

impl<'a> Family<'a> {
    fn new(out: &'a mut String, name: &str, kind: &str, help: &str) -> Self {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        Self { out }
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (key, value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.out.push_str(key);
                self.out.push_str("=\"");
                escape_into(self.out, value);
                self.out.push('"');
            }
            self.out.push('}');
        }
        self.out.push(' ');
        write_number(self.out, value);
        self.out.push('\n');
    }
}

/// Appends a label value with `\`, `"` and newlines escaped, without an
/// allocation of its own (most values need no escaping).
fn escape_into(out: &mut String, value: &str) {
    if !value.contains(['\\', '"', '\n']) {
        out.push_str(value);
        return;
    }
    out.push_str(&escape(value));
}

/// Appends a sample value: integers as integers, without formatting into a
/// `String` first.
fn write_number(out: &mut String, value: f64) {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 {
        let _ = write!(out, "{}", value as i64);
    } else {
        out.push_str(&number(value));
    }
}

/// A label value with `\`, `"` and newlines escaped.
pub(crate) fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{value}")
    }
}

pub(crate) fn render(
    timers: &[TimerSnapshot],
    breakers: &[BreakerSnapshot],
    caches: &[CacheStats],
    limiters: &[RateLimitSnapshot],
) -> String {
    // About 30 samples of about 80 bytes per entry: one allocation for
    // most renders instead of a dozen doublings of a multi-megabyte text.
    let entries = timers.len() + breakers.len() + caches.len() + limiters.len();
    let mut out = String::with_capacity(4096 + entries * 30 * 80);
    timers_families(&mut out, timers);
    breaker_families(&mut out, breakers);
    cache_families(&mut out, caches);
    rate_limit_families(&mut out, limiters);
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, render};

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("line\nbreak"), "line\\nbreak");
    }

    #[test]
    fn shared_figures_are_samples_of_shared_caches_only() {
        let cache = |name: &str, shared: bool| crate::cache::CacheStats {
            name: name.into(),
            hits: 0,
            misses: 0,
            hit_rate: 0.0,
            loads: 0,
            evictions: 0,
            entries: 0,
            shared,
            shared_hits: 4,
            shared_misses: 2,
            shared_errors: 1,
        };
        let text = render(&[], &[], &[cache("two", true), cache("one", false)], &[]);
        assert!(text.contains("opguard_cache_shared_hits_total{cache=\"two\"} 4\n"));
        assert!(text.contains("opguard_cache_shared_misses_total{cache=\"two\"} 2\n"));
        assert!(text.contains("opguard_cache_shared_errors_total{cache=\"two\"} 1\n"));
        assert!(!text.contains("shared_hits_total{cache=\"one\"}"), "{text}");
    }

    #[test]
    fn every_family_has_help_and_type_even_when_empty() {
        let text = render(&[], &[], &[], &[]);
        for family in [
            "opguard_calls_total",
            "opguard_breaker_state",
            "opguard_cache_hits_total",
            "opguard_cache_shared_errors_total",
            "opguard_rate_limit_calls_total",
        ] {
            assert!(text.contains(&format!("# HELP {family} ")), "{text}");
            assert!(text.contains(&format!("# TYPE {family} ")), "{text}");
        }
    }
}
