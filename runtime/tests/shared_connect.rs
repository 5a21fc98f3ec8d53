//! `shared::connect` refuses what it cannot use, saying which server and
//! why, never showing the password; and `status()` before and after.

#[path = "support/redis_server.rs"]
mod redis_server;

use opguard_runtime::shared::{self, ConnectErrorKind, SharedConfig};
use redis_server::{RedisServer, free_port};

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error() {
    let url = format!("redis://127.0.0.1:{}/0", free_port());
    let error = shared::connect(&url).await.unwrap_err();
    assert_eq!(error.kind(), ConnectErrorKind::Unreachable);
    let text = error.to_string();
    assert!(text.contains(&url), "{text}");
    assert!(text.contains("unreachable"), "{text}");
    assert!(!shared::status().configured);
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_never_shown() {
    let redis = RedisServer::start_with(&["--requirepass", "right-one"]);
    let url = format!("redis://:wrong-one@127.0.0.1:{}/0", redis.port());
    let error = shared::connect(&url).await.unwrap_err();
    assert_eq!(error.kind(), ConnectErrorKind::Refused, "{error}");
    let text = error.to_string();
    assert!(!text.contains("wrong-one"), "{text}");
    assert!(text.contains(":***@127.0.0.1"), "{text}");
    assert!(!format!("{error:?}").contains("wrong-one"));
}

#[tokio::test]
async fn a_bad_url_and_bad_settings_are_refused_before_connecting() {
    let error = shared::connect("http://127.0.0.1:1").await.unwrap_err();
    assert_eq!(error.kind(), ConnectErrorKind::BadUrl, "{error}");
    let error = shared::connect_with(SharedConfig::new("redis://127.0.0.1:1").prefix("a{b}"))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ConnectErrorKind::BadSetting);
    assert!(error.to_string().contains("hash tags"), "{error}");
}
