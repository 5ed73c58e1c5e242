//! Extractors that establish who is calling. A handler that acts on behalf of someone takes one
//! of these; without a valid token the request never reaches it.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use b2mms_shared::{AccountStatus, MembershipStatus};
use futures_util::future::LocalBoxFuture;

use crate::app::AppState;
use crate::auth::principal::Principal;
use crate::auth::tokens::Purpose;
use crate::domain::policy::{Acting, Applicant, ServiceToken, Subject};
use crate::error::{AppError, AppResult};
use crate::http::request_id;
use crate::store;

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let text = value.to_str().ok()?;
    let (scheme, token) = text.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

pub(crate) fn state(req: &HttpRequest) -> AppResult<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("application state missing".into()))
}

fn missing_token() -> AppError {
    AppError::unauthenticated(
        "missing_token",
        "Sign in first and send the access token as `Authorization: Bearer …`.",
    )
}

pub use crate::auth::caller::Caller;

pub use crate::auth::SERVICE_TOKEN_PREFIX;

fn service_not_allowed() -> AppError {
    AppError::Forbidden {
        code: "scope_missing",
        detail: "Service tokens only read what their scopes allow; this needs a person's session."
            .into(),
    }
}

async fn authenticate_service(state: &AppState, token: &str) -> AppResult<ServiceToken> {
    let hash = crate::auth::secret_hash(token);
    let now = state.clock.now();
    let found = state
        .db
        .run(move |conn| store::service_tokens::find(conn, &hash, now))
        .await?;
    let found = found.ok_or_else(|| {
        AppError::unauthenticated(
            "invalid_token",
            "This service token is unknown, revoked or expired.",
        )
    })?;
    if found.note_use {
        let used = found.id.clone();
        state
            .db
            .write(move |conn| store::service_tokens::note_use(conn, &used, now))
            .await?;
    }
    Ok(ServiceToken {
        id: found.id,
        name: found.name,
        scopes: found.scopes,
    })
}

/// Whether the route asked for stays open to a person whose membership has ended.
fn open_after_membership(req: &HttpRequest) -> bool {
    req.match_pattern().is_some_and(|pattern| {
        crate::domain::policy::open_after_membership(req.method().as_str(), &pattern)
    })
}

async fn authenticate(
    state: web::Data<AppState>,
    token: Option<String>,
    accepted: &'static [Purpose],
    ended_ok: bool,
) -> AppResult<Principal> {
    let token = token.ok_or_else(missing_token)?;
    if token.starts_with(SERVICE_TOKEN_PREFIX) {
        authenticate_service(&state, &token).await?;
        return Err(service_not_allowed());
    }
    let claims = state.keys.verify(&token, accepted, state.clock.now())?;
    principal(state, claims, accepted, ended_ok).await
}

/// The principal of verified session claims, after checking the session, account and roles.
async fn principal(
    state: web::Data<AppState>,
    claims: std::sync::Arc<crate::auth::tokens::Claims>,
    accepted: &'static [Purpose],
    ended_ok: bool,
) -> AppResult<Principal> {
    let now = state.clock.now();
    let session = match state.sessions.get(&claims.sid) {
        Ok(session) => Some(session),
        Err(lookup) => {
            let sid = claims.sid.clone();
            let read = state
                .db
                .run(move |conn| store::sessions::state(conn, &sid))
                .await?
                .map(std::sync::Arc::new);
            if let Some(read) = &read {
                state.sessions.remember(&claims.sid, lookup, read.clone());
            }
            read
        }
    };
    let session = session
        .filter(|s| s.is_live(now) && s.person_id == *claims.sub)
        .ok_or_else(|| {
            AppError::unauthenticated("session_ended", "This session has ended; sign in again.")
        })?;
    if session.account_status != AccountStatus::Active {
        return Err(AppError::unauthenticated(
            "account_inactive",
            "This account is locked or disabled; contact your institutional representative.",
        ));
    }
    // A password that must change confines even a session token to changing it.
    let must_change = session.must_change_password || session.password_expires_at <= now;
    if must_change && !accepted.contains(&Purpose::PasswordChange) {
        return Err(AppError::Forbidden {
            code: "password_change_required",
            detail: "Set a new password first (POST /api/v1/auth/password).".into(),
        });
    }
    // An ended membership reaches only the person's own record, and with no role.
    let active = session.membership == MembershipStatus::Active;
    if !active && !ended_ok {
        return Err(AppError::Forbidden {
            code: "membership_ended",
            detail: "Your membership has ended: you can see your record and ask your institution's representatives to reactivate it (POST /api/v1/me/reactivation).".into(),
        });
    }
    Ok(Principal {
        session_id: claims.sid.clone(),
        purpose: claims.aud,
        subject: Subject {
            acting: Acting {
                person_id: session.person_id.clone(),
                account_name: session.account_name.clone(),
                request_id: request_id::current(),
            },
            roles: if active {
                session.roles.clone()
            } else {
                vec![b2mms_shared::Role::Member]
            },
            represents: if active {
                session.represents.clone()
            } else {
                Vec::new()
            },
        },
    })
}

