//! Layered configuration: built-in defaults, then an optional TOML file, then `B2MMS_*`
//! environment variables. Any key may instead be read from a file named by `B2MMS_<KEY>_FILE`
//! (for secrets). The layering is figment's: every key is read the same way from every layer,
//! numbers and booleans given as text are converted, lists may be comma-separated. Unknown
//! keys are reported, not silently ignored.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Value};
use serde::{Deserialize, Serialize};

/// The complete configuration of one b2mms instance.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    /// `sqlite://PATH`, a plain path, or `postgres://…`.
    pub database_url: String,
    /// Address to listen on.
    pub bind: SocketAddr,
    /// The URL people use to reach this instance (links in mail, cookie security).
    pub public_url: String,
    /// Where outgoing mail goes: `smtp://host:port`, `smtps://…`, `file:///dir` or `log`.
    pub mail_url: String,
    /// Sender address of outgoing mail.
    pub mail_from: String,
    /// Directory holding the built web frontend (`index.html` and its assets).
    pub web_dir: PathBuf,
    /// Lifetime of access tokens, seconds.
    pub access_token_ttl: i64,
    /// Lifetime of a session (refresh tokens), seconds.
    pub session_ttl: i64,
    /// Days until a password expires.
    pub password_max_age_days: i64,
    /// Maximum number of database connections in the pool.
    pub database_pool_size: u32,
    /// Worker threads of the HTTP server (0 = one per core).
    pub workers: usize,
    /// Password hashes computed at the same time (0 = one per core).
    pub hash_concurrency: usize,
    /// Password checks that may wait for a free hashing worker; beyond them a sign-in is
    /// answered 503 with `Retry-After` (0 = 32 per worker).
    pub hash_queue: usize,
    /// PKCS#8 Ed25519 private key (PEM) used to sign tokens; generated and stored in the
    /// database when absent.
    pub jwt_private_key: Option<String>,
    /// Account names no person may take, in addition to the built-in list.
    #[serde(deserialize_with = "list")]
    pub reserved_account_names: Vec<String>,
    /// Log format: `text` or `json`.
    pub log_format: String,
    /// Domain of the registry email addresses (`given.family@<domain>`).
    pub registry_email_domain: String,
    /// The group every member belongs to.
    pub main_group: String,
    /// Days an invitation can be used.
    pub invitation_days: i64,
    /// Days an opened but unsubmitted registration request stays open.
    pub registration_expiry_days: i64,
    /// Lifetime of registration-portal tokens, seconds.
    pub registration_token_ttl: i64,
    /// Personal mail domains refused as contact address, besides the built-in list.
    #[serde(deserialize_with = "list")]
    pub personal_mail_domains: Vec<String>,
    /// An external account registry that provisioned accounts are pushed to (HTTP).
    pub registry_url: Option<String>,
    /// Bearer token for the external registry.
    pub registry_token: Option<String>,
    /// Seconds between runs of the background jobs (mail, provisioning, reminders); 0 = off.
    pub jobs_interval: u64,
    /// Server certificate chain (PEM) for native TLS.
    pub tls_cert: Option<PathBuf>,
    /// Server private key (PEM) for native TLS.
    pub tls_key: Option<PathBuf>,
    /// CA bundle (PEM) that client certificates (Grid user certificates) must chain to, with
    /// native TLS and for certificates forwarded by a trusted proxy.
    pub tls_client_ca: Option<PathBuf>,
    /// Addresses of reverse proxies whose client-certificate headers are trusted.
    #[serde(deserialize_with = "list")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Web origins allowed to call the API from browsers (CORS); none by default.
    #[serde(deserialize_with = "list")]
    pub cors_origins: Vec<String>,
    /// Consecutive failed sign-ins that lock an account for a while.
    pub lockout_threshold: i32,
    /// Sign-in attempts (all kinds) per minute from one address before 429.
    pub auth_rate_per_minute: u32,
    /// Days after the end of a membership until the account is disabled.
    pub account_grace_days: i64,
    /// Seconds one mail delivery (the whole SMTP conversation) may take before it is
    /// abandoned and retried later.
    pub mail_timeout: u64,
    /// The name of this instance among several on one database; background work it claims
    /// carries the name, and a restarted instance releases its own claims at once. Default:
    /// the host name and the port.
    pub instance_name: Option<String>,
    /// Bearer token that `/metrics` on the main address requires; without it (and without
    /// `metrics_bind`) metrics are not served.
    pub metrics_token: Option<String>,
    /// A separate address that serves only `/metrics`, without a token (for a monitoring
    /// network).
    pub metrics_bind: Option<SocketAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: "sqlite://b2mms.db".to_owned(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".to_owned(),
            mail_url: "log".to_owned(),
            mail_from: "b2mms <noreply@localhost>".to_owned(),
            web_dir: PathBuf::from("frontend/dist"),
            access_token_ttl: 600,
            session_ttl: 8 * 3600,
            password_max_age_days: 180,
            database_pool_size: 8,
            workers: 0,
            hash_concurrency: 0,
            hash_queue: 0,
            jwt_private_key: None,
            reserved_account_names: Vec::new(),
            log_format: "text".to_owned(),
            registry_email_domain: "example.org".to_owned(),
            main_group: "collaboration".to_owned(),
            invitation_days: 14,
            registration_expiry_days: 30,
            registration_token_ttl: 2 * 3600,
            personal_mail_domains: Vec::new(),
            registry_url: None,
            registry_token: None,
            jobs_interval: 5,
            tls_cert: None,
            tls_key: None,
            tls_client_ca: None,
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            lockout_threshold: 5,
            auth_rate_per_minute: 1200,
            account_grace_days: 30,
            mail_timeout: 30,
            instance_name: None,
            metrics_token: None,
            metrics_bind: None,
        }
    }
}

