//! Groups: created and changed by administrators, managed by their managers, joined by
//! active members (at once, by application — `ops::group_applications` — or only when a
//! manager adds them), left by the members themselves; the main group holds every active
//! member and is not joined or left by hand. Every step is an audit event.

use std::collections::HashMap;

use b2mms_shared::api::{Group, GroupMember, GroupPatch, NewGroup, Page};
use b2mms_shared::rules::{RuleViolation, required_text};
use b2mms_shared::{GroupId, MembershipStatus, PersonId, Scope};
use chrono::{DateTime, Utc};

use crate::domain::calendar;
use crate::domain::policy::{Admin, GroupManager, ServiceToken, Subject};
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::store::audit::{self, Actor, Change};
use crate::store::models::GroupRow;
use crate::store::{self, DbConnection, from_db_time, outbox, to_db_time};

/// Who reads groups: a signed-in person, or a tool with `groups:read`.
#[derive(Debug)]
pub enum Reader<'a> {
    Person(&'a Subject),
    Service(&'a ServiceToken),
}

impl Reader<'_> {
    fn check(&self) -> AppResult<()> {
        if let Reader::Service(token) = self {
            token.require(Scope::GroupsRead)?;
        }
        Ok(())
    }
}

fn render(
    row: GroupRow,
    main_group: &str,
    sizes: &HashMap<GroupId, i64>,
    managers: &[(GroupId, b2mms_shared::api::PersonRef)],
) -> Group {
    Group {
        id: row.id.uuid(),
        main: row.name == main_group,
        members: sizes.get(&row.id).copied().unwrap_or(0),
        managers: managers
            .iter()
            .filter(|(g, _)| *g == row.id)
            .map(|(_, p)| p.clone())
            .collect(),
        name: row.name,
        description: row.description,
        join_policy: row.join_policy,
        created_at: from_db_time(row.created_at),
    }
}

/// Every group with its size and managers.
pub fn list(
    conn: &mut DbConnection,
    reader: Reader<'_>,
    main_group: &str,
) -> AppResult<Vec<Group>> {
    reader.check()?;
    let sizes: HashMap<GroupId, i64> = store::groups::sizes(conn)?.into_iter().collect();
    let managers = store::groups::managers(conn)?;
    Ok(store::groups::all(conn)?
        .into_iter()
        .map(|row| render(row, main_group, &sizes, &managers))
        .collect())
}

/// One group with its size and managers.
pub fn get(
    conn: &mut DbConnection,
    reader: Reader<'_>,
    id: &GroupId,
    main_group: &str,
) -> AppResult<Group> {
    reader.check()?;
    let row = store::groups::find(conn, id)?;
    let sizes: HashMap<GroupId, i64> = store::groups::sizes(conn)?.into_iter().collect();
    let managers = store::groups::managers(conn)?;
    Ok(render(row, main_group, &sizes, &managers))
}

fn check_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(AppError::invalid(
            "name",
            RuleViolation::new(
                "name.format",
                "A group's name has 1 to 40 letters, digits, `-` or `_`, e.g. `NAF`.",
            ),
        ))
    }
}

/// Creates a group (administrators).
pub fn create(
    conn: &mut DbConnection,
    admin: &Admin,
    body: NewGroup,
    main_group: &str,
    now: DateTime<Utc>,
) -> AppResult<Group> {
    let mut errors = b2mms_shared::FieldErrors::new();
    let name = errors.check(
        "name",
        check_name(&body.name).map_err(|_| {
            RuleViolation::new(
                "name.format",
                "A group's name has 1 to 40 letters, digits, `-` or `_`, e.g. `NAF`.",
            )
        }),
    );
    let description = errors.check(
        "description",
        required_text(&body.description, 500, "description"),
    );
    errors.into_result()?;
    let (Some(name), Some(description)) = (name, description) else {
        return Err(AppError::Internal("checked fields are present".into()));
    };
    let row = GroupRow {
        id: store::new_id(),
        name,
        description,
        created_at: to_db_time(now),
        join_policy: body.join_policy,
    };
    store::groups::insert(conn, &row)?;
    audit::record::<(), _>(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::GroupCreated,
            subject: audit::Subject::Group(&row.id),
            before: None,
            after: Some(&serde_json::json!({
                "name": row.name,
                "description": row.description,
                "join_policy": row.join_policy,
            })),
        },
    )?;
    get(
        conn,
        Reader::Person(&admin_subject(admin)),
        &row.id,
        main_group,
    )
}

