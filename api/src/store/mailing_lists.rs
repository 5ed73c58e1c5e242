//! Mailing lists as stored: their definitions, and how their last sync went.

use b2mms_shared::MailingListId;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::DbConnection;
use super::models::MailingListRow;
use super::schema::mailing_lists;
use crate::error::{AppError, AppResult};

/// A write refused because another list has the name or address meanwhile is a conflict.
fn taken(e: DieselError) -> AppError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => AppError::conflict(
            "mailing_list_taken",
            "Another mailing list has this name or address; choose another.",
        ),
        other => other.into(),
    }
}

/// Which of `name` and `address` another list than `except` has already: `"name"`,
/// `"address"` or neither.
pub fn clash(
    conn: &mut DbConnection,
    name: &str,
    address: &str,
    except: Option<&MailingListId>,
) -> AppResult<Option<&'static str>> {
    let others = || {
        let q = mailing_lists::table.into_boxed();
        match except {
            Some(id) => q.filter(mailing_lists::id.ne(id.clone())),
            None => q,
        }
    };
    let by_name: i64 = others()
        .filter(mailing_lists::name.eq(name))
        .count()
        .get_result(conn)?;
    if by_name > 0 {
        return Ok(Some("name"));
    }
    let by_address: i64 = others()
        .filter(mailing_lists::address.eq(address))
        .count()
        .get_result(conn)?;
    Ok((by_address > 0).then_some("address"))
}

/// Stores a new list; a name or address taken meanwhile is a conflict.
pub fn insert(conn: &mut DbConnection, row: &MailingListRow) -> AppResult<()> {
    diesel::insert_into(mailing_lists::table)
        .values(row)
        .execute(conn)
        .map_err(taken)?;
    Ok(())
}

/// Saves every column of `row`.
pub fn save(conn: &mut DbConnection, row: &MailingListRow) -> AppResult<()> {
    diesel::update(mailing_lists::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map_err(taken)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &MailingListId) -> AppResult<MailingListRow> {
    mailing_lists::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound {
            what: "mailing list",
        })
}

/// Every list, by name.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<MailingListRow>> {
    Ok(mailing_lists::table.order(mailing_lists::name).load(conn)?)
}

/// Removes a list; whether there was one.
pub fn delete(conn: &mut DbConnection, id: &MailingListId) -> AppResult<bool> {
    Ok(diesel::delete(mailing_lists::table.find(id)).execute(conn)? == 1)
}

/// The lists due for a sync at `now`: never tried, or their time has come.
pub fn due(conn: &mut DbConnection, now: NaiveDateTime) -> AppResult<Vec<MailingListId>> {
    Ok(mailing_lists::table
        .filter(
            mailing_lists::next_sync_at
                .is_null()
                .or(mailing_lists::next_sync_at.le(now)),
        )
        .order(mailing_lists::name)
        .select(mailing_lists::id)
        .load(conn)?)
}

/// Takes the list's sync until `until`, if it is still due at `now` (so that one instance
/// syncs it); whether it was taken.
pub fn claim(
    conn: &mut DbConnection,
    id: &MailingListId,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> AppResult<bool> {
    let taken = diesel::update(
        mailing_lists::table.find(id).filter(
            mailing_lists::next_sync_at
                .is_null()
                .or(mailing_lists::next_sync_at.le(now)),
        ),
    )
    .set(mailing_lists::next_sync_at.eq(until))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Holds a claimed sync until `until`.
pub fn extend_claim(
    conn: &mut DbConnection,
    id: &MailingListId,
    until: NaiveDateTime,
) -> AppResult<usize> {
    Ok(diesel::update(mailing_lists::table.find(id))
        .set(mailing_lists::next_sync_at.eq(until))
        .execute(conn)?)
}

/// Records a sync that made Mailman equal the audience at `at`; the list is due again at once.
pub fn synced(conn: &mut DbConnection, id: &MailingListId, at: NaiveDateTime) -> AppResult<()> {
    diesel::update(mailing_lists::table.find(id))
        .set((
            mailing_lists::synced_at.eq(at),
            mailing_lists::sync_error.eq(None::<String>),
            mailing_lists::sync_failures.eq(0),
            mailing_lists::next_sync_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed sync and when to try again.
pub fn failed(
    conn: &mut DbConnection,
    id: &MailingListId,
    error: &str,
    retry_at: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(mailing_lists::table.find(id))
        .set((
            mailing_lists::sync_error.eq(error),
            mailing_lists::sync_failures.eq(mailing_lists::sync_failures + 1),
            mailing_lists::next_sync_at.eq(retry_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Failures in a row of the list's sync so far.
pub fn failures(conn: &mut DbConnection, id: &MailingListId) -> AppResult<i32> {
    Ok(mailing_lists::table
        .find(id)
        .select(mailing_lists::sync_failures)
        .first(conn)?)
}