/// A configuration that could not be loaded, with what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration file {path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot read {var}: {source}")]
    SecretFile { var: String, source: std::io::Error },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// The loaded configuration and what was noticed while loading it.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    /// Keys that were given but are not known (misspellings, old names).
    pub unknown_keys: Vec<String>,
}

impl Config {
    /// Every key, as spelt in the file and (upper-cased, `B2MMS_` in front) in the
    /// environment: the fields of `Config`, so a new field is a key by construction.
    pub fn keys() -> Vec<String> {
        use figment::Provider;
        match Serialized::defaults(Config::default()).data() {
            Ok(data) => data
                .into_values()
                .flat_map(|dict| dict.into_keys())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Loads defaults → `file` (if it exists, or must exist when given explicitly) → the
    /// environment variables in `env`.
    pub fn load(
        file: Option<&Path>,
        file_required: bool,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Loaded, ConfigError> {
        let keys = Self::keys();
        let mut unknown_keys = Vec::new();
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    let table: toml::Table =
                        text.parse()
                            .map_err(|e: toml::de::Error| ConfigError::Parse {
                                path: path.to_owned(),
                                message: e.to_string(),
                            })?;
                    unknown_keys.extend(
                        table
                            .keys()
                            .filter(|k| !keys.contains(k))
                            .map(|k| format!("{k} (in {})", path.display())),
                    );
                    figment = figment.merge(Toml::string(&text));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !file_required => {}
                Err(source) => {
                    return Err(ConfigError::Read {
                        path: path.to_owned(),
                        source,
                    });
                }
            }
        }

        // Environment values stay text here; the lossy extraction below turns them into the
        // numbers, booleans and lists their keys expect.
        let mut from_env = Dict::new();
        let mut vars: Vec<(String, String)> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("B2MMS_"))
            .collect();
        vars.sort();
        for (var, value) in vars {
            let rest = &var["B2MMS_".len()..];
            let lower = rest.to_ascii_lowercase();
            let (key, value) = match lower.strip_suffix("_file") {
                Some(key) if keys.iter().any(|k| k == key) => {
                    let text = std::fs::read_to_string(&value).map_err(|source| {
                        ConfigError::SecretFile {
                            var: var.clone(),
                            source,
                        }
                    })?;
                    (
                        key.to_owned(),
                        text.trim_end_matches(['\n', '\r']).to_owned(),
                    )
                }
                _ => (lower, value),
            };
            if !keys.contains(&key) {
                // Variables of the tooling around b2mms (tests, scripts) are not configuration.
                if !rest.starts_with("TEST_") && rest != "CONFIG" && rest != "LOG" {
                    unknown_keys.push(var.clone());
                }
                continue;
            }
            from_env.insert(key, Value::from(value));
        }
        figment = figment.merge(Serialized::globals(from_env));
        // Keys in the file that b2mms does not know are reported above, not fatal.
        let config: Config = figment
            .extract_lossy()
            .map_err(|e| ConfigError::Invalid(invalid(&e)))?;
        config.check()?;
        Ok(Loaded {
            config,
            unknown_keys,
        })
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.access_token_ttl < 30 || self.access_token_ttl > 3600 {
            return Err(ConfigError::Invalid(
                "access_token_ttl must be between 30 and 3600 seconds".into(),
            ));
        }
        if self.session_ttl < self.access_token_ttl {
            return Err(ConfigError::Invalid(
                "session_ttl must not be shorter than access_token_ttl".into(),
            ));
        }
        if self.password_max_age_days < 1 {
            return Err(ConfigError::Invalid(
                "password_max_age_days must be at least 1".into(),
            ));
        }
        if self.database_pool_size == 0 {
            return Err(ConfigError::Invalid(
                "database_pool_size must be at least 1".into(),
            ));
        }
        if self.invitation_days < 1 || self.registration_expiry_days < 1 {
            return Err(ConfigError::Invalid(
                "invitation_days and registration_expiry_days must be at least 1".into(),
            ));
        }
        if self.lockout_threshold < 1 || self.auth_rate_per_minute < 1 {
            return Err(ConfigError::Invalid(
                "lockout_threshold and auth_rate_per_minute must be at least 1".into(),
            ));
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(ConfigError::Invalid(
                "tls_cert and tls_key go together: give both or neither".into(),
            ));
        }
        if !["text", "json"].contains(&self.log_format.as_str()) {
            return Err(ConfigError::Invalid(
                "log_format must be `text` or `json`".into(),
            ));
        }
        Ok(())
    }

