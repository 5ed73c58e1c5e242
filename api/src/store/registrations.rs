//! Registration requests: stored state, conditional transitions, account-name reservations,
//! duplicate matching and history.

use b2mms_shared::api::{PossibleDuplicate, RegistrationEvent};
use b2mms_shared::{
    Category, InstitutionId, InvitationId, PersonId, RegistrationId, RegistrationState,
};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::audit::StateChange;
use super::models::{AuditRow, RegistrationRow};
use super::schema::{
    account_names, accounts, audit_events, institutions, person_certificates, persons,
    registrations,
};
use super::{DbConnection, from_db_time, to_db_time};
use crate::error::{AppError, AppResult};

pub fn insert(conn: &mut DbConnection, row: &RegistrationRow) -> AppResult<()> {
    diesel::insert_into(registrations::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &RegistrationId) -> AppResult<RegistrationRow> {
    registrations::table
        .find(id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound {
            what: "registration request",
        })
}

pub fn find_by_invitation(
    conn: &mut DbConnection,
    invitation_id: &InvitationId,
) -> AppResult<Option<RegistrationRow>> {
    Ok(registrations::table
        .filter(registrations::invitation_id.eq(invitation_id))
        .first(conn)
        .optional()?)
}

/// The open request of a certificate, if one exists.
pub fn find_open_by_certificate(
    conn: &mut DbConnection,
    dn: &str,
) -> AppResult<Option<RegistrationRow>> {
    let open: Vec<RegistrationState> = RegistrationState::ALL
        .iter()
        .copied()
        .filter(|s| s.is_open())
        .collect();
    Ok(registrations::table
        .filter(registrations::certificate_dn.eq(dn))
        .filter(registrations::state.eq_any(open))
        .first(conn)
        .optional()?)
}

/// Which requests a list may show.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    /// Only this request (an applicant).
    pub only: Option<RegistrationId>,
    /// Only requests whose home is one of these (IRs), or whose state is in `states_anywhere`.
    pub institutions: Option<Vec<InstitutionId>>,
    /// States visible across institutions (the IB chair sees `awaiting_ib`).
    pub states_anywhere: Vec<RegistrationState>,
}

/// The requests that wait for one person's decision: those in `states_there` whose home is
/// one of `institutions`, and those in `states_anywhere`.
#[derive(Debug, Clone, Default)]
pub struct Waiting {
    pub institutions: Vec<InstitutionId>,
    pub states_there: Vec<RegistrationState>,
    pub states_anywhere: Vec<RegistrationState>,
}

