//! A membership after registration: affiliations and periods, leaving and reactivation.

use actix_web::{HttpResponse, delete, get, post, web};
use b2mms_shared::api::{
    Affiliation, Leaving, Member, MembershipRules, NewAffiliation, Problem, Reactivation,
};
use b2mms_shared::{AffiliationId, PersonId};
use chrono::NaiveDate;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::error::AppResult;
use crate::http::body::Body;
use crate::http::extract::Reader;
use crate::ops::membership;

/// The collaboration's settings a client states before an action: the grace period of an
/// account after its membership ends, how long a password lasts, when reminders go out.
#[utoipa::path(
    tag = "members",
    responses((status = 200, description = "The settings", body = MembershipRules))
)]
#[get("/membership-rules")]
pub async fn rules(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(membership::rules(&state.config))
}

/// Every membership period and additional affiliation of a person, the oldest first: the
/// person, the representatives of their institution, administrators and tools with
/// `members:read`.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The affiliations", body = Vec<Affiliation>),
        (status = 403, description = "Not yours to see", body = Problem),
        (status = 404, description = "No such person", body = Problem),
    )
)]
#[get("/members/{id}/affiliations")]
pub async fn list(
    state: web::Data<AppState>,
    reader: Reader,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = PersonId::from(id.into_inner());
    let affiliations = state
        .db
        .run(move |conn| {
            let reader = reader.of_records();
            membership::affiliations(conn, reader, &id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(affiliations))
}

/// Adds an institution the person is also at ("also at" in author lists): a representative
/// of that institution or an administrator.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = NewAffiliation,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = Affiliation),
        (status = 403, description = "Not a representative of that institution", body = Problem),
        (status = 404, description = "No such person or institution", body = Problem),
        (status = 409, description = "Already affiliated in that period, or the institution is inactive", body = Problem),
        (status = 422, description = "The home institution, or an end before the start", body = Problem),
    )
)]
#[post("/members/{id}/affiliations")]
pub async fn add(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<NewAffiliation>,
) -> AppResult<HttpResponse> {
    let id = PersonId::from(id.into_inner());
    let body = body.into_inner();
    let now = state.clock.now();
    let added = state
        .db
        .write(move |conn| membership::add_affiliation(conn, &principal.subject, &id, body, now))
        .await?;
    Ok(HttpResponse::Created().json(added))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EndQuery {
    /// The day the affiliation ends; today when left out.
    pub end_date: Option<NaiveDate>,
}

/// Ends an additional affiliation on a day (the record keeps it): a representative of that
/// institution or of the person's home, or an administrator.
#[utoipa::path(
    tag = "members",
    params(
        ("id" = Uuid, Path, description = "Person id"),
        ("affiliation_id" = Uuid, Path, description = "Affiliation id"),
        EndQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Ended"),
        (status = 403, description = "Not a representative of either institution", body = Problem),
        (status = 404, description = "No such person or affiliation", body = Problem),
        (status = 409, description = "A membership period, or ended already", body = Problem),
        (status = 422, description = "An end before the start", body = Problem),
    )
)]
#[delete("/members/{id}/affiliations/{affiliation_id}")]
pub async fn end(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<EndQuery>,
) -> AppResult<HttpResponse> {
    let (id, affiliation) = path.into_inner();
    let (id, affiliation) = (PersonId::from(id), AffiliationId::from(affiliation));
    let date = query.into_inner().end_date;
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            membership::end_affiliation(conn, &principal.subject, &id, &affiliation, date, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Records that the person leaves the collaboration on a day: the representatives of their
/// institution and administrators, or the person announcing it. From that day the record is
/// `left`; the account closes after the grace period. Only administrators name a past day.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = Leaving,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Recorded", body = Member),
        (status = 403, description = "Not the person, their representative or an administrator", body = Problem),
        (status = 404, description = "No such person", body = Problem),
        (status = 409, description = "Not an active membership, or the last administrator", body = Problem),
        (status = 422, description = "A past day, or a reason too long", body = Problem),
    )
)]
#[post("/members/{id}/leave")]
pub async fn leave(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<Leaving>,
) -> AppResult<HttpResponse> {
    let id = PersonId::from(id.into_inner());
    let member = membership::leave(&state, &principal.subject, id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(member))
}

/// Makes an expired or departed person a member again — no new registration: a new
/// membership period from today at the institution named (a representative of it, or an
/// administrator), the same account open again.
#[utoipa::path(
    tag = "members",
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = Reactivation,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Active again", body = Member),
        (status = 403, description = "Not a representative of that institution", body = Problem),
        (status = 404, description = "No such person", body = Problem),
        (status = 409, description = "Already active, or the institution is inactive", body = Problem),
        (status = 422, description = "An unknown institution or an end in the past", body = Problem),
    )
)]
#[post("/members/{id}/reactivate")]
pub async fn reactivate(
    state: web::Data<AppState>,
    principal: Principal,
    id: web::Path<Uuid>,
    body: Body<Reactivation>,
) -> AppResult<HttpResponse> {
    let id = PersonId::from(id.into_inner());
    let member = membership::reactivate(&state, &principal.subject, id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(member))
}

/// A person whose membership has ended asks the representatives of their last institution
/// to reactivate it; at most once a day.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "The representatives are told"),
        (status = 409, description = "The membership is active", body = Problem),
        (status = 429, description = "Asked already today", body = Problem),
    )
)]
#[post("/me/reactivation")]
pub async fn ask_reactivation(
    state: web::Data<AppState>,
    principal: Principal,
) -> AppResult<HttpResponse> {
    membership::ask_reactivation(&state, &principal.subject.member()).await?;
    Ok(HttpResponse::Accepted().finish())
}
