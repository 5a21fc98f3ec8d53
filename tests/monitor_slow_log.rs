//! Slow calls are logged through `tracing` at the configured level, with the
//! arguments and result when asked, and arguments are formatted only when
//! such an event would be recorded.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opguard::monitor_performance;
use tracing_subscriber::fmt::MakeWriter;

/// Collects what the fmt subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Tests take turns: a scoped subscriber per test, never two at once, so no
/// test races another for a callsite's cached interest.
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

struct Capture {
    _subscriber: tracing::subscriber::DefaultGuard,
    _turn: std::sync::MutexGuard<'static, ()>,
}

fn capture(level: tracing::Level) -> (Captured, Capture) {
    let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(level)
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (
        captured,
        Capture {
            _subscriber: guard,
            _turn: turn,
        },
    )
}

#[monitor_performance(threshold = "50ms", include_args, include_result)]
async fn query(id: u64, table: &str) -> Result<String, String> {
    tokio::time::sleep(Duration::from_millis(id)).await;
    Ok(format!("{table}#{id}"))
}

#[tokio::test(start_paused = true)]
async fn a_slow_call_is_a_warning_with_arguments_and_result() {
    let (log, _guard) = capture(tracing::Level::TRACE);
    query(10, "users").await.unwrap();
    assert_eq!(log.text(), "", "fast calls are not logged");
    query(80, "users").await.unwrap();
    let text = log.text();
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains("slow call"), "{text}");
    assert!(
        text.contains(r#"operation="monitor_slow_log::query" elapsed=80ms threshold=50ms"#),
        "{text}"
    );
    assert!(
        text.contains(r#"args="id = 80, table = \"users\"""#),
        "{text}"
    );
    assert!(text.contains(r#"result="Ok(\"users#80\")""#), "{text}");
    assert!(text.contains("outcome=\"ok\""), "{text}");
}

#[monitor_performance(threshold = "1ms", level = "error")]
async fn batch() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

#[tokio::test(start_paused = true)]
async fn the_level_is_configurable_and_arguments_are_left_out_by_default() {
    let (log, _guard) = capture(tracing::Level::TRACE);
    batch().await;
    let text = log.text();
    assert!(text.contains("ERROR"), "{text}");
    assert!(!text.contains("args="), "{text}");
    assert!(!text.contains("result="), "{text}");
}

/// Counts how often it is formatted.
struct Costly;
static FORMATTED: AtomicUsize = AtomicUsize::new(0);
impl fmt::Debug for Costly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        FORMATTED.fetch_add(1, Ordering::SeqCst);
        f.write_str("Costly")
    }
}

#[monitor_performance(threshold = "1ms", include_args, level = "debug")]
async fn with_costly(_costly: &Costly) {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

#[tokio::test(start_paused = true)]
async fn arguments_are_not_formatted_when_the_event_would_be_filtered_out() {
    {
        let (log, _guard) = capture(tracing::Level::INFO);
        with_costly(&Costly).await;
        assert_eq!(log.text(), "");
        assert_eq!(
            FORMATTED.load(Ordering::SeqCst),
            0,
            "a debug event is filtered out at info"
        );
    }
    let (log, _guard) = capture(tracing::Level::DEBUG);
    with_costly(&Costly).await;
    assert_eq!(FORMATTED.load(Ordering::SeqCst), 1);
    assert!(
        log.text().contains("args=\"_costly = Costly\""),
        "{}",
        log.text()
    );
}
