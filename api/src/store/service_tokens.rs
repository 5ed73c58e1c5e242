//! Service tokens: named, scoped API credentials for collaboration tools, stored hashed.

use b2mms_shared::Scope;
use b2mms_shared::api::ServiceToken;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::parse_uuid;
use super::schema::service_tokens;
use super::{DbConnection, from_db_time, to_db_time};
use crate::error::{AppError, AppResult};

type Row = (
    String,
    String,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
    Option<chrono::NaiveDateTime>,
);

fn scopes_of(text: &str) -> Vec<Scope> {
    text.split(' ').filter_map(Scope::parse).collect()
}

fn to_wire(row: Row) -> AppResult<ServiceToken> {
    let (id, name, _hash, scopes, created_by, created_at, expires_at, last_used_at, revoked_at) =
        row;
    Ok(ServiceToken {
        id: parse_uuid(&id)?,
        name,
        scopes: scopes_of(&scopes),
        created_by: parse_uuid(&created_by)?,
        created_at: from_db_time(created_at),
        expires_at: expires_at.map(from_db_time),
        last_used_at: last_used_at.map(from_db_time),
        revoked_at: revoked_at.map(from_db_time),
    })
}

#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &mut DbConnection,
    id: &str,
    name: &str,
    token_hash: &str,
    scopes: &[Scope],
    created_by: &str,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> AppResult<()> {
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    diesel::insert_into(service_tokens::table)
        .values((
            service_tokens::id.eq(id),
            service_tokens::name.eq(name),
            service_tokens::token_hash.eq(token_hash),
            service_tokens::scopes.eq(scopes.join(" ")),
            service_tokens::created_by.eq(created_by),
            service_tokens::created_at.eq(to_db_time(now)),
            service_tokens::expires_at.eq(expires_at.map(to_db_time)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConnection) -> AppResult<Vec<ServiceToken>> {
    let rows: Vec<Row> = service_tokens::table
        .order(service_tokens::created_at.desc())
        .load(conn)?;
    rows.into_iter().map(to_wire).collect()
}

pub fn revoke(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> AppResult<()> {
    let n = diesel::update(
        service_tokens::table
            .find(id)
            .filter(service_tokens::revoked_at.is_null()),
    )
    .set(service_tokens::revoked_at.eq(to_db_time(now)))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound {
            what: "active service token",
        });
    }
    Ok(())
}

/// A token that may be used now.
#[derive(Debug, Clone)]
pub struct Usable {
    pub id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// Its last use was noted over a minute ago (so that reading with a token rarely writes).
    pub note_use: bool,
}

/// The token with this hash, if it is neither revoked nor expired.
pub fn find(
    conn: &mut DbConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<Usable>> {
    let found: Option<Row> = service_tokens::table
        .filter(service_tokens::token_hash.eq(token_hash))
        .filter(service_tokens::revoked_at.is_null())
        .first(conn)
        .optional()?;
    let Some(row) = found else {
        return Ok(None);
    };
    let at = to_db_time(now);
    if row.6.is_some_and(|expires| expires <= at) {
        return Ok(None);
    }
    let note_use = row
        .7
        .is_none_or(|used| used < at - chrono::Duration::minutes(1));
    Ok(Some(Usable {
        scopes: scopes_of(&row.3),
        id: row.0,
        name: row.1,
        note_use,
    }))
}

/// Notes that a token was used.
pub fn note_use(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> AppResult<()> {
    diesel::update(service_tokens::table.find(id))
        .set(service_tokens::last_used_at.eq(to_db_time(now)))
        .execute(conn)?;
    Ok(())
}
