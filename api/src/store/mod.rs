//! Persistence: one diesel code path over SQLite and PostgreSQL. The backend is chosen from the
//! URL scheme; queries run on a blocking thread pool, never on the async executor; a
//! multi-step write is one transaction (`Db::write`), on SQLite an immediate one so that
//! concurrent writers queue instead of failing.

/// Inserts many rows in one statement. Written per backend: a multi-row `INSERT` is not
/// available through the connection that stands for either.
macro_rules! insert_many {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConnection::Pg(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}

pub mod accounts;
pub mod audience;
pub mod audit;
pub mod authors;
pub mod backup;
pub mod credentials;
pub mod directory;
pub mod elections;
pub mod groups;
pub mod imports;
pub mod institutions;
pub mod invitations;
pub mod keys;
pub mod mailing_lists;
pub mod migrate;
pub mod models;
pub mod outbox;
pub mod periods;
pub mod persons;
pub mod provisioning;
pub mod registrations;
pub mod roles;
pub mod schema;
pub mod service_tokens;
pub mod sessions;
pub mod statistics;
pub mod totals_cache;
pub mod transfers;

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

/// A pooled connection and what the pool must know about its health.
pub struct PooledConnection {
    conn: DbConnection,
    /// Set when the connection was seen to be lost; the pool then discards it.
    broken: bool,
    /// The outage generation this connection was last proven alive in (see `Db::outages`).
    alive_in: u64,
}

/// r2d2 glue that opens connections of the configured backend.
#[derive(Debug)]
pub struct Manager(DbUrl);

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(String);

impl r2d2::ManageConnection for Manager {
    type Connection = PooledConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<PooledConnection, ConnectError> {
        let conn = self.0.connect().map_err(ConnectError)?;
        Ok(PooledConnection {
            conn,
            broken: false,
            // A fresh connection is alive now, whatever happened before.
            alive_in: u64::MAX,
        })
    }

    fn is_valid(&self, pooled: &mut PooledConnection) -> Result<(), ConnectError> {
        pooled
            .conn
            .batch_execute("SELECT 1")
            .map_err(|e| ConnectError(e.to_string()))
    }

    /// Called when a connection returns to the pool: a lost connection, or one whose
    /// transaction manager is left in a failed or open transaction, is dropped, never reused.
    fn has_broken(&self, pooled: &mut PooledConnection) -> bool {
        use diesel::r2d2::R2D2Connection;
        pooled.broken || std::thread::panicking() || pooled.conn.is_broken()
    }
}

/// The connection pool; cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    url: DbUrl,
    /// Counts the connection losses seen. Pooled connections proven alive before the latest
    /// loss are checked once before they are used again, so that after a database restart
    /// no request meets a dead connection twice, while in steady state checking out costs
    /// no round trip.
    outages: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// How long a request waits for a database connection before it answers 503.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

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
            .connection_timeout(CHECKOUT_TIMEOUT)
            .test_on_check_out(false)
            .error_handler(Box::new(ConnectErrorLogger))
            .build_unchecked(Manager(url.clone()));
        Self {
            pool,
            url,
            outages: Default::default(),
        }
    }

    pub fn url(&self) -> &DbUrl {
        &self.url
    }

    /// Connections open and idle in the pool (for metrics).
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }

    /// A connection that is alive as far as can be known without a round trip.
    fn checkout(&self) -> AppResult<r2d2::PooledConnection<Manager>> {
        use std::sync::atomic::Ordering;
        let unavailable =
            |e: r2d2::Error| AppError::Unavailable(format!("database connection: {e}"));
        for _ in 0..=self.pool.max_size() {
            let mut pooled = self.pool.get().map_err(unavailable)?;
            let generation = self.outages.load(Ordering::Acquire);
            if pooled.alive_in == u64::MAX || pooled.alive_in >= generation {
                pooled.alive_in = generation;
                return Ok(pooled);
            }
            // Opened before the latest connection loss: prove it alive before use.
            if pooled.conn.batch_execute("SELECT 1").is_ok() {
                pooled.alive_in = generation;
                return Ok(pooled);
            }
            pooled.broken = true;
        }
        Err(AppError::Unavailable(
            "database connection: every pooled connection was lost".into(),
        ))
    }

    /// Runs `f` with a pooled connection on the blocking thread pool. A failure that comes
    /// from a lost connection is answered as `Unavailable` (503) and the connection is
    /// discarded, so the service recovers by itself when the database is back.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConnection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = self.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let mut pooled = db.checkout()?;
            let result = f(&mut pooled.conn);
            match result {
                Err(AppError::Internal(cause) | AppError::Unavailable(cause))
                    if pooled.conn.batch_execute("SELECT 1").is_err() =>
                {
                    pooled.broken = true;
                    db.outages.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
                    Err(AppError::Unavailable(format!(
                        "database connection lost: {cause}"
                    )))
                }
                other => other,
            }
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

