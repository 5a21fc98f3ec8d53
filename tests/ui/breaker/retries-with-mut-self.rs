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

struct Repo(u64);

impl Repo {
    #[circuit_breaker(retries = 2)]
    fn bump(&mut self) -> Result<u64, DbError> {
        self.0 += 1;
        if self.0 == 0 { Err(DbError::Down) } else { Ok(self.0) }
    }
}

fn main() {
    let _ = Repo(1).bump();
}
