//! Sessions: sign in, refresh, sign out, change password, and the public signing keys.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use b2mms_shared::api::{ChangePasswordRequest, LoginRequest, TokenResponse};
use b2mms_shared::{AccountStatus, Role};
use chrono::Duration;

use crate::app::AppState;
use crate::auth::tokens::{Claims, Purpose};
use crate::auth::{random_secret, secret_hash};
use crate::error::{AppError, AppResult};
use crate::http::extract::PasswordChanger;
use crate::store::audit::{self, Actor};
use crate::store::sessions::Rotation;
use crate::store::{self, from_db_time};

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

/// Everything needed to answer with a token.
struct Issued {
    person_id: b2mms_shared::PersonId,
    account_name: String,
    session_id: String,
    roles: Vec<Role>,
    must_change: bool,
    password_expires_at: chrono::DateTime<chrono::Utc>,
}

fn token_response(state: &AppState, issued: Issued) -> AppResult<TokenResponse> {
    let now = state.clock.now();
    let ttl = state.config.access_token_ttl;
    let purpose = if issued.must_change {
        Purpose::PasswordChange
    } else {
        Purpose::Session
    };
    let claims = Claims {
        iss: state.keys.issuer().to_owned(),
        sub: issued.person_id.to_string(),
        aud: purpose,
        iat: now.timestamp(),
        exp: now.timestamp() + ttl,
        jti: uuid::Uuid::new_v4().to_string(),
        sid: issued.session_id,
        name: issued.account_name,
        roles: issued.roles.clone(),
    };
    Ok(TokenResponse {
        access_token: state.keys.sign(&claims)?,
        token_type: "Bearer".into(),
        expires_in: ttl,
        must_change_password: issued.must_change,
        roles: issued.roles,
        password_expires_at: Some(issued.password_expires_at),
    })
}

/// How long a failed sign-in (and a reset request) takes at least. Failures for unknown
/// accounts and for wrong passwords of known ones (which also record the failure) then take
/// the same time, so the answer's timing does not tell which accounts exist; it also slows
/// down guessing.
pub const FAILED_SIGN_IN_TAKES: std::time::Duration = std::time::Duration::from_millis(250);

/// Answers a failed sign-in no earlier than `FAILED_SIGN_IN_TAKES` after it began.
async fn refuse_after(started: std::time::Instant) -> AppError {
    tokio::time::sleep_until((started + FAILED_SIGN_IN_TAKES).into()).await;
    invalid_credentials()
}

