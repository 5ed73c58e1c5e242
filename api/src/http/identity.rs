//! Step one of registration over HTTP: the invitation's credentials, or the client
//! certificate from the TLS connection or a trusted reverse proxy.

use actix_web::{HttpRequest, HttpResponse, post, web};
use b2mms_shared::api::{InvitationLogin, RegistrationToken};

use crate::app::AppState;
use crate::error::{AppError, AppResult};
use crate::http::body::Body;
use crate::ops::identity;

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
    body: Body<InvitationLogin>,
) -> AppResult<HttpResponse> {
    let InvitationLogin { username, password } = body.into_inner();
    let token = identity::by_invitation(&state, &username, password).await?;
    Ok(HttpResponse::Ok().json(token))
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
    let token = identity::by_certificate(&state, &der).await?;
    Ok(HttpResponse::Ok().json(token))
}
