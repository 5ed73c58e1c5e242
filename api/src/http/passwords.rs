//! Setting passwords: the policy every new password meets (the shared rules, the strength
//! estimate, no reuse of the last five), and the lost-password reset by a one-time link.

use actix_web::{HttpResponse, post, web};
use b2mms_shared::api::{PasswordResetConfirm, PasswordResetRequest};
use b2mms_shared::rules::{FieldErrors, RuleViolation};
use chrono::Duration;

use crate::app::AppState;
use crate::auth::{random_secret, secret_hash};
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::store::audit::{self, Actor};
use crate::store::{self, outbox};

/// How many passwords back a new one must differ from (the current one included).
pub const HISTORY: i64 = 5;

/// The shortest time between two reset links for one account.
pub const RESET_COOLDOWN: Duration = Duration::minutes(5);

/// Every rule a new password of this person breaks, reported under `field`.
pub async fn check_new_password(
    state: &AppState,
    person_id: &b2mms_shared::PersonId,
    field: &str,
    password: &str,
) -> AppResult<()> {
    let pid = person_id.clone();
    let (account, member, previous) = state
        .db
        .run(move |conn| {
            Ok((
                store::persons::account_of(conn, &pid)?,
                store::persons::member(conn, &pid)?,
                store::credentials::recent_hashes(conn, &pid, HISTORY)?,
            ))
        })
        .await?;
    let names: Vec<&str> = [
        Some(member.given_name.as_str()),
        member.middle_name.as_deref(),
        Some(member.family_name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut violations = crate::domain::passwords::violations(
        password,
        Some(&account.account_name),
        &names,
        Some(&member.email),
    );
    if violations.is_empty() {
        for hash in previous {
            if state.hasher.verify(password.to_owned(), Some(hash)).await? {
                violations.push(RuleViolation::new(
                    "password.reused",
                    format!(
                        "Choose a password you have not used before (the last {HISTORY} count)."
                    ),
                ));
                break;
            }
        }
    }
    let mut errors = FieldErrors::new();
    errors.extend(field, violations);
    errors.into_result().map_err(AppError::from)
}

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
    body: web::Json<PasswordResetRequest>,
) -> AppResult<HttpResponse> {
    let started = std::time::Instant::now();
    let wanted = body.into_inner().account_or_email.trim().to_lowercase();
    let now = state.clock.now();
    let token = random_secret();
    let hash = secret_hash(&token);
    let link = format!(
        "{}/reset-password?token={token}",
        state.config.public_url.trim_end_matches('/')
    );
    if !wanted.is_empty() && wanted.len() <= 254 {
        let issued = state
            .db
            .write(move |conn| {
                let found = match store::persons::find_account(conn, &wanted)? {
                    Some(found) => Some(found),
                    None => store::persons::find_account_by_email(conn, &wanted)?,
                };
                let Some((account, person)) = found else {
                    return Ok(false);
                };
                if account.status == b2mms_shared::AccountStatus::Disabled {
                    return Ok(false);
                }
                // One link per cooldown: the owner's mailbox is not flooded by others.
                if store::credentials::reset_issued_since(
                    conn,
                    &account.person_id,
                    now - RESET_COOLDOWN,
                )? {
                    return Ok(false);
                }
                store::credentials::create_reset(
                    conn,
                    &account.person_id,
                    &hash,
                    now,
                    now + Duration::hours(1),
                )?;
                let mail = templates::password_reset(&account.account_name, &link);
                outbox::enqueue(conn, &person.email, &mail.subject, &mail.body, now)?;
                audit::record_plain(
                    conn,
                    &Actor::system(now),
                    audit::Event::PasswordResetRequested,
                    "account",
                    &account.person_id,
                )?;
                Ok(true)
            })
            .await?;
        if issued {
            state.jobs.nudge();
        }
    }
    // Known, unknown or cooling down: the answer takes the same time.
    tokio::time::sleep_until((started + crate::http::auth::FAILED_SIGN_IN_TAKES).into()).await;
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
    body: web::Json<PasswordResetConfirm>,
) -> AppResult<HttpResponse> {
    let PasswordResetConfirm {
        token,
        new_password,
    } = body.into_inner();
    let hash = secret_hash(token.trim());
    let now = state.clock.now();
    let invalid = || {
        AppError::bad_request(
            "invalid_reset_token",
            "This reset link is invalid, already used or older than an hour; ask for a new one.",
        )
    };
    let lookup = hash.clone();
    let person_id = state
        .db
        .run(move |conn| store::credentials::reset_holder(conn, &lookup, now))
        .await?
        .ok_or_else(invalid)?;
    check_new_password(&state, &person_id, "new_password", &new_password).await?;
    let new_hash = state.hasher.hash(new_password).await?;
    let expires = now + Duration::days(state.config.password_max_age_days);
    state
        .db
        .write(move |conn| {
            if !store::credentials::spend_reset(conn, &hash, now)? {
                return Err(invalid());
            }
            store::credentials::spend_other_resets(conn, &person_id, now)?;
            store::persons::set_password(conn, &person_id, &new_hash, now, expires)?;
            store::persons::clear_failures(conn, &person_id)?;
            store::sessions::revoke_all_of(conn, &person_id, None, now)?;
            audit::record_plain(
                conn,
                &Actor::system(now),
                audit::Event::PasswordReset,
                "account",
                &person_id,
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
