//! Instances of a service as child processes of the test binary, each with
//! one shared breaker, driven over a line protocol on stdin/stdout (the
//! registries are process-wide: several instances are several processes).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use opguard_runtime::GuardError;
use opguard_runtime::breaker::{Breaker, Clock, OwnedPermit};
use opguard_runtime::shared::{self, SharedConfig};

/// The environment variable that makes the test binary a child instance.
pub(crate) const CHILD: &str = "OPGUARD_FLEET_CHILD";

/// How a child's breaker is set up.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub(crate) url: String,
    pub(crate) name: String,
    pub(crate) threshold: u32,
    pub(crate) recovery_ms: u64,
    pub(crate) sync_ms: u64,
    pub(crate) half_open_max: u32,
    pub(crate) success_threshold: u32,
    pub(crate) clock_offset_ms: u64,
    pub(crate) timeout_ms: u64,
}

impl Setup {
    pub(crate) fn new(url: String, name: &str) -> Self {
        Self {
            url,
            name: name.to_owned(),
            threshold: 3,
            recovery_ms: 60_000,
            sync_ms: 100,
            half_open_max: 1,
            success_threshold: 1,
            clock_offset_ms: 0,
            timeout_ms: 50,
        }
    }
}

/// A child instance.
#[derive(Debug)]
pub(crate) struct Instance {
    pub(crate) id: String,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Instance {
    /// Starts the test binary's `entry` test as instance `id`.
    pub(crate) fn spawn(entry: &str, id: &str, setup: &Setup) -> Self {
        let exe = std::env::current_exe().expect("the test binary");
        let mut child = Command::new(exe)
            .args([
                "--ignored",
                "--exact",
                entry,
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("OPGUARD_INSTANCE", id)
            .env("FLEET_URL", &setup.url)
            .env("FLEET_NAME", &setup.name)
            .env("FLEET_THRESHOLD", setup.threshold.to_string())
            .env("FLEET_RECOVERY_MS", setup.recovery_ms.to_string())
            .env("FLEET_SYNC_MS", setup.sync_ms.to_string())
            .env("FLEET_HALF_OPEN_MAX", setup.half_open_max.to_string())
            .env(
                "FLEET_SUCCESS_THRESHOLD",
                setup.success_threshold.to_string(),
            )
            .env("FLEET_CLOCK_OFFSET_MS", setup.clock_offset_ms.to_string())
            .env("FLEET_TIMEOUT_MS", setup.timeout_ms.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the test binary starts again as a child");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // Only the protocol's answers; the harness prints other lines.
                // (libtest's "test instance ... " may start the first line.)
                if let Some(at) = line.find("@@ ")
                    && send.send(line[at + 3..].to_owned()).is_err()
                {
                    break;
                }
            }
        });
        let mut instance = Self {
            id: id.to_owned(),
            child,
            stdin,
            lines,
        };
        let ready = instance.read(Duration::from_secs(20));
        assert_eq!(ready, "ready", "instance {id} did not start: {ready}");
        instance
    }

    fn read(&mut self, within: Duration) -> String {
        self.lines
            .recv_timeout(within)
            .unwrap_or_else(|e| panic!("instance {} gave no answer in {within:?}: {e}", self.id))
    }

    /// Sends one command and returns its answer.
    pub(crate) fn ask(&mut self, command: &str) -> String {
        writeln!(self.stdin, "{command}").expect("the instance reads its stdin");
        self.stdin.flush().expect("flushed");
        self.read(Duration::from_secs(20))
    }

    /// Kills the process (SIGKILL): nothing it held is released.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "exit");
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.kill();
    }
}

pub(crate) fn env<T: std::str::FromStr>(key: &str) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{key} set for the child"))
}

pub(crate) fn answer(text: impl std::fmt::Display) {
    println!("@@ {text}");
}

/// The child's side: connects, builds the breaker, answers commands until
/// `exit` or the end of stdin.
pub(crate) fn child_main() {
    run_child(child());
}

/// Runs `child` as this process's whole life, when it is a child instance.
pub(crate) fn run_child(child: impl std::future::Future<Output = ()>) {
    if std::env::var(CHILD).is_err() {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(child);
    std::process::exit(0);
}

/// The lines of stdin, as they come.
pub(crate) fn commands() -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let (send, commands) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    commands
}

