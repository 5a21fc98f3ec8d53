use opguard::{GuardError, rate_limit};

#[derive(Debug)]
struct ApiError(GuardError);

impl From<GuardError> for ApiError {
    fn from(error: GuardError) -> Self {
        ApiError(error)
    }
}

#[rate_limit(rate = "5/1s", shared)]
async fn search(q: u32) -> Result<u32, ApiError> {
    Ok(q)
}

fn main() {}
