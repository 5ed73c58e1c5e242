//! A consistent copy of a running SQLite database: `VACUUM INTO` reads one snapshot (WAL
//! readers do not block writers) and writes a compact, self-contained database file.

use std::path::Path;

use diesel::connection::SimpleConnection;

use super::DbConnection;

/// Copies the database `conn` is connected to into `target`, which must not exist.
pub fn sqlite_copy(conn: &mut DbConnection, target: &Path) -> anyhow::Result<()> {
    let DbConnection::Sqlite(_) = conn else {
        anyhow::bail!("only SQLite databases are copied this way");
    };
    let target = target
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the backup path must be valid UTF-8"))?;
    // A string literal in SQL: quotes doubled.
    let literal = target.replace('\'', "''");
    conn.batch_execute(&format!("VACUUM INTO '{literal}'"))
        .map_err(|e| anyhow::anyhow!("writing the backup to {target}: {e}"))?;
    Ok(())
}
