//! Groups of people as stored: the groups, their managers, who is in them since when, and
//! applications to join.

use b2mms_shared::api::PersonRef;
use b2mms_shared::{ApplicationState, GroupApplicationId, GroupId, JoinPolicy, PersonId};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::models::{GroupApplicationRow, GroupRow};
use super::schema::{
    accounts, collab_groups, group_applications, group_managers, group_members, institutions,
    persons,
};
use super::{DbConnection, new_id, to_db_time};
use crate::error::{AppError, AppResult};

/// The id of the group with this name, created with `description` if there is none yet.
pub fn ensure(
    conn: &mut DbConnection,
    name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> AppResult<GroupId> {
    if let Some(found) = by_name(conn, name)? {
        return Ok(found.id);
    }
    let row = GroupRow {
        id: new_id(),
        name: name.to_owned(),
        description: description.to_owned(),
        created_at: to_db_time(now),
        join_policy: JoinPolicy::Closed,
    };
    insert(conn, &row)?;
    Ok(row.id)
}

pub fn by_name(conn: &mut DbConnection, name: &str) -> AppResult<Option<GroupRow>> {
    Ok(collab_groups::table
        .filter(collab_groups::name.eq(name))
        .first(conn)
        .optional()?)
}

/// Stores a new group; a name taken already is a conflict.
pub fn insert(conn: &mut DbConnection, row: &GroupRow) -> AppResult<()> {
    diesel::insert_into(collab_groups::table)
        .values(row)
        .execute(conn)
        .map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::conflict(
                    "group_name_taken",
                    "A group with this name exists already; choose another name.",
                )
            }
            other => other.into(),
        })?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &GroupId) -> AppResult<GroupRow> {
    collab_groups::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound { what: "group" })
}