pub fn list(
    conn: &mut DbConnection,
    scope: &Visibility,
    state: Option<RegistrationState>,
    waiting: Option<&Waiting>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<RegistrationRow>, i64)> {
    let query = || {
        let mut q = registrations::table.into_boxed();
        if let Some(id) = &scope.only {
            q = q.filter(registrations::id.eq(id.clone()));
        }
        if let Some(ids) = &scope.institutions {
            q = q.filter(
                registrations::institution_id
                    .eq_any(ids.clone())
                    .or(registrations::state.eq_any(scope.states_anywhere.clone())),
            );
        }
        if let Some(state) = state {
            q = q.filter(registrations::state.eq(state));
        }
        if let Some(w) = waiting {
            q = q.filter(
                registrations::institution_id
                    .eq_any(w.institutions.clone())
                    .and(registrations::state.eq_any(w.states_there.clone()))
                    .or(registrations::state.eq_any(w.states_anywhere.clone())),
            );
        }
        q
    };
    let total = query().count().get_result::<i64>(conn)?;
    let rows = query()
        .order((registrations::created_at.desc(), registrations::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// The form's content, stored with the move to `awaiting_ir`.
pub struct Submission {
    pub institution_id: InstitutionId,
    pub email: String,
    pub given_name: String,
    pub middle_name: Option<String>,
    pub family_name: String,
    pub account_name: String,
    pub password_hash: String,
    pub category: Category,
    pub orcid: Option<String>,
    pub existing_account: Option<String>,
    pub comment: Option<String>,
}

/// Stores the form and moves `identity_verified → awaiting_ir`; `false` if the request was no
/// longer in `identity_verified` (someone else acted first).
pub fn submit(
    conn: &mut DbConnection,
    id: &RegistrationId,
    s: &Submission,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let at = to_db_time(now);
    let n = diesel::update(
        registrations::table
            .find(id)
            .filter(registrations::state.eq(RegistrationState::IdentityVerified)),
    )
    .set((
        registrations::state.eq(RegistrationState::AwaitingIr),
        registrations::institution_id.eq(&s.institution_id),
        registrations::email.eq(&s.email),
        registrations::given_name.eq(&s.given_name),
        registrations::middle_name.eq(&s.middle_name),
        registrations::family_name.eq(&s.family_name),
        registrations::account_name.eq(&s.account_name),
        registrations::password_hash.eq(&s.password_hash),
        registrations::category.eq(s.category),
        registrations::orcid.eq(&s.orcid),
        registrations::existing_account.eq(&s.existing_account),
        registrations::comment.eq(&s.comment),
        registrations::submitted_at.eq(at),
        registrations::updated_at.eq(at),
    ))
    .execute(conn)
    .map_err(|e| match e {
        // The partial unique indexes on open requests' email and ORCID: another request for
        // the same person was submitted at the same moment.
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            duplicate_request_problem("this email address or ORCID iD")
        }
        other => other.into(),
    })?;
    Ok(n == 1)
}

impl ExactMatch {
    /// What matched, as the object of a sentence.
    pub const fn what(self) -> &'static str {
        match self {
            ExactMatch::Email => "this email address",
            ExactMatch::Orcid => "this ORCID iD",
            ExactMatch::Certificate => "this certificate",
        }
    }
}

/// Another open request (not `id`) that the contact email, ORCID iD or certificate of this
/// one already belongs to: one person, one open request.
pub fn conflicting_open_request(
    conn: &mut DbConnection,
    id: &RegistrationId,
    email: &str,
    orcid: Option<&str>,
    dn: Option<&str>,
) -> AppResult<Option<ExactMatch>> {
    let submitted = [
        RegistrationState::AwaitingIr,
        RegistrationState::AwaitingIb,
        RegistrationState::Approved,
        RegistrationState::ProvisioningFailed,
    ];
    let others = || {
        registrations::table
            .filter(registrations::id.ne(id))
            .filter(registrations::state.eq_any(submitted))
            .count()
    };
    if others()
        .filter(registrations::email.eq(email))
        .get_result::<i64>(conn)?
        > 0
    {
        return Ok(Some(ExactMatch::Email));
    }
    if let Some(orcid) = orcid
        && others()
            .filter(registrations::orcid.eq(orcid))
            .get_result::<i64>(conn)?
            > 0
    {
        return Ok(Some(ExactMatch::Orcid));
    }
    if let Some(dn) = dn
        && others()
            .filter(registrations::certificate_dn.eq(dn))
            .get_result::<i64>(conn)?
            > 0
    {
        return Ok(Some(ExactMatch::Certificate));
    }
    Ok(None)
}

/// The answer to a submission for someone who already has an open request; `by` names what
/// they share ("this email address").
pub fn duplicate_request_problem(by: &str) -> AppError {
    AppError::conflict(
        "duplicate_request",
        format!(
            "Another registration request with {by} is already open. One person has one open request: \
             wait for its decision, or withdraw it before sending this one."
        ),
    )
}

/// What a decision changes besides the state.
#[derive(Debug, Default)]
pub struct Decision {
    pub reason: Option<String>,
    pub link_person_id: Option<PersonId>,
    /// Sets `decided_at` (final decisions).
    pub decided: bool,
    /// Schedules provisioning at this time.
    pub provision_at: Option<DateTime<Utc>>,
}

/// Moves `from → to` only if the request is still in `from`; `false` otherwise. This is what
/// makes two concurrent approvals leave one winner.
pub fn transition(
    conn: &mut DbConnection,
    id: &RegistrationId,
    from: RegistrationState,
    to: RegistrationState,
    decision: Decision,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let at = to_db_time(now);
    let target = registrations::table
        .find(id)
        .filter(registrations::state.eq(from));
    let n = diesel::update(target)
        .set((
            registrations::state.eq(to),
            registrations::updated_at.eq(at),
            registrations::decision_reason.eq(decision.reason),
            registrations::decided_at.eq(decision.decided.then_some(at)),
            registrations::provision_next_at.eq(decision.provision_at.map(to_db_time)),
            // A new wait begins: reminders count from here.
            registrations::ir_reminded_at.eq(None::<chrono::NaiveDateTime>),
            registrations::admins_reminded_at.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    if n == 1
        && let Some(person) = decision.link_person_id
    {
        diesel::update(registrations::table.find(id))
            .set(registrations::link_person_id.eq(person))
            .execute(conn)?;
    }
    Ok(n == 1)
}

/// Reserves an account name for a request; 409 if anyone holds it.
pub fn reserve_account_name(
    conn: &mut DbConnection,
    name: &str,
    registration_id: &RegistrationId,
    now: DateTime<Utc>,
) -> AppResult<()> {
    diesel::insert_into(account_names::table)
        .values((
            account_names::name.eq(name),
            account_names::registration_id.eq(registration_id),
            account_names::reserved_at.eq(to_db_time(now)),
        ))
        .execute(conn)
        .map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => AppError::conflict(
                "account_name_taken",
                "This account name is already taken or reserved by another request; choose another one.",
            ),
            other => other.into(),
        })?;
    Ok(())
}

/// Frees the name a request reserved (rejection, withdrawal, expiry).
pub fn release_account_name(
    conn: &mut DbConnection,
    registration_id: &RegistrationId,
) -> AppResult<()> {
    diesel::delete(
        account_names::table
            .filter(account_names::registration_id.eq(registration_id))
            .filter(account_names::person_id.is_null()),
    )
    .execute(conn)?;
    Ok(())
}

/// Whether an account name is free (neither an account nor reserved).
pub fn account_name_free(conn: &mut DbConnection, name: &str) -> AppResult<bool> {
    Ok(account_names::table
        .find(name)
        .count()
        .get_result::<i64>(conn)?
        == 0)
}

/// What about a person already matches a request exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExactMatch {
    Email,
    Orcid,
    Certificate,
}

