//! Proving an identity for a registration, by invitation or by certificate: both open (or
//! resume) a request in `identity_verified` and answer with a token that reaches the
//! registration endpoints only.

use b2mms_shared::api::RegistrationToken;
use b2mms_shared::{IdentityKind, InvitationStatus, RegistrationId};

use super::registrations::open_request;
use crate::auth::tokens::{Claims, Purpose};
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::store;

/// A registration-scoped token for a request.
fn registration_token(
    state: &Services,
    registration_id: &RegistrationId,
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

/// Opens or resumes the request of an invitation with its temporary credentials; the home
/// institution is the inviting one.
pub async fn by_invitation(
    state: &Services,
    username: &str,
    password: String,
) -> AppResult<RegistrationToken> {
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
    registration_token(state, &registration_id, &username)
}

/// Given and family name from a certificate's common name such as `Toru Iijima`.
fn names_of(common_name: &str) -> Option<(String, String)> {
    let (given, family) = common_name.trim().rsplit_once(' ')?;
    let given = given.trim();
    (!given.is_empty() && family.chars().all(char::is_alphabetic))
        .then(|| (given.to_owned(), family.to_owned()))
}

/// Opens a request bound to the subject of a verified client certificate (DER), or resumes
/// the open one.
pub async fn by_certificate(state: &Services, der: &[u8]) -> AppResult<RegistrationToken> {
    let now = state.clock.now();
    let subject = crate::tls::subject(der, now).map_err(|e| {
        AppError::unauthenticated(
            "invalid_certificate",
            format!("The certificate cannot be used: {e}."),
        )
    })?;
    let open = |subject: crate::tls::Subject| async move {
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
    };
    // Two first logins with one certificate at once: the unique key lets one open the
    // request, the other then resumes it.
    let id = match open(subject.clone()).await {
        Err(AppError::Conflict { .. }) => open(subject.clone()).await?,
        other => other?,
    };
    registration_token(state, &id, &subject.dn)
}
