//! Step one of registration: proving an identity, by invitation or by certificate. Both open
//! (or resume) a request in `identity_verified` and answer with a token for the registration
//! endpoints only.

use actix_web::{HttpRequest, HttpResponse, post, web};
use b2mms_shared::api::{InvitationLogin, RegistrationToken};
use b2mms_shared::{IdentityKind, InvitationStatus};

use crate::app::AppState;
use crate::auth::tokens::{Claims, Purpose};
use crate::error::{AppError, AppResult};
use crate::ops::registrations::open_request;
use crate::store;

/// A registration-scoped token for a request.
pub fn registration_token(
    state: &AppState,
    registration_id: &b2mms_shared::RegistrationId,
    name: &str,
) -> AppResult<RegistrationToken> {
    let now = state.clock.now();
    let ttl = state.config.registration_token_ttl;
    let claims = Claims {
        iss: state.keys.issuer().to_owned(),
        sub: registration_id.to_string(),
        aud: Purpose::Registration,
        iat: now.timestamp(),
        exp: now.timestamp() + ttl,
        jti: uuid::Uuid::new_v4().to_string(),
        sid: registration_id.to_string(),
        name: name.to_owned(),
        roles: Vec::new(),
    };
    Ok(RegistrationToken {
        access_token: state.keys.sign(&claims)?,
        token_type: "Bearer".into(),
        expires_in: ttl,
        registration_id: registration_id.uuid(),
    })
}