    /// Whether cookies must carry the `Secure` attribute: always, except for plain-HTTP
    /// loopback development where browsers treat the origin as secure anyway.
    pub fn public_url_is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// This instance's name among several on one database.
    pub fn instance(&self) -> String {
        match &self.instance_name {
            Some(name) => name.clone(),
            None => {
                let host = hostname::get()
                    .map(|h| h.to_string_lossy().into_owned())
                    .unwrap_or_else(|_| "localhost".into());
                format!("{host}:{}", self.bind.port())
            }
        }
    }

    /// The bound on one mail delivery.
    pub fn mail_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.mail_timeout.max(1))
    }

    /// Whether b2mms terminates TLS itself.
    pub fn serves_tls(&self) -> bool {
        self.tls_cert.is_some()
    }

    /// Every personal mail domain refused as contact address.
    pub fn personal_domains(&self) -> impl Iterator<Item = &str> + Clone {
        b2mms_shared::rules::DEFAULT_PERSONAL_MAIL_DOMAINS
            .iter()
            .copied()
            .chain(self.personal_mail_domains.iter().map(String::as_str))
    }

    /// Every reserved account name.
    pub fn reserved_names(&self) -> impl Iterator<Item = &str> + Clone {
        b2mms_shared::rules::DEFAULT_RESERVED_ACCOUNT_NAMES
            .iter()
            .copied()
            .chain(self.reserved_account_names.iter().map(String::as_str))
    }

    /// Password hashes computed at once.
    pub fn hash_permits(&self) -> usize {
        if self.hash_concurrency > 0 {
            self.hash_concurrency
        } else {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }

    /// Password checks that may wait for a hashing worker.
    pub fn hash_queue_len(&self) -> usize {
        if self.hash_queue > 0 {
            self.hash_queue
        } else {
            32 * self.hash_permits()
        }
    }
}

/// What is wrong with a value, naming its key.
fn invalid(error: &figment::Error) -> String {
    let key = error.path.join(".");
    if key.is_empty() {
        error.kind.to_string()
    } else {
        format!("{key}: {}", error.kind)
    }
}

/// A list given as a TOML array or as comma-separated text (`a, b, c`).
fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Given {
        Text(String),
        Items(Vec<String>),
    }
    let items = match Given::deserialize(deserializer)? {
        Given::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        Given::Items(items) => items,
    };
    items
        .iter()
        .map(|item| {
            item.parse()
                .map_err(|e| serde::de::Error::custom(format!("`{item}`: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
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
            ("INVITATION_DAYS", "7"),
            ("REGISTRATION_EXPIRY_DAYS", "10"),
            ("REGISTRATION_TOKEN_TTL", "900"),
            ("PERSONAL_MAIL_DOMAINS", "example.net, mail.example"),
            ("REGISTRY_URL", "https://registry.example.org"),
            ("REGISTRY_TOKEN", "12345"),
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
}
