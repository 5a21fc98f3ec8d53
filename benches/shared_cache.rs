//! Cost of a two-tier cache (`#[cacheable(shared)]`, feature `redis`)
//! against a real `redis-server` that the benchmark starts on a free
//! loopback port (and kills at the end).
//!
//! Groups:
//!
//! * `shared_cache/memory_hit`: a hit in this instance's memory: `local` is
//!   `#[cacheable]` on an async `u64 -> u64` function, `shared` the same
//!   with `shared` (goal: at most 1.05 × `local`: the second tier costs
//!   nothing on a memory hit). Both awaited on the multi-thread runtime that
//!   connected the shared tier.
//! * `shared_cache/redis_hit`: a value found in Redis with memory empty
//!   (a `local_ttl` of 1 ns, so every call misses memory): `shared` is
//!   `SharedCache::get_or_load` (GET, decode, fill memory), `raw` a GET of
//!   the same key on a `redis` connection manager to the same server plus
//!   decoding the same bytes with postcard (goal: at most 1.2 × `raw`: one
//!   round trip is the floor). The value is a small struct (id and name).
//! * `shared_cache/codec`: encode then decode that struct with `postcard`
//!   (the format of shared caches) and with `rmp-serde` (MessagePack, the
//!   alternative measured), each into and from a `Vec<u8>`.
//!
//! Not a criterion measurement, printed at the end: the fleet stampede.
//! Three child processes (this benchmark run again with
//! `OPGUARD_BENCH_CHILD` set) each start 333 or 334 concurrent calls of
//! one cold key whose body takes 50 ms; the body runs per 1 000 concurrent
//! cold misses across the 3 processes are summed, over 5 keys (goal: 1).
//!
//! Before measuring, each variant is checked: a memory hit adds a hit and
//! no load; a Redis hit adds a shared hit and no load; the raw read decodes
//! the value stored. Any other outcome panics.
//!
//! Run with `cargo bench -p opguard-benches --bench shared_cache`
//! (`redis-server` on the PATH).

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::time::Duration;

#[path = "../tests/support/redis_cli.rs"]
mod redis_cli;

use criterion::Criterion;
use opguard::cache::{self, Adapter, SharedCache};
use opguard::cacheable;
use redis_cli::Server;
use serde::{Deserialize, Serialize};

const CHILD: &str = "OPGUARD_BENCH_CHILD";

/// A small value, as a service would cache it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    id: u64,
    name: String,
}

#[cacheable(name = "bench.shared.local", ttl = "300s")]
async fn local(n: u64) -> u64 {
    n * 2
}

#[cacheable(shared, name = "bench.shared.shared", ttl = "300s")]
async fn shared(n: u64) -> u64 {
    n * 2
}

fn stats(name: &str) -> cache::CacheStats {
    cache::get(name).expect("registered").stats()
}

fn memory_hit(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    rt.block_on(async {
        local(7).await;
        shared(7).await;
    });
    for name in ["bench.shared.local", "bench.shared.shared"] {
        let before = stats(name);
        rt.block_on(async {
            local(7).await;
            shared(7).await;
        });
        let after = stats(name);
        assert_eq!((after.hits - before.hits, after.loads), (1, 1), "{name}");
    }
    let mut group = c.benchmark_group("shared_cache/memory_hit");
    group.bench_function("local", |b| b.to_async(rt).iter(|| local(black_box(7))));
    group.bench_function("shared", |b| b.to_async(rt).iter(|| shared(black_box(7))));
    group.finish();
}

fn redis_hit(c: &mut Criterion, rt: &tokio::runtime::Runtime, server: &Server) {
    let profiles: SharedCache<u64, Profile> = cache::builder("bench.shared.redis")
        .local_ttl(Duration::from_nanos(1))
        .build_shared()
        .expect("a shared cache");
    let profile = Profile {
        id: 7,
        name: "Ada Lovelace".into(),
    };
    let get = |key: u64| {
        let value = profile.clone();
        profiles.get_or_load(key, &Adapter::VALUE, async move { value })
    };
    rt.block_on(get(7));
    let before = stats("bench.shared.redis");
    assert_eq!(rt.block_on(get(7)), profile);
    let after = stats("bench.shared.redis");
    assert_eq!(
        (after.shared_hits - before.shared_hits, after.loads),
        (1, 1),
        "a call finds the value in Redis, not in memory"
    );

    // The raw read: the same stored bytes, by the same kind of connection.
    let client = redis::Client::open(server.url()).expect("a URL");
    let mut conn = rt
        .block_on(client.get_connection_manager())
        .expect("a connection");
    let keys: Vec<Vec<u8>> = rt
        .block_on(
            redis::cmd("KEYS")
                .arg("*bench.shared.redis*}:v")
                .query_async(&mut conn),
        )
        .expect("KEYS");
    let key = keys.into_iter().next().expect("the stored value's key");
    let raw = |mut conn: redis::aio::ConnectionManager, key: Vec<u8>| async move {
        let bytes: Vec<u8> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut conn)
            .await
            .expect("GET");
        // The 9-byte header (format, type identity), then postcard.
        postcard::from_bytes::<Profile>(&bytes[9..]).expect("a profile")
    };
    assert_eq!(rt.block_on(raw(conn.clone(), key.clone())), profile);

    let mut group = c.benchmark_group("shared_cache/redis_hit");
    group.bench_function("raw", |b| {
        b.to_async(rt).iter(|| raw(conn.clone(), key.clone()))
    });
    group.bench_function("shared", |b| b.to_async(rt).iter(|| get(black_box(7))));
    group.finish();
}

