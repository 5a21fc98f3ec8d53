//! A real `redis-server` for one test: started on a free loopback port with
//! a temporary directory and no persistence, killed when dropped (also when
//! the test fails), restartable on the same port.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server` of this test.
#[derive(Debug)]
pub(crate) struct RedisServer {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
    extra: Vec<String>,
}

impl RedisServer {
    /// Starts one, or panics saying what to install.
    pub(crate) fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts one with more `redis-server` arguments (e.g. `--requirepass`).
    pub(crate) fn start_with(extra: &[&str]) -> Self {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!(
            "opguard-redis-{}-{port}-{}",
            std::process::id(),
            fastrand_suffix()
        ));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let mut server = Self {
            port,
            dir,
            child: None,
            extra: extra.iter().map(|s| s.to_string()).collect(),
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("`redis-server` on the PATH (Debian: apt-get install redis-server)");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "redis-server did not listen on port {} within 10 s",
            self.port
        );
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Kills it (SIGKILL): every key is gone with it.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again, empty, on the same port.
    pub(crate) fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// A synchronous connection, for the test's own reads and commands.
    pub(crate) fn client(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .expect("a URL")
            .get_connection_with_timeout(Duration::from_secs(5))
            .expect("a connection to the test's redis-server")
    }

    /// Runs a command on it.
    pub(crate) fn cmd<T: redis::FromRedisValue>(&self, args: &[&str]) -> T {
        let mut cmd = redis::cmd(args[0]);
        for arg in &args[1..] {
            cmd.arg(*arg);
        }
        cmd.query(&mut self.client()).expect("the command runs")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Redis Cluster of three masters on loopback ports, made with
/// `redis-cli --cluster create`; every node is killed when dropped.
#[derive(Debug)]
pub(crate) struct RedisCluster {
    pub(crate) nodes: Vec<RedisServer>,
}

impl RedisCluster {
    pub(crate) fn start() -> Self {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                RedisServer::start_with(&[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    "2000",
                ])
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port()))
            .collect();
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("`redis-cli` on the PATH (Debian: apt-get install redis-tools)");
        assert!(created.success(), "redis-cli --cluster create failed");
        let cluster = Self { nodes };
        let deadline = Instant::now() + Duration::from_secs(15);
        while !cluster.nodes.iter().all(|n| {
            n.cmd::<String>(&["CLUSTER", "INFO"])
                .contains("cluster_state:ok")
        }) {
            assert!(
                Instant::now() < deadline,
                "the cluster never reached cluster_state:ok"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        cluster
    }

    /// Every node's URL, comma-separated (`OPGUARD_REDIS_URL`'s form).
    pub(crate) fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(RedisServer::url)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The node that holds `key`'s slot answers `EXISTS` for it.
    pub(crate) fn exists(&self, key: &str) -> bool {
        let slot: u64 = self.nodes[0].cmd(&["CLUSTER", "KEYSLOT", key]);
        self.nodes.iter().any(|n| {
            let keys: u64 = n.cmd(&["CLUSTER", "COUNTKEYSINSLOT", &slot.to_string()]);
            keys > 0 && n.cmd::<u64>(&["EXISTS", key]) == 1
        })
    }
}

/// A port nobody listens on now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn fastrand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}