/// A subject standing for an administrator's proof, for reads after a change.
fn admin_subject(admin: &Admin) -> Subject {
    Subject {
        acting: admin.acting().clone(),
        roles: vec![b2mms_shared::Role::Admin],
        represents: Vec::new(),
    }
}

/// Changes a group's description or join policy (administrators); the main group's policy
/// stays as it is.
pub fn update(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &GroupId,
    patch: GroupPatch,
    main_group: &str,
    now: DateTime<Utc>,
) -> AppResult<Group> {
    let before = store::groups::find(conn, id)?;
    if before.name == main_group && patch.join_policy.is_some_and(|p| p != before.join_policy) {
        return Err(main_group_fixed());
    }
    let description = match &patch.description {
        Some(text) => required_text(text, 500, "description")
            .map_err(|v| AppError::invalid("description", v))?,
        None => before.description.clone(),
    };
    let policy = patch.join_policy.unwrap_or(before.join_policy);
    store::groups::update(conn, id, &description, policy)?;
    audit::record(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::GroupUpdated,
            subject: audit::Subject::Group(id),
            before: Some(
                &serde_json::json!({ "description": before.description, "join_policy": before.join_policy }),
            ),
            after: Some(&serde_json::json!({ "description": description, "join_policy": policy })),
        },
    )?;
    get(conn, Reader::Person(&admin_subject(admin)), id, main_group)
}

pub(super) fn main_group_fixed() -> AppError {
    AppError::conflict(
        "main_group",
        "The main group holds every active member: nobody joins, leaves or manages it by hand.",
    )
}

/// Appoints a manager (administrators); the manager must be an active member.
pub fn add_manager(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &GroupId,
    person: &PersonId,
    main_group: &str,
    now: DateTime<Utc>,
) -> AppResult<Group> {
    let group = store::groups::find(conn, id)?;
    if group.name == main_group {
        return Err(main_group_fixed());
    }
    active_person(conn, person, "Only an active member manages a group.")?;
    if store::groups::add_manager(conn, id, person, now)? {
        audit::record::<(), _>(
            conn,
            &Actor::acting(admin.acting(), now),
            Change {
                action: audit::Event::GroupManagerAdded,
                subject: audit::Subject::Group(id),
                before: None,
                after: Some(&serde_json::json!({ "person_id": person })),
            },
        )?;
    }
    get(conn, Reader::Person(&admin_subject(admin)), id, main_group)
}

/// Withdraws a manager (administrators).
pub fn remove_manager(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &GroupId,
    person: &PersonId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    store::groups::find(conn, id)?;
    if !store::groups::remove_manager(conn, id, person)? {
        return Err(AppError::NotFound {
            what: "manager of this group",
        });
    }
    audit::record::<_, ()>(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::GroupManagerRemoved,
            subject: audit::Subject::Group(id),
            before: Some(&serde_json::json!({ "person_id": person })),
            after: None,
        },
    )
}

/// The active member a body names in `person_id`: an unknown id is a 422 on that field, an
/// ended membership a conflict saying `why`.
fn active_person(
    conn: &mut DbConnection,
    person: &PersonId,
    why: &'static str,
) -> AppResult<b2mms_shared::api::Member> {
    let member = store::persons::member(conn, person).map_err(|e| match e {
        AppError::NotFound { .. } => AppError::invalid(
            "person_id",
            RuleViolation::new(
                "person_id.unknown",
                "No person has this id; choose one from the directory.",
            ),
        ),
        other => other,
    })?;
    if member.status != MembershipStatus::Active {
        return Err(AppError::conflict("membership_not_active", why));
    }
    Ok(member)
}

