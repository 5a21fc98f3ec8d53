//! How the shared tier is set up: [`SharedConfig`], from code or from the
//! environment.

use std::sync::Arc;
use std::time::Duration;

use super::error::{ConnectError, ConnectErrorKind};

/// The command deadline when none is given: a slow Redis never holds a
/// guarded call longer than this.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(50);

/// The key prefix when none is given.
pub const DEFAULT_PREFIX: &str = "opguard";

/// How to reach Redis, and how this process names itself there.
///
/// ```
/// use std::time::Duration;
/// use opguard_runtime::shared::SharedConfig;
///
/// let config = SharedConfig::new("redis://:s3cret@127.0.0.1:6379/0")
///     .timeout(Duration::from_millis(20))
///     .prefix("checkout")
///     .instance("checkout-7f9c");
/// assert_eq!(config.url_shown(), "redis://:***@127.0.0.1:6379/0");
/// assert!(!format!("{config:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct SharedConfig {
    pub(crate) urls: Vec<String>,
    pub(crate) timeout: Duration,
    pub(crate) prefix: String,
    pub(crate) instance: Arc<str>,
}

impl SharedConfig {
    /// One standalone Redis at `url` (`redis://[:password@]host:port[/db]`),
    /// the command deadline [`DEFAULT_TIMEOUT`], the prefix
    /// [`DEFAULT_PREFIX`], and an instance name from `OPGUARD_INSTANCE`,
    /// else the host name, process id and a random suffix.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            urls: vec![url.into()],
            timeout: DEFAULT_TIMEOUT,
            prefix: DEFAULT_PREFIX.to_owned(),
            instance: default_instance(),
        }
    }

    /// A Redis Cluster reached through any of `nodes` (each a `redis://`
    /// URL); the rest of the cluster is discovered from them.
    pub fn cluster<I, S>(nodes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut config = Self::new(String::new());
        config.urls = nodes.into_iter().map(Into::into).collect();
        config
    }

    /// The deadline of every command (above zero).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The prefix of every key and channel, so that several applications
    /// can share one Redis.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// This instance's name in events' `origin` and in Redis (unique per
    /// process of the fleet).
    pub fn instance(mut self, name: impl Into<String>) -> Self {
        self.instance = Arc::from(name.into());
        self
    }

    /// The settings of the environment: `OPGUARD_REDIS_URL` (one URL, or
    /// several separated by commas for the nodes of a Cluster),
    /// `OPGUARD_REDIS_TIMEOUT` (a duration such as `"50ms"`),
    /// `OPGUARD_REDIS_PREFIX` and `OPGUARD_INSTANCE`.
    pub fn from_env() -> Result<Self, ConnectError> {
        let url = std::env::var("OPGUARD_REDIS_URL").map_err(|_| {
            ConnectError::new(
                ConnectErrorKind::BadUrl,
                String::new(),
                "OPGUARD_REDIS_URL is not set (e.g. `redis://127.0.0.1:6379/0`)".into(),
            )
        })?;
        Self::from_url_list(&url).with_env()
    }

    /// One URL ([`new`](Self::new)), or several separated by commas: the
    /// nodes of a Cluster ([`cluster`](Self::cluster)). Only a comma
    /// followed by a scheme (`redis://`, `rediss://`, ...) starts another
    /// node, so a password with a comma in it stays in its URL (whole, so
    /// that it is redacted whole).
    pub(crate) fn from_url_list(text: &str) -> Self {
        let mut urls: Vec<String> = Vec::new();
        for piece in text.split(',') {
            match urls.last_mut() {
                Some(url) if !piece.trim().is_empty() && !piece.contains("://") => {
                    url.push(',');
                    url.push_str(piece);
                }
                _ if !piece.trim().is_empty() => urls.push(piece.to_owned()),
                _ => {}
            }
        }
        let mut urls: Vec<String> = urls.iter().map(|u| u.trim().to_owned()).collect();
        match urls.len() {
            0 => Self::new(text.trim()),
            1 => Self::new(urls.remove(0)),
            _ => Self::cluster(urls),
        }
    }

    /// These settings with the command deadline and key prefix of the
    /// environment, where set (`OPGUARD_REDIS_TIMEOUT`, `OPGUARD_REDIS_PREFIX`).
    pub fn with_env(mut self) -> Result<Self, ConnectError> {
        if let Ok(timeout) = std::env::var("OPGUARD_REDIS_TIMEOUT") {
            self.timeout = crate::duration::parse(&timeout).map_err(|e| {
                ConnectError::new(
                    ConnectErrorKind::BadSetting,
                    self.url_shown(),
                    format!("OPGUARD_REDIS_TIMEOUT={timeout:?}: {e}"),
                )
            })?;
        }
        if let Ok(prefix) = std::env::var("OPGUARD_REDIS_PREFIX") {
            self.prefix = prefix;
        }
        Ok(self)
    }

    /// The URL(s), passwords replaced by `***`.
    pub fn url_shown(&self) -> String {
        self.urls
            .iter()
            .map(|u| redact(u))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub(crate) fn check(&self) -> Result<(), ConnectError> {
        let bad = |reason: &str| {
            Err(ConnectError::new(
                ConnectErrorKind::BadSetting,
                self.url_shown(),
                reason.into(),
            ))
        };
        if self.urls.is_empty() || self.urls.iter().any(String::is_empty) {
            return bad("no Redis URL given");
        }
        if self.timeout.is_zero() {
            return bad("the command deadline must be longer than zero");
        }
        if self.prefix.contains(['{', '}']) {
            return bad("the key prefix must not contain `{` or `}` (they make Cluster hash tags)");
        }
        Ok(())
    }
}

