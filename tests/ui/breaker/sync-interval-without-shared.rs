use opguard::{GuardError, circuit_breaker};

#[derive(Debug)]
struct E;

impl From<GuardError> for E {
    fn from(_: GuardError) -> Self {
        E
    }
}

#[circuit_breaker(sync_interval = "50ms")]
async fn charge(cents: u64) -> Result<u64, E> {
    Ok(cents)
}

fn main() {}
