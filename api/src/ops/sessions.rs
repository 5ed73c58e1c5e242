//! Sessions: signing in with account name and password, refreshing with the rotating refresh
//! token, signing out, and the access token every one of them answers with.

use b2mms_shared::api::TokenResponse;
use b2mms_shared::{AccountStatus, PersonId, Role};
use chrono::{DateTime, Duration, Utc};

use crate::auth::principal::Principal;
use crate::auth::tokens::{Claims, Purpose};
use crate::auth::{random_secret, secret_hash};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store::audit::{self, Actor};
use crate::store::models::AccountRow;
use crate::store::sessions::Rotation;
use crate::store::{self, from_db_time};

/// How long a failed sign-in (and a reset request) takes at least. Failures for unknown
/// accounts and for wrong passwords of known ones (which also record the failure) then take
/// the same time, so the answer's timing does not tell which accounts exist; it also slows
/// down guessing.
pub const FAILED_SIGN_IN_TAKES: std::time::Duration = std::time::Duration::from_millis(250);

/// A session opened or continued: the access token for the body, and the refresh token the
/// front end hands to the client (the browser gets it as an HttpOnly cookie).
pub struct Opened {
    pub token: TokenResponse,
    pub refresh_token: String,
    /// Seconds the refresh token stays valid.
    pub refresh_ttl: i64,
}

/// Everything needed to answer with a token.
pub struct Issued {
    pub person_id: PersonId,
    pub account_name: String,
    pub session_id: String,
    pub roles: Vec<Role>,
    pub must_change: bool,
    pub password_expires_at: DateTime<Utc>,
}

impl Issued {
    fn of(account: AccountRow, session_id: String, roles: Vec<Role>, now: DateTime<Utc>) -> Self {
        let password_expires_at = from_db_time(account.password_expires_at);
        Self {
            person_id: account.person_id,
            account_name: account.account_name,
            session_id,
            roles,
            must_change: account.must_change_password || password_expires_at <= now,
            password_expires_at,
        }
    }
}

/// A signed access token for the session; one that can only change the password while a
/// change is due.
pub fn access_token(state: &Services, issued: Issued) -> AppResult<TokenResponse> {
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
        name: issued.account_name.clone(),
        roles: issued.roles.clone(),
    };
    Ok(TokenResponse {
        access_token: state.keys.sign(&claims)?,
        account: issued.account_name,
        token_type: "Bearer".into(),
        expires_in: ttl,
        must_change_password: issued.must_change,
        roles: issued.roles,
        password_expires_at: Some(issued.password_expires_at),
    })
}

/// Answers a failed sign-in no earlier than `FAILED_SIGN_IN_TAKES` after it began.
async fn refuse_after(started: std::time::Instant) -> AppError {
    tokio::time::sleep_until((started + FAILED_SIGN_IN_TAKES).into()).await;
    AppError::unauthenticated(
        "invalid_credentials",
        "Account name or password is wrong. Lost your password? Ask for a reset link.",
    )
}

/// Signs in with account name and password. Unknown accounts cost a hash too; repeated
/// failures lock the account for a growing time; a disabled account is refused.
pub async fn sign_in(state: &Services, account: &str, password: String) -> AppResult<Opened> {
    let started = std::time::Instant::now();
    let name = account.trim().to_ascii_lowercase();
    let found = if name.is_empty() || name.len() > 64 {
        None
    } else {
        state
            .db
            .run(move |conn| store::accounts::find_account(conn, &name))
            .await?
    };
    let stored_hash = found.as_ref().map(|(a, _)| a.password_hash.clone());
    let password_ok = state.hasher.verify(password, stored_hash).await?;
    let Some((account, _person)) = found else {
        return Err(refuse_after(started).await);
    };
    let now = state.clock.now();
    let actor = Actor::signing_in(&account.person_id, &account.account_name, now);
    // Locked after repeated failures: not even the right password opens it before the time.
    if let Some(until) = account.locked_until.map(from_db_time).filter(|u| *u > now) {
        return Err(AppError::Locked {
            retry_after: (until - now).num_seconds().max(1),
        });
    }
    if !password_ok {
        record_failure(state, &account.person_id, actor).await?;
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
    let refresh_ttl = state.config.session_ttl;
    let person_id = account.person_id.clone();
    let (session, roles) = state
        .db
        .write(move |conn| {
            store::accounts::clear_failures(conn, &person_id)?;
            let session = store::sessions::create(
                conn,
                &person_id,
                &refresh_hash,
                now,
                now + Duration::seconds(refresh_ttl),
            )?;
            audit::record_plain(
                conn,
                &actor,
                audit::Event::LoginSucceeded,
                audit::Subject::Account(&person_id),
            )?;
            let roles = store::roles::acting_roles(conn, &person_id)?;
            Ok((session, roles))
        })
        .await?;
    Ok(Opened {
        token: access_token(state, Issued::of(account, session.id, roles, now))?,
        refresh_token,
        refresh_ttl,
    })
}

/// Counts a wrong password against the account, locking it at the threshold.
async fn record_failure(state: &Services, person_id: &PersonId, actor: Actor) -> AppResult<()> {
    let person_id = person_id.clone();
    let (now, threshold) = (actor.at, state.config.lockout_threshold);
    state
        .db
        .write(move |conn| {
            let locked = store::accounts::record_failed_login(conn, &person_id, now, threshold)?;
            audit::record_plain(
                conn,
                &actor,
                audit::Event::LoginFailed,
                audit::Subject::Account(&person_id),
            )?;
            if let Some(until) = locked {
                audit::record::<(), _>(
                    conn,
                    &actor,
                    audit::Change {
                        action: audit::Event::AccountLocked,
                        subject: audit::Subject::Account(&person_id),
                        before: None,
                        after: Some(&serde_json::json!({ "locked_until": until })),
                    },
                )?;
            }
            Ok(())
        })
        .await
}

/// Exchanges a refresh token for a new access token and a new refresh token. A token
/// presented a second time ends its whole session.
pub async fn refresh(state: &Services, presented: &str) -> AppResult<Opened> {
    let now = state.clock.now();
    let next = random_secret();
    let (old_hash, new_hash) = (secret_hash(presented), secret_hash(&next));
    let outcome = state
        .db
        .write(move |conn| {
            let rotation = store::sessions::rotate(conn, &old_hash, &new_hash, now)?;
            let Rotation::Rotated(session) = rotation else {
                return Ok(Err(rotation));
            };
            let account = store::accounts::account_of(conn, &session.person_id)?;
            let roles = store::roles::acting_roles(conn, &session.person_id)?;
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
    let refresh_ttl = (from_db_time(session.expires_at) - now).num_seconds();
    Ok(Opened {
        token: access_token(state, Issued::of(account, session.id, roles, now))?,
        refresh_token: next,
        refresh_ttl,
    })
}

/// Ends the session of the bearer token and the session of the refresh token, whichever
/// were presented.
pub async fn sign_out(
    state: &Services,
    bearer: Option<&Principal>,
    refresh_token: Option<&str>,
) -> AppResult<()> {
    if bearer.is_none() && refresh_token.is_none() {
        return Err(AppError::unauthenticated(
            "missing_token",
            "Send the access token or the refresh cookie of the session to end.",
        ));
    }
    let now = state.clock.now();
    let bearer_session = bearer.map(|p| (p.session_id.clone(), p.actor(now)));
    let cookie_hash = refresh_token.map(secret_hash);
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
                audit::record_plain(
                    conn,
                    &actor,
                    audit::Event::SessionEnded,
                    audit::Subject::Session(&sid),
                )?;
            }
            Ok(())
        })
        .await
}
