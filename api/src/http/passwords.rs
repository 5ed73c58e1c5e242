//! The lost-password reset by a one-time link: asking for the link and setting the new
//! password with it.

use actix_web::{HttpResponse, post, web};
use b2mms_shared::api::{PasswordResetConfirm, PasswordResetRequest};

use crate::app::AppState;
use crate::error::AppResult;
use crate::http::body::Body;
use crate::ops::passwords;

/// Ask for a password-reset link by account name or contact email.
///
/// Always answers 202, whether or not such an account exists; the link (valid for one hour,
/// usable once) goes to the account's contact address.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses((status = 202, description = "If the account exists, a link is on its way"))
)]
#[post("/auth/password-reset")]
pub async fn request_reset(
    state: web::Data<AppState>,
    body: Body<PasswordResetRequest>,
) -> AppResult<HttpResponse> {
    passwords::request_reset(&state, &body.into_inner().account_or_email).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from a reset link. Ends every session of the account.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "Password set; sign in with it"),
        (status = 400, description = "The link is invalid, used or expired", body = b2mms_shared::api::Problem),
        (status = 422, description = "The new password breaks the policy", body = b2mms_shared::api::Problem),
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_reset(
    state: web::Data<AppState>,
    body: Body<PasswordResetConfirm>,
) -> AppResult<HttpResponse> {
    let PasswordResetConfirm {
        token,
        new_password,
    } = body.into_inner();
    passwords::confirm_reset(&state, &token, new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}
