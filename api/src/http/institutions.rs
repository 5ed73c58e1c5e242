//! Institutions and their representatives.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use b2mms_shared::InstitutionStatus;
use b2mms_shared::api::{
    Institution, InstitutionPatch, NewInstitution, Page, RepresentativeRequest,
};
use b2mms_shared::rules::{self, FieldErrors, RuleViolation};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::PageQuery;
use crate::http::extract::Admin;
use crate::store::audit::{self, Change};
use crate::store::models::InstitutionRow;
use crate::store::{self, new_id, to_db_time};

/// Checks optional identifiers: empty text means none.
fn optional(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    parse: fn(&str) -> Result<String, RuleViolation>,
) -> Option<String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => errors.check(field, parse(text)),
        None => None,
    }
}

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
    let id = id.into_inner().to_string();
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
    body: web::Json<NewInstitution>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = FieldErrors::new();
    let name = errors.check("name", rules::required_text(&body.name, 200, "name"));
    let short_name = errors.check(
        "short_name",
        rules::required_text(&body.short_name, 32, "short name"),
    );
    let city = errors.check("city", rules::required_text(&body.city, 100, "city"));
    let country = errors.check("country", rules::country_code(&body.country));
    let ror_id = optional(&mut errors, "ror_id", body.ror_id.as_deref(), rules::ror_id);
    let inspire_id = optional(
        &mut errors,
        "inspire_id",
        body.inspire_id.as_deref(),
        rules::inspire_id,
    );
    let (Some(name), Some(short_name), Some(city), Some(country)) =
        (name, short_name, city, country)
    else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let now = state.clock.now();
    let row = InstitutionRow {
        id: new_id(),
        name,
        short_name,
        city,
        country,
        ror_id,
        inspire_id,
        status: InstitutionStatus::Active.as_str().into(),
        created_at: to_db_time(now),
        updated_at: to_db_time(now),
    };
    let actor = admin.actor(now);
    let institution = state
        .db
        .write(move |conn| {
            store::institutions::insert(conn, &row)?;
            let created = store::institutions::get(conn, &row.id)?;
            audit::record::<(), _>(
                conn,
                &actor,
                Change {
                    action: audit::Event::InstitutionCreated,
                    subject_type: "institution",
                    subject_id: &row.id,
                    before: None,
                    after: Some(&created),
                },
            )?;
            Ok(created)
        })
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
    body: web::Json<InstitutionPatch>,
) -> AppResult<HttpResponse> {
    let patch = body.into_inner();
    let mut errors = FieldErrors::new();
    let name = patch
        .name
        .as_deref()
        .and_then(|v| errors.check("name", rules::required_text(v, 200, "name")));
    let short_name = patch
        .short_name
        .as_deref()
        .and_then(|v| errors.check("short_name", rules::required_text(v, 32, "short name")));
    let city = patch
        .city
        .as_deref()
        .and_then(|v| errors.check("city", rules::required_text(v, 100, "city")));
    let country = patch
        .country
        .as_deref()
        .and_then(|v| errors.check("country", rules::country_code(v)));
    let ror_id = patch
        .ror_id
        .as_ref()
        .map(|v| optional(&mut errors, "ror_id", v.as_deref(), rules::ror_id));
    let inspire_id = patch
        .inspire_id
        .as_ref()
        .map(|v| optional(&mut errors, "inspire_id", v.as_deref(), rules::inspire_id));
    errors.into_result()?;
    let now = state.clock.now();
    let actor = admin.actor(now);
    let id = id.into_inner().to_string();
    let institution = state
        .db
        .write(move |conn| {
            let before = store::institutions::get(conn, &id)?;
            let mut row = store::institutions::find_row(conn, &id)?;
            if let Some(v) = name {
                row.name = v;
            }
            if let Some(v) = short_name {
                row.short_name = v;
            }
            if let Some(v) = city {
                row.city = v;
            }
            if let Some(v) = country {
                row.country = v;
            }
            if let Some(v) = ror_id {
                row.ror_id = v;
            }
            if let Some(v) = inspire_id {
                row.inspire_id = v;
            }
            if let Some(v) = patch.status {
                row.status = v.as_str().into();
            }
            row.updated_at = to_db_time(now);
            store::institutions::update(conn, &row)?;
            let after = store::institutions::get(conn, &id)?;
            audit::record(
                conn,
                &actor,
                Change {
                    action: audit::Event::InstitutionUpdated,
                    subject_type: "institution",
                    subject_id: &id,
                    before: Some(&before),
                    after: Some(&after),
                },
            )?;
            Ok(after)
        })
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
    body: web::Json<RepresentativeRequest>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner().to_string();
    let person_id = body.person_id.to_string();
    let now = state.clock.now();
    let actor = admin.actor(now);
    let institution = state
        .db
        .write(move |conn| {
            store::institutions::find_row(conn, &id)?;
            if !store::persons::exists(conn, &person_id)? {
                return Err(AppError::invalid(
                    "person_id",
                    RuleViolation::new("person.unknown", "No person with this id exists."),
                ));
            }
            if store::institutions::add_representative(conn, &id, &person_id, now)? {
                audit::record(
                    conn,
                    &actor,
                    Change::<(), _> {
                        action: audit::Event::InstitutionRepresentativeAdded,
                        subject_type: "institution",
                        subject_id: &id,
                        before: None,
                        after: Some(&serde_json::json!({ "person_id": person_id })),
                    },
                )?;
                audit::record_plain(
                    conn,
                    &actor,
                    audit::Event::PersonBecameRepresentative,
                    "person",
                    &person_id,
                )?;
            }
            store::institutions::get(conn, &id)
        })
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
    let (id, person_id) = (id.to_string(), person_id.to_string());
    let now = state.clock.now();
    let actor = admin.actor(now);
    state
        .db
        .write(move |conn| {
            if !store::institutions::remove_representative(conn, &id, &person_id)? {
                return Err(AppError::NotFound {
                    what: "representative of this institution",
                });
            }
            audit::record(
                conn,
                &actor,
                Change::<_, ()> {
                    action: audit::Event::InstitutionRepresentativeRemoved,
                    subject_type: "institution",
                    subject_id: &id,
                    before: Some(&serde_json::json!({ "person_id": person_id })),
                    after: None,
                },
            )?;
            audit::record_plain(
                conn,
                &actor,
                audit::Event::PersonCeasedRepresentative,
                "person",
                &person_id,
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