pub fn update(
    conn: &mut DbConnection,
    id: &GroupId,
    description: &str,
    policy: JoinPolicy,
) -> AppResult<()> {
    diesel::update(collab_groups::table.find(id))
        .set((
            collab_groups::description.eq(description),
            collab_groups::join_policy.eq(policy),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every group by name.
pub fn all(conn: &mut DbConnection) -> AppResult<Vec<GroupRow>> {
    Ok(collab_groups::table.order(collab_groups::name).load(conn)?)
}

/// How many people are in each group now, by group.
pub fn sizes(conn: &mut DbConnection) -> AppResult<Vec<(GroupId, i64)>> {
    Ok(group_members::table
        .filter(group_members::until.is_null())
        .group_by(group_members::group_id)
        .select((group_members::group_id, diesel::dsl::count_star()))
        .load(conn)?)
}

/// The managers of every group, by group.
pub fn managers(conn: &mut DbConnection) -> AppResult<Vec<(GroupId, PersonRef)>> {
    let rows: Vec<(GroupId, PersonId, String, String, Option<String>)> = group_managers::table
        .inner_join(persons::table.on(persons::id.eq(group_managers::person_id)))
        .left_join(accounts::table.on(accounts::person_id.eq(persons::id)))
        .order((persons::family_name, persons::given_name))
        .select((
            group_managers::group_id,
            persons::id,
            persons::given_name,
            persons::family_name,
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(group, id, given, family, account)| {
            (
                group,
                super::persons::person_ref((id, given, family, account)),
            )
        })
        .collect())
}

/// The ids of a group's managers.
pub fn manager_ids(conn: &mut DbConnection, group: &GroupId) -> AppResult<Vec<PersonId>> {
    Ok(group_managers::table
        .filter(group_managers::group_id.eq(group))
        .select(group_managers::person_id)
        .load(conn)?)
}

/// Makes the person a manager; `false` if they were one.
pub fn add_manager(
    conn: &mut DbConnection,
    group: &GroupId,
    person: &PersonId,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if manager_ids(conn, group)?.contains(person) {
        return Ok(false);
    }
    diesel::insert_into(group_managers::table)
        .values((
            group_managers::group_id.eq(group),
            group_managers::person_id.eq(person),
            group_managers::since.eq(to_db_time(now)),
        ))
        .execute(conn)?;
    Ok(true)
}

/// `false` if the person was no manager.
pub fn remove_manager(
    conn: &mut DbConnection,
    group: &GroupId,
    person: &PersonId,
) -> AppResult<bool> {
    Ok(diesel::delete(group_managers::table.find((group, person))).execute(conn)? > 0)
}

/// Makes the person a current member of the group: a new membership from `today`, or an
/// ended one open again.
pub fn join(
    conn: &mut DbConnection,
    group_id: &GroupId,
    person_id: &PersonId,
    today: NaiveDate,
) -> AppResult<()> {
    let reopened = diesel::update(group_members::table.find((group_id, person_id)))
        .set((
            group_members::until.eq(None::<NaiveDate>),
            group_members::since.eq(today),
        ))
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

/// Whether the person is in the group now.
pub fn is_member(conn: &mut DbConnection, group: &GroupId, person: &PersonId) -> AppResult<bool> {
    Ok(group_members::table
        .find((group, person))
        .filter(group_members::until.is_null())
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Ends the person's membership of the group on `today`; `false` if they were not in it.
pub fn leave(
    conn: &mut DbConnection,
    group: &GroupId,
    person: &PersonId,
    today: NaiveDate,
) -> AppResult<bool> {
    Ok(diesel::update(
        group_members::table
            .find((group, person))
            .filter(group_members::until.is_null()),
    )
    .set(group_members::until.eq(Some(today)))
    .execute(conn)?
        > 0)
}

/// Ends every group membership of a person and withdraws their pending applications (their
/// collaboration membership has ended); the groups they were in.
pub fn end_all(
    conn: &mut DbConnection,
    person: &PersonId,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Vec<GroupId>> {
    let groups: Vec<GroupId> = group_members::table
        .filter(group_members::person_id.eq(person))
        .filter(group_members::until.is_null())
        .select(group_members::group_id)
        .load(conn)?;
    diesel::update(
        group_members::table
            .filter(group_members::person_id.eq(person))
            .filter(group_members::until.is_null()),
    )
    .set(group_members::until.eq(Some(today)))
    .execute(conn)?;
    diesel::update(
        group_applications::table
            .filter(group_applications::person_id.eq(person))
            .filter(group_applications::state.eq(ApplicationState::Pending)),
    )
    .set((
        group_applications::state.eq(ApplicationState::Withdrawn),
        group_applications::decided_at.eq(Some(to_db_time(now))),
    ))
    .execute(conn)?;
    Ok(groups)
}

/// A member of a group with their institution's short name and since when.
pub type MemberListing = (PersonRef, String, NaiveDate);

/// A page of a group's current members by name, and how many there are.
pub fn members(
    conn: &mut DbConnection,
    group: &GroupId,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<MemberListing>, i64)> {
    let current = group_members::table
        .filter(group_members::group_id.eq(group))
        .filter(group_members::until.is_null());
    let total = current.count().get_result::<i64>(conn)?;
    let rows: Vec<(PersonId, String, String, Option<String>, String, NaiveDate)> = current
        .inner_join(persons::table.on(persons::id.eq(group_members::person_id)))
        .inner_join(institutions::table.on(institutions::id.eq(persons::institution_id)))
        .left_join(accounts::table.on(accounts::person_id.eq(persons::id)))
        .order((persons::family_name, persons::given_name, persons::id))
        .limit(limit)
        .offset(offset)
        .select((
            persons::id,
            persons::given_name,
            persons::family_name,
            accounts::account_name.nullable(),
            institutions::short_name,
            group_members::since,
        ))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|(id, given, family, account, short, since)| {
                (
                    super::persons::person_ref((id, given, family, account)),
                    short,
                    since,
                )
            })
            .collect(),
        total,
    ))
}

/// Stores an application; a second pending one of the person for the group is a conflict.
pub fn insert_application(conn: &mut DbConnection, row: &GroupApplicationRow) -> AppResult<()> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(group_applications::table)
            .values(row)
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(AppError::conflict(
                "application_pending",
                "You have applied to this group already; its managers decide.",
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn application(
    conn: &mut DbConnection,
    id: &GroupApplicationId,
) -> AppResult<GroupApplicationRow> {
    group_applications::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound {
            what: "application",
        })
}

/// Moves a pending application to `state`; `false` if it was not pending any more.
pub fn decide_application(
    conn: &mut DbConnection,
    id: &GroupApplicationId,
    state: ApplicationState,
    by: &PersonId,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    Ok(diesel::update(
        group_applications::table
            .find(id)
            .filter(group_applications::state.eq(ApplicationState::Pending)),
    )
    .set((
        group_applications::state.eq(state),
        group_applications::decided_by.eq(Some(by)),
        group_applications::decided_at.eq(Some(to_db_time(now))),
        group_applications::decision_reason.eq(reason),
    ))
    .execute(conn)?
        > 0)
}

/// An application with the group's name and the applicant.
pub type ApplicationListing = (GroupApplicationRow, String, PersonRef);

/// Applications of a group (or of a person), the newest first, and how many in all.
pub fn applications(
    conn: &mut DbConnection,
    group: Option<&GroupId>,
    person: Option<&PersonId>,
    state: Option<ApplicationState>,
    limit: i64,
    offset: i64,
) -> AppResult<(Vec<ApplicationListing>, i64)> {
    let filtered = || {
        let mut q = group_applications::table.into_boxed();
        if let Some(group) = group {
            q = q.filter(group_applications::group_id.eq(group));
        }
        if let Some(person) = person {
            q = q.filter(group_applications::person_id.eq(person));
        }
        if let Some(state) = state {
            q = q.filter(group_applications::state.eq(state));
        }
        q
    };
    let total = filtered().count().get_result::<i64>(conn)?;
    let ids: Vec<GroupApplicationId> = filtered()
        .order((
            group_applications::created_at.desc(),
            group_applications::id.desc(),
        ))
        .limit(limit)
        .offset(offset)
        .select(group_applications::id)
        .load(conn)?;
    let rows: Vec<(
        GroupApplicationRow,
        String,
        PersonId,
        String,
        String,
        Option<String>,
    )> = group_applications::table
        .inner_join(collab_groups::table)
        .inner_join(persons::table.on(persons::id.eq(group_applications::person_id)))
        .left_join(accounts::table.on(accounts::person_id.eq(persons::id)))
        .filter(group_applications::id.eq_any(&ids))
        .order((
            group_applications::created_at.desc(),
            group_applications::id.desc(),
        ))
        .select((
            group_applications::all_columns,
            collab_groups::name,
            persons::id,
            persons::given_name,
            persons::family_name,
            accounts::account_name.nullable(),
        ))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|(row, name, id, given, family, account)| {
                (
                    row,
                    name,
                    super::persons::person_ref((id, given, family, account)),
                )
            })
            .collect(),
        total,
    ))
}
