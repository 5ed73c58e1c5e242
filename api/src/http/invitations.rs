//! Invitations: an IR invites someone to register with their institution; the invitee gets
//! temporary credentials for the registration portal by mail (and the IR sees them once).

use actix_web::{HttpResponse, get, post, web};
use b2mms_shared::api::{CreatedInvitation, Invitation, NewInvitation, Page};
use b2mms_shared::{InstitutionId, InvitationId, InvitationStatus};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::auth::random_secret;
use crate::error::AppResult;
use crate::http::PageQuery;
use crate::http::body::Body;
use crate::ops::invitations;

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
    body: Body<NewInvitation>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let representative = principal
        .subject
        .representative_of(&InstitutionId::from(body.institution_id))?;
    let draft = invitations::check(&state, &body)?;
    let password = random_secret();
    let credentials = invitations::Credentials {
        username: invitations::temporary_username(),
        password_hash: state.hasher.hash(password.clone()).await?,
        password,
    };
    let now = state.clock.now();
    let services = state.services.clone();
    let (created, credentials) = state
        .db
        .write(move |conn| {
            let created =
                invitations::create(conn, &services, &representative, draft, &credentials, now)?;
            Ok((created, credentials))
        })
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/invitations/{}", created.id)))
        .json(CreatedInvitation {
            id: created.id,
            username: created.username,
            password: credentials.password,
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
    let now = state.clock.now();
    let institution = query.institution_id.map(InstitutionId::from);
    let (items, total) = state
        .db
        .run(move |conn| {
            invitations::list(
                conn,
                &principal.subject,
                institution,
                query.status,
                now,
                offset,
                per_page,
            )
        })
        .await?;
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
    let id = InvitationId::from(id.into_inner());
    let now = state.clock.now();
    let invitation = state
        .db
        .write(move |conn| invitations::revoke(conn, &principal.subject, &id, now))
        .await?;
    Ok(HttpResponse::Ok().json(invitation))
}
