//! Layered configuration: built-in defaults, then an optional TOML file, then `B2MMS_*`
//! environment variables. Any key may instead be read from a file named by `B2MMS_<KEY>_FILE`
//! (for secrets). Unknown keys are reported, not silently ignored.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The complete configuration of one b2mms instance.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    /// PKCS#8 Ed25519 private key (PEM) used to sign tokens; generated and stored in the
    /// database when absent.
    pub jwt_private_key: Option<String>,
    /// Account names no person may take, in addition to the built-in list.
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
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Web origins allowed to call the API from browsers (CORS); none by default.
    pub cors_origins: Vec<String>,
    /// Consecutive failed sign-ins that lock an account for a while.
    pub lockout_threshold: i32,
    /// Sign-in attempts (all kinds) per minute from one address before 429.
    pub auth_rate_per_minute: u32,
    /// Days after the end of a membership until the account is disabled.
    pub account_grace_days: i64,
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
        }
    }
}

/// Keys accepted in the file and as `B2MMS_<KEY>` variables.
const KEYS: &[&str] = &[
    "database_url",
    "bind",
    "public_url",
    "mail_url",
    "mail_from",
    "web_dir",
    "access_token_ttl",
    "session_ttl",
    "password_max_age_days",
    "database_pool_size",
    "workers",
    "hash_concurrency",
    "jwt_private_key",
    "reserved_account_names",
    "log_format",
    "registry_email_domain",
    "main_group",
    "invitation_days",
    "registration_expiry_days",
    "registration_token_ttl",
    "personal_mail_domains",
    "registry_url",
    "registry_token",
    "jobs_interval",
    "tls_cert",
    "tls_key",
    "tls_client_ca",
    "trusted_proxies",
    "cors_origins",
    "lockout_threshold",
    "auth_rate_per_minute",
    "account_grace_days",
];

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
    /// Loads defaults → `file` (if it exists, or must exist when given explicitly) → the
    /// environment variables in `env`.
    pub fn load(
        file: Option<&Path>,
        file_required: bool,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Loaded, ConfigError> {
        let mut table = toml::Table::new();
        let mut unknown_keys = Vec::new();
        if let Some(path) = file {
            match std::fs::read_to_string(path) {
                Ok(text) => {
                    let parsed: toml::Table =
                        text.parse()
                            .map_err(|e: toml::de::Error| ConfigError::Parse {
                                path: path.to_owned(),
                                message: e.to_string(),
                            })?;
                    for (key, value) in parsed {
                        if KEYS.contains(&key.as_str()) {
                            table.insert(key, value);
                        } else {
                            unknown_keys.push(format!("{key} (in {})", path.display()));
                        }
                    }
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

        let vars: BTreeMap<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("B2MMS_"))
            .collect();
        for (var, value) in &vars {
            let rest = &var["B2MMS_".len()..];
            let (key, value) = match rest.strip_suffix("_FILE") {
                Some(key) if KEYS.contains(&key.to_ascii_lowercase().as_str()) => {
                    let text = std::fs::read_to_string(value).map_err(|source| {
                        ConfigError::SecretFile {
                            var: var.clone(),
                            source,
                        }
                    })?;
                    (
                        key.to_ascii_lowercase(),
                        text.trim_end_matches(['\n', '\r']).to_owned(),
                    )
                }
                _ => (rest.to_ascii_lowercase(), value.clone()),
            };
            if !KEYS.contains(&key.as_str()) {
                // Variables of the tooling around b2mms (tests, scripts) are not configuration.
                if !rest.starts_with("TEST_") && rest != "CONFIG" {
                    unknown_keys.push(var.clone());
                }
                continue;
            }
            table.insert(key.clone(), env_value(&key, &value));
        }

        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.message().to_owned()))?;
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
}

/// Interprets an environment variable's text as the TOML value its key expects.
fn env_value(key: &str, text: &str) -> toml::Value {
    match key {
        "access_token_ttl"
        | "session_ttl"
        | "password_max_age_days"
        | "database_pool_size"
        | "workers"
        | "hash_concurrency" => text
            .trim()
            .parse::<i64>()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(text.to_owned())),
        "reserved_account_names" | "personal_mail_domains" | "trusted_proxies" | "cors_origins" => {
            toml::Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| toml::Value::String(s.to_owned()))
                    .collect(),
            )
        }
        _ => toml::Value::String(text.to_owned()),
    }
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

    #[test]
    fn invalid_values_are_explained() {
        let err = Config::load(None, false, env(&[("B2MMS_BIND", "not an address")])).unwrap_err();
        assert!(err.to_string().contains("invalid"), "{err}");
        let err = Config::load(None, false, env(&[("B2MMS_ACCESS_TOKEN_TTL", "5")])).unwrap_err();
        assert!(err.to_string().contains("access_token_ttl"), "{err}");
        let missing = Path::new("/nonexistent/b2mms.toml");
        assert!(Config::load(Some(missing), true, env(&[])).is_err());
        assert!(Config::load(Some(missing), false, env(&[])).is_ok());
    }
}
