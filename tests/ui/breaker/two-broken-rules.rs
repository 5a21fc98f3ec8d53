use opguard::circuit_breaker;

// Each option out of range is reported at its value, in one compile.
#[circuit_breaker(failure_threshold = 0, window = "60s", half_open_max_calls = 5000)]
fn lookup(id: u64) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    Ok(id)
}

fn main() {
    let _ = lookup(1);
}
