//! Service tokens for collaboration tools (admin): named, scoped, shown once, stored hashed,
//! with expiry, last use and revocation.

use actix_web::{HttpResponse, delete, get, post, web};
use b2mms_shared::api::{CreatedServiceToken, NewServiceToken, ServiceToken};
use b2mms_shared::rules::{FieldErrors, RuleViolation, required_text};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{random_secret, secret_hash};
use crate::error::AppResult;
use crate::http::extract::{Admin, SERVICE_TOKEN_PREFIX};
use crate::store::audit::{self, Change};
use crate::store::{self, new_text_id};

/// Issue a service token (admin). The token is in this answer only.
#[utoipa::path(
    tag = "service-tokens",
    request_body = NewServiceToken,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Issued", body = CreatedServiceToken),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 422, description = "Invalid fields", body = b2mms_shared::api::Problem),
    )
)]
#[post("/service-tokens")]
pub async fn create(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    body: web::Json<NewServiceToken>,
) -> AppResult<HttpResponse> {
    let body = body.into_inner();
    let now = state.clock.now();
    let mut errors = FieldErrors::new();
    let name = errors.check("name", required_text(&body.name, 100, "name"));
    if body.scopes.is_empty() {
        errors.add(
            "scopes",
            RuleViolation::new(
                "scopes.required",
                "Give the token at least one scope, e.g. `members:read`.",
            ),
        );
    }
    if body.expires_at.is_some_and(|e| e <= now) {
        errors.add(
            "expires_at",
            RuleViolation::new("expires_at.past", "The expiry must lie in the future."),
        );
    }
    let Some(name) = name else {
        return Err(errors.into());
    };
    errors.into_result()?;
    let mut scopes = body.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let token = format!("{SERVICE_TOKEN_PREFIX}{}", random_secret());
    let hash = secret_hash(&token);
    let id = new_text_id();
    let actor = audit::Actor::acting(admin.acting(), now);
    let (row_id, row_name, row_scopes, expires) =
        (id.clone(), name.clone(), scopes.clone(), body.expires_at);
    state
        .db
        .write(move |conn| {
            store::service_tokens::insert(conn, &row_id, &row_name, &hash, &row_scopes, admin.acting().person_id.as_str(), now, expires)?;
            audit::record::<(), _>(
                conn,
                &actor,
                Change {
                    action: audit::Event::ServiceTokenCreated,
                    subject_type: "service_token",
                    subject_id: &row_id,
                    before: None,
                    after: Some(&serde_json::json!({ "name": row_name, "scopes": row_scopes, "expires_at": expires })),
                },
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedServiceToken {
        id: store::parse_uuid(&id)?,
        token,
        name,
        scopes,
        expires_at: body.expires_at,
    }))
}

/// Every service token (admin), without the secrets.
#[utoipa::path(
    tag = "service-tokens",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tokens", body = Vec<ServiceToken>),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
    )
)]
#[get("/service-tokens")]
pub async fn list(state: web::Data<AppState>, _admin: Admin) -> AppResult<HttpResponse> {
    let tokens = state.db.run(store::service_tokens::list).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Revoke a service token (admin); it stops working at once.
#[utoipa::path(
    tag = "service-tokens",
    params(("id" = Uuid, Path, description = "Service token id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "Not an admin", body = b2mms_shared::api::Problem),
        (status = 404, description = "No such active token", body = b2mms_shared::api::Problem),
    )
)]
#[delete("/service-tokens/{id}")]
pub async fn revoke(
    state: web::Data<AppState>,
    Admin(admin): Admin,
    id: web::Path<Uuid>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner().to_string();
    let now = state.clock.now();
    let actor = audit::Actor::acting(admin.acting(), now);
    state
        .db
        .write(move |conn| {
            store::service_tokens::revoke(conn, &id, now)?;
            audit::record_plain(
                conn,
                &actor,
                audit::Event::ServiceTokenRevoked,
                "service_token",
                &id,
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
