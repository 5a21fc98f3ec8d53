//! Instances of a service with one shared cache, as child processes of the
//! test binary (started and driven by `fleet::Instance`, whose environment
//! gives the Redis URL and command deadline). After `ready`, the test
//! builds the cache with `build`, then sends calls over stdin.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use opguard_runtime::cache::{self, Adapter, CacheStats, SharedCache};
use opguard_runtime::shared::{self, SharedConfig};

use super::fleet::{answer, commands, env, run_child};

/// Body runs in this process.
static LOADS: AtomicU64 = AtomicU64::new(0);

/// The cache, with text or number values (a deploy that changed the type).
#[derive(Clone)]
enum Cache {
    Text(SharedCache<u64, String>),
    Number(SharedCache<u64, u64>),
}

impl Cache {
    async fn get(&self, key: u64, body: Duration, me: &str) -> String {
        let load = || async move {
            LOADS.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(body).await;
        };
        match self {
            Cache::Text(c) => {
                c.get_or_load(key, &Adapter::VALUE, async {
                    load().await;
                    format!("{key}@{me}")
                })
                .await
            }
            Cache::Number(c) => c
                .get_or_load(key, &Adapter::VALUE, async {
                    load().await;
                    key * 10
                })
                .await
                .to_string(),
        }
    }

    async fn in_memory(&self, key: u64) -> bool {
        match self {
            Cache::Text(c) => c.hit(&key).await.is_some(),
            Cache::Number(c) => c.hit(&key).await.is_some(),
        }
    }

    async fn invalidate(&self, key: u64) {
        match self {
            Cache::Text(c) => c.invalidate(&key).await,
            Cache::Number(c) => c.invalidate(&key).await,
        }
    }

    fn invalidate_all(&self) {
        match self {
            Cache::Text(c) => c.invalidate_all(),
            Cache::Number(c) => c.invalidate_all(),
        }
    }

    fn stats(&self) -> CacheStats {
        match self {
            Cache::Text(c) => c.stats(),
            Cache::Number(c) => c.stats(),
        }
    }
}

/// The child's side: connects, answers commands until `exit`.
pub(crate) fn child_main() {
    run_child(child());
}

async fn child() {
    let me: String = env("OPGUARD_INSTANCE");
    let config = SharedConfig::new(env::<String>("FLEET_URL"))
        .timeout(Duration::from_millis(env("FLEET_TIMEOUT_MS")));
    if let Err(e) = shared::connect_with(config).await {
        answer(format!("connect failed: {e}"));
        return;
    }
    answer("ready");
    let mut commands = commands();
    let mut cache = None;
    while let Some(line) = commands.recv().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        let number = |i: usize| {
            words
                .get(i)
                .and_then(|w| w.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let ms = |i: usize| Duration::from_millis(number(i));
        let command = words.first().copied().unwrap_or("");
        if command == "build" {
            let builder = cache::builder(words[1])
                .ttl(ms(3))
                .local_ttl(ms(4))
                .load_timeout(ms(5))
                .sync_interval(ms(6));
            cache = Some(match words[2] {
                "text" => Cache::Text(builder.build_shared().expect("a shared cache")),
                _ => Cache::Number(builder.build_shared().expect("a shared cache")),
            });
            answer("built");
            continue;
        }
        if command == "exit" {
            answer("bye");
            return;
        }
        let Some(cache) = cache.clone() else {
            answer("no cache built");
            continue;
        };
        match command {
            "get" => {
                let (key, tasks, body) = (number(1), number(2).max(1), ms(3));
                let mut joins = Vec::new();
                for _ in 0..tasks {
                    let (cache, me) = (cache.clone(), me.clone());
                    joins.push(tokio::spawn(async move {
                        let started = tokio::time::Instant::now();
                        let value = cache.get(key, body, &me).await;
                        (value, started.elapsed().as_micros())
                    }));
                }
                let mut values = Vec::new();
                let mut slowest = 0;
                for join in joins {
                    let (value, took) = join.await.expect("a call");
                    slowest = slowest.max(took);
                    values.push(value);
                }
                let first = values[0].clone();
                values.dedup();
                answer(format!("ok {first} {slowest} {}", values.len()));
            }
            "spawn" => {
                let (key, body) = (number(1), ms(2));
                let before = LOADS.load(Ordering::SeqCst);
                let me = me.clone();
                let loading = cache.clone();
                tokio::spawn(async move { loading.get(key, body, &me).await });
                while LOADS.load(Ordering::SeqCst) == before {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                answer("loading");
            }
            "loads" => answer(LOADS.load(Ordering::SeqCst)),
            "stats" => {
                let s = cache.stats();
                answer(format!(
                    "hits={} misses={} loads={} shared_hits={} shared_misses={} shared_errors={}",
                    s.hits, s.misses, s.loads, s.shared_hits, s.shared_misses, s.shared_errors
                ));
            }
            "memory" => answer(if cache.in_memory(number(1)).await {
                "yes"
            } else {
                "no"
            }),
            "wait_gone" => {
                let (key, within) = (number(1), ms(2));
                let started = tokio::time::Instant::now();
                loop {
                    if !cache.in_memory(key).await {
                        answer(format!("ok {}", started.elapsed().as_millis()));
                        break;
                    }
                    if started.elapsed() > within {
                        answer("timeout");
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            "invalidate" => {
                cache.invalidate(number(1)).await;
                answer("done");
            }
            "invalidate_all" => {
                cache.invalidate_all();
                answer("done");
            }
            other => answer(format!("unknown command {other:?}")),
        }
    }
}