/// The person an email, ORCID or certificate DN already belongs to, if any.
pub fn exact_duplicate(
    conn: &mut DbConnection,
    email: Option<&str>,
    orcid: Option<&str>,
    dn: Option<&str>,
) -> AppResult<Option<(ExactMatch, PersonId, String)>> {
    let holder = |conn: &mut DbConnection, id: PersonId| -> AppResult<(PersonId, String)> {
        let short: String = persons::table
            .inner_join(institutions::table)
            .filter(persons::id.eq(&id))
            .select(institutions::short_name)
            .first(conn)?;
        Ok((id, short))
    };
    if let Some(email) = email {
        let found: Option<PersonId> = persons::table
            .filter(persons::email.eq(email))
            .select(persons::id)
            .first(conn)
            .optional()?;
        if let Some(id) = found {
            let (id, short) = holder(conn, id)?;
            return Ok(Some((ExactMatch::Email, id, short)));
        }
    }
    if let Some(orcid) = orcid {
        let found: Option<PersonId> = persons::table
            .filter(persons::orcid.eq(orcid))
            .select(persons::id)
            .first(conn)
            .optional()?;
        if let Some(id) = found {
            let (id, short) = holder(conn, id)?;
            return Ok(Some((ExactMatch::Orcid, id, short)));
        }
    }
    if let Some(dn) = dn {
        let found: Option<PersonId> = person_certificates::table
            .find(dn)
            .select(person_certificates::person_id)
            .first(conn)
            .optional()?;
        if let Some(id) = found {
            let (id, short) = holder(conn, id)?;
            return Ok(Some((ExactMatch::Certificate, id, short)));
        }
    }
    Ok(None)
}

/// id, given, middle, family, email, account, institution, category, status.
type DuplicateRow = (
    PersonId,
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Category,
    b2mms_shared::MembershipStatus,
);

/// People who resemble the applicant: same family name, and the same given name or initial.
pub fn possible_duplicates(
    conn: &mut DbConnection,
    given: &str,
    family: &str,
) -> AppResult<Vec<PossibleDuplicate>> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};
    let family = family.to_lowercase();
    let given = given.to_lowercase();
    let initial: String = given.chars().take(1).collect();
    let rows: Vec<DuplicateRow> = persons::table
        .inner_join(institutions::table)
        .left_join(accounts::table)
        .filter(sql::<Bool>("lower(persons.family_name) = ").bind::<Text, _>(family))
        .filter(
            sql::<Bool>("(lower(persons.given_name) = ")
                .bind::<Text, _>(given)
                .sql(" OR substr(lower(persons.given_name), 1, 1) = ")
                .bind::<Text, _>(initial)
                .sql(")"),
        )
        .order(persons::created_at)
        .limit(20)
        .select((
            persons::id,
            persons::given_name,
            persons::middle_name,
            persons::family_name,
            persons::email,
            accounts::account_name.nullable(),
            institutions::short_name,
            persons::category,
            persons::status,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                given_name,
                middle_name,
                family_name,
                email,
                account_name,
                short,
                category,
                status,
            )| {
                PossibleDuplicate {
                    person_id: id.uuid(),
                    given_name,
                    middle_name,
                    family_name,
                    email,
                    account_name,
                    institution_short_name: short,
                    category,
                    status,
                }
            },
        )
        .collect())
}

/// The history of a request, oldest first, from the audit log.
pub fn history(conn: &mut DbConnection, id: &RegistrationId) -> AppResult<Vec<RegistrationEvent>> {
    let rows: Vec<AuditRow> = audit_events::table
        .filter(audit_events::subject_id.eq(id.as_str()))
        .order((audit_events::at, audit_events::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let after: StateChange = row
                .after_json
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            RegistrationEvent {
                at: from_db_time(row.at),
                action: row.action.as_str().to_owned(),
                actor: row.actor,
                state: after.state,
                comment: after.comment,
            }
        })
        .collect())
}

/// Requests in some states last changed before `before` (for reminders and expiry).
pub fn waiting_since(
    conn: &mut DbConnection,
    states: &[RegistrationState],
    before: DateTime<Utc>,
) -> AppResult<Vec<RegistrationRow>> {
    Ok(registrations::table
        .filter(registrations::state.eq_any(states.to_vec()))
        .filter(registrations::updated_at.le(to_db_time(before)))
        .order(registrations::updated_at)
        .load(conn)?)
}

/// Notes that a reminder went out.
pub fn mark_reminded(
    conn: &mut DbConnection,
    id: &RegistrationId,
    admins: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let at = Some(to_db_time(now));
    let target = registrations::table.find(id);
    if admins {
        diesel::update(target)
            .set(registrations::admins_reminded_at.eq(at))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set(registrations::ir_reminded_at.eq(at))
            .execute(conn)?;
    }
    Ok(())
}
