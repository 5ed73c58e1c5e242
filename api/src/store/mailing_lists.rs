//! Mailing lists as stored: their definitions, and how their last sync went.

use b2mms_shared::MailingListId;
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
