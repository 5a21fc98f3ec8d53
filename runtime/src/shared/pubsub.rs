//! The pub/sub listener: one connection per process, subscribed to the
//! tier's channel, that wakes the shared breaker a message names. Polling
//! every `sync_interval` is the backstop when a message is lost.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use super::conn::{TARGET, Tier};

/// The channel every transition of a shared breaker is announced on.
pub(crate) fn breaker_channel(prefix: &str) -> String {
    format!("{prefix}:breaker-events")
}

/// Starts the listener on the tier's runtime; it reconnects (with backoff
/// up to 2 s) for as long as the process runs.
pub(crate) fn start(tier: &Arc<Tier>) {
    let tier = Arc::clone(tier);
    let runtime = tier.runtime.clone();
    runtime.spawn(async move {
        let channel = breaker_channel(&tier.config.prefix);
        let mut backoff = Duration::from_millis(50);
        loop {
            match listen(&tier, &channel).await {
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

async fn listen(tier: &Tier, channel: &str) -> redis::RedisResult<()> {
    let connect = tier.pubsub_client.get_async_pubsub();
    let mut pubsub = tokio::time::timeout(Duration::from_secs(2), connect)
        .await
        .map_err(|_| {
            redis::RedisError::from((redis::ErrorKind::Io, "pub/sub connect timed out"))
        })??;
    pubsub.subscribe(channel).await?;
    // Whatever was missed while unsubscribed is caught up by a sync now.
    super::breaker::wake_all();
    let mut messages = pubsub.on_message();
    while let Some(message) = messages.next().await {
        if let Ok(name) = message.get_payload::<String>() {
            super::breaker::wake(&name);
        }
    }
    Ok(())
}
