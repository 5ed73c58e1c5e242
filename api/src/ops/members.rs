//! People after their record exists: reading a record, collaboration-wide roles, unlocking
//! an account, and changes to a membership.

use b2mms_shared::access::{Editor, RecordPart, may_change};
use b2mms_shared::api::{Member, MemberPatch};
use b2mms_shared::rules::{
    ContactEmail, FieldErrors, Orcid, PersonName, RuleViolation, author_inspire_id, required_text,
};
use b2mms_shared::{Category, InstitutionId, MembershipStatus, PersonId, Role, Scope};
use chrono::{DateTime, Utc};

use crate::domain::policy::{Admin, RecordReader, ServiceToken, Subject};
use crate::error::{AppError, AppResult};
use crate::store::audit::{self, Actor, Change};
use crate::store::persons::DetailsChange;
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

/// An optional text: empty clears it, anything else must pass `check`.
fn optional(
    value: &Option<Option<String>>,
    check: impl Fn(&str) -> Result<String, RuleViolation>,
) -> Result<Option<Option<String>>, RuleViolation> {
    Ok(match value {
        None => None,
        Some(None) => Some(None),
        Some(Some(text)) if text.trim().is_empty() => Some(None),
        Some(Some(text)) => Some(Some(check(text)?)),
    })
}

/// Checks every record field of a patch by the rules a registration meets; all violations
/// at once.
fn check_details<'a>(
    patch: &MemberPatch,
    personal: impl IntoIterator<Item = &'a str> + Clone,
) -> AppResult<DetailsChange> {
    let mut errors = FieldErrors::new();
    let name = |raw: &str| PersonName::parse(raw).map(PersonName::into_string);
    let details = DetailsChange {
        given_name: patch
            .given_name
            .as_deref()
            .and_then(|v| errors.check("given_name", name(v))),
        family_name: patch
            .family_name
            .as_deref()
            .and_then(|v| errors.check("family_name", name(v))),
        middle_name: errors
            .check("middle_name", optional(&patch.middle_name, name))
            .flatten(),
        paper_name: errors
            .check(
                "paper_name",
                optional(&patch.paper_name, |v| {
                    required_text(v, 100, "name in papers")
                }),
            )
            .flatten(),
        orcid: errors
            .check(
                "orcid",
                optional(&patch.orcid, |v| Orcid::parse(v).map(Orcid::into_string)),
            )
            .flatten(),
        inspire_id: errors
            .check("inspire_id", optional(&patch.inspire_id, author_inspire_id))
            .flatten(),
        email: patch.email.as_deref().and_then(|v| {
            errors.check(
                "email",
                ContactEmail::parse_institutional(v, personal.clone())
                    .map(ContactEmail::into_string),
            )
        }),
    };
    errors.into_result()?;
    Ok(details)
}