async fn child() {
    let offset = Duration::from_millis(env("FLEET_CLOCK_OFFSET_MS"));
    let url: String = env("FLEET_URL");
    // Several URLs: the nodes of a Cluster.
    let config = if url.contains(',') {
        SharedConfig::cluster(url.split(','))
    } else {
        SharedConfig::new(url)
    }
    .timeout(Duration::from_millis(env("FLEET_TIMEOUT_MS")));
    if let Err(e) = shared::connect_with(config).await {
        answer(format!("connect failed: {e}"));
        return;
    }
    let build = move |name: String| {
        Breaker::builder(name)
            .failure_threshold(env("FLEET_THRESHOLD"))
            .recovery_timeout(Duration::from_millis(env("FLEET_RECOVERY_MS")))
            .half_open_max_calls(env("FLEET_HALF_OPEN_MAX"))
            .success_threshold(env("FLEET_SUCCESS_THRESHOLD"))
            .clock(Clock::from_fn(move || tokio::time::Instant::now() + offset))
            .shared(Duration::from_millis(env("FLEET_SYNC_MS")))
            .build()
    };
    let mut breaker = build(env("FLEET_NAME"));
    let mut events = opguard_runtime::breaker::events();
    let mut seen = Vec::new();
    let mut held: Vec<OwnedPermit> = Vec::new();
    // The first sync makes the breaker follow the fleet.
    shared::flush().await;
    answer("ready");
    let mut commands = commands();
    while let Some(line) = commands.recv().await {
        while let Ok(event) = events.try_recv() {
            seen.push(event);
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let number = |i: usize| {
            words
                .get(i)
                .and_then(|w| w.parse::<u64>().ok())
                .unwrap_or(1)
        };
        match words.first().copied().unwrap_or("") {
            "fail" | "ok" => {
                let fail = words[0] == "fail";
                let (calls, tasks) = (number(1), number(2));
                let mut joins = Vec::new();
                for _ in 0..tasks {
                    let breaker = breaker.clone();
                    joins.push(tokio::spawn(async move {
                        let mut rejected = 0;
                        for _ in 0..calls {
                            let result: Result<(), GuardError> = breaker
                                .call(async {
                                    if fail {
                                        Err(GuardError::Timeout {
                                            name: "upstream".into(),
                                            after: Duration::from_millis(1),
                                        })
                                    } else {
                                        Ok(())
                                    }
                                })
                                .await;
                            if matches!(result, Err(GuardError::CircuitOpen { .. })) {
                                rejected += 1;
                            }
                        }
                        rejected
                    }));
                }
                let mut rejected = 0;
                for join in joins {
                    rejected += join.await.expect("calls ran");
                }
                answer(format!("done rejected={rejected}"));
            }
            "call" => {
                let started = tokio::time::Instant::now();
                let result: Result<(), GuardError> = breaker.call(async { Ok(()) }).await;
                let took = started.elapsed().as_micros();
                match result {
                    Ok(()) => answer(format!("ok {took}")),
                    Err(_) => answer(format!("rejected {took}")),
                }
            }
            "state" => {
                let snapshot = breaker.snapshot();
                answer(format!("{} {}", snapshot.state, snapshot.scope.as_str()));
            }
            "wait" => {
                let want = words.get(1).copied().unwrap_or("closed");
                let within = Duration::from_millis(number(2));
                let started = tokio::time::Instant::now();
                loop {
                    if breaker.state().as_str() == want {
                        answer(format!("ok {}", started.elapsed().as_millis()));
                        break;
                    }
                    if started.elapsed() > within {
                        answer(format!("timeout {}", breaker.state()));
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            "hold" => match breaker.acquire_owned() {
                Ok(permit) => {
                    held.push(permit);
                    answer("held");
                }
                Err(_) => answer("rejected"),
            },
            "release" => {
                if held.is_empty() {
                    answer("none held");
                } else {
                    let permit = held.remove(0);
                    if words.get(1) == Some(&"fail") {
                        permit.failure("probe failed");
                    } else {
                        permit.success();
                    }
                    answer("released");
                }
            }
            "force_open" => {
                breaker.force_open();
                answer("done");
            }
            "force_close" => {
                breaker.force_close();
                answer("done");
            }
            "reset" => {
                breaker.reset();
                answer("done");
            }
            "disable" => {
                breaker.disable();
                answer("done");
            }
            "flush" => answer(format!("flushed {}", shared::flush().await)),
            "use" => {
                breaker = build(words[1].to_owned());
                shared::flush().await;
                answer("done");
            }
            "entered" => {
                let unix_ms = seen
                    .iter()
                    .rev()
                    .find(|e| e.name.as_ref() == breaker.name() && e.to.as_str() == words[1])
                    .and_then(|e| e.at.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_millis());
                answer(unix_ms);
            }
            "events" => {
                let text: Vec<String> = seen
                    .iter()
                    .filter(|e| e.name.as_ref() == breaker.name())
                    .map(|e| format!("{}>{}@{}", e.from, e.to, e.origin.as_deref().unwrap_or("-")))
                    .collect();
                answer(text.join(";"));
            }
            "snapshot" => {
                let s = breaker.snapshot();
                let fleet = s.fleet.unwrap_or_default();
                answer(format!(
                    "calls={} failures={} rejected={} fleet_calls={} fleet_failures={} instances={}",
                    s.calls,
                    s.failures,
                    s.rejected,
                    fleet.window_calls,
                    fleet.window_failures,
                    fleet.instances
                ));
            }
            "exit" => {
                shared::flush().await;
                answer("bye");
                return;
            }
            other => answer(format!("unknown command {other:?}")),
        }
    }
}

/// Polls `check` every 5 ms until it holds or `within` has passed.
pub(crate) fn eventually(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if check() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