/// The proof that the caller manages the group.
pub(super) fn manager(
    conn: &mut DbConnection,
    caller: &Subject,
    group: &GroupId,
) -> AppResult<GroupManager> {
    let managers = store::groups::manager_ids(conn, group)?;
    Ok(caller.manager_of(group, &managers)?)
}

pub(super) fn joined(
    conn: &mut DbConnection,
    actor: &Actor,
    group: &GroupId,
    person: &PersonId,
) -> AppResult<()> {
    audit::record::<(), _>(
        conn,
        actor,
        Change {
            action: audit::Event::GroupJoined,
            subject: audit::Subject::Group(group),
            before: None,
            after: Some(&serde_json::json!({ "person_id": person })),
        },
    )
}

/// The current members of a group, by name (signed-in people, tools with `groups:read`).
pub fn members(
    conn: &mut DbConnection,
    reader: Reader<'_>,
    id: &GroupId,
    page: (i64, i64, i64),
) -> AppResult<Page<GroupMember>> {
    reader.check()?;
    let (page, per_page, offset) = page;
    store::groups::find(conn, id)?;
    let (rows, total) = store::groups::members(conn, id, per_page, offset)?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|(person, institution_short_name, since)| GroupMember {
                person,
                institution_short_name,
                since,
            })
            .collect(),
        total,
        page,
        per_page,
    })
}

/// A manager adds an active member to the group, whatever its policy.
pub fn add_member(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &GroupId,
    person: &PersonId,
    main_group: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let group = store::groups::find(conn, id)?;
    let proof = manager(conn, caller, id)?;
    if group.name == main_group {
        return Err(main_group_fixed());
    }
    let member = active_person(conn, person, "Only active members are in groups.")?;
    if store::groups::is_member(conn, id, person)? {
        return Err(AppError::conflict(
            "already_member",
            "This person is in the group already.",
        ));
    }
    store::groups::join(conn, id, person, calendar::today(now))?;
    joined(conn, &Actor::acting(proof.acting(), now), id, person)?;
    let mail = templates::group_changed(&group.name, true);
    outbox::enqueue(conn, &member.email, &mail.subject, &mail.body, now)
}

/// A member leaves a group, or a manager removes them.
pub fn remove_member(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &GroupId,
    person: &PersonId,
    main_group: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let group = store::groups::find(conn, id)?;
    let own = *person == caller.acting.person_id;
    let acting = if own {
        caller.acting.clone()
    } else {
        manager(conn, caller, id)?.acting().clone()
    };
    if group.name == main_group {
        return Err(main_group_fixed());
    }
    if !store::groups::leave(conn, id, person, calendar::today(now))? {
        return Err(AppError::NotFound {
            what: "member of this group",
        });
    }
    audit::record::<_, ()>(
        conn,
        &Actor::acting(&acting, now),
        Change {
            action: audit::Event::GroupLeft,
            subject: audit::Subject::Group(id),
            before: Some(&serde_json::json!({ "person_id": person })),
            after: None,
        },
    )?;
    if !own {
        let email = store::persons::member(conn, person)?.email;
        let mail = templates::group_changed(&group.name, false);
        outbox::enqueue(conn, &email, &mail.subject, &mail.body, now)?;
    }
    Ok(())
}

/// A membership has ended: the person leaves every group and their applications end.
pub fn membership_ended(
    conn: &mut DbConnection,
    person: &PersonId,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<()> {
    for group in store::groups::end_all(conn, person, calendar::today(now), now)? {
        audit::record::<_, ()>(
            conn,
            actor,
            Change {
                action: audit::Event::GroupLeft,
                subject: audit::Subject::Group(&group),
                before: Some(&serde_json::json!({ "person_id": person })),
                after: None,
            },
        )?;
    }
    Ok(())
}
