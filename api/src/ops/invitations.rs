//! Invitations: a representative invites someone to register with their institution; the
//! invitee gets temporary credentials for the registration portal by mail.

use b2mms_shared::api::{Invitation, NewInvitation};
use b2mms_shared::links;
use b2mms_shared::rules::{ContactEmail, FieldErrors, PersonName, RuleViolation};
use b2mms_shared::{Category, InstitutionId, InvitationId, InvitationStatus};
use chrono::{DateTime, Duration, Utc};

use crate::auth::random_secret;
use crate::domain::policy::{RepresentativeOf, Subject};
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::services::Services;
use crate::store::audit::{self, Actor, Change};
use crate::store::models::InvitationRow;
use crate::store::{self, DbConnection, new_id, outbox, to_db_time};

/// An invitation checked against the rules, before its credentials exist.
#[derive(Debug)]
pub struct Draft {
    email: String,
    given_name: Option<String>,
    family_name: Option<String>,
    category: Option<Category>,
}

/// The temporary credentials of a new invitation: shown once, stored only as a hash.
#[derive(Debug)]
pub struct Credentials {
    pub username: String,
    pub password: String,
    pub password_hash: String,
}

/// A temporary username: `inv-` and eight letters and digits.
pub fn temporary_username() -> String {
    let secret = random_secret().to_ascii_lowercase();
    let body: String = secret
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    format!("inv-{body}")
}

/// Checks the invitation's fields: an institutional address, names in Latin letters.
pub fn check(services: &Services, body: &NewInvitation) -> AppResult<Draft> {
    let mut errors = FieldErrors::new();
    let email = errors.check(
        "email",
        ContactEmail::parse_institutional(&body.email, services.config.personal_domains()),
    );
    let mut optional_name =
        |field: &str, raw: Option<&str>| match raw.map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => errors
                .check(field, PersonName::parse(text))
                .map(PersonName::into_string),
            None => None,
        };
    let given_name = optional_name("given_name", body.given_name.as_deref());
    let family_name = optional_name("family_name", body.family_name.as_deref());
    let Some(email) = email else {
        return Err(errors.into());
    };
    errors.into_result()?;
    Ok(Draft {
        email: email.into_string(),
        given_name,
        family_name,
        category: body.category,
    })
}

/// Stores the invitation of the proof's institution and mails the credentials.
pub fn create(
    conn: &mut DbConnection,
    services: &Services,
    representative: &RepresentativeOf,
    draft: Draft,
    credentials: &Credentials,
    now: DateTime<Utc>,
) -> AppResult<Invitation> {
    let expires = now + Duration::days(services.config.invitation_days);
    let institution =
        store::institutions::find_row(conn, representative.institution()).map_err(|_| {
            AppError::invalid(
                "institution_id",
                RuleViolation::new("institution.unknown", "No institution with this id exists."),
            )
        })?;
    if institution.status != b2mms_shared::InstitutionStatus::Active {
        return Err(AppError::conflict(
            "institution_inactive",
            "This institution is inactive; it cannot invite anyone.",
        ));
    }
    let row = InvitationRow {
        id: new_id(),
        institution_id: representative.institution().clone(),
        email: draft.email,
        category: draft.category,
        given_name: draft.given_name,
        family_name: draft.family_name,
        username: credentials.username.clone(),
        password_hash: credentials.password_hash.clone(),
        status: InvitationStatus::Pending,
        created_by: representative.acting().person_id.clone(),
        created_at: to_db_time(now),
        expires_at: to_db_time(expires),
        used_at: None,
        revoked_at: None,
    };
    store::invitations::insert(conn, &row)?;
    let portal = links::absolute(&services.config.public_url, links::REGISTER_WITH_INVITATION);
    let mail = templates::invitation(
        &institution.name,
        &row.username,
        &credentials.password,
        expires,
        &portal,
    );
    outbox::enqueue(conn, &row.email, &mail.subject, &mail.body, now)?;
    let id = row.id.clone();
    let wire = store::invitations::to_wire(row, None, now);
    audit::record::<(), _>(
        conn,
        &Actor::acting(representative.acting(), now),
        Change {
            action: audit::Event::InvitationCreated,
            subject: audit::Subject::Invitation(&id),
            before: None,
            after: Some(&wire),
        },
    )?;
    Ok(wire)
}

/// A page of the invitations the caller may see (their institutions', or all for admins),
/// optionally of one institution, newest first.
#[allow(clippy::too_many_arguments)]
pub fn list(
    conn: &mut DbConnection,
    caller: &Subject,
    institution: Option<InstitutionId>,
    status: Option<InvitationStatus>,
    now: DateTime<Utc>,
    offset: i64,
    limit: i64,
) -> AppResult<(Vec<Invitation>, i64)> {
    let in_view = caller.institutions_in_view()?;
    let scope: Option<Vec<InstitutionId>> = match institution {
        Some(wanted) => Some(vec![
            caller.representative_of(&wanted)?.institution().clone(),
        ]),
        None => in_view.map(<[InstitutionId]>::to_vec),
    };
    let (rows, total) =
        store::invitations::list(conn, scope.as_deref(), status, now, offset, limit)?;
    let items = rows
        .into_iter()
        .map(|(row, reg)| store::invitations::to_wire(row, reg, now))
        .collect();
    Ok((items, total))
}

/// Revokes an invitation of an institution the caller acts for: its credentials stop working.
pub fn revoke(
    conn: &mut DbConnection,
    caller: &Subject,
    id: &InvitationId,
    now: DateTime<Utc>,
) -> AppResult<Invitation> {
    let row = store::invitations::get(conn, id)?;
    let representative = caller.representative_of(&row.institution_id)?;
    if store::invitations::effective_status(&row, now) == InvitationStatus::Expired
        || !store::invitations::revoke(conn, id, now)?
    {
        return Err(AppError::conflict(
            "invitation_not_revocable",
            "This invitation has already expired or been revoked.",
        ));
    }
    let registration = store::invitations::registration_of(conn, id)?;
    let wire = store::invitations::to_wire(store::invitations::get(conn, id)?, registration, now);
    audit::record_plain(
        conn,
        &Actor::acting(representative.acting(), now),
        audit::Event::InvitationRevoked,
        audit::Subject::Invitation(id),
    )?;
    Ok(wire)
}
