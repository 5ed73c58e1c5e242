//! People after their record exists: reading a record, collaboration-wide roles, unlocking
//! an account, and changes to a membership.

use b2mms_shared::api::{Member, MemberPatch};
use b2mms_shared::rules::RuleViolation;
use b2mms_shared::{Category, InstitutionId, MembershipStatus, PersonId, Role, Scope};
use chrono::{DateTime, Utc};

use crate::domain::policy::{Admin, RecordReader, ServiceToken, Subject};
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, Actor, Change};
use crate::store::{self, DbConnection};

/// Who reads a record: a signed-in person, or a tool with a service token.
#[derive(Debug)]
pub enum Reader<'a> {
    Person(&'a Subject),
    Service(&'a ServiceToken),
}

/// One person's whole record, for the person, the representatives of their institution,
/// administrators and tools with `members:read`.
pub fn read(conn: &mut DbConnection, reader: Reader<'_>, id: &PersonId) -> AppResult<Member> {
    let subject = match reader {
        Reader::Service(token) => {
            token.require(Scope::MembersRead)?;
            return store::persons::member(conn, id);
        }
        Reader::Person(subject) => subject,
    };
    let member = match store::persons::member(conn, id) {
        Ok(member) => member,
        // Someone who may not read every record learns nothing from an unknown id: the
        // answer is the one a record they may not read gets.
        Err(AppError::NotFound { .. }) => {
            if *id != subject.acting.person_id {
                subject.admin().map_err(|_| {
                    crate::domain::policy::Denied(
                        "Only the person, the representatives of their institution and administrators see this record.",
                    )
                })?;
            }
            return Err(AppError::NotFound { what: "person" });
        }
        Err(other) => return Err(other),
    };
    let _proof: RecordReader =
        subject.reader_of(id, &InstitutionId::from(member.institution_id))?;
    Ok(member)
}

fn grantable(role: Role) -> AppResult<()> {
    if role.is_grantable() {
        Ok(())
    } else {
        Err(AppError::invalid(
            "role",
            RuleViolation::new(
                "role.not_grantable",
                "Only `admin` and `ib_chair` are granted directly; IRs are appointed per institution and every person with an account is a member.",
            ),
        ))
    }
}

/// Nobody can lock out the collaboration.
fn last_admin() -> AppError {
    AppError::conflict(
        "last_admin",
        "This is the last active administrator: appoint another administrator first.",
    )
}

/// Grants `admin` or `ib_chair`; granting a role held already changes nothing.
pub fn grant_role(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &PersonId,
    role: Role,
    now: DateTime<Utc>,
) -> AppResult<Member> {
    grantable(role)?;
    if !store::persons::exists(conn, id)? {
        return Err(AppError::NotFound { what: "person" });
    }
    if store::roles::grant_role(conn, id, role, Some(&admin.acting().person_id), now)? {
        audit::record::<(), _>(
            conn,
            &Actor::acting(admin.acting(), now),
            Change {
                action: audit::Event::RoleGranted,
                subject: audit::Subject::Person(id),
                before: None,
                after: Some(&serde_json::json!({ "role": role })),
            },
        )?;
    }
    store::persons::member(conn, id)
}

/// Withdraws `admin` or `ib_chair`; the last active administrator keeps the role.
pub fn withdraw_role(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &PersonId,
    role: Role,
    now: DateTime<Utc>,
) -> AppResult<()> {
    grantable(role)?;
    if role == Role::Admin
        && store::roles::other_active_admins(conn, id)? == 0
        && store::roles::roles_of(conn, id)?.0.contains(&Role::Admin)
    {
        return Err(last_admin());
    }
    if !store::roles::withdraw_role(conn, id, role)? {
        return Err(AppError::NotFound {
            what: "role of this person",
        });
    }
    audit::record::<_, ()>(
        conn,
        &Actor::acting(admin.acting(), now),
        Change {
            action: audit::Event::RoleWithdrawn,
            subject: audit::Subject::Person(id),
            before: Some(&serde_json::json!({ "role": role })),
            after: None,
        },
    )
}

/// Lifts the temporary lock after repeated failed sign-ins; the failure count starts again.
pub fn unlock(
    conn: &mut DbConnection,
    admin: &Admin,
    id: &PersonId,
    now: DateTime<Utc>,
) -> AppResult<Member> {
    store::accounts::account_of(conn, id)?;
    if store::accounts::clear_failures(conn, id)? {
        audit::record_plain(
            conn,
            &Actor::acting(admin.acting(), now),
            audit::Event::AccountUnlocked,
            audit::Subject::Account(id),
        )?;
    }
    store::persons::member(conn, id)
}

/// Changes a membership's category, status and end date: the representatives of the
/// person's institution and administrators; never one's own; `physicist_permanent` only by
/// the IB chair or an administrator; a backdated end only by an administrator.
pub fn update(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &PersonId,
    patch: MemberPatch,
    now: DateTime<Utc>,
) -> AppResult<Member> {
    let today = now.date_naive();
    let before = store::persons::member(conn, id)?;
    let representative = caller.representative_of(&InstitutionId::from(before.institution_id))?;
    let admin = representative.as_admin();
    if *id == caller.acting.person_id && !admin {
        return Err(AppError::forbidden(
            "Nobody decides about their own membership: another representative of your institution or an administrator changes it.",
        ));
    }
    if !admin
        && let Some(Some(end)) = patch.membership_end
        && end < today
    {
        return Err(AppError::invalid(
            "membership_end",
            RuleViolation::new(
                "membership_end.backdated",
                "Choose today or a later date: representatives cannot backdate the end of a membership (the secretariat can).",
            ),
        ));
    }
    if patch.category == Some(Category::PhysicistPermanent)
        && before.category != Category::PhysicistPermanent
        && !admin
        && caller.ib_chair().is_err()
    {
        return Err(AppError::forbidden(
            "The category physicist_permanent needs the Institutional Board's approval: ask the IB chair.",
        ));
    }
    let status = patch.status.unwrap_or(before.status);
    let mut end = match patch.membership_end {
        Some(value) => value,
        None => before.membership_end,
    };
    if status == MembershipStatus::Left && end.is_none() {
        end = Some(today);
    }
    if status == MembershipStatus::Active && end.is_some_and(|e| e < today) {
        return Err(AppError::invalid(
            "membership_end",
            RuleViolation::new(
                "membership_end.past",
                "An active membership cannot have ended: set a future end date, or clear it.",
            ),
        ));
    }
    let ending = status != MembershipStatus::Active || end.is_some();
    if ending
        && before.roles.contains(&Role::Admin)
        && store::roles::other_active_admins(conn, id)? == 0
    {
        return Err(last_admin());
    }
    let category = patch.category.unwrap_or(before.category);
    store::persons::set_membership(conn, id, category, status, end, today, now)?;
    let after = store::persons::member(conn, id)?;
    audit::record(
        conn,
        &Actor::acting(representative.acting(), now),
        Change {
            action: audit::Event::PersonUpdated,
            subject: audit::Subject::Person(id),
            before: Some(&before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}
