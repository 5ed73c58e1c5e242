//! Sessions: sign in, refresh, sign out, change password, and the public signing keys.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use b2mms_shared::api::{ChangePasswordRequest, LoginRequest, TokenResponse};

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::body::Body;
use crate::http::extract::PasswordChanger;
use crate::ops::{passwords, sessions};

pub const REFRESH_COOKIE: &str = "b2mms_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

fn refresh_cookie(state: &AppState, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.public_url_is_https())
        .max_age(CookieDuration::seconds(max_age_secs))
        .finish()
}

fn clear_cookie(state: &AppState) -> Cookie<'static> {
    refresh_cookie(state, String::new(), 0)
}

/// Sign in with account name and password.
///
/// Answers with a short-lived access token and sets the refresh token as an HttpOnly cookie.
/// When `must_change_password` is true the token can only change the password.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong account name or password", body = b2mms_shared::api::Problem),
        (status = 403, description = "Account disabled", body = b2mms_shared::api::Problem),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    body: Body<LoginRequest>,
) -> AppResult<HttpResponse> {
    let LoginRequest { account, password } = body.into_inner();
    let opened = sessions::sign_in(&state, &account, password).await?;
    Ok(with_refresh_cookie(&state, opened))
}

/// The answer with a new access token, setting the refresh token as the cookie.
fn with_refresh_cookie(state: &AppState, opened: sessions::Opened) -> HttpResponse {
    HttpResponse::Ok()
        .cookie(refresh_cookie(
            state,
            opened.refresh_token,
            opened.refresh_ttl,
        ))
        .json(opened.token)
}

/// Exchange the refresh-token cookie for a new access token.
///
/// The refresh token is rotated: the presented one is spent and a new cookie is set.
/// Presenting a spent token again ends the whole session.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, description = "New access token", body = TokenResponse),
        (status = 401, description = "No, unknown, expired or reused refresh token", body = b2mms_shared::api::Problem),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, req: HttpRequest) -> AppResult<HttpResponse> {
    let Some(presented) = req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()) else {
        return Err(AppError::unauthenticated(
            "missing_refresh_token",
            "There is no session to refresh; sign in.",
        ));
    };
    let opened = sessions::refresh(&state, &presented).await?;
    Ok(with_refresh_cookie(&state, opened))
}

/// Sign out: ends the session of the bearer token and of the refresh cookie.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out; the refresh cookie is cleared"),
        (status = 401, description = "Neither a valid token nor a refresh cookie was sent", body = b2mms_shared::api::Problem),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Option<PasswordChanger>,
) -> AppResult<HttpResponse> {
    let presented = req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned());
    let bearer = caller.map(|PasswordChanger(principal)| principal);
    sessions::sign_out(&state, bearer.as_ref(), presented.as_deref()).await?;
    Ok(HttpResponse::NoContent()
        .cookie(clear_cookie(&state))
        .finish())
}

/// Change the caller's password.
///
/// Also accepted with a password-change-only token (after the first sign-in or when the
/// password expired); answers with a full session token. Other sessions of the account end.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Password changed; a full session token", body = TokenResponse),
        (status = 401, description = "Not signed in", body = b2mms_shared::api::Problem),
        (status = 403, description = "Current password wrong", body = b2mms_shared::api::Problem),
        (status = 422, description = "The new password breaks the policy", body = b2mms_shared::api::Problem),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: PasswordChanger,
    body: Body<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    let PasswordChanger(principal) = caller;
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let token = passwords::change(&state, principal, current_password, new_password).await?;
    Ok(HttpResponse::Ok().json(token))
}

/// The public keys that verify b2mms access tokens (JWK set, EdDSA/Ed25519).
#[utoipa::path(
    tag = "auth",
    responses((status = 200, description = "JWK set", content_type = "application/json", body = Object))
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(state.keys.jwks())
}
