use opguard::rate_limit;

#[derive(Debug)]
struct ApiError;

#[rate_limit(rate = "5/1s")]
fn search(q: u32) -> Result<u32, ApiError> {
    Ok(q)
}

fn main() {}
