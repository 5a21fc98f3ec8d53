//! A `redis-server` for one test or benchmark run, on a free loopback port,
//! killed when dropped, read with `redis-cli` (so that the facade's tests
//! need no Redis client crate).

#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `redis-server`.
pub(crate) struct Server(Child, u16);

impl Server {
    /// Starts one, or panics saying what is missing.
    pub(crate) fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("`redis-server` on the PATH (Debian: apt-get install redis-server)");
        // Killed by `drop` if it does not start.
        let server = Self(child, port);
        for _ in 0..500 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not start");
    }

    /// `redis://127.0.0.1:<port>/0`.
    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.1)
    }

    /// The number of keys matching `pattern`.
    pub(crate) fn keys(&self, pattern: &str) -> usize {
        let out = Command::new("redis-cli")
            .args(["-p", &self.1.to_string(), "--raw", "KEYS", pattern])
            .output()
            .expect("`redis-cli` on the PATH");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
