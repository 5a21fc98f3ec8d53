//! A user crate that denies warnings, clippy::all and unused qualifications.
#![deny(warnings, clippy::all, unused_qualifications)]

use opguard::monitor_performance;

/// A documented type.
#[derive(Debug, Default)]
pub struct Service {
    hits: u32,
}

impl Service {
    /// Counts.
    #[monitor_performance(include_args, include_result, level = "info")]
    pub fn hit(&mut self, by: u32) -> Result<u32, String> {
        self.hits += by;
        Ok(self.hits)
    }

    /// Waits.
    #[monitor_performance(threshold = "250ms")]
    pub async fn wait(&self) -> Option<u32> {
        Some(self.hits)
    }
}

/// Does nothing.
#[monitor_performance]
pub fn nothing() {}

fn main() {
    let mut service = Service::default();
    assert_eq!(service.hit(2), Ok(2));
    let _ = service.wait();
    nothing();
}
