//! Decisions on registration requests: approve and reject (IRs, the IB chair, admins), retry
//! a failed provisioning (admins), withdraw (the applicant). Each checks the caller's right
//! before anything about the request, then makes one conditional state change with its audit
//! event and mail, in the caller's transaction.

use b2mms_shared::api::{ApproveRegistration, Registration, RejectRegistration, RetryProvisioning};
use b2mms_shared::links;
use b2mms_shared::rules::RuleViolation;
use b2mms_shared::{Category, PersonId, RegistrationId, RegistrationState, Role};
use chrono::{DateTime, Utc};

use super::registrations::{capacities, notify_institution, view};
use crate::auth::caller::Caller;
use crate::domain::registration::{self, Action, Capacity, TransitionError};
use crate::domain::submission::MAX_COMMENT;
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::services::Services;
use crate::store::audit::{self, Change};
use crate::store::models::RegistrationRow;
use crate::store::registrations::Decision;
use crate::store::{self, DbConnection, outbox};

/// The first capacity in which the caller may take the action, with the state it leads to.
fn decide(
    caller: &Caller,
    row: &RegistrationRow,
    action: Action,
) -> AppResult<(Capacity, RegistrationState, RegistrationState)> {
    let from = row.state;
    let category = row.category;
    let capacities = capacities(caller, row);
    // Authorization before state: someone who may never take this action on this request is
    // told so, whatever state the request is in.
    let may_ever = capacities.iter().any(|actor| {
        RegistrationState::ALL.iter().any(|state| {
            Category::ALL
                .iter()
                .any(|c| registration::apply(*state, action, *actor, Some(*c)).is_ok())
        })
    });
    if !may_ever {
        return Err(not_allowed(action));
    }
    let mut wrong_state = false;
    for actor in capacities {
        match registration::apply(from, action, actor, category) {
            Ok(to) => return Ok((actor, from, to)),
            Err(TransitionError::WrongState { .. }) => wrong_state = true,
            Err(TransitionError::NotAllowed { .. }) => {}
        }
    }
    if wrong_state {
        return Err(AppError::conflict(
            "invalid_transition",
            format!(
                "This request cannot be {} now: it is {}.",
                action.past(),
                from.label()
            ),
        ));
    }
    Err(not_allowed(action))
}

/// Whether the caller may take the action on the request now (403, or 409 for the wrong
/// state), without taking it.
pub fn check_right(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &RegistrationId,
    action: Action,
) -> AppResult<()> {
    let row = store::registrations::get(conn, id)?;
    decide(caller, &row, action).map(|_| ())
}

fn not_allowed(action: Action) -> AppError {
    AppError::forbidden(match action {
        Action::Withdraw => "Only the applicant can withdraw a request.",
        Action::RetryProvisioning => "Only administrators retry a failed provisioning.",
        _ => {
            "Only the representatives of the request's home institution (and, for permanent physicists, the IB chair) or administrators decide on it."
        }
    })
}

fn actor_of(caller: &Caller, now: chrono::DateTime<chrono::Utc>) -> audit::Actor {
    match caller {
        Caller::Staff(subject) => audit::Actor::acting(&subject.acting, now),
        Caller::Applicant(_) => audit::Actor::applicant(now),
        Caller::Service(service) => audit::Actor {
            name: format!("service:{}", service.name),
            ..audit::Actor::system(now)
        },
    }
}

fn state_changed() -> AppError {
    AppError::conflict(
        "registration_state_changed",
        "Someone else acted on this request at the same time; reload it to see its state.",
    )
}

fn applicant_name(row: &RegistrationRow) -> String {
    match (&row.given_name, &row.family_name) {
        (Some(g), Some(f)) => format!("{g} {f}"),
        _ => row.email.clone().unwrap_or_else(|| "The applicant".into()),
    }
}

fn record(
    conn: &mut DbConnection,
    actor: &audit::Actor,
    action: audit::Event,
    id: &RegistrationId,
    to: RegistrationState,
    comment: Option<&str>,
) -> AppResult<()> {
    audit::record::<(), _>(
        conn,
        actor,
        Change {
            action,
            subject: audit::Subject::Registration(id),
            before: None,
            after: Some(&audit::StateChange {
                state: Some(to),
                comment: comment.map(str::to_owned),
            }),
        },
    )
}

fn tell(
    conn: &mut DbConnection,
    to: Option<&str>,
    mail: &templates::Mail,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    if let Some(address) = to {
        outbox::enqueue(conn, address, &mail.subject, &mail.body, now)?;
    }
    Ok(())
}

