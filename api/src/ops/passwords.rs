//! Setting passwords: the policy every new password meets (the shared rules, the strength
//! estimate, no reuse of the last five), changing one's own password, and the lost-password
//! reset by a one-time link.

use b2mms_shared::api::TokenResponse;
use b2mms_shared::links;
use b2mms_shared::rules::{FieldErrors, RuleViolation};
use b2mms_shared::{AccountStatus, PersonId};
use chrono::Duration;

use super::sessions::{FAILED_SIGN_IN_TAKES, Issued, access_token};
use crate::auth::principal::Principal;
use crate::auth::{random_secret, secret_hash};
use crate::error::{AppError, AppResult};
use crate::mail::templates;
use crate::services::Services;
use crate::store::audit::{self, Actor};
use crate::store::{self, outbox};

/// How many passwords back a new one must differ from (the current one included).
pub const HISTORY: i64 = 5;

/// The shortest time between two reset links for one account.
pub const RESET_COOLDOWN: Duration = Duration::minutes(5);

/// How long a reset link stays valid.
const RESET_VALID: Duration = Duration::hours(1);

/// Every rule a new password of this person breaks, reported under `field`.
async fn check_new_password(
    state: &Services,
    person_id: &PersonId,
    field: &str,
    password: &str,
) -> AppResult<()> {
    let pid = person_id.clone();
    let (account, member, previous) = state
        .db
        .run(move |conn| {
            Ok((
                store::accounts::account_of(conn, &pid)?,
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

/// Changes the caller's own password (also with a token that may only do this); other
/// sessions of the account end, and the answer is a full session token.
pub async fn change(
    state: &Services,
    principal: Principal,
    current_password: String,
    new_password: String,
) -> AppResult<TokenResponse> {
    let pid = principal.person_id().clone();
    let account = state
        .db
        .run(move |conn| store::accounts::account_of(conn, &pid))
        .await?;
    if !state
        .hasher
        .verify(current_password.clone(), Some(account.password_hash))
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
            RuleViolation::new(
                "password.unchanged",
                "Choose a password different from the current one.",
            ),
        ));
    }
    check_new_password(state, principal.person_id(), "new_password", &new_password).await?;
    let hash = state.hasher.hash(new_password).await?;
    let now = state.clock.now();
    let expires = now + Duration::days(state.config.password_max_age_days);
    let actor = principal.actor(now);
    let (pid, sid) = (principal.person_id().clone(), principal.session_id.clone());
    let roles = state
        .db
        .write(move |conn| {
            store::accounts::set_password(conn, &pid, &hash, now, expires)?;
            store::sessions::revoke_all_of(conn, &pid, Some(&sid), now)?;
            audit::record_plain(
                conn,
                &actor,
                audit::Event::PasswordChanged,
                audit::Subject::Account(&pid),
            )?;
            Ok(store::roles::roles_of(conn, &pid)?.0)
        })
        .await?;
    access_token(
        state,
        Issued {
            person_id: principal.subject.acting.person_id,
            account_name: principal.subject.acting.account_name,
            session_id: principal.session_id,
            roles,
            must_change: false,
            password_expires_at: expires,
        },
    )
}

/// Mails a reset link to the account found by name or contact address, unless it is
/// disabled or a link went out within the cooldown. Takes the same time whatever happened,
/// so the caller learns nothing about which accounts exist.
pub async fn request_reset(state: &Services, account_or_email: &str) -> AppResult<()> {
    let started = std::time::Instant::now();
    let wanted = account_or_email.trim().to_lowercase();
    let now = state.clock.now();
    let token = random_secret();
    let hash = secret_hash(&token);
    let link = links::absolute(&state.config.public_url, &links::reset_password(&token));
    if !wanted.is_empty() && wanted.len() <= 254 {
        let issued = state
            .db
            .write(move |conn| {
                let found = match store::accounts::find_account(conn, &wanted)? {
                    Some(found) => Some(found),
                    None => store::accounts::find_account_by_email(conn, &wanted)?,
                };
                let Some((account, person)) = found else {
                    return Ok(false);
                };
                if account.status == AccountStatus::Disabled {
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
                    now + RESET_VALID,
                )?;
                let mail = templates::password_reset(&account.account_name, &link);
                outbox::enqueue(conn, &person.email, &mail.subject, &mail.body, now)?;
                audit::record_plain(
                    conn,
                    &Actor::system(now),
                    audit::Event::PasswordResetRequested,
                    audit::Subject::Account(&account.person_id),
                )?;
                Ok(true)
            })
            .await?;
        if issued {
            state.jobs.nudge();
        }
    }
    // Known, unknown or cooling down: the answer takes the same time.
    tokio::time::sleep_until((started + FAILED_SIGN_IN_TAKES).into()).await;
    Ok(())
}

/// Sets a new password with the token of a reset link, once; every session of the account
/// ends.
pub async fn confirm_reset(state: &Services, token: &str, new_password: String) -> AppResult<()> {
    let hash = secret_hash(token.trim());
    let now = state.clock.now();
    let invalid = || {
        AppError::bad_request(
            "invalid_reset_token",
            "This link is invalid, already used or expired (reset links last an hour); ask for a new one with \"Lost password\".",
        )
    };
    let lookup = hash.clone();
    let person_id = state
        .db
        .run(move |conn| store::credentials::reset_holder(conn, &lookup, now))
        .await?
        .ok_or_else(invalid)?;
    check_new_password(state, &person_id, "new_password", &new_password).await?;
    let new_hash = state.hasher.hash(new_password).await?;
    let expires = now + Duration::days(state.config.password_max_age_days);
    state
        .db
        .write(move |conn| {
            if !store::credentials::spend_reset(conn, &hash, now)? {
                return Err(invalid());
            }
            store::credentials::spend_other_resets(conn, &person_id, now)?;
            store::accounts::set_password(conn, &person_id, &new_hash, now, expires)?;
            store::imports::password_set(conn, &person_id)?;
            store::accounts::clear_failures(conn, &person_id)?;
            store::sessions::revoke_all_of(conn, &person_id, None, now)?;
            audit::record_plain(
                conn,
                &Actor::system(now),
                audit::Event::PasswordReset,
                audit::Subject::Account(&person_id),
            )
        })
        .await
}
