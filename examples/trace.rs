//! `#[trace_operation]` alone: nested spans across `.await`, recorded
//! arguments (with a secret skipped), the result, an error with its text,
//! and sampling. Spans are printed by `tracing-subscriber` when they close.
//!
//! ```text
//! cargo run --example trace
//! ```

use opguard::trace_operation;

#[trace_operation(include_args, skip(password), fields(client = "web"))]
async fn login(user: &str, password: &str) -> Result<u64, String> {
    let id = find_user(user).await?;
    if password.len() < 4 {
        return Err(format!("wrong password for {user}"));
    }
    Ok(id)
}

#[trace_operation(level = "debug", include_args, include_result)]
async fn find_user(user: &str) -> Result<u64, String> {
    tokio::task::yield_now().await;
    match user {
        "ada" => Ok(1),
        "alan" => Ok(2),
        _ => Err(format!("no user {user}")),
    }
}

/// Hot and boring: one call in a hundred is traced.
#[trace_operation(sample_rate = 0.01)]
fn heartbeat(n: u64) -> u64 {
    n + 1
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_target(false)
        .compact()
        .init();
    let _ = login("ada", "correct horse").await;
    let _ = login("alan", "abc").await;
    let _ = login("eve", "whatever").await;
    let mut beats = 0;
    for n in 0..300 {
        beats = heartbeat(n);
    }
    println!("{beats} heartbeats; about 3 of them were traced");
}
