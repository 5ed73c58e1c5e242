//! Invitations: an IR invites someone to register with their institution; the invitee gets
//! temporary credentials for the registration portal by mail (and the IR sees them once).

use actix_web::{HttpResponse, get, post, web};
use b2mms_shared::api::{CreatedInvitation, Invitation, NewInvitation, Page};
use b2mms_shared::rules::{ContactEmail, FieldErrors, PersonName, RuleViolation};
use b2mms_shared::{InstitutionStatus, InvitationStatus};
use chrono::Duration;
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::auth::random_secret;
use crate::domain::policy::Action;
use crate::error::{AppError, AppResult};
use crate::http::PageQuery;
use crate::mail::templates;
use crate::store::audit::{self, Change};
use crate::store::models::InvitationRow;
use crate::store::{self, new_id, outbox, to_db_time};

/// A temporary username: `inv-` and eight letters and digits.
fn temporary_username() -> String {
    let secret = random_secret().to_ascii_lowercase();
    let body: String = secret
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    format!("inv-{body}")
}

/// Invite someone to register with an institution (its IRs, admins).
///
/// The temporary credentials are mailed to the invitee and returned here once.
#[utoipa::path(
    tag = "invitations",
    request_body = NewInvitation,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Invited", body = CreatedInvitation),
        (status = 403, description = "Not an IR of this institution", body = b2mms_shared::api::Problem),
        (status = 409, description = "Institution inactive", body = b2mms_shared::api::Problem),
        (status = 422, description = "Invalid fields", body = b2mms_shared::api::Problem),
    )
)]
#[post("/invitations")]
pub async fn create(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<NewInvitation>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let institution_id = body.institution_id.to_string();
    principal.require(Action::Invite {
        institution_id: &institution_id,
    })?;
    let mut errors = FieldErrors::new();
    let email = errors.check(
        "email",
        ContactEmail::parse_institutional(&body.email, state.config.personal_domains()),
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

    let password = random_secret();
    let password_hash = state.hasher.hash(password.clone()).await?;
    let now = state.clock.now();
    let expires = now + Duration::days(state.config.invitation_days);
    let row = InvitationRow {
        id: new_id(),
        institution_id: institution_id.clone(),
        email: email.into_string(),
        category: body.category.map(|c| c.as_str().to_owned()),
        given_name,
        family_name,
        username: temporary_username(),
        password_hash,
        status: InvitationStatus::Pending.as_str().into(),
        created_by: principal.person_id.clone(),
        created_at: to_db_time(now),
        expires_at: to_db_time(expires),
        used_at: None,
        revoked_at: None,
    };
    let actor = principal.actor(now);
    let portal = state.config.public_url.trim_end_matches('/').to_owned();
    let mail_password = password.clone();
    let created = state
        .db
        .write(move |conn| {
            let institution =
                store::institutions::find_row(conn, &row.institution_id).map_err(|_| {
                    AppError::invalid(
                        "institution_id",
                        RuleViolation::new(
                            "institution.unknown",
                            "No institution with this id exists.",
                        ),
                    )
                })?;
            if institution.status != InstitutionStatus::Active.as_str() {
                return Err(AppError::conflict(
                    "institution_inactive",
                    "This institution is inactive; it cannot invite anyone.",
                ));
            }
            store::invitations::insert(conn, &row)?;
            let mail = templates::invitation(
                &institution.name,
                &row.username,
                &mail_password,
                expires,
                &portal,
            );
            outbox::enqueue(conn, &row.email, &mail.subject, &mail.body, now)?;
            let wire = store::invitations::to_wire(row.clone(), None, now)?;
            audit::record::<(), _>(
                conn,
                &actor,
                Change {
                    action: audit::Event::InvitationCreated,
                    subject_type: "invitation",
                    subject_id: &row.id,
                    before: None,
                    after: Some(&wire),
                },
            )?;
            Ok(wire)
        })
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/invitations/{}", created.id)))
        .json(CreatedInvitation {
            id: created.id,
            username: created.username,
            password,
            expires_at: created.expires_at,
            status: created.status,
            email: created.email,
            institution_id: created.institution_id,
        }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct InvitationQuery {
    pub status: Option<InvitationStatus>,
    pub institution_id: Option<Uuid>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Invitations of the caller's institutions (IRs) or of all (admins), newest first.
#[utoipa::path(
    tag = "invitations",
    params(InvitationQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of invitations", body = Page<Invitation>),
        (status = 403, description = "Neither IR nor admin", body = b2mms_shared::api::Problem),
    )
)]
#[get("/invitations")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<InvitationQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let (page, per_page, offset) = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .resolve()?;
    let admin = principal.subject.has(b2mms_shared::Role::Admin);
    let mut scope: Option<Vec<String>> = (!admin).then(|| principal.subject.represents.clone());
    if scope.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::forbidden(
            "Only institutional representatives and administrators see invitations.",
        ));
    }
    if let Some(wanted) = query.institution_id.map(|i| i.to_string()) {
        principal.require(Action::Invite {
            institution_id: &wanted,
        })?;
        scope = Some(vec![wanted]);
    }
    let now = state.clock.now();
    let (rows, total) = state
        .db
        .run(move |conn| {
            store::invitations::list(conn, scope.as_deref(), query.status, now, offset, per_page)
        })
        .await?;
    let items = rows
        .into_iter()
        .map(|(row, reg)| store::invitations::to_wire(row, reg, now))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page,
        per_page,
    }))
}

/// Revoke an invitation: its credentials stop working (its IRs, admins).
#[utoipa::path(
    tag = "invitations",
    params(("id" = Uuid, Path, description = "Invitation id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Revoked", body = Invitation),
        (status = 403, description = "Not an IR of its institution", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such invitation", body = b2mms_shared::api::Problem),
        (status = 409, description = "Already revoked or expired", body = b2mms_shared::api::Problem),
    )
)]
#[post("/invitations/{id}/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner().to_string();
    let now = state.clock.now();
    let actor = principal.actor(now);
    let invitation = state
        .db
        .write(move |conn| {
            let row = store::invitations::get(conn, &id)?;
            principal.require(Action::Invite {
                institution_id: &row.institution_id,
            })?;
            if store::invitations::effective_status(&row, now) == InvitationStatus::Expired
                || !store::invitations::revoke(conn, &id, now)?
            {
                return Err(AppError::conflict(
                    "invitation_not_revocable",
                    "This invitation has already expired or been revoked.",
                ));
            }
            let registration = store::invitations::registration_of(conn, &id)?;
            let wire = store::invitations::to_wire(
                store::invitations::get(conn, &id)?,
                registration,
                now,
            )?;
            audit::record_plain(
                conn,
                &actor,
                audit::Event::InvitationRevoked,
                "invitation",
                &id,
            )?;
            Ok(wire)
        })
        .await?;
    Ok(HttpResponse::Ok().json(invitation))
}