impl FromRequest for Principal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = bearer(req);
        let ended_ok = open_after_membership(req);
        Box::pin(async move { authenticate(state?, token, &[Purpose::Session], ended_ok).await })
    }
}

/// A caller who may be confined to changing their password.
#[derive(Debug)]
pub struct PasswordChanger(pub Principal);

impl FromRequest for PasswordChanger {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = bearer(req);
        let ended_ok = open_after_membership(req);
        Box::pin(async move {
            authenticate(
                state?,
                token,
                &[Purpose::Session, Purpose::PasswordChange],
                ended_ok,
            )
            .await
            .map(PasswordChanger)
        })
    }
}

/// A caller holding the `admin` role, with the policy's proof of it.
#[derive(Debug)]
pub struct Admin(pub crate::domain::policy::Admin);

impl FromRequest for Admin {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fut = Principal::from_request(req, payload);
        Box::pin(async move { Ok(Admin(fut.await?.subject.admin()?)) })
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = bearer(req);
        let ended_ok = open_after_membership(req);
        Box::pin(async move {
            let state = state?;
            let token = token.ok_or_else(missing_token)?;
            if token.starts_with(SERVICE_TOKEN_PREFIX) {
                return authenticate_service(&state, &token)
                    .await
                    .map(Caller::Service);
            }
            const ACCEPTED: &[Purpose] = &[Purpose::Session, Purpose::Registration];
            let claims = state.keys.verify(&token, ACCEPTED, state.clock.now())?;
            if claims.aud == Purpose::Registration {
                let registration = b2mms_shared::RegistrationId::parse(&claims.sub)
                    .ok_or_else(|| {
                        AppError::unauthenticated(
                            "invalid_token",
                            "This registration token names no request; sign in to the portal again.",
                        )
                    })?;
                return Ok(Caller::Applicant(Applicant::of_token(registration)));
            }
            principal(state, claims, &[Purpose::Session], ended_ok)
                .await
                .map(|principal| Caller::Staff(principal.subject))
        })
    }
}

/// A reader of records: a signed-in person, or a tool with a service token.
#[derive(Debug)]
pub enum Reader {
    Person(Principal),
    Service(ServiceToken),
}

impl Reader {
    /// The reader as the operations on people's records take it.
    pub fn of_records(&self) -> crate::ops::members::Reader<'_> {
        match self {
            Self::Person(principal) => crate::ops::members::Reader::Person(&principal.subject),
            Self::Service(token) => crate::ops::members::Reader::Service(token),
        }
    }
}

impl FromRequest for Reader {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = state(req);
        let token = bearer(req);
        let ended_ok = open_after_membership(req);
        Box::pin(async move {
            let state = state?;
            match token {
                Some(t) if t.starts_with(SERVICE_TOKEN_PREFIX) => {
                    authenticate_service(&state, &t).await.map(Reader::Service)
                }
                other => authenticate(state, other, &[Purpose::Session], ended_ok)
                    .await
                    .map(Reader::Person),
            }
        })
    }
}
