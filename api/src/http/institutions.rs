//! Institutions and their representatives.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use b2mms_shared::api::{
    Institution, InstitutionPatch, NewInstitution, Page, RepresentativeRequest,
};
use b2mms_shared::{InstitutionId, PersonId};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::PageQuery;
use crate::http::body::Body;
use crate::http::extract::Admin;
use crate::ops::institutions;
use crate::store;

/// All institutions (public), ordered by short name.
#[utoipa::path(
    tag = "institutions",
    params(PageQuery),
    responses((status = 200, description = "A page of institutions", body = Page<Institution>))
)]
#[get("/institutions")]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total) = state
        .db
        .run(move |conn| store::institutions::list(conn, offset, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        total,
        page,
        per_page,
    }))
}

/// One institution with its representatives (public).
#[utoipa::path(
    tag = "institutions",
    params(("id" = Uuid, Path, description = "Institution id")),
    responses(
        (status = 200, description = "The institution", body = Institution),
        (status = 404, description = "No such institution", body = b2mms_shared::api::Problem),
    )
)]
#[get("/institutions/{id}")]
pub async fn get_one(state: web::Data<AppState>, id: web::Path<Uuid>) -> AppResult<HttpResponse> {
    let id = InstitutionId::from(id.into_inner());
    let institution = state
        .db
        .run(move |conn| store::institutions::get(conn, &id))
        .await?;
    Ok(HttpResponse::Ok().json(institution))
}

/// Create an institution (admin).
#[utoipa::path(
    tag = "institutions",
    request_body = NewInstitution,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = Institution),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 409, description = "Name or short name taken", body = b2mms_shared::api::Problem),
        (status = 422, description = "Invalid fields", body = b2mms_shared::api::Problem),
    )
)]
#[post("/institutions")]
pub async fn create(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    body: Body<NewInstitution>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let now = state.clock.now();
    let institution = state
        .db
        .write(move |conn| institutions::create(conn, &admin, body, now))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("/api/v1/institutions/{}", institution.id),
        ))
        .json(institution))
}

/// Change an institution (admin). Only fields present change.
#[utoipa::path(
    tag = "institutions",
    params(("id" = Uuid, Path, description = "Institution id")),
    request_body = InstitutionPatch,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = Institution),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such institution", body = b2mms_shared::api::Problem),
        (status = 409, description = "Name or short name taken", body = b2mms_shared::api::Problem),
        (status = 422, description = "Invalid fields", body = b2mms_shared::api::Problem),
    )
)]
#[patch("/institutions/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    id: web::Path<Uuid>,
    body: Body<InstitutionPatch>,
) -> AppResult<HttpResponse> {
    let patch = body.into_inner();
    let id = InstitutionId::from(id.into_inner());
    let now = state.clock.now();
    let institution = state
        .db
        .write(move |conn| institutions::update(conn, &admin, &id, patch, now))
        .await?;
    Ok(HttpResponse::Ok().json(institution))
}

/// Make a person an institutional representative (IR) of this institution (admin).
#[utoipa::path(
    tag = "institutions",
    params(("id" = Uuid, Path, description = "Institution id")),
    request_body = RepresentativeRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The institution with its representatives", body = Institution),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such institution", body = b2mms_shared::api::Problem),
        (status = 422, description = "No such person", body = b2mms_shared::api::Problem),
    )
)]
#[post("/institutions/{id}/representatives")]
pub async fn add_representative(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    id: web::Path<Uuid>,
    body: Body<RepresentativeRequest>,
) -> AppResult<HttpResponse> {
    let id = InstitutionId::from(id.into_inner());
    let person_id = PersonId::from(body.person_id);
    let now = state.clock.now();
    let institution = state
        .db
        .write(move |conn| institutions::add_representative(conn, &admin, &id, &person_id, now))
        .await?;
    Ok(HttpResponse::Ok().json(institution))
}

/// End a person's representation of this institution (admin).
#[utoipa::path(
    tag = "institutions",
    params(
        ("id" = Uuid, Path, description = "Institution id"),
        ("person_id" = Uuid, Path, description = "The representative"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "No longer a representative"),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 404, description = "Not a representative of this institution", body = b2mms_shared::api::Problem),
    )
)]
#[delete("/institutions/{id}/representatives/{person_id}")]
pub async fn remove_representative(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    path: web::Path<(Uuid, Uuid)>,
) -> AppResult<HttpResponse> {
    let (id, person_id) = path.into_inner();
    let (id, person_id) = (InstitutionId::from(id), PersonId::from(person_id));
    let now = state.clock.now();
    state
        .db
        .write(move |conn| institutions::remove_representative(conn, &admin, &id, &person_id, now))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