/// Approves a request: by an IR of its home institution (→ `approved`, or `awaiting_ib` for a
/// permanent physicist), by the IB chair (`awaiting_ib → approved`), or by an admin; with
/// `link_person_id` the approval reactivates that existing person.
pub fn approve(
    conn: &mut DbConnection,
    services: &Services,
    caller: &Caller,
    id: &RegistrationId,
    input: ApproveRegistration,
    now: DateTime<Utc>,
) -> AppResult<Registration> {
    let comment = input
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let link = input.link_person_id.map(PersonId::from);
    let public = services.config.public_url.clone();

    let row = store::registrations::get(conn, id)?;
    let (_, from, to) = decide(caller, &row, Action::Approve)?;
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_COMMENT)
    {
        return Err(AppError::invalid(
            "comment",
            RuleViolation::new(
                "comment.too_long",
                format!("Keep the comment under {MAX_COMMENT} characters."),
            ),
        ));
    }
    if let Some(person) = &link
        && !store::persons::exists(conn, person)?
    {
        return Err(AppError::invalid(
            "link_person_id",
            RuleViolation::new("person.unknown", "No person with this id exists."),
        ));
    }
    let approved = to == RegistrationState::Approved;
    let decision = Decision {
        reason: None,
        link_person_id: link.clone(),
        decided: approved,
        provision_at: approved.then_some(now),
    };
    if !store::registrations::transition(conn, id, from, to, decision, now)? {
        return Err(state_changed());
    }
    let actor = actor_of(caller, now);
    let action = if from == RegistrationState::AwaitingIb {
        audit::Event::RegistrationIbApproved
    } else {
        audit::Event::RegistrationIrApproved
    };
    record(conn, &actor, action, id, to, comment.as_deref())?;
    let account = row.account_name.clone().unwrap_or_default();
    if approved {
        tell(
            conn,
            row.email.as_deref(),
            &templates::approved_to_applicant(&account),
            now,
        )?;
    } else {
        tell(
            conn,
            row.email.as_deref(),
            &templates::awaiting_ib_to_applicant(&account),
            now,
        )?;
        let institution = match &row.institution_id {
            Some(i) => store::institutions::find_row(conn, i)?.name,
            None => String::new(),
        };
        let mail = templates::needs_ib(
            &applicant_name(&row),
            &institution,
            &links::absolute(&public, &links::request(id)),
        );
        for address in store::roles::emails_with_role(conn, Role::IbChair)? {
            outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
        }
    }
    let row = store::registrations::get(conn, id)?;
    view(conn, services, row, caller)
}

/// Sends a request whose account could not be created back to provisioning (admins).
pub fn retry(
    conn: &mut DbConnection,
    services: &Services,
    caller: &Caller,
    id: &RegistrationId,
    input: RetryProvisioning,
    now: DateTime<Utc>,
) -> AppResult<Registration> {
    let link = input.link_person_id.map(PersonId::from);

    let row = store::registrations::get(conn, id)?;
    let (_, _, to) = decide(caller, &row, Action::RetryProvisioning)?;
    if let Some(person) = &link
        && !store::persons::exists(conn, person)?
    {
        return Err(AppError::invalid(
            "link_person_id",
            RuleViolation::new("person.unknown", "No person with this id exists."),
        ));
    }
    if !store::provisioning::retry_provisioning(conn, id, link.as_ref(), now)? {
        return Err(state_changed());
    }
    let comment = link.as_ref().map(|p| format!("linked to person {p}"));
    record(
        conn,
        &actor_of(caller, now),
        audit::Event::RegistrationProvisioningRetried,
        id,
        to,
        comment.as_deref(),
    )?;
    let row = store::registrations::get(conn, id)?;
    view(conn, services, row, caller)
}

/// Rejects a request with the reason the applicant is told; frees the account name.
pub fn reject(
    conn: &mut DbConnection,
    services: &Services,
    caller: &Caller,
    id: &RegistrationId,
    input: RejectRegistration,
    now: DateTime<Utc>,
) -> AppResult<Registration> {
    let reason = input.reason.trim().to_owned();

    let row = store::registrations::get(conn, id)?;
    let (_, from, to) = decide(caller, &row, Action::Reject)?;
    if reason.is_empty() || reason.chars().count() > MAX_COMMENT {
        return Err(AppError::invalid(
            "reason",
            RuleViolation::new(
                "reason.required",
                format!(
                    "Give the applicant the reason for the rejection (at most {MAX_COMMENT} characters)."
                ),
            ),
        ));
    }
    let decision = Decision {
        reason: Some(reason.clone()),
        decided: true,
        ..Decision::default()
    };
    if !store::registrations::transition(conn, id, from, to, decision, now)? {
        return Err(state_changed());
    }
    store::registrations::release_account_name(conn, id)?;
    record(
        conn,
        &actor_of(caller, now),
        audit::Event::RegistrationRejected,
        id,
        to,
        Some(&reason),
    )?;
    tell(
        conn,
        row.email.as_deref(),
        &templates::rejected_to_applicant(&reason),
        now,
    )?;
    let row = store::registrations::get(conn, id)?;
    view(conn, services, row, caller)
}

/// Withdraws the applicant's own request; frees the account name.
pub fn withdraw(
    conn: &mut DbConnection,
    services: &Services,
    caller: &Caller,
    id: &RegistrationId,
    now: DateTime<Utc>,
) -> AppResult<Registration> {
    let row = store::registrations::get(conn, id)?;
    let (_, from, to) = decide(caller, &row, Action::Withdraw)?;
    if !store::registrations::transition(
        conn,
        id,
        from,
        to,
        Decision {
            decided: true,
            ..Decision::default()
        },
        now,
    )? {
        return Err(state_changed());
    }
    store::registrations::release_account_name(conn, id)?;
    record(
        conn,
        &actor_of(caller, now),
        audit::Event::RegistrationWithdrawn,
        id,
        to,
        None,
    )?;
    if from.is_pending_decision()
        && let Some(institution) = &row.institution_id
    {
        let mail = templates::withdrawn_to_ir(&applicant_name(&row));
        for address in notify_institution(conn, institution)? {
            outbox::enqueue(conn, &address, &mail.subject, &mail.body, now)?;
        }
    }
    let row = store::registrations::get(conn, id)?;
    view(conn, services, row, caller)
}
