//! The one connection of this process to Redis: how it is made, the
//! deadline on every command, and what it has seen (for [`status`](super::status)).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, FromRedisValue, Pipeline, RedisFuture, ScriptInvocation, Value};

use super::config::{SharedConfig, redact};
use super::error::{ConnectError, ConnectErrorKind};

/// A standalone server through the connection manager, or a Cluster.
#[derive(Clone)]
pub(crate) enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// What the connection has seen since `connect`.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) up: AtomicBool,
    pub(crate) errors: AtomicU64,
    pub(crate) commands: AtomicU64,
    /// The last round trip, in nanoseconds (0: none yet).
    pub(crate) round_trip: AtomicU64,
    /// While Redis is down: when a call may try it again, in milliseconds
    /// since `connect`.
    pub(crate) retry_at: AtomicU64,
    pub(crate) last_error: Mutex<Option<String>>,
    pub(crate) unavailable_since: Mutex<Option<SystemTime>>,
}

/// The shared tier of this process, once connected.
pub(crate) struct Tier {
    conn: Conn,
    pub(crate) config: SharedConfig,
    /// The URL(s) with any password replaced by `***`.
    pub(crate) shown: String,
    /// A client for the pub/sub connection (the first node of a Cluster:
    /// a Cluster broadcasts `PUBLISH` to every node).
    pub(crate) pubsub_client: redis::Client,
    /// The runtime `connect` ran on: background work is spawned there, so
    /// that guarded functions called outside any runtime still sync.
    pub(crate) runtime: tokio::runtime::Handle,
    pub(crate) seen: Seen,
    /// This process among the instances of the same name: a restarted
    /// process (same pod name) counts afresh, never on top of the totals
    /// its previous life left in Redis.
    pub(crate) incarnation: String,
    connected_at: Instant,
}

static TIER: OnceLock<Arc<Tier>> = OnceLock::new();

/// The shared tier, once `connect` has succeeded.
pub(crate) fn tier() -> Option<&'static Arc<Tier>> {
    TIER.get()
}

impl std::fmt::Debug for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tier")
            .field("url", &self.shown)
            .field("prefix", &self.config.prefix)
            .finish_non_exhaustive()
    }
}

impl Tier {
    /// Runs a script within the command deadline. An error or a deadline
    /// passed is recorded (and the tier marked down) and comes back as `None`:
    /// callers fall back to their local behaviour.
    pub(crate) async fn invoke<T: FromRedisValue>(
        &self,
        invocation: &ScriptInvocation<'_>,
    ) -> Option<T> {
        let mut conn = self.conn.clone();
        let started = Instant::now();
        let answer =
            tokio::time::timeout(self.config.timeout, invocation.invoke_async::<T>(&mut conn))
                .await;
        self.record(started, answer)
    }

    /// [`invoke`](Self::invoke) for a plain command: within the deadline,
    /// an error recorded and `None`.
    pub(crate) async fn query<T: FromRedisValue>(&self, cmd: &Cmd) -> Option<T> {
        let mut conn = self.conn.clone();
        self.timed(cmd.query_async::<T>(&mut conn)).await
    }

    /// [`query`](Self::query) for a pipeline.
    pub(crate) async fn query_pipe<T: FromRedisValue>(&self, pipe: &Pipeline) -> Option<T> {
        let mut conn = self.conn.clone();
        self.timed(pipe.query_async::<T>(&mut conn)).await
    }

    async fn timed<T>(&self, command: impl Future<Output = redis::RedisResult<T>>) -> Option<T> {
        let started = Instant::now();
        let answer = tokio::time::timeout(self.config.timeout, command).await;
        self.record(started, answer)
    }

    /// `PING` within the command deadline: Redis answers, or why not.
    pub(crate) async fn ping(&self) -> Result<(), String> {
        match self.query::<String>(&redis::cmd("PING")).await {
            Some(_) => Ok(()),
            None => Err(lock(&self.seen.last_error)
                .clone()
                .unwrap_or_else(|| "no answer".into())),
        }
    }