fn invalid_credentials() -> AppError {
    AppError::unauthenticated(
        "invalid_credentials",
        "Account name or password is wrong. Lost your password? Ask for a reset link.",
    )
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
    body: web::Json<LoginRequest>,
) -> AppResult<HttpResponse> {
    let started = std::time::Instant::now();
    let LoginRequest { account, password } = body.into_inner();
    let name = account.trim().to_ascii_lowercase();
    let found = if name.is_empty() || name.len() > 64 {
        None
    } else {
        state
            .db
            .run(move |conn| store::persons::find_account(conn, &name))
            .await?
    };
    let stored_hash = found.as_ref().map(|(a, _)| a.password_hash.clone());
    let password_ok = state.hasher.verify(password, stored_hash).await?;
    let Some((account, _person)) = found else {
        return Err(refuse_after(started).await);
    };
    let now = state.clock.now();
    let request_id = crate::http::request_id::current();
    let actor = Actor {
        person_id: Some(account.person_id.clone()),
        name: account.account_name.clone(),
        request_id,
        at: now,
    };
    // Locked after repeated failures: not even the right password opens it before the time.
    if let Some(until) = account.locked_until.map(from_db_time).filter(|u| *u > now) {
        return Err(AppError::Locked {
            retry_after: (until - now).num_seconds().max(1),
        });
    }
    if !password_ok {
        let person_id = account.person_id.clone();
        let threshold = state.config.lockout_threshold;
        state
            .db
            .write(move |conn| {
                let locked = store::persons::record_failed_login(conn, &person_id, now, threshold)?;
                audit::record_plain(
                    conn,
                    &actor,
                    audit::Event::LoginFailed,
                    "account",
                    &person_id,
                )?;
                if let Some(until) = locked {
                    audit::record::<(), _>(
                        conn,
                        &actor,
                        audit::Change {
                            action: audit::Event::AccountLocked,
                            subject_type: "account",
                            subject_id: person_id.as_str(),
                            before: None,
                            after: Some(&serde_json::json!({ "locked_until": until })),
                        },
                    )?;
                }
                Ok(())
            })
            .await?;
        return Err(refuse_after(started).await);
    }
    if account.status != AccountStatus::Active {
        return Err(AppError::Forbidden {
            code: "account_disabled",
            detail: "This account is disabled; contact your institutional representative.".into(),
        });
    }
    let refresh_token = random_secret();
    let refresh_hash = secret_hash(&refresh_token);
    let session_ttl = state.config.session_ttl;
    let person_id = account.person_id.clone();
    let (session, roles) = state
        .db
        .write(move |conn| {
            store::persons::clear_failures(conn, &person_id)?;
            let session = store::sessions::create(
                conn,
                &person_id,
                &refresh_hash,
                now,
                now + Duration::seconds(session_ttl),
            )?;
            audit::record_plain(
                conn,
                &actor,
                audit::Event::LoginSucceeded,
                "account",
                &person_id,
            )?;
            let (roles, _) = store::persons::roles_of(conn, &person_id)?;
            Ok((session, roles))
        })
        .await?;
    let password_expires_at = from_db_time(account.password_expires_at);
    let body = token_response(
        &state,
        Issued {
            person_id: account.person_id,
            account_name: account.account_name,
            session_id: session.id,
            roles,
            must_change: account.must_change_password || password_expires_at <= now,
            password_expires_at,
        },
    )?;
    Ok(HttpResponse::Ok()
        .cookie(refresh_cookie(&state, refresh_token, session_ttl))
        .json(body))
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
    let now = state.clock.now();
    let next = random_secret();
    let (old_hash, new_hash) = (secret_hash(&presented), secret_hash(&next));
    let outcome = state
        .db
        .write(move |conn| {
            let rotation = store::sessions::rotate(conn, &old_hash, &new_hash, now)?;
            let Rotation::Rotated(session) = rotation else {
                return Ok(Err(rotation));
            };
            let account = store::persons::account_of(conn, &session.person_id)?;
            let (roles, _) = store::persons::roles_of(conn, &session.person_id)?;
            Ok(Ok((session, account, roles)))
        })
        .await?;
    let (session, account, roles) = match outcome {
        Ok(found) => found,
        Err(Rotation::Reused) => {
            return Err(AppError::unauthenticated(
                "refresh_token_reused",
                "This refresh token was already used, so the session was ended for safety; sign in again.",
            ));
        }
        Err(_) => {
            return Err(AppError::unauthenticated(
                "invalid_refresh_token",
                "The session has ended or is unknown; sign in again.",
            ));
        }
    };
    if account.status != AccountStatus::Active {
        return Err(AppError::unauthenticated(
            "account_inactive",
            "This account is locked or disabled; contact your institutional representative.",
        ));
    }
    let remaining = (from_db_time(session.expires_at) - now).num_seconds();
    let password_expires_at = from_db_time(account.password_expires_at);
    let body = token_response(
        &state,
        Issued {
            person_id: account.person_id,
            account_name: account.account_name,
            session_id: session.id,
            roles,
            must_change: account.must_change_password || password_expires_at <= now,
            password_expires_at,
        },
    )?;
    Ok(HttpResponse::Ok()
        .cookie(refresh_cookie(&state, next, remaining))
        .json(body))
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
    let cookie_hash = req.cookie(REFRESH_COOKIE).map(|c| secret_hash(c.value()));
    if caller.is_none() && cookie_hash.is_none() {
        return Err(AppError::unauthenticated(
            "missing_token",
            "Send the access token or the refresh cookie of the session to end.",
        ));
    }
    let now = state.clock.now();
    let bearer_session = caller.map(|PasswordChanger(p)| (p.session_id.clone(), p.actor(now)));
    state
        .db
        .write(move |conn| {
            let mut ended = Vec::new();
            if let Some((sid, actor)) = bearer_session
                && store::sessions::revoke(conn, &sid, now)?
            {
                ended.push((sid, Some(actor)));
            }
            if let Some(hash) = cookie_hash
                && let Some(sid) = store::sessions::session_of_token(conn, &hash)?
                && store::sessions::revoke(conn, &sid, now)?
            {
                ended.push((sid, None));
            }
            for (sid, actor) in ended {
                let actor = actor.unwrap_or_else(|| Actor::system(now));
                audit::record_plain(conn, &actor, audit::Event::SessionEnded, "session", &sid)?;
            }
            Ok(())
        })
        .await?;
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
    body: web::Json<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    let PasswordChanger(principal) = caller;
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let pid = principal.person_id().clone();
    let account = state
        .db
        .run(move |conn| store::persons::account_of(conn, &pid))
        .await?;
    if !state
        .hasher
        .verify(
            current_password.clone(),
            Some(account.password_hash.clone()),
        )
        .await?
    {
        return Err(AppError::Forbidden {
            code: "wrong_current_password",
            detail: "The current password is wrong.".into(),
        });
    }
    if new_password == current_password {
        return Err(AppError::invalid(
            "new_password",
            b2mms_shared::RuleViolation::new(
                "password.unchanged",
                "Choose a password different from the current one.",
            ),
        ));
    }
    crate::http::passwords::check_new_password(
        &state,
        principal.person_id(),
        "new_password",
        &new_password,
    )
    .await?;
    let hash = state.hasher.hash(new_password).await?;
    let now = state.clock.now();
    let expires = now + Duration::days(state.config.password_max_age_days);
    let actor = principal.actor(now);
    let (pid, sid) = (principal.person_id().clone(), principal.session_id.clone());
    let roles = state
        .db
        .write(move |conn| {
            store::persons::set_password(conn, &pid, &hash, now, expires)?;
            store::sessions::revoke_all_of(conn, &pid, Some(&sid), now)?;
            audit::record_plain(conn, &actor, audit::Event::PasswordChanged, "account", &pid)?;
            Ok(store::persons::roles_of(conn, &pid)?.0)
        })
        .await?;
    let body = token_response(
        &state,
        Issued {
            person_id: principal.subject.acting.person_id,
            account_name: principal.subject.acting.account_name,
            session_id: principal.session_id,
            roles,
            must_change: false,
            password_expires_at: expires,
        },
    )?;
    Ok(HttpResponse::Ok().json(body))
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
