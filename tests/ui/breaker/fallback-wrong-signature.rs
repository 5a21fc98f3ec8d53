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

fn cached(id: u64, extra: bool) -> Result<u64, DbError> {
    if extra { Ok(id) } else { Err(DbError::Down) }
}

#[circuit_breaker(fallback = cached)]
fn lookup(id: u64) -> Result<u64, DbError> {
    if id == 0 { Err(DbError::Down) } else { Ok(id) }
}

fn main() {
    let _ = lookup(1);
}
