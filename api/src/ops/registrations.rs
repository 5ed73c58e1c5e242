//! Registration requests outside any one front end: opening a request once an identity is
//! proven, and whom to tell about a request.

use b2mms_shared::api::{Registration, SubmitRegistration};
use b2mms_shared::links;
use b2mms_shared::rules::{RuleViolation, registry_local_part};
use b2mms_shared::{
    Category, IdentityKind, InstitutionId, InstitutionStatus, RegistrationAction, RegistrationId,
    RegistrationState, Role,
};
use chrono::{DateTime, Utc};

use crate::auth::caller::Caller;
use crate::domain::policy::Applicant;
use crate::domain::registration::{self, Action, Capacity};
use crate::domain::submission::{self, Context, ValidSubmission};
use crate::error::AppError;
use crate::mail::templates;
use crate::services::Services;
use crate::store::from_db_time;
use crate::store::registrations::{ExactMatch, Submission, Visibility, Waiting};

use crate::error::AppResult;
use crate::store::audit::{self, Change};
use crate::store::models::RegistrationRow;
use crate::store::{self, DbConnection, new_id, outbox, to_db_time};

/// A new request in `identity_verified`.
pub fn open_request(
    conn: &mut DbConnection,
    identity: IdentityKind,
    fill: impl FnOnce(&mut RegistrationRow),
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<RegistrationRow> {
    let at = to_db_time(now);
    let mut row = RegistrationRow {
        id: new_id(),
        state: RegistrationState::IdentityVerified,
        identity,
        invitation_id: None,
        certificate_dn: None,
        institution_id: None,
        email: None,
        given_name: None,
        middle_name: None,
        family_name: None,
        account_name: None,
        password_hash: None,
        category: None,
        orcid: None,
        existing_account: None,
        comment: None,
        link_person_id: None,
        person_id: None,
        decision_reason: None,
        created_at: at,
        updated_at: at,
        submitted_at: None,
        decided_at: None,
        ir_reminded_at: None,
        admins_reminded_at: None,
        provision_attempts: 0,
        provision_next_at: None,
        provision_error: None,
        claimed_by: None,
    };
    fill(&mut row);
    store::registrations::insert(conn, &row)?;
    let actor = audit::Actor::applicant(now);
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action: audit::Event::RegistrationOpened,
            subject: audit::Subject::Registration(&row.id),
            before: None,
            after: Some(&serde_json::json!({
                "state": RegistrationState::IdentityVerified,
                "identity": identity,
            })),
        },
    )?;
    Ok(row)
}

/// Addresses to tell about a request of an institution: its IRs, or the admins when it has
/// none.
pub fn notify_institution(
    conn: &mut DbConnection,
    institution_id: &InstitutionId,
) -> AppResult<Vec<String>> {
    let irs = store::roles::representative_emails(conn, institution_id)?;
    if irs.is_empty() {
        store::roles::emails_with_role(conn, Role::Admin)
    } else {
        Ok(irs)
    }
}

/// The capacities in which a caller may act on a request, most specific first.
pub fn capacities(caller: &Caller, row: &RegistrationRow) -> Vec<Capacity> {
    match caller {
        Caller::Applicant(applicant) if *applicant.registration() == row.id => {
            vec![Capacity::Applicant]
        }
        Caller::Applicant(_) | Caller::Service(_) => Vec::new(),
        Caller::Staff(subject) => subject.capacities_on(row.institution_id.as_ref()),
    }
}

/// The requests that wait for the caller: a representative's are those awaiting the IR at
/// their institutions, the IB chair's those awaiting the Board, an administrator's those whose
/// account could not be created. Applicants and tools decide nothing.
pub fn waiting_for(caller: &Caller) -> Waiting {
    let Caller::Staff(subject) = caller else {
        return Waiting::default();
    };
    let mut anywhere = Vec::new();
    if subject.ib_chair().is_ok() {
        anywhere.push(RegistrationState::AwaitingIb);
    }
    if subject.admin().is_ok() {
        anywhere.push(RegistrationState::ProvisioningFailed);
    }
    Waiting {
        institutions: subject.represents.clone(),
        states_there: vec![RegistrationState::AwaitingIr],
        states_anywhere: anywhere,
    }
}

/// Which requests a caller's lists show: the applicant their own, a tool with
/// `registrations:read` and administrators all, representatives their institutions' and the
/// IB chair those awaiting the Board.
pub fn visibility(caller: &Caller) -> AppResult<Visibility> {
    Ok(match caller {
        Caller::Applicant(applicant) => Visibility {
            only: Some(applicant.registration().clone()),
            ..Visibility::default()
        },
        Caller::Service(token) => {
            token.require(b2mms_shared::Scope::RegistrationsRead)?;
            Visibility::default()
        }
        Caller::Staff(subject) if subject.admin().is_ok() => Visibility::default(),
        Caller::Staff(subject) => {
            if !b2mms_shared::access::sees_requests(&subject.roles) {
                return Err(AppError::forbidden(
                    "Only applicants, institutional representatives, the IB chair and administrators see registration requests.",
                ));
            }
            let ib = subject.ib_chair().is_ok();
            Visibility {
                only: None,
                institutions: Some(subject.represents.clone()),
                states_anywhere: if ib {
                    vec![RegistrationState::AwaitingIb]
                } else {
                    Vec::new()
                },
            }
        }
    })
}