    fn record<T>(
        &self,
        started: Instant,
        answer: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
    ) -> Option<T> {
        self.seen.commands.fetch_add(1, Ordering::Relaxed);
        let error = match answer {
            Ok(Ok(value)) => {
                let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
                self.seen.round_trip.store(nanos.max(1), Ordering::Relaxed);
                if !self.seen.up.swap(true, Ordering::AcqRel) {
                    *lock(&self.seen.unavailable_since) = None;
                    tracing::info!(target: TARGET, url = %self.shown, "shared tier: Redis is reachable again");
                }
                return Some(value);
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!(
                "no answer within the command deadline ({:?})",
                self.config.timeout
            ),
        };
        self.seen.errors.fetch_add(1, Ordering::Relaxed);
        if self.seen.up.swap(false, Ordering::AcqRel) {
            *lock(&self.seen.unavailable_since) = Some(SystemTime::now());
            tracing::warn!(
                target: TARGET,
                url = %self.shown,
                error = %error,
                "shared tier: Redis unavailable; shared breakers protect locally until it is back"
            );
        }
        *lock(&self.seen.last_error) = Some(error);
        None
    }

    /// Whether the last command succeeded.
    pub(crate) fn up(&self) -> bool {
        self.seen.up.load(Ordering::Acquire)
    }

    /// While Redis is down, true for one caller every `every`: that caller
    /// tries Redis again; the others do without it.
    pub(crate) fn retry_now(&self, every: Duration) -> bool {
        let now = u64::try_from(self.connected_at.elapsed().as_millis()).unwrap_or(u64::MAX);
        let at = self.seen.retry_at.load(Ordering::Acquire);
        now >= at
            && self
                .seen
                .retry_at
                .compare_exchange(
                    at,
                    now + u64::try_from(every.as_millis()).unwrap_or(u64::MAX),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
    }
}

/// The name of the shared tier's health check.
pub const SHARED_CHECK: &str = "shared";

/// The `tracing` target of the shared tier's events.
pub(crate) const TARGET: &str = "opguard::shared";

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Connects this process to Redis (see [`connect`](super::connect)).
pub(crate) async fn open(config: SharedConfig) -> Result<(), ConnectError> {
    let shown = config
        .urls
        .iter()
        .map(|u| redact(u))
        .collect::<Vec<_>>()
        .join(",");
    let fail = |kind, reason: String| ConnectError::new(kind, shown.clone(), reason);
    if TIER.get().is_some() {
        return Err(fail(
            ConnectErrorKind::AlreadyConnected,
            "this process is connected already; `connect` is called once, at start-up".into(),
        ));
    }
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
        fail(
            ConnectErrorKind::NoRuntime,
            "`connect` must run inside a tokio runtime, which then runs the tier's background work"
                .into(),
        )
    })?;
    let bad_url =
        |e: redis::RedisError| fail(ConnectErrorKind::BadUrl, scrub(&e.to_string(), &config));
    let first = redis::Client::open(config.urls[0].as_str()).map_err(bad_url)?;
    // Connecting at start-up gets longer than a command: a server that is
    // starting too. Past it, the cause is reported.
    let startup = config.timeout.max(Duration::from_secs(2));
    let conn = if config.urls.len() == 1 {
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(startup))
            .set_response_timeout(Some(config.timeout))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_secs(1));
        let made = tokio::time::timeout(
            startup * 2,
            first.get_connection_manager_with_config(manager),
        )
        .await;
        Conn::Single(unreachable_or(made, &config, &fail)?)
    } else {
        let cluster =
            redis::cluster::ClusterClient::builder(config.urls.iter().map(String::as_str))
                .build()
                .map_err(bad_url)?;
        let settings = redis::cluster::ClusterConfig::new()
            .set_connection_timeout(startup)
            .set_response_timeout(config.timeout);
        let made = tokio::time::timeout(
            startup * 2,
            cluster.get_async_connection_with_config(settings),
        )
        .await;
        Conn::Cluster(unreachable_or(made, &config, &fail)?)
    };
    // A connection that authenticates but cannot answer is no connection.
    let mut probe = conn.clone();
    let ping = tokio::time::timeout(
        startup,
        redis::cmd("PING").query_async::<String>(&mut probe),
    )
    .await;
    unreachable_or(ping, &config, &fail)?;
    let tier = Arc::new(Tier {
        conn,
        shown: shown.clone(),
        pubsub_client: first,
        runtime,
        seen: Seen {
            up: AtomicBool::new(true),
            ..Seen::default()
        },
        config,
        incarnation: format!("{:016x}", fastrand::u64(..)),
        connected_at: Instant::now(),
    });
    if TIER.set(Arc::clone(&tier)).is_err() {
        return Err(fail(
            ConnectErrorKind::AlreadyConnected,
            "another `connect` won the race; `connect` is called once, at start-up".into(),
        ));
    }
    tracing::info!(target: TARGET, url = %tier.shown, prefix = %tier.config.prefix, "shared tier connected");
    super::pubsub::start(&tier);
    // The built-in `shared` health check: not critical (every shared
    // feature works on locally while Redis is away), so a failing PING
    // makes the report `degraded`.
    let pinged = Arc::clone(&tier);
    crate::health::register(SHARED_CHECK, move || {
        let tier = Arc::clone(&pinged);
        async move { tier.ping().await }
    })
    .timeout(Duration::from_secs(1))
    .critical(false);
    super::breaker::start_all(&tier);
    Ok(())
}

fn unreachable_or<T>(
    made: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
    config: &SharedConfig,
    fail: &impl Fn(ConnectErrorKind, String) -> ConnectError,
) -> Result<T, ConnectError> {
    match made {
        Ok(Ok(made)) => Ok(made),
        Ok(Err(e)) => {
            let kind = if e.kind() == redis::ErrorKind::AuthenticationFailed
                || e.to_string().contains("WRONGPASS")
                || e.to_string().contains("NOAUTH")
            {
                ConnectErrorKind::Refused
            } else {
                ConnectErrorKind::Unreachable
            };
            Err(fail(kind, scrub(&e.to_string(), config)))
        }
        Err(_) => Err(fail(
            ConnectErrorKind::Unreachable,
            "no answer in time (is a Redis server listening there?)".into(),
        )),
    }
}

/// An error's text with every password of `config` replaced by `***`.
fn scrub(text: &str, config: &SharedConfig) -> String {
    let mut text = text.to_owned();
    for url in &config.urls {
        if let Some(password) = super::config::password(url)
            && !password.is_empty()
        {
            text = text.replace(&password, "***");
        }
    }
    text
}