/// Sign in to the registration portal with the temporary credentials of an invitation.
///
/// Opens the request (home: the inviting institution) or resumes it. The token reaches the
/// registration endpoints only.
#[utoipa::path(
    tag = "registrations",
    request_body = InvitationLogin,
    responses(
        (status = 200, description = "Identity proven", body = RegistrationToken),
        (status = 401, description = "Wrong username or password", body = b2mms_shared::api::Problem),
        (status = 403, description = "Invitation expired or revoked", body = b2mms_shared::api::Problem),
    )
)]
#[post("/auth/invitation")]
pub async fn invitation_login(
    state: web::Data<AppState>,
    body: web::Json<InvitationLogin>,
) -> AppResult<HttpResponse> {
    let InvitationLogin { username, password } = body.into_inner();
    let username = username.trim().to_ascii_lowercase();
    let found = if username.is_empty() || username.len() > 64 {
        None
    } else {
        state
            .db
            .run(move |conn| store::invitations::find_by_username(conn, &username))
            .await?
    };
    let stored = found.as_ref().map(|i| i.password_hash.clone());
    let ok = state.hasher.verify(password, stored).await?;
    let Some(invitation) = found.filter(|_| ok) else {
        return Err(AppError::unauthenticated(
            "invalid_credentials",
            "Username or password of the invitation is wrong; copy them from the invitation mail.",
        ));
    };
    let now = state.clock.now();
    match store::invitations::effective_status(&invitation, now) {
        InvitationStatus::Revoked => {
            return Err(AppError::Forbidden {
                code: "invitation_revoked",
                detail: "This invitation was revoked; ask your institutional representative for a new one.".into(),
            });
        }
        InvitationStatus::Expired => {
            return Err(AppError::Forbidden {
                code: "invitation_expired",
                detail: "This invitation has expired; ask your institutional representative for a new one.".into(),
            });
        }
        InvitationStatus::Pending | InvitationStatus::Used => {}
    }
    let username = invitation.username.clone();
    let registration_id = state
        .db
        .write(move |conn| {
            if let Some(existing) = store::registrations::find_by_invitation(conn, &invitation.id)?
            {
                return Ok(existing.id);
            }
            store::invitations::mark_used(conn, &invitation.id, now)?;
            let row = open_request(
                conn,
                IdentityKind::Invitation,
                |r| {
                    r.invitation_id = Some(invitation.id.clone());
                    r.institution_id = Some(invitation.institution_id.clone());
                    r.email = Some(invitation.email.clone());
                    r.given_name = invitation.given_name.clone();
                    r.family_name = invitation.family_name.clone();
                    r.category = invitation.category;
                },
                now,
            )?;
            Ok(row.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(registration_token(&state, &registration_id, &username)?))
}

/// The client certificate of the request: from the TLS connection, or from the headers of a
/// trusted reverse proxy (`X-SSL-Client-Verify: SUCCESS` and the URL-encoded PEM in
/// `X-SSL-Client-Cert`).
fn presented_certificate(req: &HttpRequest, state: &AppState) -> AppResult<Vec<u8>> {
    if let Some(crate::tls::PeerCertificate(der)) = req.conn_data::<crate::tls::PeerCertificate>() {
        return Ok(der.clone());
    }
    let trusted = req
        .peer_addr()
        .is_some_and(|peer| state.config.trusted_proxies.contains(&peer.ip()));
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if trusted && header("x-ssl-client-verify") == Some("SUCCESS") {
        let der = header("x-ssl-client-cert")
            .and_then(crate::tls::forwarded_der)
            .ok_or_else(|| {
                AppError::unauthenticated(
                    "invalid_certificate",
                    "The proxy forwarded no readable client certificate.",
                )
            })?;
        crate::tls::verify_forwarded(state.client_verifier.as_ref(), &der, state.clock.now())
            .map_err(|e| {
                AppError::unauthenticated(
                    "invalid_certificate",
                    format!(
                        "The certificate does not chain to a trusted certification authority ({e})."
                    ),
                )
            })?;
        return Ok(der);
    }
    Err(AppError::unauthenticated(
        "certificate_required",
        "No client certificate was presented. Import your Grid user certificate into your browser, \
         open this page again over HTTPS and choose the certificate when the browser asks; \
         without one, ask your institutional representative for an invitation.",
    ))
}

/// Given and family name from a certificate's common name such as `Toru Iijima`.
fn names_of(common_name: &str) -> Option<(String, String)> {
    let (given, family) = common_name.trim().rsplit_once(' ')?;
    let given = given.trim();
    (!given.is_empty() && family.chars().all(char::is_alphabetic))
        .then(|| (given.to_owned(), family.to_owned()))
}

/// Sign in to the registration portal with an X.509 user certificate (Grid certificate).
///
/// The certificate must chain to the configured CA bundle; it arrives through TLS client
/// authentication, or from a trusted reverse proxy. Opens a request bound to the
/// certificate's subject DN, or resumes the open one.
#[utoipa::path(
    tag = "registrations",
    responses(
        (status = 200, description = "Identity proven", body = RegistrationToken),
        (status = 401, description = "No valid client certificate", body = b2mms_shared::api::Problem),
    )
)]
#[post("/auth/certificate")]
pub async fn certificate_login(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let der = presented_certificate(&req, &state)?;
    let now = state.clock.now();
    let subject = crate::tls::subject(&der, now).map_err(|e| {
        AppError::unauthenticated(
            "invalid_certificate",
            format!("The certificate cannot be used: {e}."),
        )
    })?;
    let open = |subject: crate::tls::Subject| {
        let state = state.clone();
        async move {
            state
                .db
                .write(move |conn| {
                    if let Some(existing) =
                        store::registrations::find_open_by_certificate(conn, &subject.dn)?
                    {
                        return Ok(existing.id);
                    }
                    let names = subject.common_name.as_deref().and_then(names_of);
                    let row = open_request(
                        conn,
                        IdentityKind::Certificate,
                        |r| {
                            r.certificate_dn = Some(subject.dn.clone());
                            r.email = subject.email.clone().map(|e| e.to_lowercase());
                            if let Some((given, family)) = names {
                                r.given_name = Some(given);
                                r.family_name = Some(family);
                            }
                        },
                        now,
                    )?;
                    Ok(row.id)
                })
                .await
        }
    };
    // Two first logins with one certificate at once: the unique key lets one open the
    // request, the other then resumes it.
    let id = match open(subject.clone()).await {
        Err(AppError::Conflict { .. }) => open(subject.clone()).await?,
        other => other?,
    };
    Ok(HttpResponse::Ok().json(registration_token(&state, &id, &subject.dn)?))
}
