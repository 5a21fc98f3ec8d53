//! The tower layers and the HTTP-facing export.
//!
//! * `tower/breaker_closed`: one call through a closed breaker in front of a
//!   service that answers at once: the service bare (`plain`), behind
//!   opguard's `CircuitBreakerLayer` (`opguard_layer`), the same work under
//!   `#[circuit_breaker]` (`attribute`), and behind tower-resilience's
//!   circuit breaker layer (`tower_resilience`, its defaults). Each call
//!   polls readiness, then calls, as tower's contract asks.
//! * `export/prometheus`: rendering `/metrics` with N breakers, N timers and
//!   N caches registered (N = 100, 1 000, 4 000): it should grow linearly.
//!
//! Run with `cargo bench -p opguard-benches --bench tower`.

use std::future::{Ready, poll_fn, ready};
use std::hint::black_box;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use opguard::GuardError;
use opguard::tower::CircuitBreakerLayer;
use tower_layer::Layer;
use tower_service::Service;

#[inline(always)]
fn body(x: u64) -> u64 {
    black_box(x).wrapping_mul(31)
}

/// A service that answers at once.
#[derive(Clone)]
struct Work;

impl Service<u64> for Work {
    type Response = u64;
    type Error = GuardError;
    type Future = Ready<Result<u64, GuardError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), GuardError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, x: u64) -> Self::Future {
        ready(Ok(body(x)))
    }
}

#[opguard::circuit_breaker(name = "bench.tower.attribute")]
#[inline(never)]
async fn attribute(x: u64) -> Result<u64, GuardError> {
    Ok(body(x))
}

/// Calls `service` `iters` times (ready, then call) on `runtime`.
fn drive<S>(runtime: &tokio::runtime::Runtime, mut service: S, iters: u64) -> Duration
where
    S: Service<u64>,
    S::Error: std::fmt::Debug,
{
    runtime.block_on(async {
        let start = Instant::now();
        for i in 0..iters {
            poll_fn(|cx| service.poll_ready(cx)).await.unwrap();
            black_box(service.call(i).await.unwrap());
        }
        start.elapsed()
    })
}

fn breaker_closed(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let opguard = CircuitBreakerLayer::new("bench.tower.layer");
    let resilience = tower_resilience::circuitbreaker::CircuitBreakerLayer::builder()
        .build()
        .unwrap();

    let mut group = c.benchmark_group("tower/breaker_closed");
    group.bench_function("plain", |b| b.iter_custom(|n| drive(&runtime, Work, n)));
    group.bench_function("opguard_layer", |b| {
        b.iter_custom(|n| drive(&runtime, opguard.layer(Work), n))
    });
    group.bench_function("attribute", |b| {
        b.iter_custom(|n| {
            runtime.block_on(async {
                let start = Instant::now();
                for i in 0..n {
                    black_box(attribute(i).await.unwrap());
                }
                start.elapsed()
            })
        })
    });
    group.bench_function("tower_resilience", |b| {
        b.iter_custom(|n| drive(&runtime, resilience.layer(Work), n))
    });
    group.finish();
    assert_eq!(opguard.breaker().snapshot().failures, 0);
}

fn export_render(c: &mut Criterion) {
    let mut group = c.benchmark_group("export/prometheus");
    let mut registered = 0;
    let mut caches = Vec::new();
    for n in [100usize, 1_000, 4_000] {
        for i in registered..n {
            let breaker = opguard::breaker::Breaker::builder(format!("render.breaker.{i}")).build();
            breaker.call_sync(|| Ok::<_, GuardError>(())).unwrap();
            let timer = opguard::monitor::Timer::builder(format!("render.timer.{i}")).build();
            timer.call_sync(|| Some(i));
            let cache = opguard::cache::builder(format!("render.cache.{i}"))
                .build_sync::<u64, u64>()
                .unwrap();
            caches.push(cache);
        }
        registered = n;
        let text = opguard::export::prometheus();
        assert!(text.contains(&format!("render.breaker.{}", n - 1)));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| black_box(opguard::export::prometheus()))
        });
    }
    group.finish();
}

criterion_group!(benches, breaker_closed, export_render);
criterion_main!(benches);