impl std::fmt::Debug for SharedConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedConfig")
            .field("url", &self.url_shown())
            .field("timeout", &self.timeout)
            .field("prefix", &self.prefix)
            .field("instance", &self.instance)
            .finish()
    }
}

fn default_instance() -> Arc<str> {
    if let Ok(name) = std::env::var("OPGUARD_INSTANCE")
        && !name.is_empty()
    {
        return Arc::from(name);
    }
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    Arc::from(format!(
        "{host}-{}-{:04x}",
        std::process::id(),
        fastrand::u16(..)
    ))
}

/// The password in `url`'s user information, if any.
pub(crate) fn password(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let userinfo = authority.rsplit_once('@')?.0;
    Some(match userinfo.split_once(':') {
        Some((_, password)) => password.to_owned(),
        // `redis://password@host` is read as a password too.
        None => userinfo.to_owned(),
    })
}

/// `url` with its password replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    match password(url) {
        Some(password) if !password.is_empty() => {
            let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
            let authority = rest.split(['/', '?']).next().unwrap_or(rest);
            let at = authority.rfind('@').unwrap_or(0);
            let userinfo = &rest[..at];
            let shown = match userinfo.split_once(':') {
                Some((user, _)) => format!("{user}:***"),
                None => "***".to_owned(),
            };
            format!("{scheme}://{shown}{}", &rest[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{SharedConfig, password, redact};

    #[test]
    fn a_comma_separates_nodes_only_before_a_scheme() {
        let urls = |text: &str| SharedConfig::from_url_list(text).urls;
        assert_eq!(urls("redis://a:1/0"), ["redis://a:1/0"]);
        assert_eq!(urls(" redis://a:1/0, "), ["redis://a:1/0"]);
        assert_eq!(
            urls("redis://a:1,redis://b:2, rediss://c:3"),
            ["redis://a:1", "redis://b:2", "rediss://c:3"]
        );
        // A password holding commas stays whole, and is hidden whole.
        let [url] = <[String; 1]>::try_from(urls("redis://:s3,cr,et@h:6379/0")).unwrap();
        assert_eq!(url, "redis://:s3,cr,et@h:6379/0");
        assert_eq!(redact(&url), "redis://:***@h:6379/0");
        assert_eq!(
            urls("redis://:p,w@a:1,redis://:p,w@b:2"),
            ["redis://:p,w@a:1", "redis://:p,w@b:2"]
        );
    }

    #[test]
    fn passwords_are_found_and_hidden() {
        assert_eq!(password("redis://:pw@h:1/0").as_deref(), Some("pw"));
        assert_eq!(password("redis://user:pw@h:1").as_deref(), Some("pw"));
        assert_eq!(password("redis://h:1/0"), None);
        assert_eq!(redact("redis://user:pw@h:1/0"), "redis://user:***@h:1/0");
        assert_eq!(redact("redis://:p@ss@h:1"), "redis://:***@h:1");
        assert_eq!(redact("redis://h:1"), "redis://h:1");
    }
}
