//! The endpoints of decisions on registration requests; the decisions themselves are
//! `ops::decisions`.

use actix_web::{HttpResponse, post, web};
use b2mms_shared::RegistrationId;
use b2mms_shared::api::{ApproveRegistration, Registration, RejectRegistration, RetryProvisioning};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::registration::Action;
use crate::error::AppResult;
use crate::http::body::{Body, OptionalBody};
use crate::http::extract::Caller;
use crate::ops::decisions;
use crate::services::Services;
use crate::store::DbConnection;

/// Runs a decision in one write transaction, wakes the jobs (mail, provisioning) and
/// answers with the request as it now stands.
async fn decide<F>(state: &AppState, decision: F) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConnection, &Services, DateTime<Utc>) -> AppResult<Registration>
        + Send
        + 'static,
{
    let now = state.clock.now();
    let services = state.services.clone();
    let registration = state
        .db
        .write(move |conn| decision(conn, &services, now))
        .await?;
    state.jobs.nudge();
    Ok(HttpResponse::Ok().json(registration))
}

/// Approve a request: by an IR of its home institution (→ `approved`, or `awaiting_ib` for a
/// permanent physicist), by the IB chair (`awaiting_ib → approved`), or by an admin.
///
/// With `link_person_id` the approval reactivates that existing person instead of creating a
/// second record.
#[utoipa::path(
    tag = "registrations",
    params(("id" = Uuid, Path, description = "Registration request id")),
    request_body = ApproveRegistration,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved (or passed on to the IB)", body = Registration),
        (status = 403, description = "Not allowed to decide this request", body = b2mms_shared::api::Problem),
        (status = 409, description = "Not awaiting this decision (already decided)", body = b2mms_shared::api::Problem),
        (status = 422, description = "Unknown person to link", body = b2mms_shared::api::Problem),
    )
)]
#[post("/registrations/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: OptionalBody<ApproveRegistration>,
) -> AppResult<HttpResponse> {
    let input = body.into_result();
    let id = RegistrationId::from(id.into_inner());
    decide(&state, move |conn, services, now| {
        // Who may decide comes before what is wrong with the body.
        let input = input.or_else(|shape| {
            decisions::check_right(conn, &caller, &id, Action::Approve)?;
            Err(shape)
        })?;
        decisions::approve(conn, services, &caller, &id, input, now)
    })
    .await
}

/// Send a request whose account could not be created back to provisioning (admins), after
/// the cause was removed, or linked to the existing person it turned out to be.
#[utoipa::path(
    tag = "registrations",
    params(("id" = Uuid, Path, description = "Registration request id")),
    request_body = RetryProvisioning,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Approved again; provisioning is due at once", body = Registration),
        (status = 403, description = "Only administrators retry provisioning", body = b2mms_shared::api::Problem),
        (status = 409, description = "Provisioning of this request has not failed", body = b2mms_shared::api::Problem),
        (status = 422, description = "Unknown person to link", body = b2mms_shared::api::Problem),
    )
)]
#[post("/registrations/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: OptionalBody<RetryProvisioning>,
) -> AppResult<HttpResponse> {
    let input = body.into_result();
    let id = RegistrationId::from(id.into_inner());
    decide(&state, move |conn, services, now| {
        // Who may decide comes before what is wrong with the body.
        let input = input.or_else(|shape| {
            decisions::check_right(conn, &caller, &id, Action::RetryProvisioning)?;
            Err(shape)
        })?;
        decisions::retry(conn, services, &caller, &id, input, now)
    })
    .await
}

/// Reject a request, with the reason the applicant is told (IR of its home, IB chair for
/// requests awaiting the IB, admins). The reserved account name is freed.
#[utoipa::path(
    tag = "registrations",
    params(("id" = Uuid, Path, description = "Registration request id")),
    request_body = RejectRegistration,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Rejected", body = Registration),
        (status = 403, description = "Not allowed to decide this request", body = b2mms_shared::api::Problem),
        (status = 409, description = "Already decided", body = b2mms_shared::api::Problem),
        (status = 422, description = "No reason given", body = b2mms_shared::api::Problem),
    )
)]
#[post("/registrations/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: Body<RejectRegistration>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let id = RegistrationId::from(id.into_inner());
    decide(&state, move |conn, services, now| {
        decisions::reject(conn, services, &caller, &id, input, now)
    })
    .await
}

/// Withdraw one's own request (the applicant). The reserved account name is freed.
#[utoipa::path(
    tag = "registrations",
    params(("id" = Uuid, Path, description = "Registration request id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Withdrawn", body = Registration),
        (status = 403, description = "Not the applicant", body = b2mms_shared::api::Problem),
        (status = 409, description = "Already decided", body = b2mms_shared::api::Problem),
    )
)]
#[post("/registrations/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = RegistrationId::from(id.into_inner());
    decide(&state, move |conn, services, now| {
        decisions::withdraw(conn, services, &caller, &id, now)
    })
    .await
}
