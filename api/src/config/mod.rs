//! Layered configuration: built-in defaults, then an optional TOML file, then `B2MMS_*`
//! environment variables. Any key may instead be read from a file named by `B2MMS_<KEY>_FILE`
//! (for secrets). The layering is figment's: every key is read the same way from every layer,
//! numbers and booleans given as text are converted, lists may be comma-separated. Unknown
//! keys are reported, not silently ignored. This module holds the keys and their defaults
//! and what is derived from them; `load` reads and checks the layers.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// The collaboration's name as author lists print it.
    pub collaboration_name: String,
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
    /// Mailman 3 core's REST API (e.g. `http://localhost:8001`): the mailing lists are kept in
    /// sync there when given.
    pub mailman_url: Option<String>,
    /// The REST API's user.
    pub mailman_user: Option<String>,
    /// The REST API's password.
    pub mailman_password: Option<String>,
    /// The mail domain of the lists in Mailman: list addresses must be in it (and it is
    /// created in Mailman if missing).
    pub mailman_domain: Option<String>,
    /// Seconds one request to Mailman's REST API may take before the sync of that list is
    /// abandoned and retried later.
    pub mailman_timeout: u64,
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
            collaboration_name: "Belle II".to_owned(),
            invitation_days: 14,
            registration_expiry_days: 30,
            registration_token_ttl: 2 * 3600,
            personal_mail_domains: Vec::new(),
            registry_url: None,
            registry_token: None,
            mailman_url: None,
            mailman_user: None,
            mailman_password: None,
            mailman_domain: None,
            mailman_timeout: 20,
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

impl Config {
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

    /// The bound on one request to Mailman.
    pub fn mailman_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.mailman_timeout.max(1))
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

mod load;
#[cfg(test)]
mod tests;

pub use load::{ConfigError, Loaded};
