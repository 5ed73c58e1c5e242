//! Embedded migrations, one folder per backend with the same migration names.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

type MigrationResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Applies every pending migration, then fills what only b2mms can compute for records
/// stored before (the directory's search text); returns the names applied.
pub fn run_pending(conn: &mut DbConnection) -> MigrationResult<Vec<String>> {
    let applied: Vec<String> = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES)?,
    }
    .into_iter()
    .map(|v| v.to_string())
    .collect();
    super::persons::fill_search_keys(conn).map_err(|e| e.to_string())?;
    Ok(applied)
}

/// Reverts every applied migration (for the up → down → up check).
pub fn revert_all(conn: &mut DbConnection) -> MigrationResult<Vec<String>> {
    let reverted = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE)?,
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES)?,
    };
    Ok(reverted.into_iter().map(|v| v.to_string()).collect())
}
