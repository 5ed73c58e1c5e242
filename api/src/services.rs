//! The services every front end and the background jobs share: configuration, database,
//! clock, password hasher, signing keys, mail, the outgoing HTTP client, metrics and the
//! handle that wakes the jobs. Nothing HTTP-only lives here.

use std::sync::Arc;

use crate::auth::passwords::Hasher;
use crate::auth::tokens::TokenKeys;
use crate::clock::Clock;
use crate::config::Config;
use crate::jobs::JobsHandle;
use crate::mail::Mailer;
use crate::store::Db;

pub struct Services {
    pub config: Arc<Config>,
    pub db: Db,
    pub hasher: Hasher,
    pub keys: Arc<TokenKeys>,
    pub clock: Clock,
    pub mailer: Mailer,
    pub jobs: JobsHandle,
    /// Client for outgoing HTTP (the external registry).
    pub http: reqwest::Client,
    /// This instance's name on claims of background work (`Config::instance`).
    pub instance: String,
    pub metrics: Arc<crate::metrics::Metrics>,
}
