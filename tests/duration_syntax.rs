//! The attributes (read at compile time, here through a `macro_rules!`
//! `$text:literal`, which arrives in an invisible group) and `opguard::duration::parse`
//! (read at run time, for builders such as `health::register(..).timeout("2s")`)
//! read the same duration strings the same way.

use std::time::Duration;

use opguard::monitor_performance;

macro_rules! timed {
    ($($name:ident = $text:literal),* $(,)?) => {
        $(
            #[monitor_performance(threshold = $text)]
            fn $name() {}
        )*
        const CASES: &[(&str, fn(), &str)] = &[$((stringify!($name), $name, $text)),*];
    };
}

timed!(
    micros = "100us",
    millis = "250ms",
    seconds = "30s",
    minutes = "5m",
    hours = "2h",
    compound = "1h30m",
    three_units = "1m30s500ms",
);

#[test]
fn both_readers_agree() {
    for (name, call, text) in CASES {
        call();
        let timer = opguard::monitor::get(&format!("duration_syntax::{name}")).unwrap();
        assert_eq!(
            Ok(timer.threshold()),
            opguard::duration::parse(text),
            "{text}"
        );
    }
    assert_eq!(
        opguard::duration::parse("1m30s500ms"),
        Ok(Duration::from_millis(90_500))
    );
}

#[test]
fn run_time_strings_refused_like_the_attributes_refuse_them() {
    // Each is a compile error in an attribute (tests/ui has the messages).
    for text in ["500", "5sec", "1.5s", "", "ms", "99999999999999h"] {
        let error = opguard::duration::parse(text).unwrap_err().to_string();
        assert!(error.contains(&format!("\"{text}\"")), "{error}");
    }
}
