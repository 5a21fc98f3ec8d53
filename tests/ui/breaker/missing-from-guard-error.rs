use opguard::circuit_breaker;

#[derive(Debug)]
struct DbError;

#[circuit_breaker]
fn lookup(id: u64) -> Result<u64, DbError> {
    Ok(id)
}

fn main() {
    let _ = lookup(1);
}