/// Whether the caller may see a request: its applicant, IRs of its home, admins, and the IB
/// chair for the requests that need the Institutional Board.
pub fn may_see(caller: &Caller, row: &RegistrationRow) -> bool {
    if let Caller::Service(service) = caller {
        return service
            .require(b2mms_shared::Scope::RegistrationsRead)
            .is_ok();
    }
    capacities(caller, row).iter().any(|c| match c {
        Capacity::IbChair => {
            row.category == Some(Category::PhysicistPermanent)
                && row.state != RegistrationState::IdentityVerified
        }
        _ => true,
    })
}

/// What the caller may do with the request now: each action that one of the caller's
/// capacities may take from the request's state.
pub fn actions(caller: &Caller, row: &RegistrationRow) -> Vec<RegistrationAction> {
    let capacities = capacities(caller, row);
    [
        (Action::Approve, RegistrationAction::Approve),
        (Action::Reject, RegistrationAction::Reject),
        (Action::Withdraw, RegistrationAction::Withdraw),
        (
            Action::RetryProvisioning,
            RegistrationAction::RetryProvisioning,
        ),
    ]
    .into_iter()
    .filter(|(action, _)| {
        capacities
            .iter()
            .any(|c| registration::apply(row.state, *action, *c, row.category).is_ok())
    })
    .map(|(_, wire)| wire)
    .collect()
}

/// The request as the caller sees it, with what the caller may do with it now. Those who
/// decide also see why creating the account failed and, while a decision is open, the
/// existing people the applicant resembles.
pub fn view(
    conn: &mut DbConnection,
    state: &Services,
    row: RegistrationRow,
    caller: &Caller,
) -> AppResult<Registration> {
    let staff = !matches!(caller, Caller::Applicant(_));
    let actions = actions(caller, &row);
    let deciding =
        row.state.is_pending_decision() || row.state == RegistrationState::ProvisioningFailed;
    let short_name = match &row.institution_id {
        Some(id) => Some(store::institutions::find_row(conn, id)?.short_name),
        None => None,
    };
    let possible_duplicates = match (&row.given_name, &row.family_name) {
        (Some(g), Some(f)) if staff && deciding => {
            store::registrations::possible_duplicates(conn, g, f)?
        }
        _ => Vec::new(),
    };
    let registry_email = match (&row.given_name, &row.family_name) {
        (Some(g), Some(f)) => {
            let local = registry_local_part(g, row.middle_name.as_deref(), f);
            Some(format!("{local}@{}", state.config.registry_email_domain))
        }
        _ => None,
    };
    let history = store::registrations::history(conn, &row.id)?;
    Ok(Registration {
        id: row.id.uuid(),
        state: row.state,
        identity: row.identity,
        certificate_dn: row.certificate_dn,
        institution_id: row.institution_id.as_ref().map(InstitutionId::uuid),
        institution_short_name: short_name,
        email: row.email,
        given_name: row.given_name,
        middle_name: row.middle_name,
        family_name: row.family_name,
        registry_email,
        account_name: row.account_name,
        category: row.category,
        orcid: row.orcid,
        existing_account: row.existing_account,
        comment: row.comment,
        link_person_id: row
            .link_person_id
            .as_ref()
            .map(b2mms_shared::PersonId::uuid),
        person_id: row.person_id.as_ref().map(b2mms_shared::PersonId::uuid),
        decision_reason: row.decision_reason,
        provision_error: row.provision_error.filter(|_| staff),
        created_at: from_db_time(row.created_at),
        updated_at: from_db_time(row.updated_at),
        submitted_at: row.submitted_at.map(from_db_time),
        decided_at: row.decided_at.map(from_db_time),
        possible_duplicates,
        history,
        actions,
    })
}

/// Whether the caller may send the form of this request now, and the form checked against
/// every rule: authorization first, then the state, then the fields.
pub fn check_submission(
    services: &Services,
    caller: &Caller,
    row: &RegistrationRow,
    form: &SubmitRegistration,
) -> AppResult<ValidSubmission> {
    if capacities(caller, row) != [Capacity::Applicant] {
        return Err(AppError::forbidden(
            "Only the applicant who opened this request can submit its form.",
        ));
    }
    let from = row.state;
    if crate::domain::registration::apply(
        from,
        crate::domain::registration::Action::Submit,
        Capacity::Applicant,
        Some(form.category),
    )
    .is_err()
    {
        return Err(AppError::conflict(
            "already_submitted",
            "This request has already been submitted or closed; see its state.",
        ));
    }
    let invited = row.identity == IdentityKind::Invitation;
    let valid = submission::validate(
        form,
        Context {
            reserved_names: services.config.reserved_names(),
            personal_domains: services.config.personal_domains(),
            fixed_institution: if invited {
                row.institution_id.as_ref()
            } else {
                None
            },
            fixed_email: if invited { row.email.as_deref() } else { None },
        },
    )?;
    Ok(valid)
}

