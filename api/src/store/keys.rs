//! Token signing keys, kept in the database so that every instance signs and verifies alike.

use diesel::prelude::*;

use super::DbConnection;
use super::models::SigningKeyRow;
use super::schema::signing_keys;
use crate::error::AppResult;

/// Keys not retired, oldest first.
pub fn active(conn: &mut DbConnection) -> AppResult<Vec<SigningKeyRow>> {
    Ok(signing_keys::table
        .filter(signing_keys::retired_at.is_null())
        .order((signing_keys::created_at, signing_keys::kid))
        .load(conn)?)
}

pub fn insert(conn: &mut DbConnection, row: &SigningKeyRow) -> AppResult<()> {
    diesel::insert_into(signing_keys::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}
