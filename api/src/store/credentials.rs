//! Password history, one-time reset links and expiry reminders.

use b2mms_shared::PersonId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::schema::{
    accounts, email_changes, password_history, password_reminders, password_resets,
    password_setups, persons,
};
use super::{DbConnection, new_text_id, to_db_time};
use crate::error::AppResult;

/// The current password hash and the ones before it, newest first, `n` in all.
pub fn recent_hashes(
    conn: &mut DbConnection,
    person_id: &PersonId,
    n: i64,
) -> AppResult<Vec<String>> {
    let mut hashes: Vec<String> = accounts::table
        .find(person_id)
        .select(accounts::password_hash)
        .load(conn)?;
    let older: Vec<String> = password_history::table
        .filter(password_history::person_id.eq(person_id))
        .order(password_history::set_at.desc())
        .limit((n - 1).max(0))
        .select(password_history::password_hash)
        .load(conn)?;
    hashes.extend(older);
    Ok(hashes)
}

/// Keeps the hash being replaced, so that it cannot come back.
pub fn remember(
    conn: &mut DbConnection,
    person_id: &PersonId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let current: Option<String> = accounts::table
        .find(person_id)
        .select(accounts::password_hash)
        .first(conn)
        .optional()?;
    if let Some(hash) = current {
        diesel::insert_into(password_history::table)
            .values((
                password_history::id.eq(new_text_id()),
                password_history::person_id.eq(person_id),
                password_history::password_hash.eq(hash),
                password_history::set_at.eq(to_db_time(now)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Stores a reset link's token (hashed).
pub fn create_reset(
    conn: &mut DbConnection,
    person_id: &PersonId,
    token_hash: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> AppResult<()> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::token_hash.eq(token_hash),
            password_resets::person_id.eq(person_id),
            password_resets::created_at.eq(to_db_time(now)),
            password_resets::expires_at.eq(to_db_time(expires)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The person of a reset token that is unused and not expired.
pub fn reset_holder(
    conn: &mut DbConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<PersonId>> {
    Ok(password_resets::table
        .find(token_hash)
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(to_db_time(now)))
        .select(password_resets::person_id)
        .first(conn)
        .optional()?)
}

/// Spends every other unused reset link of the person: one link used ends them all.
pub fn spend_other_resets(
    conn: &mut DbConnection,
    person_id: &PersonId,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    Ok(diesel::update(
        password_resets::table
            .filter(password_resets::person_id.eq(person_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(to_db_time(now)))
    .execute(conn)?)
}

/// Whether a reset link was issued for the person after `since` (the per-account cooldown).
pub fn reset_issued_since(
    conn: &mut DbConnection,
    person_id: &PersonId,
    since: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(password_resets::table
        .filter(password_resets::person_id.eq(person_id))
        .filter(password_resets::created_at.gt(to_db_time(since)))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Spends a reset token; `false` if someone spent it first.
pub fn spend_reset(
    conn: &mut DbConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let n = diesel::update(
        password_resets::table
            .find(token_hash)
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(to_db_time(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Active accounts whose password expires before `until`: (person, account, email, expires).
pub fn expiring_before(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> AppResult<Vec<(PersonId, String, String, chrono::NaiveDateTime)>> {
    Ok(accounts::table
        .inner_join(persons::table)
        .filter(accounts::status.eq(b2mms_shared::AccountStatus::Active))
        .filter(accounts::password_expires_at.gt(to_db_time(now)))
        .filter(accounts::password_expires_at.le(to_db_time(until)))
        // No password chosen yet (an import): nothing expires.
        .filter(diesel::dsl::not(diesel::dsl::exists(
            password_setups::table.filter(password_setups::person_id.eq(accounts::person_id)),
        )))
        .select((
            accounts::person_id,
            accounts::account_name,
            persons::email,
            accounts::password_expires_at,
        ))
        .load(conn)?)
}

/// Whether a reminder was sent already.
pub fn reminder_sent(
    conn: &mut DbConnection,
    person_id: &PersonId,
    expires_at: chrono::NaiveDateTime,
    days_before: i32,
) -> AppResult<bool> {
    Ok(password_reminders::table
        .find((person_id, expires_at, days_before))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Records a reminder; `false` if it had been sent already.
pub fn note_reminder(
    conn: &mut DbConnection,
    person_id: &PersonId,
    expires_at: chrono::NaiveDateTime,
    days_before: i32,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if reminder_sent(conn, person_id, expires_at, days_before)? {
        return Ok(false);
    }
    diesel::insert_into(password_reminders::table)
        .values((
            password_reminders::person_id.eq(person_id),
            password_reminders::expires_at.eq(expires_at),
            password_reminders::days_before.eq(days_before),
            password_reminders::sent_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Records a requested change of contact address; every earlier unconfirmed one of the
/// person is spent, so only the newest link works.
pub fn create_email_change(
    conn: &mut DbConnection,
    person_id: &PersonId,
    new_email: &str,
    token_hash: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> AppResult<()> {
    diesel::update(
        email_changes::table
            .filter(email_changes::person_id.eq(person_id))
            .filter(email_changes::used_at.is_null()),
    )
    .set(email_changes::used_at.eq(to_db_time(now)))
    .execute(conn)?;
    diesel::insert_into(email_changes::table)
        .values((
            email_changes::token_hash.eq(token_hash),
            email_changes::person_id.eq(person_id),
            email_changes::new_email.eq(new_email),
            email_changes::created_at.eq(to_db_time(now)),
            email_changes::expires_at.eq(to_db_time(expires)),
        ))
        .execute(conn)?;
    Ok(())
}

/// When the person's newest change of contact address was asked for.
pub fn last_email_change(
    conn: &mut DbConnection,
    person_id: &PersonId,
) -> AppResult<Option<DateTime<Utc>>> {
    let at: Option<chrono::NaiveDateTime> = email_changes::table
        .filter(email_changes::person_id.eq(person_id))
        .select(diesel::dsl::max(email_changes::created_at))
        .first(conn)?;
    Ok(at.map(super::from_db_time))
}

/// Spends an unused, unexpired confirmation: its person and new address, or `None`.
pub fn spend_email_change(
    conn: &mut DbConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<(PersonId, String)>> {
    let found: Option<(PersonId, String)> = email_changes::table
        .find(token_hash)
        .filter(email_changes::used_at.is_null())
        .filter(email_changes::expires_at.gt(to_db_time(now)))
        .select((email_changes::person_id, email_changes::new_email))
        .first(conn)
        .optional()?;
    if found.is_none() {
        return Ok(None);
    }
    let spent = diesel::update(
        email_changes::table
            .find(token_hash)
            .filter(email_changes::used_at.is_null()),
    )
    .set(email_changes::used_at.eq(to_db_time(now)))
    .execute(conn)?;
    Ok(found.filter(|_| spent == 1))
}
