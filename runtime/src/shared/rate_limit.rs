//! Fleet-wide rate limits (`#[rate_limit(shared)]`): one GCRA script per
//! call on Redis' clock, one key per limit (and per limiter key), each
//! under its own hash tag so that a Cluster spreads the keys of a keyed
//! limiter. Resolution: a microsecond (rates up to a million calls a
//! second).

use std::sync::LazyLock;
use std::time::Duration;

use super::conn::tier;
use crate::rate_limit::gcra::Decision;

static GCRA: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(include_str!("gcra.lua")));

fn micros(nanos: u64) -> u64 {
    (nanos / 1_000).max(1)
}

fn key(prefix: &str, name: &str, key: Option<&str>) -> String {
    match key {
        None => format!("{prefix}:{{ratelimit:{name}}}"),
        Some(key) => format!("{prefix}:{{ratelimit:{name}:{key}}}"),
    }
}

/// The fleet's decision for one call, or `None` when the shared tier is not
/// connected or Redis does not answer within the deadline (the caller then
/// decides locally).
pub(crate) async fn decide(
    name: &str,
    limiter_key: Option<&str>,
    interval: u64,
    burst: u32,
    max_wait: u64,
) -> Option<Decision> {
    let tier = tier()?;
    let interval = micros(interval);
    let tolerance = interval.saturating_mul(u64::from(burst.max(1)) - 1);
    let mut invocation = GCRA.prepare_invoke();
    invocation
        .key(key(&tier.config.prefix, name, limiter_key))
        .arg(interval)
        .arg(tolerance)
        .arg(max_wait / 1_000)
        .arg("take");
    let (admitted, wait): (u8, u64) = tier.invoke(&invocation).await?;
    let wait = wait.saturating_mul(1_000);
    Some(match (admitted, wait) {
        (0, _) => Decision::Refuse(wait.max(1)),
        (_, 0) => Decision::Admit(0),
        (_, wait) => Decision::AdmitAfter(0, wait),
    })
}

/// Gives one interval back to the fleet's limit (a reserved call was
/// cancelled before its turn), in the background on the tier's runtime.
pub(crate) fn give_back(name: &str, limiter_key: Option<&str>, interval: u64) {
    let Some(tier) = tier() else { return };
    let key = key(&tier.config.prefix, name, limiter_key);
    let tier_for_task = std::sync::Arc::clone(tier);
    tier.runtime.spawn(async move {
        let mut invocation = GCRA.prepare_invoke();
        invocation
            .key(key)
            .arg(micros(interval))
            .arg(0)
            .arg(0)
            .arg("give");
        let _: Option<(u8, u64)> = tier_for_task.invoke(&invocation).await;
    });
}

/// Whether the fleet decides this call: connected, and Redis answered
/// last time. While Redis is away, calls decide locally without waiting on
/// it; one call a second asks Redis again, to notice it is back.
pub(crate) fn should_ask() -> bool {
    tier().is_some_and(|tier| tier.up() || tier.retry_now(Duration::from_secs(1)))
}