/// Logs failed connection attempts once each, as warnings (r2d2 would print them to stderr).
#[derive(Debug)]
struct ConnectErrorLogger;

impl r2d2::HandleError<ConnectError> for ConnectErrorLogger {
    fn handle_error(&self, error: ConnectError) {
        tracing::warn!(error = %error, "cannot connect to the database");
    }
}

/// Write transactions committed in this process. Whatever remembers what it read (the session
/// cache) compares this number to drop what a write may have changed.
static COMMITTED_WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The number of write transactions committed in this process so far.
pub fn committed_writes() -> u64 {
    COMMITTED_WRITES.load(std::sync::atomic::Ordering::Acquire)
}

pub(crate) fn note_commit() {
    COMMITTED_WRITES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
}

/// One write transaction. On SQLite it begins `IMMEDIATE`, taking the write lock up front, so
/// that two concurrent writers wait for each other (busy timeout) instead of one failing when
/// it upgrades a read snapshot.
pub fn write_tx<T, F>(conn: &mut DbConnection, f: F) -> AppResult<T>
where
    F: FnOnce(&mut DbConnection) -> AppResult<T>,
{
    match conn {
        DbConnection::Pg(_) => {
            let value = conn.transaction(f)?;
            note_commit();
            Ok(value)
        }
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
                    note_commit();
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

/// A new record id (a typed id, or `String` for records without one): UUID v7, time-ordered
/// for index locality.
pub fn new_id<T: From<uuid::Uuid>>() -> T {
    T::from(uuid::Uuid::now_v7())
}

/// A stored text id (of a record without an id type) as a UUID for the wire.
pub(crate) fn parse_uuid(text: &str) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(text).map_err(|e| AppError::Internal(format!("stored id {text}: {e}")))
}

/// The id of a record that has no id type of its own (sessions, tokens, mail, audit events).
pub fn new_text_id() -> String {
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

    /// A state name this version does not know (written by a newer version, or by hand past
    /// the CHECK constraint) is an error when read, never a panic nor a silent default.
    #[test]
    fn an_unknown_stored_name_is_an_error_not_a_default() {
        let mut conn = DbUrl::parse(":memory:").unwrap().connect().unwrap();
        migrate::run_pending(&mut conn).unwrap();
        let id: b2mms_shared::InstitutionId = new_id();
        conn.batch_execute(&format!(
            "PRAGMA ignore_check_constraints = ON; \
             INSERT INTO institutions (id, name, short_name, city, country, status, created_at, updated_at) \
             VALUES ('{id}', 'Old Lab', 'OL', 'Tsukuba', 'JP', 'mothballed', '2026-01-01 00:00:00', '2026-01-01 00:00:00');"
        ))
        .unwrap();
        let read = institutions::find_row(&mut conn, &id);
        let Err(AppError::Internal(cause)) = read else {
            panic!("expected an internal error, got {read:?}");
        };
        assert!(cause.contains("mothballed"), "{cause}");
    }
}
