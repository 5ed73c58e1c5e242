//! A person's own new contact address: asked for while signed in, confirmed from the link
//! mailed to the new address.

use actix_web::{HttpResponse, post, web};
use b2mms_shared::api::{EmailChangeConfirm, EmailChangeRequest};

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::error::AppResult;
use crate::http::body::Body;
use crate::ops::email_changes;

/// Ask to change my contact address: a confirmation link goes to the new address.
///
/// Nothing changes until the link is followed (within a day; only the newest link works; at
/// most one link every five minutes). The address must be institutional, like at registration,
/// and nobody else's.
#[utoipa::path(
    tag = "members",
    request_body = EmailChangeRequest,
    security(("bearer" = [])),
    responses(
        (status = 202, description = "The confirmation link is on its way to the new address"),
        (status = 409, description = "Another person has this address", body = b2mms_shared::api::Problem),
        (status = 422, description = "Not an institutional address, or the current one", body = b2mms_shared::api::Problem),
        (status = 429, description = "A link was mailed less than five minutes ago; see `Retry-After`", body = b2mms_shared::api::Problem),
    )
)]
#[post("/me/email")]
pub async fn request(
    state: web::Data<AppState>,
    principal: Principal,
    body: Body<EmailChangeRequest>,
) -> AppResult<HttpResponse> {
    let member = principal.subject.member();
    email_changes::request(&state, &member, &body.into_inner().email).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Confirm a new contact address with the token of the mailed link (no sign-in needed).
///
/// The old address is told of the change.
#[utoipa::path(
    tag = "members",
    request_body = EmailChangeConfirm,
    responses(
        (status = 204, description = "The new address is the contact address now"),
        (status = 400, description = "The link is invalid, used, replaced or expired", body = b2mms_shared::api::Problem),
        (status = 409, description = "Another person took the address meanwhile", body = b2mms_shared::api::Problem),
    )
)]
#[post("/auth/email/confirm")]
pub async fn confirm(
    state: web::Data<AppState>,
    body: Body<EmailChangeConfirm>,
) -> AppResult<HttpResponse> {
    email_changes::confirm(&state, &body.into_inner().token).await?;
    Ok(HttpResponse::NoContent().finish())
}
