//! Sessions and their rotating refresh tokens. A session is a family of refresh tokens; the
//! access tokens issued in it carry its id, so revoking the session ends all of them.

use b2mms_shared::{AccountStatus, InstitutionId, MembershipStatus, PersonId, Role};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::models::{RefreshTokenRow, SessionRow};
use super::schema::{
    accounts, institution_representatives, person_roles, persons, refresh_tokens, sessions,
};
use super::{DbConnection, from_db_time, new_text_id, to_db_time};
use crate::error::AppResult;

/// Opens a session with its first refresh token (stored hashed).
pub fn create(
    conn: &mut DbConnection,
    person_id: &PersonId,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> AppResult<SessionRow> {
    let session = SessionRow {
        id: new_text_id(),
        person_id: person_id.clone(),
        created_at: to_db_time(now),
        expires_at: to_db_time(expires_at),
        revoked_at: None,
    };
    diesel::insert_into(sessions::table)
        .values(&session)
        .execute(conn)?;
    insert_token(conn, &session, token_hash, now)?;
    Ok(session)
}

fn insert_token(
    conn: &mut DbConnection,
    session: &SessionRow,
    token_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(&RefreshTokenRow {
            token_hash: token_hash.to_owned(),
            session_id: session.id.clone(),
            created_at: to_db_time(now),
            expires_at: session.expires_at,
            used_at: None,
        })
        .execute(conn)?;
    Ok(())
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// The token was current: it is spent and `new_hash` replaces it.
    Rotated(SessionRow),
    /// The token had already been spent: someone replayed it, so the whole session was revoked.
    Reused,
    /// Unknown, expired, or its session was revoked.
    Invalid,
}

/// Spends a refresh token and issues its successor, in the caller's transaction.
pub fn rotate(
    conn: &mut DbConnection,
    old_hash: &str,
    new_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<Rotation> {
    let found: Option<(RefreshTokenRow, SessionRow)> = refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(old_hash))
        .select((refresh_tokens::all_columns, sessions::all_columns))
        .first(conn)
        .optional()?;
    let Some((token, session)) = found else {
        return Ok(Rotation::Invalid);
    };
    let now_db = to_db_time(now);
    if session.revoked_at.is_some() || session.expires_at <= now_db || token.expires_at <= now_db {
        return Ok(Rotation::Invalid);
    }
    // Spend the token only if nobody spent it in the meantime: one winner.
    let spent = diesel::update(
        refresh_tokens::table
            .find(old_hash)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now_db))
    .execute(conn)?;
    if spent == 0 {
        revoke(conn, &session.id, now)?;
        return Ok(Rotation::Reused);
    }
    insert_token(conn, &session, new_hash, now)?;
    Ok(Rotation::Rotated(session))
}

/// Revokes a session; `false` if it was already revoked or unknown.
pub fn revoke(conn: &mut DbConnection, session_id: &str, now: DateTime<Utc>) -> AppResult<bool> {
    let n = diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(to_db_time(now)))
    .execute(conn)?;
    Ok(n > 0)
}

/// Revokes every session of a person except `keep`.
pub fn revoke_all_of(
    conn: &mut DbConnection,
    person_id: &PersonId,
    keep: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let mut query = diesel::update(sessions::table)
        .filter(sessions::person_id.eq(person_id))
        .filter(sessions::revoked_at.is_null())
        .into_boxed();
    if let Some(keep) = keep {
        query = query.filter(sessions::id.ne(keep.to_owned()));
    }
    Ok(query
        .set(sessions::revoked_at.eq(to_db_time(now)))
        .execute(conn)?)
}

/// The state of a session, its account and its person's roles, checked on every authenticated
/// request.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub person_id: PersonId,
    pub account_name: String,
    pub account_status: AccountStatus,
    pub must_change_password: bool,
    pub password_expires_at: DateTime<Utc>,
    pub revoked: bool,
    pub expires_at: DateTime<Utc>,
    pub roles: Vec<Role>,
    pub represents: Vec<InstitutionId>,
    /// The person's membership: an ended one reaches only the person's own record.
    pub membership: MembershipStatus,
}

impl SessionState {
    /// Neither signed out nor past its end.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        !self.revoked && self.expires_at > now
    }
}

/// One row of the caller query: the session and account, with at most one granted role and
/// one represented institution (a person with several of each gives their product).
type CallerRow = (
    PersonId,
    Option<chrono::NaiveDateTime>,
    chrono::NaiveDateTime,
    String,
    AccountStatus,
    bool,
    chrono::NaiveDateTime,
    MembershipStatus,
    Option<Role>,
    Option<InstitutionId>,
);

/// The session, its account and the person's roles, in one round trip (a prepared statement:
/// the query has the same text for every session).
pub fn state(conn: &mut DbConnection, session_id: &str) -> AppResult<Option<SessionState>> {
    let rows: Vec<CallerRow> = sessions::table
        .inner_join(accounts::table.on(accounts::person_id.eq(sessions::person_id)))
        .inner_join(persons::table.on(persons::id.eq(sessions::person_id)))
        .left_join(person_roles::table.on(person_roles::person_id.eq(sessions::person_id)))
        .left_join(
            institution_representatives::table
                .on(institution_representatives::person_id.eq(sessions::person_id)),
        )
        .filter(sessions::id.eq(session_id))
        .select((
            sessions::person_id,
            sessions::revoked_at,
            sessions::expires_at,
            accounts::account_name,
            accounts::status,
            accounts::must_change_password,
            accounts::password_expires_at,
            persons::status,
            person_roles::role.nullable(),
            institution_representatives::institution_id.nullable(),
        ))
        .load(conn)?;
    let mut rows = rows.into_iter();
    let Some((
        person_id,
        revoked_at,
        expires_at,
        account_name,
        status,
        must_change,
        password_expires,
        membership,
        role,
        represented,
    )) = rows.next()
    else {
        return Ok(None);
    };
    let mut role_rows = super::roles::RoleRows::default();
    role_rows.add(role, represented);
    for (.., role, represented) in rows {
        role_rows.add(role, represented);
    }
    let (roles, represents) = role_rows.finish();
    Ok(Some(SessionState {
        revoked: revoked_at.is_some(),
        expires_at: from_db_time(expires_at),
        person_id,
        account_name,
        account_status: status,
        must_change_password: must_change,
        password_expires_at: from_db_time(password_expires),
        roles,
        represents,
        membership,
    }))
}

/// The session a refresh token belongs to.
pub fn session_of_token(conn: &mut DbConnection, token_hash: &str) -> AppResult<Option<String>> {
    Ok(refresh_tokens::table
        .find(token_hash)
        .select(refresh_tokens::session_id)
        .first(conn)
        .optional()?)
}
