use opguard::circuit_breaker;

// A rule between two options holds against the runtime's default of the one
// not given: `max_retry_delay` defaults to 10s.
#[circuit_breaker(retries = 2, retry_delay = "20s")]
fn lookup(id: u64) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    Ok(id)
}

fn main() {
    let _ = lookup(1);
}