/// Sends the checked form: `identity_verified → awaiting_ir`. Refuses a person who is
/// registered already or has another open request, reserves the account name, keeps the
/// password only as a hash, records the event and tells the home institution's IRs.
#[allow(clippy::too_many_arguments)]
pub fn submit(
    conn: &mut DbConnection,
    services: &Services,
    id: &RegistrationId,
    valid: ValidSubmission,
    form: &SubmitRegistration,
    password_hash: String,
    certificate_dn: Option<String>,
    now: DateTime<Utc>,
) -> AppResult<Registration> {
    let link = links::absolute(&services.config.public_url, &links::request(id));
    let institution_id = InstitutionId::from(form.institution_id);
    let category = form.category;
    let dn = certificate_dn;

    let institution = store::institutions::find_row(conn, &institution_id).map_err(|_| {
        AppError::invalid(
            "institution_id",
            RuleViolation::new(
                "institution.unknown",
                "Choose your home institution from the list.",
            ),
        )
    })?;
    if institution.status != InstitutionStatus::Active {
        return Err(AppError::invalid(
            "institution_id",
            RuleViolation::new(
                "institution.inactive",
                "This institution is no longer active; choose the institution you work at (visitors: the inviting institution).",
            ),
        ));
    }
    let existing_holder = match &valid.existing_account {
        Some(name) => Some(
            store::accounts::find_account(conn, name)?
                .map(|(account, _)| account.person_id)
                .ok_or_else(|| {
                    AppError::invalid(
                        "existing_account",
                        RuleViolation::new(
                            "existing_account.unknown",
                            "No account has this name; leave the field empty to get a new account.",
                        ),
                    )
                })?,
        ),
        None => None,
    };
    if let Some((what, person, short)) = store::registrations::exact_duplicate(
        conn,
        Some(&valid.email),
        valid.orcid.as_deref(),
        dn.as_deref(),
    )? && existing_holder.as_ref() != Some(&person)
    {
        return Err(duplicate_problem(what, &short));
    }
    if let Some(what) = store::registrations::conflicting_open_request(
        conn,
        id,
        &valid.email,
        valid.orcid.as_deref(),
        dn.as_deref(),
    )? {
        return Err(store::registrations::duplicate_request_problem(what.what()));
    }
    if existing_holder.is_none() {
        store::registrations::reserve_account_name(conn, &valid.account_name, id, now)?;
    }
    let stored = store::registrations::submit(
        conn,
        id,
        &Submission {
            institution_id: institution_id.clone(),
            email: valid.email.clone(),
            given_name: valid.given_name.clone(),
            middle_name: valid.middle_name.clone(),
            family_name: valid.family_name.clone(),
            account_name: valid.account_name.clone(),
            password_hash,
            category,
            orcid: valid.orcid.clone(),
            existing_account: valid.existing_account.clone(),
            comment: valid.comment.clone(),
        },
        now,
    )?;
    if !stored {
        return Err(AppError::conflict(
            "already_submitted",
            "This request has already been submitted or closed; see its state.",
        ));
    }
    let actor = audit::Actor::applicant(now);
    audit::record::<(), _>(
        conn,
        &actor,
        Change {
            action: audit::Event::RegistrationSubmitted,
            subject: audit::Subject::Registration(id),
            before: None,
            after: Some(&serde_json::json!({
                "state": RegistrationState::AwaitingIr,
                "account_name": valid.account_name,
                "category": category,
                "institution_id": institution_id,
            })),
        },
    )?;
    let applicant = format!("{} {}", valid.given_name, valid.family_name);
    let mail = templates::submitted_to_ir(&applicant, &valid.account_name, category.label(), &link);
    for address in notify_institution(conn, &institution_id)? {
        outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
    }
    let row = store::registrations::get(conn, id)?;
    view(
        conn,
        services,
        row,
        &Caller::Applicant(Applicant::of_token(id.clone())),
    )
}

/// The answer to a person who is registered already: never register twice.
fn duplicate_problem(what: ExactMatch, institution: &str) -> AppError {
    let by = what.what();
    AppError::conflict(
        "duplicate_person",
        format!(
            "A person with {by} is already registered (home institution: {institution}). Never register twice: \
             your record exists. Ask the representative (IR) of your institution to reactivate it or move it to your new institution."
        ),
    )
}
