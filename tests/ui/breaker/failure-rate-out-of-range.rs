use opguard::{GuardError, circuit_breaker};

#[derive(Debug)]
enum DbError {
    Down,
    Guard(GuardError),
}

impl From<GuardError> for DbError {
    fn from(error: GuardError) -> Self {
        DbError::Guard(error)
    }
}

#[circuit_breaker(failure_rate = 1.5)]
fn lookup(id: u64) -> Result<u64, DbError> {
    if id == 0 { Err(DbError::Down) } else { Ok(id) }
}

fn main() {
    let _ = lookup(1);
}
