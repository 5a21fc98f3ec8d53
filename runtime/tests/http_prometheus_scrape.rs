//! A real Prometheus server (Debian's `prometheus`) scrapes the `/metrics`
//! route served on loopback; its query API then returns the breaker state,
//! the call counters and the latency series with their labels and values.
#![cfg(feature = "axum")]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::Router;
use opguard_runtime::breaker::Breaker;
use opguard_runtime::monitor::Timer;
use serde_json::Value;

/// A scratch directory removed on drop, also when the test fails.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The value of the one series `query` returns, once Prometheus has it.
async fn query(client: &reqwest::Client, prometheus: &str, query: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let response = client
            .get(format!("{prometheus}/api/v1/query"))
            .query(&[("query", query)])
            .send()
            .await;
        if let Ok(response) = response {
            let body: Value =
                serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or_default();
            if let Some(series) = body["data"]["result"].as_array().filter(|r| !r.is_empty()) {
                assert_eq!(series.len(), 1, "{query}: {body}");
                return series[0].clone();
            }
        }
        assert!(
            Instant::now() < deadline,
            "Prometheus never returned {query}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_scrapes_the_metrics_route() {
    let Ok(binary) = which("prometheus") else {
        panic!(
            "this test runs a real Prometheus server: install Debian's `prometheus` \
             package (`apt-get install prometheus`; .ci/run does)"
        );
    };

    let timer = Timer::builder("scrape.lookup").build();
    for _ in 0..3 {
        timer.call_sync(|| Some(1));
    }
    let breaker = Breaker::builder("scrape.db").build();
    breaker.force_open();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = listener.local_addr().unwrap();
    let app: Router = opguard_runtime::http::routes();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let scratch = Scratch(std::env::temp_dir().join(format!(
        "opguard-prometheus-{}-{}",
        std::process::id(),
        target.port()
    )));
    std::fs::create_dir_all(scratch.0.join("data")).unwrap();
    let config = scratch.0.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: opguard\n    metrics_path: /metrics\n    \
             static_configs:\n      - targets: ['{target}']\n"
        ),
    )
    .unwrap();
    let web = format!("127.0.0.1:{}", free_port());
    let mut server = tokio::process::Command::new(binary)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            scratch.0.join("data").display()
        ))
        .arg(format!("--web.listen-address={web}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    let client = reqwest::Client::new();
    let prometheus = format!("http://{web}");
    let up = query(&client, &prometheus, "up{job=\"opguard\"}").await;
    assert_eq!(up["value"][1], "1", "{up}");
    let open = query(
        &client,
        &prometheus,
        r#"opguard_breaker_state{breaker="scrape.db",state="forced_open"}"#,
    )
    .await;
    assert_eq!(open["value"][1], "1");
    assert_eq!(open["metric"]["job"], "opguard");
    let calls = query(
        &client,
        &prometheus,
        r#"opguard_calls_total{operation="scrape.lookup",outcome="ok"}"#,
    )
    .await;
    assert_eq!(calls["value"][1], "3");
    let count = query(
        &client,
        &prometheus,
        r#"opguard_call_duration_seconds_count{operation="scrape.lookup"}"#,
    )
    .await;
    assert_eq!(count["value"][1], "3");
    let p99 = query(
        &client,
        &prometheus,
        r#"opguard_call_duration_seconds{operation="scrape.lookup",quantile="0.99"}"#,
    )
    .await;
    assert!(p99["value"][1].as_str().unwrap().parse::<f64>().unwrap() >= 0.0);

    server.kill().await.unwrap();
}

fn which(name: &str) -> Result<PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .ok_or(())
}