/// Changes a record, each field by those who may: the membership (category, status, end)
/// the person's representatives and administrators, never one's own, `physicist_permanent`
/// only with the IB chair or an administrator, a backdated end only by an administrator; the
/// name in papers and the INSPIRE id also the person; the middle name and ORCID iD the person and
/// administrators; names and the contact email administrators. Rights come before values.
pub fn update<'a>(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &PersonId,
    patch: MemberPatch,
    personal_domains: impl IntoIterator<Item = &'a str> + Clone,
    now: DateTime<Utc>,
) -> AppResult<Member> {
    let today = crate::domain::calendar::today(now);
    let before = store::persons::member(conn, id)?;
    let editor = Editor {
        own: *id == caller.acting.person_id,
        admin: caller.admin().is_ok(),
        representative: caller
            .representative_of(&InstitutionId::from(before.institution_id))
            .is_ok(),
    };
    if !editor.own && !editor.representative {
        return Err(AppError::forbidden(
            "Only the person, the representatives of their institution and administrators change this record.",
        ));
    }
    let refused = [
        (
            patch.touches_membership(),
            RecordPart::Membership,
            if editor.own {
                "Nobody decides about their own membership: another representative of your institution or an administrator changes it."
            } else {
                "The category, status and end of a membership are changed by the representatives of the institution and administrators."
            },
        ),
        (
            patch.paper_name.is_some() || patch.inspire_id.is_some(),
            RecordPart::PaperName,
            "The name in papers and the INSPIRE id are changed by the person, their representatives and administrators.",
        ),
        (
            patch.middle_name.is_some() || patch.orcid.is_some(),
            RecordPart::PersonalDetails,
            "The middle name and the ORCID iD are changed by the person or the secretariat.",
        ),
        (
            patch.given_name.is_some() || patch.family_name.is_some() || patch.email.is_some(),
            RecordPart::NamesAndAddress,
            "Names and the contact address are changed by the secretariat; a person changes their own contact address on their record page, confirmed from the new address.",
        ),
    ]
    .into_iter()
    .find(|(asked, part, _)| *asked && !may_change(editor, *part));
    if let Some((.., why)) = refused {
        return Err(AppError::forbidden(why));
    }
    let details = check_details(&patch, personal_domains)?;
    if let Some(email) = &details.email
        && *email != before.email
        && store::persons::email_taken(conn, email)?
    {
        return Err(AppError::conflict(
            "email_taken",
            "Another person already has this contact address; each address belongs to one person.",
        ));
    }
    if !details.is_empty() {
        store::persons::set_details(conn, id, details, now)?;
    }
    if patch.touches_membership() {
        change_membership(conn, caller, id, &before, &patch, today, now)?;
    }
    let after = store::persons::member(conn, id)?;
    if after != before {
        audit::record(
            conn,
            &Actor::acting(&caller.acting, now),
            Change {
                action: audit::Event::PersonUpdated,
                subject: audit::Subject::Person(id),
                before: Some(&before),
                after: Some(&after),
            },
        )?;
    }
    Ok(after)
}

/// The membership part of a change (category, status, end), by a representative or an
/// administrator.
fn change_membership(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &PersonId,
    before: &Member,
    patch: &MemberPatch,
    today: chrono::NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let admin = caller.admin().is_ok();
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
    if let (Some(end), Some(start)) = (end, before.membership_start)
        && end < start
    {
        return Err(AppError::invalid(
            "membership_end",
            RuleViolation::new(
                "membership_end.before_start",
                "A membership ends after it starts: choose a day on or after its start.",
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
    if before.status == MembershipStatus::Active && status != MembershipStatus::Active {
        super::groups::membership_ended(conn, id, &Actor::acting(&caller.acting, now), now)?;
    }
    Ok(())
}

/// People of the directory as CSV (RFC 4180, a header line first), with what representatives
/// and administrators read in full: contact addresses and membership dates.
pub fn directory_csv(rows: &[store::directory::DirectoryRow]) -> AppResult<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::Internal(format!("writing CSV: {e}"));
    out.write_record([
        "account_name",
        "given_name",
        "middle_name",
        "family_name",
        "paper_name",
        "contact_email",
        "collaboration_address",
        "orcid",
        "institution",
        "category",
        "status",
        "membership_start",
        "membership_end",
    ])
    .map_err(failed)?;
    for (person, institution, account) in rows {
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        out.write_record(
            [
                account.as_deref().unwrap_or_default(),
                &person.given_name,
                person.middle_name.as_deref().unwrap_or_default(),
                &person.family_name,
                person.paper_name.as_deref().unwrap_or_default(),
                &person.email,
                person.registry_email.as_deref().unwrap_or_default(),
                person.orcid.as_deref().unwrap_or_default(),
                institution,
                person.category.as_str(),
                person.status.as_str(),
                &day(person.membership_start),
                &day(person.membership_end),
            ]
            .map(|cell| spreadsheet_safe(cell).into_owned()),
        )
        .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| AppError::Internal(format!("writing CSV: {e}")))
}

/// A cell a spreadsheet does not run as a formula: text starting with `=`, `+`, `-` or `@` is
/// kept as text with a leading apostrophe.
pub(crate) fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}
