//! Groups of people as stored: the groups themselves and who is in them since when.

use b2mms_shared::PersonId;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use super::schema::{collab_groups, group_members};
use super::{DbConnection, new_text_id, to_db_time};
use crate::error::AppResult;

/// The id of the group with this name, created with `description` if there is none yet.
pub fn ensure(
    conn: &mut DbConnection,
    name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let found: Option<String> = collab_groups::table
        .filter(collab_groups::name.eq(name))
        .select(collab_groups::id)
        .first(conn)
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    let id = new_text_id();
    diesel::insert_into(collab_groups::table)
        .values((
            collab_groups::id.eq(&id),
            collab_groups::name.eq(name),
            collab_groups::description.eq(description),
            collab_groups::created_at.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Makes the person a current member of the group: a new membership from `today`, or an
/// ended one open again.
pub fn join(
    conn: &mut DbConnection,
    group_id: &str,
    person_id: &PersonId,
    today: NaiveDate,
) -> AppResult<()> {
    let reopened = diesel::update(group_members::table.find((group_id, person_id)))
        .set(group_members::until.eq(None::<NaiveDate>))
        .execute(conn)?;
    if reopened == 0 {
        diesel::insert_into(group_members::table)
            .values((
                group_members::group_id.eq(group_id),
                group_members::person_id.eq(person_id),
                group_members::since.eq(today),
            ))
            .execute(conn)?;
    }
    Ok(())
}
