//! The pub/sub listener: one connection per process, subscribed to every
//! channel of the tier (`<prefix>:<kind>-events`), that hands each message
//! to its kind: a breaker's name wakes that breaker's agent. Polling every
//! `sync_interval` is the backstop when a message is lost.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use super::conn::{TARGET, Tier};

/// The channel of one kind of announcement (`breaker`: transitions).
pub(crate) fn channel(prefix: &str, kind: &str) -> String {
    format!("{prefix}:{kind}-events")
}

/// The channel every transition of a shared breaker is announced on.
pub(crate) fn breaker_channel(prefix: &str) -> String {
    channel(prefix, "breaker")
}

/// Hands a message on `channel` to its kind.
fn dispatch(prefix: &str, channel: &str, payload: &str) {
    let kind = channel
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|rest| rest.strip_suffix("-events"));
    match kind {
        Some("breaker") => super::breaker::wake(payload),
        Some("cache") => super::cache::event(payload),
        _ => {}
    }
}

/// What may have been missed while unsubscribed is caught up now.
fn resubscribed() {
    super::breaker::wake_all();
    super::cache::resync();
}

/// Starts the listener on the tier's runtime; it reconnects (with backoff
/// up to 2 s) for as long as the process runs.
pub(crate) fn start(tier: &Arc<Tier>) {
    let tier = Arc::clone(tier);
    let runtime = tier.runtime.clone();
    runtime.spawn(async move {
        let pattern = channel(&tier.config.prefix, "*");
        let mut backoff = Duration::from_millis(50);
        loop {
            match listen(&tier, &pattern).await {
                Ok(()) => backoff = Duration::from_millis(50),
                Err(error) => {
                    tracing::debug!(target: TARGET, %error, "shared tier: pub/sub connection lost; reconnecting");
                }
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(2));
        }
    });
}

async fn listen(tier: &Tier, pattern: &str) -> redis::RedisResult<()> {
    let connect = tier.pubsub_client.get_async_pubsub();
    let mut pubsub = tokio::time::timeout(Duration::from_secs(2), connect)
        .await
        .map_err(|_| {
            redis::RedisError::from((redis::ErrorKind::Io, "pub/sub connect timed out"))
        })??;
    pubsub.psubscribe(pattern).await?;
    resubscribed();
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        if let Ok(payload) = message.get_payload::<String>() {
            dispatch(&tier.config.prefix, message.get_channel_name(), &payload);
        }
    }
    Ok(())
}