fn codec(c: &mut Criterion) {
    let profile = Profile {
        id: 1_234_567,
        name: "Ada Lovelace".into(),
    };
    let mut group = c.benchmark_group("shared_cache/codec");
    group.bench_function("postcard", |b| {
        b.iter(|| {
            let bytes = postcard::to_stdvec(black_box(&profile)).expect("encoded");
            postcard::from_bytes::<Profile>(black_box(&bytes)).expect("decoded")
        })
    });
    group.bench_function("rmp_serde", |b| {
        b.iter(|| {
            let bytes = rmp_serde::to_vec(black_box(&profile)).expect("encoded");
            rmp_serde::from_slice::<Profile>(black_box(&bytes)).expect("decoded")
        })
    });
    group.finish();
    println!(
        "shared_cache/codec sizes: postcard {} bytes, rmp_serde {} bytes",
        postcard::to_stdvec(&profile).expect("encoded").len(),
        rmp_serde::to_vec(&profile).expect("encoded").len()
    );
}

/// Three children, each 333 or 334 concurrent calls on one cold key, for 5
/// keys: the body runs per 1 000 concurrent misses.
fn stampede(server: &Server) {
    let exe = std::env::current_exe().expect("the benchmark binary");
    let mut children: Vec<(Child, BufReader<std::process::ChildStdout>)> = (0..3)
        .map(|i| {
            let mut child = Command::new(&exe)
                .env(CHILD, server.url())
                .env("OPGUARD_INSTANCE", format!("bench-{i}"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("the benchmark binary as a child");
            let mut out = BufReader::new(child.stdout.take().expect("stdout"));
            assert_eq!(line(&mut out), "ready");
            (child, out)
        })
        .collect();
    let mut runs = Vec::new();
    for key in 1..=5u64 {
        for (i, (child, _)) in children.iter_mut().enumerate() {
            let calls = if i == 0 { 334 } else { 333 };
            let stdin = child.stdin.as_mut().expect("stdin");
            writeln!(stdin, "{key} {calls}").expect("a command");
            stdin.flush().expect("flushed");
        }
        let loads: u64 = children
            .iter_mut()
            .map(|(_, out)| line(out).parse::<u64>().expect("a count"))
            .sum();
        runs.push(loads);
    }
    for (mut child, _) in children {
        drop(child.stdin.take());
        let _ = child.wait();
    }
    println!(
        "shared_cache/stampede: body runs per 1000 concurrent cold misses across 3 processes: {runs:?} (goal 1 each)"
    );
}

fn line(out: &mut BufReader<std::process::ChildStdout>) -> String {
    let mut text = String::new();
    out.read_line(&mut text).expect("a line from the child");
    text.trim().to_owned()
}

/// A child of [`stampede`]: for each `<key> <calls>` line, that many
/// concurrent calls; answers the body runs.
fn child(url: String) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    rt.block_on(async move {
        opguard::shared::connect(&url).await.expect("connected");
        let cache: SharedCache<u64, u64> = cache::builder("bench.shared.stampede")
            .build_shared()
            .expect("a shared cache");
        let loads = std::sync::Arc::new(AtomicU64::new(0));
        println!("ready");
        let mut lines = std::io::stdin().lines();
        while let Some(Ok(line)) = lines.next() {
            let mut words = line.split(' ').map(|w| w.parse::<u64>().expect("a number"));
            let (key, calls) = (words.next().expect("a key"), words.next().expect("calls"));
            let before = loads.load(SeqCst);
            let joins: Vec<_> = (0..calls)
                .map(|_| {
                    let (cache, loads) = (cache.clone(), loads.clone());
                    tokio::spawn(async move {
                        cache
                            .get_or_load(key, &Adapter::VALUE, async move {
                                loads.fetch_add(1, SeqCst);
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                key
                            })
                            .await
                    })
                })
                .collect();
            for join in joins {
                assert_eq!(join.await.expect("a call"), key);
            }
            println!("{}", loads.load(SeqCst) - before);
        }
    });
}

fn main() {
    if let Ok(url) = std::env::var(CHILD) {
        child(url);
        return;
    }
    let server = Server::start();
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    rt.block_on(opguard::shared::connect(&server.url()))
        .expect("connected");
    let mut c = Criterion::default().configure_from_args();
    memory_hit(&mut c, &rt);
    redis_hit(&mut c, &rt, &server);
    codec(&mut c);
    c.final_summary();
    stampede(&server);
}
