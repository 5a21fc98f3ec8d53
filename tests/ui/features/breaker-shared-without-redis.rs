use opguard::{GuardError, circuit_breaker};

#[derive(Debug)]
struct E;

impl From<GuardError> for E {
    fn from(_: GuardError) -> Self {
        E
    }
}

#[circuit_breaker(shared)]
async fn charge(cents: u64) -> Result<u64, E> {
    Ok(cents)
}

fn main() {}
