//! Why `connect` failed: [`ConnectError`].

/// What kind of failure a [`ConnectError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectErrorKind {
    /// The URL cannot be read, or `OPGUARD_REDIS_URL` is not set.
    BadUrl,
    /// A setting is out of range (deadline, prefix).
    BadSetting,
    /// No Redis answered there in time.
    Unreachable,
    /// Redis answered and refused us: wrong password or user.
    Refused,
    /// `connect` ran outside a tokio runtime.
    NoRuntime,
    /// This process is connected already.
    AlreadyConnected,
}

/// `connect` failed: which server, what kind of failure, and why. Its text
/// never shows a password.
#[derive(Debug, Clone)]
pub struct ConnectError {
    kind: ConnectErrorKind,
    url: String,
    reason: String,
}

impl ConnectError {
    pub(crate) fn new(kind: ConnectErrorKind, url: String, reason: String) -> Self {
        Self { kind, url, reason }
    }

    /// What kind of failure it is.
    pub fn kind(&self) -> ConnectErrorKind {
        self.kind
    }

    /// The URL(s) tried, passwords replaced by `***`.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            ConnectErrorKind::BadUrl => "bad Redis URL",
            ConnectErrorKind::BadSetting => "bad setting",
            ConnectErrorKind::Unreachable => "Redis unreachable",
            ConnectErrorKind::Refused => "Redis refused the connection (check the password)",
            ConnectErrorKind::NoRuntime => "no tokio runtime",
            ConnectErrorKind::AlreadyConnected => "already connected",
        };
        if self.url.is_empty() {
            write!(f, "opguard shared tier: {what}: {}", self.reason)
        } else {
            write!(
                f,
                "opguard shared tier: {what} at {}: {}",
                self.url, self.reason
            )
        }
    }
}

impl std::error::Error for ConnectError {}
