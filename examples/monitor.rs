//! `#[monitor_performance]` alone: latency, slow calls and outcome counts of
//! a sync function, an async one and a method, read back as snapshots.
//!
//! ```text
//! cargo run --example monitor
//! ```

use std::time::Duration;

use opguard::monitor_performance;

/// Parsing is quick, but some inputs are invalid.
#[monitor_performance(threshold = "1ms")]
fn parse_port(text: &str) -> Result<u16, std::num::ParseIntError> {
    text.trim().parse()
}

/// A download: the tenth one is slow and logged, with its arguments.
#[monitor_performance(threshold = "20ms", include_args, level = "warn")]
async fn download(file: &str, attempt: u32) -> Vec<u8> {
    let millis = if attempt == 10 { 40 } else { 2 };
    tokio::time::sleep(Duration::from_millis(millis)).await;
    file.as_bytes().to_vec()
}

struct Thumbnails;

impl Thumbnails {
    /// A method: its timer is named `monitor::Thumbnails::render`.
    #[monitor_performance]
    fn render(&self, width: u32) -> u32 {
        width / 4
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing_subscriber::fmt().with_target(false).init();
    for text in ["80", "443", "http", " 8080 ", "99999"] {
        let _ = parse_port(text);
    }
    for attempt in 1..=10 {
        download("report.pdf", attempt).await;
    }
    Thumbnails.render(640);

    for timer in opguard::monitor::all() {
        println!(
            "{}: {} calls ({} ok, {} errors), {} slow; p50 {:?}, p99 {:?}",
            timer.name,
            timer.calls,
            timer.ok,
            timer.errors,
            timer.slow,
            timer.latency.p50,
            timer.latency.p99
        );
    }
}
