//! Reading the layers (defaults, the TOML file, the environment and `_FILE` secrets) into a
//! `Config`, reporting unknown keys, and the checks a loaded configuration must pass.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Value};

use super::Config;

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
        if self.mailman_url.is_some()
            && (self.mailman_user.is_none() || self.mailman_password.is_none())
        {
            return Err(ConfigError::Invalid(
                "mailman_url needs mailman_user and mailman_password (the REST API's credentials)"
                    .into(),
            ));
        }
        if !["text", "json"].contains(&self.log_format.as_str()) {
            return Err(ConfigError::Invalid(
                "log_format must be `text` or `json`".into(),
            ));
        }
        Ok(())
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
