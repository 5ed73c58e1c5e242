//! Service tokens for collaboration tools over HTTP (admin): issue, list, revoke.

use actix_web::{HttpResponse, delete, get, post, web};
use b2mms_shared::api::{CreatedServiceToken, NewServiceToken, ServiceToken};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::body::Body;
use crate::http::extract::Admin;
use crate::ops::service_tokens;

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
    body: Body<NewServiceToken>,
) -> AppResult<HttpResponse> {
    let created = service_tokens::issue(&state, &admin, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
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
pub async fn list(state: web::Data<AppState>, Admin(admin): Admin) -> AppResult<HttpResponse> {
    let tokens = service_tokens::list(&state, &admin).await?;
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
    service_tokens::revoke(&state, &admin, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
