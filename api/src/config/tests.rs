//! The layering of the configuration and the errors that explain a wrong value.

use std::path::{Path, PathBuf};

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn defaults_without_anything() {
    let loaded = Config::load(None, false, env(&[])).unwrap();
    assert_eq!(loaded.config.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(loaded.config.database_url, "sqlite://b2mms.db");
    assert!(loaded.unknown_keys.is_empty());
}

#[test]
fn file_then_environment_then_secret_files() {
    let dir = std::env::temp_dir().join(format!("b2mms-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("b2mms.toml");
    std::fs::write(
        &file,
        "bind = \"0.0.0.0:9000\"\nmail_url = \"file:///tmp\"\ntypo_key = 1\n",
    )
    .unwrap();
    let secret = dir.join("db-url");
    std::fs::write(&secret, "postgres://u:p@db/b2mms\n").unwrap();
    let loaded = Config::load(
        Some(&file),
        true,
        env(&[
            ("B2MMS_MAIL_URL", "log"),
            ("B2MMS_DATABASE_URL_FILE", secret.to_str().unwrap()),
            ("B2MMS_ACCESS_TOKEN_TTL", "120"),
            ("B2MMS_RESERVED_ACCOUNT_NAMES", "kekcc, desy"),
            ("B2MMS_BINDD", "x"),
            ("PATH", "/bin"),
        ]),
    )
    .unwrap();
    let c = loaded.config;
    assert_eq!(c.bind.to_string(), "0.0.0.0:9000");
    assert_eq!(c.mail_url, "log");
    assert_eq!(c.database_url, "postgres://u:p@db/b2mms");
    assert_eq!(c.access_token_ttl, 120);
    assert_eq!(c.reserved_account_names, ["kekcc", "desy"]);
    assert_eq!(loaded.unknown_keys.len(), 2, "{:?}", loaded.unknown_keys);
    std::fs::remove_dir_all(dir).unwrap();
}

/// Every key, set through its environment variable as an operator would type it, arrives
/// with the value meant; none is left at its default.
#[test]
fn every_key_works_from_the_environment() {
    let dir = tempfile_dir("every-key");
    let given: Vec<(&str, &str)> = vec![
        ("DATABASE_URL", "postgres://db/b2mms"),
        ("BIND", "0.0.0.0:9090"),
        ("PUBLIC_URL", "https://mms.example.org"),
        ("MAIL_URL", "smtp://mail:25"),
        ("MAIL_FROM", "MMS <mms@example.org>"),
        ("WEB_DIR", "/srv/web"),
        ("ACCESS_TOKEN_TTL", "300"),
        ("SESSION_TTL", "3600"),
        ("PASSWORD_MAX_AGE_DAYS", "90"),
        ("DATABASE_POOL_SIZE", "16"),
        ("WORKERS", "3"),
        ("HASH_CONCURRENCY", "2"),
        ("HASH_QUEUE", "5"),
        ("JWT_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----"),
        ("RESERVED_ACCOUNT_NAMES", "kekcc,desy"),
        ("LOG_FORMAT", "json"),
        ("REGISTRY_EMAIL_DOMAIN", "belle2.org"),
        ("MAIN_GROUP", "belle2"),
        ("COLLABORATION_NAME", "SuperKEKB Test"),
        ("INVITATION_DAYS", "7"),
        ("REGISTRATION_EXPIRY_DAYS", "10"),
        ("REGISTRATION_TOKEN_TTL", "900"),
        ("PERSONAL_MAIL_DOMAINS", "example.net, mail.example"),
        ("REGISTRY_URL", "https://registry.example.org"),
        ("REGISTRY_TOKEN", "12345"),
        ("MAILMAN_URL", "http://127.0.0.1:8001"),
        ("MAILMAN_USER", "restadmin"),
        ("MAILMAN_PASSWORD", "restpass"),
        ("MAILMAN_DOMAIN", "lists.example.org"),
        ("JOBS_INTERVAL", "1"),
        ("TLS_CERT", "/etc/b2mms/cert.pem"),
        ("TLS_KEY", "/etc/b2mms/key.pem"),
        ("TLS_CLIENT_CA", "/etc/grid-security/ca.pem"),
        ("TRUSTED_PROXIES", "10.0.0.1, ::1"),
        ("CORS_ORIGINS", "https://wiki.example.org"),
        ("LOCKOUT_THRESHOLD", "7"),
        ("AUTH_RATE_PER_MINUTE", "60"),
        ("ACCOUNT_GRACE_DAYS", "14"),
        ("MAIL_TIMEOUT", "12"),
        ("MAILMAN_TIMEOUT", "7"),
        ("INSTANCE_NAME", "mms-1"),
        ("METRICS_TOKEN", "scrape-me"),
        ("METRICS_BIND", "127.0.0.1:9464"),
    ];
    let mut keys: Vec<String> = given.iter().map(|(k, _)| k.to_ascii_lowercase()).collect();
    keys.sort();
    let mut all = Config::keys();
    all.sort();
    assert_eq!(keys, all, "this test sets every key");

    let vars = given
        .iter()
        .map(|(k, v)| (format!("B2MMS_{k}"), (*v).to_owned()))
        .collect::<Vec<_>>();
    let loaded = Config::load(None, false, vars).unwrap();
    assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
    let c = loaded.config;
    let defaults = Config::default();
    let (ours, theirs) = (
        serde_json::to_value(&c).unwrap(),
        serde_json::to_value(&defaults).unwrap(),
    );
    for key in &all {
        assert_ne!(ours[key], theirs[key], "{key} kept its default");
    }
    assert_eq!(c.jobs_interval, 1);
    assert_eq!(c.invitation_days, 7);
    assert_eq!(c.database_pool_size, 16);
    assert_eq!(c.registry_token.as_deref(), Some("12345"));
    assert_eq!(c.personal_mail_domains, ["example.net", "mail.example"]);
    assert_eq!(c.trusted_proxies.len(), 2);
    assert_eq!(c.instance(), "mms-1");

    // The same through `_FILE` variables, which is how secrets arrive.
    let secret = dir.join("interval");
    std::fs::write(&secret, "2\n").unwrap();
    let loaded = Config::load(
        None,
        false,
        vec![(
            "B2MMS_JOBS_INTERVAL_FILE".to_owned(),
            secret.display().to_string(),
        )],
    )
    .unwrap();
    assert_eq!(loaded.config.jobs_interval, 2);
    std::fs::remove_dir_all(dir).unwrap();
}

fn tempfile_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("b2mms-config-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_file_takes_lists_and_numbers_as_toml() {
    let dir = tempfile_dir("toml");
    let file = dir.join("b2mms.toml");
    std::fs::write(
        &file,
        "jobs_interval = 3\ncors_origins = [\"https://a.example\"]\ntrusted_proxies = \"127.0.0.1\"\n",
    )
    .unwrap();
    let c = Config::load(Some(&file), true, env(&[])).unwrap().config;
    assert_eq!(c.jobs_interval, 3);
    assert_eq!(c.cors_origins, ["https://a.example"]);
    assert_eq!(c.trusted_proxies.len(), 1);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn invalid_values_are_explained() {
    let err = Config::load(None, false, env(&[("B2MMS_JOBS_INTERVAL", "soon")])).unwrap_err();
    assert!(err.to_string().contains("jobs_interval"), "{err}");
    let err = Config::load(
        None,
        false,
        env(&[("B2MMS_TRUSTED_PROXIES", "10.0.0.1, nope")]),
    )
    .unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
    let err = Config::load(None, false, env(&[("B2MMS_BIND", "not an address")])).unwrap_err();
    assert!(err.to_string().contains("invalid"), "{err}");
    let err = Config::load(None, false, env(&[("B2MMS_ACCESS_TOKEN_TTL", "5")])).unwrap_err();
    assert!(err.to_string().contains("access_token_ttl"), "{err}");
    let missing = Path::new("/nonexistent/b2mms.toml");
    assert!(Config::load(Some(missing), true, env(&[])).is_err());
    assert!(Config::load(Some(missing), false, env(&[])).is_ok());
}
