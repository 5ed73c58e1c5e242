//! Persistence: one diesel code path over SQLite and PostgreSQL. The backend is chosen from the
//! URL scheme; queries run on a blocking thread pool, never on the async executor; a
//! multi-step write is one transaction (`Db::write`), on SQLite an immediate one so that
//! concurrent writers queue instead of failing.

pub mod audit;
pub mod credentials;
pub mod institutions;
pub mod invitations;
pub mod keys;
pub mod migrate;
pub mod models;
pub mod outbox;
pub mod persons;
pub mod registrations;
pub mod schema;
pub mod service_tokens;
pub mod sessions;

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, MultiConnection};

use crate::error::{AppError, AppResult};

/// A connection to either backend.
#[derive(MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Which database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    /// A file path (or `:memory:`).
    Sqlite(String),
    Postgres(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Self::Sqlite(path.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite:") {
            Ok(Self::Sqlite(path.to_owned()))
        } else if url.contains("://") {
            Err(format!(
                "unsupported database URL scheme in `{}`: use sqlite://PATH or postgres://…",
                redact_url(url)
            ))
        } else {
            Ok(Self::Sqlite(url.to_owned()))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    /// Opens one connection, configured for b2mms.
    pub fn connect(&self) -> Result<DbConnection, String> {
        match self {
            Self::Sqlite(path) => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(|e| format!("sqlite {path}: {e}"))?;
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000; \
                     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                )
                .map_err(|e| format!("sqlite {path}: {e}"))?;
                Ok(DbConnection::Sqlite(conn))
            }
            Self::Postgres(url) => PgConnection::establish(url)
                .map(DbConnection::Pg)
                .map_err(|e| format!("postgres {}: {e}", redact_url(url))),
        }
    }
}

/// The URL with any password replaced, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// r2d2 glue that opens connections of the configured backend.
#[derive(Debug)]
pub struct Manager(DbUrl);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(String);

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        self.0.connect().map_err(ConnectError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectError(e.to_string()))
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// The connection pool; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    url: DbUrl,
}

impl Db {
    /// Builds the pool without requiring the database to be up yet.
    pub fn new(url: DbUrl, max_size: u32) -> Self {
        let max_size = match url {
            // One writer at a time anyway; a few readers beside it in WAL mode.
            DbUrl::Sqlite(ref p) if p == ":memory:" => 1,
            _ => max_size,
        };
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(5))
            .test_on_check_out(false)
            .build_unchecked(Manager(url.clone()));
        Self { pool, url }
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut conn = pool
                .get()
                .map_err(|e| AppError::Unavailable(format!("database connection: {e}")))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(format!("database task failed: {e}")))?
    }

    /// Runs `f` inside one write transaction: everything or nothing.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| write_tx(conn, f)).await
    }
}

/// One write transaction. On SQLite it begins `IMMEDIATE`, taking the write lock up front, so
/// that two concurrent writers wait for each other (busy timeout) instead of one failing when
/// it upgrades a read snapshot.
pub fn write_tx<T, F>(conn: &mut DbConnection, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T>,
{
    match conn {
        DbConnection::Pg(_) => conn.transaction(f),
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let DbConnection::Sqlite(inner) = conn else {
                unreachable!("the backend of a connection does not change")
            };
            match result {
                Ok(value) => {
                    if let Err(e) = AnsiTransactionManager::commit_transaction(inner) {
                        let _ = AnsiTransactionManager::rollback_transaction(inner);
                        return Err(e.into());
                    }
                    Ok(value)
                }
                Err(e) => {
                    AnsiTransactionManager::rollback_transaction(inner)?;
                    Err(e)
                }
            }
        }
    }
}

/// Current time as stored: UTC without zone, microsecond precision (both backends keep that).
pub fn to_db_time(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Timelike};
    let t = t.naive_utc().trunc_subsecs(6);
    t.with_nanosecond(t.nanosecond()).unwrap_or(t)
}

pub fn from_db_time(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

/// A new record id: UUID v7, time-ordered for index locality.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            DbUrl::parse("sqlite://b2mms.db").unwrap(),
            DbUrl::Sqlite("b2mms.db".into())
        );
        assert_eq!(
            DbUrl::parse("data/b.db").unwrap(),
            DbUrl::Sqlite("data/b.db".into())
        );
        assert_eq!(
            DbUrl::parse("postgres://x/y").unwrap().backend(),
            "postgres"
        );
        assert!(DbUrl::parse("mysql://x/y").is_err());
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
