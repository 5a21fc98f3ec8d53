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

struct Query(u64);

#[circuit_breaker(retries = 2)]
async fn lookup(query: Query) -> Result<u64, DbError> {
    if query.0 == 0 { Err(DbError::Down) } else { Ok(query.0) }
}

fn main() {
    let _ = lookup(Query(1));
}
