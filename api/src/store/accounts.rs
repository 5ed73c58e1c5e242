//! Accounts: finding one to sign in or reset a password, failed sign-ins and locks, and
//! setting a password.

use b2mms_shared::{AccountStatus, PersonId};
use diesel::prelude::*;

use super::models::{AccountRow, PersonRow};
use super::schema::{accounts, persons};
use super::{DbConnection, to_db_time};
use crate::error::{AppError, AppResult};

/// The account with this (lower-case) name and its person, for signing in.
pub fn find_account(
    conn: &mut DbConnection,
    account_name: &str,
) -> AppResult<Option<(AccountRow, PersonRow)>> {
    Ok(accounts::table
        .inner_join(persons::table)
        .filter(accounts::account_name.eq(account_name))
        .select((accounts::all_columns, persons::all_columns))
        .first(conn)
        .optional()?)
}

/// The account of the person with this contact email, for password resets.
pub fn find_account_by_email(
    conn: &mut DbConnection,
    email: &str,
) -> AppResult<Option<(AccountRow, PersonRow)>> {
    Ok(accounts::table
        .inner_join(persons::table)
        .filter(persons::email.eq(email))
        .select((accounts::all_columns, persons::all_columns))
        .first(conn)
        .optional()?)
}

pub fn account_of(conn: &mut DbConnection, person_id: &PersonId) -> AppResult<AccountRow> {
    accounts::table
        .find(person_id)
        .first::<AccountRow>(conn)
        .optional()?
        .ok_or(AppError::NotFound { what: "account" })
}

/// Counts a failed sign-in; from the `threshold`-th consecutive failure on, the account is
/// locked for a delay that doubles with every further failure. Returns the lock, if any.
pub fn record_failed_login(
    conn: &mut DbConnection,
    person_id: &PersonId,
    now: chrono::DateTime<chrono::Utc>,
    threshold: i32,
) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
    diesel::update(accounts::table.find(person_id))
        .set(accounts::failed_logins.eq(accounts::failed_logins + 1))
        .execute(conn)?;
    let failures: i32 = accounts::table
        .find(person_id)
        .select(accounts::failed_logins)
        .first(conn)?;
    if failures < threshold {
        return Ok(None);
    }
    let until = now + lock_delay(failures - threshold);
    diesel::update(accounts::table.find(person_id))
        .set(accounts::locked_until.eq(Some(to_db_time(until))))
        .execute(conn)?;
    Ok(Some(until))
}

/// One minute after the threshold is reached, doubling with each further failure, at most a
/// day.
pub fn lock_delay(beyond_threshold: i32) -> chrono::Duration {
    let minutes = 1i64 << beyond_threshold.clamp(0, 11);
    chrono::Duration::minutes(minutes.min(24 * 60))
}

/// Resets the failure counter and any lock (successful sign-in, admin unlock).
pub fn clear_failures(conn: &mut DbConnection, person_id: &PersonId) -> AppResult<bool> {
    let n = diesel::update(accounts::table.find(person_id))
        .filter(
            accounts::failed_logins
                .ne(0)
                .or(accounts::locked_until.is_not_null()),
        )
        .set((
            accounts::failed_logins.eq(0),
            accounts::locked_until.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n > 0)
}

/// Stores a new password hash (keeping the old one in the history) and clears the
/// must-change flag.
pub fn set_password(
    conn: &mut DbConnection,
    person_id: &PersonId,
    hash: &str,
    set_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    super::credentials::remember(conn, person_id, set_at)?;
    diesel::update(accounts::table.find(person_id))
        .set((
            accounts::password_hash.eq(hash),
            accounts::password_set_at.eq(to_db_time(set_at)),
            accounts::password_expires_at.eq(to_db_time(expires_at)),
            accounts::must_change_password.eq(false),
            accounts::updated_at.eq(to_db_time(set_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Opens an account again after its membership was reactivated: active, no failed sign-ins,
/// and a new password at the next sign-in when `must_change`.
pub fn reopen(
    conn: &mut DbConnection,
    person_id: &PersonId,
    must_change: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    diesel::update(accounts::table.find(person_id))
        .set((
            accounts::status.eq(AccountStatus::Active),
            accounts::failed_logins.eq(0),
            accounts::locked_until.eq(None::<chrono::NaiveDateTime>),
            accounts::updated_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    if must_change {
        diesel::update(accounts::table.find(person_id))
            .set(accounts::must_change_password.eq(true))
            .execute(conn)?;
    }
    Ok(())
}
