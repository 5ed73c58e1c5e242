//! Changes of institution: asked for, listed, approved or rejected.

use actix_web::{HttpResponse, get, post, web};
use b2mms_shared::api::{NewTransfer, Page, Problem, RejectTransfer, Transfer};
use b2mms_shared::{PersonId, TransferId, TransferState};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::error::AppResult;
use crate::http::PageQuery;
use crate::http::body::Body;
use crate::ops::transfers;

/// Asks to move a person to another institution from a date: the person, or a representative
/// of the new institution. The new institution's representatives are told and decide.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = NewTransfer,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Asked for", body = Transfer),
        (status = 403, description = "Neither the person nor a representative of the new institution", body = Problem),
        (status = 404, description = "No such person", body = Problem),
        (status = 409, description = "Not an active membership, an inactive institution, or the same change waiting already", body = Problem),
        (status = 422, description = "A past date, an unknown institution or the current one", body = Problem),
    )
)]
#[post("/members/{id}/transfers")]
pub async fn request(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<NewTransfer>,
) -> AppResult<HttpResponse> {
    let person = PersonId::from(id.into_inner());
    let transfer =
        transfers::request(&state, &principal.subject, person, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(transfer))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TransferQuery {
    pub state: Option<TransferState>,
    /// Only this person's.
    pub person_id: Option<Uuid>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Changes of institution, the newest first: administrators see all, representatives those
/// to or from their institutions, everyone their own.
#[utoipa::path(
    tag = "members",
    params(TransferQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of changes of institution", body = Page<Transfer>),
        (status = 401, description = "Not signed in", body = Problem),
    )
)]
#[get("/transfers")]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    query: web::Query<TransferQuery>,
) -> AppResult<HttpResponse> {
    let query = query.into_inner();
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .resolve()?;
    let person = query.person_id.map(PersonId::from);
    let page = state
        .db
        .run(move |conn| {
            transfers::list(conn, &principal.subject, query.state, person.as_ref(), page)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Approves a change of institution: a representative of the new institution. Its date must
/// be today or later; due today, it is carried out at once, otherwise on its date.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Transfer id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved", body = Transfer),
        (status = 403, description = "Not a representative of the new institution", body = Problem),
        (status = 404, description = "No such transfer", body = Problem),
        (status = 409, description = "Decided already, another change approved already, or the membership ended", body = Problem),
        (status = 422, description = "Its date has passed", body = Problem),
    )
)]
#[post("/transfers/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = TransferId::from(id.into_inner());
    let transfer = transfers::approve(&state, &principal.subject, id).await?;
    Ok(HttpResponse::Ok().json(transfer))
}

/// Rejects a change of institution with a reason told to the person and whoever asked.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Transfer id")),
    request_body = RejectTransfer,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rejected", body = Transfer),
        (status = 403, description = "Not a representative of the new institution", body = Problem),
        (status = 404, description = "No such transfer", body = Problem),
        (status = 409, description = "Decided already", body = Problem),
        (status = 422, description = "No reason", body = Problem),
    )
)]
#[post("/transfers/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<RejectTransfer>,
) -> AppResult<HttpResponse> {
    let id = TransferId::from(id.into_inner());
    let transfer = transfers::reject(&state, &principal.subject, id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(transfer))
}
