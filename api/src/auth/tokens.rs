//! Signed access tokens (JWT, EdDSA over Ed25519). The signing key comes from configuration or
//! is generated on first start and kept in the database; the public keys are published as a
//! JWK set so that other collaboration tools can verify tokens.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::{Jwk, JwkSet, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::store::models::SigningKeyRow;
use crate::store::{self, DbConnection, to_db_time};

/// What a token may be used for; each purpose is its own audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    /// A full session of a member.
    #[serde(rename = "b2mms:session")]
    Session,
    /// A session that may only set a new password (first login, expired password).
    #[serde(rename = "b2mms:password-change")]
    PasswordChange,
    /// An applicant's access to their registration request, and nothing else.
    #[serde(rename = "b2mms:registration")]
    Registration,
}

impl Purpose {
    pub const fn audience(self) -> &'static str {
        match self {
            Self::Session => "b2mms:session",
            Self::PasswordChange => "b2mms:password-change",
            Self::Registration => "b2mms:registration",
        }
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The person's id.
    pub sub: String,
    pub aud: Purpose,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The session (refresh-token family) the token belongs to.
    pub sid: String,
    /// Account name.
    pub name: String,
    /// Roles at issue time (informative for other tools; b2mms itself checks current roles).
    pub roles: Vec<b2mms_shared::Role>,
}

/// The DER prefix of a PKCS#8 v1 Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// Signing and verification keys.
pub struct TokenKeys {
    issuer: String,
    kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    jwks: JwkSet,
    verified: VerifiedTokens,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

fn key_error(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("token key: {e}"))
}

/// Public JWK (with its thumbprint as `kid`) of a PKCS#8 Ed25519 private key.
fn public_jwk(signing: &EncodingKey) -> AppResult<Jwk> {
    let mut jwk = Jwk::from_encoding_key(signing, Algorithm::EdDSA).map_err(key_error)?;
    let kid = jwk.thumbprint(ThumbprintHash::SHA256).map_err(key_error)?;
    jwk.common.key_id = Some(kid);
    jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
    Ok(jwk)
}

fn generate_row(now: DateTime<Utc>) -> AppResult<SigningKeyRow> {
    let mut der = ED25519_PKCS8_PREFIX.to_vec();
    let mut seed = [0u8; 32];
    rand::fill(&mut seed);
    der.extend_from_slice(&seed);
    row_from_der(&der, now)
}

fn row_from_der(der: &[u8], now: DateTime<Utc>) -> AppResult<SigningKeyRow> {
    let jwk = public_jwk(&EncodingKey::from_ed_der(der))?;
    Ok(SigningKeyRow {
        kid: jwk.common.key_id.clone().unwrap_or_default(),
        algorithm: "EdDSA".into(),
        private_key: b64().encode(der),
        public_key: serde_json::to_string(&jwk).map_err(key_error)?,
        created_at: to_db_time(now),
        retired_at: None,
    })
}

impl TokenKeys {
    /// Uses the configured key, or the oldest active key in the database, generating and
    /// storing one when there is none. Instances starting together converge on the same key.
    pub fn load_or_create(
        conn: &mut DbConnection,
        issuer: &str,
        configured_pem: Option<&str>,
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        if let Some(pem) = configured_pem {
            let key = EncodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| {
                AppError::Internal(format!(
                    "jwt_private_key is not an Ed25519 PKCS#8 PEM key: {e}"
                ))
            })?;
            let row = row_from_der(key.as_bytes(), now)?;
            return Self::from_rows(issuer, &row.kid.clone(), &[row]);
        }
        let mut rows = store::keys::active(conn)?;
        if rows.is_empty() {
            store::keys::insert(conn, &generate_row(now)?)?;
            rows = store::keys::active(conn)?;
        }
        let kid = rows[0].kid.clone();
        Self::from_rows(issuer, &kid, &rows)
    }

    fn from_rows(issuer: &str, kid: &str, rows: &[SigningKeyRow]) -> AppResult<Self> {
        let mut verifying = HashMap::new();
        let mut keys = Vec::new();
        let mut signing = None;
        for row in rows {
            let jwk: Jwk = serde_json::from_str(&row.public_key).map_err(key_error)?;
            verifying.insert(
                row.kid.clone(),
                DecodingKey::from_jwk(&jwk).map_err(key_error)?,
            );
            keys.push(jwk);
            if row.kid == kid {
                let der = b64().decode(&row.private_key).map_err(key_error)?;
                signing = Some(EncodingKey::from_ed_der(&der));
            }
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            kid: kid.to_owned(),
            signing: signing.ok_or_else(|| key_error("signing key missing"))?,
            verifying,
            jwks: JwkSet { keys },
            verified: VerifiedTokens::default(),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    pub fn sign(&self, claims: &Claims) -> AppResult<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.signing).map_err(key_error)
    }

    /// Verifies signature, issuer, audience and expiry (against `now`, so that tests can move
    /// time) and returns the claims.
    pub fn verify(
        &self,
        token: &str,
        accepted: &[Purpose],
        now: DateTime<Utc>,
    ) -> AppResult<Arc<Claims>> {
        let invalid = || {
            AppError::unauthenticated(
                "invalid_token",
                "The access token is invalid; sign in again.",
            )
        };
        let claims = match self.verified.get(token) {
            Some(claims) => claims,
            None => {
                let claims = Arc::new(self.verify_signature(token).map_err(|_| invalid())?);
                self.verified.remember(token, &claims, now);
                claims
            }
        };
        if claims.exp <= now.timestamp() {
            return Err(AppError::unauthenticated(
                "token_expired",
                "The access token has expired; refresh the session or sign in again.",
            ));
        }
        if !accepted.contains(&claims.aud) {
            return Err(match claims.aud {
                Purpose::PasswordChange => AppError::Forbidden {
                    code: "password_change_required",
                    detail: "Set a new password first (POST /api/v1/auth/password).".into(),
                },
                Purpose::Registration => AppError::Forbidden {
                    code: "registration_token",
                    detail: "This token is for the registration portal only; sign in with an account for anything else.".into(),
                },
                Purpose::Session => invalid(),
            });
        }
        Ok(claims)
    }

    /// Checks what never changes for a token: its signature by one of the keys, issuer and
    /// audience.
    fn verify_signature(&self, token: &str) -> Result<Claims, ()> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| ())?;
        if header.alg != Algorithm::EdDSA {
            return Err(());
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|kid| self.verifying.get(kid))
            .ok_or(())?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.validate_exp = false;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[
            Purpose::Session.audience(),
            Purpose::PasswordChange.audience(),
            Purpose::Registration.audience(),
        ]);
        validation.set_required_spec_claims(&["exp", "sub", "aud", "iss"]);
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|_| ())?;
        Ok(data.claims)
    }
}

/// Tokens whose signature was checked, by the SHA-256 of the token (the token itself is not
/// kept): a signature check costs more than the rest of a small read, and a client sends the
/// same token with every request until it is refreshed. Expiry and purpose are still checked
/// on every use; an entry is dropped when its token expires.
#[derive(Default)]
struct VerifiedTokens {
    entries: Mutex<HashMap<[u8; 32], Arc<Claims>>>,
}

impl VerifiedTokens {
    /// Tokens remembered at most; beyond, the expired are dropped, and if none is, all.
    const CAPACITY: usize = 10_000;

    fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    fn get(&self, token: &str) -> Option<Arc<Claims>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(&Self::key(token)).cloned()
    }

    fn remember(&self, token: &str, claims: &Arc<Claims>, now: DateTime<Utc>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::CAPACITY {
            entries.retain(|_, c| c.exp > now.timestamp());
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
        }
        entries.insert(Self::key(token), Arc::clone(claims));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        let row = generate_row(Utc::now()).unwrap();
        TokenKeys::from_rows("https://b2mms.test", &row.kid.clone(), &[row]).unwrap()
    }

    fn claims(aud: Purpose, exp: i64) -> Claims {
        Claims {
            iss: "https://b2mms.test".into(),
            sub: "p".into(),
            aud,
            iat: 0,
            exp,
            jti: "j".into(),
            sid: "s".into(),
            name: "jdoe".into(),
            roles: vec![],
        }
    }

    #[test]
    fn sign_verify_and_audiences() {
        let keys = keys();
        let now = Utc::now();
        let later = now.timestamp() + 60;
        let token = keys.sign(&claims(Purpose::Session, later)).unwrap();
        assert_eq!(
            keys.verify(&token, &[Purpose::Session], now).unwrap().name,
            "jdoe"
        );

        let pw = keys.sign(&claims(Purpose::PasswordChange, later)).unwrap();
        assert!(matches!(
            keys.verify(&pw, &[Purpose::Session], now),
            Err(AppError::Forbidden {
                code: "password_change_required",
                ..
            })
        ));
        assert!(
            keys.verify(&pw, &[Purpose::Session, Purpose::PasswordChange], now)
                .is_ok()
        );

        let expired = keys
            .sign(&claims(Purpose::Session, now.timestamp()))
            .unwrap();
        assert!(matches!(
            keys.verify(&expired, &[Purpose::Session], now),
            Err(AppError::Unauthenticated {
                code: "token_expired",
                ..
            })
        ));
    }

    #[test]
    fn foreign_and_tampered_tokens_are_refused() {
        let (a, b) = (keys(), keys());
        let now = Utc::now();
        let token = a
            .sign(&claims(Purpose::Session, now.timestamp() + 60))
            .unwrap();
        assert!(b.verify(&token, &[Purpose::Session], now).is_err());
        let mut tampered = token.clone();
        tampered.insert(tampered.len() / 2, 'x');
        assert!(a.verify(&tampered, &[Purpose::Session], now).is_err());
        assert!(a.verify("not.a.token", &[Purpose::Session], now).is_err());
    }

    /// A token checked once is remembered, but its expiry and purpose are checked on every use,
    /// and a tampered copy of a remembered token is not taken for it.
    #[test]
    fn a_remembered_token_still_expires_and_keeps_its_purpose() {
        let keys = keys();
        let now = Utc::now();
        let token = keys
            .sign(&claims(Purpose::PasswordChange, now.timestamp() + 60))
            .unwrap();
        let both = [Purpose::Session, Purpose::PasswordChange];
        assert!(keys.verify(&token, &both, now).is_ok());
        assert!(keys.verified.get(&token).is_some(), "remembered");
        assert!(keys.verify(&token, &both, now).is_ok());
        assert!(matches!(
            keys.verify(&token, &[Purpose::Session], now),
            Err(AppError::Forbidden {
                code: "password_change_required",
                ..
            })
        ));
        let later = now + chrono::Duration::seconds(61);
        assert!(matches!(
            keys.verify(&token, &both, later),
            Err(AppError::Unauthenticated {
                code: "token_expired",
                ..
            })
        ));
        let (head, signature) = token.rsplit_once('.').unwrap();
        let mut forged = signature.to_owned();
        forged.replace_range(0..1, if forged.starts_with('A') { "B" } else { "A" });
        let forged = format!("{head}.{forged}");
        assert!(keys.verify(&forged, &both, now).is_err());
    }

    #[test]
    fn jwks_publishes_only_public_parts() {
        let keys = keys();
        let json = serde_json::to_value(keys.jwks()).unwrap();
        let key = &json["keys"][0];
        assert_eq!(key["kty"], "OKP");
        assert_eq!(key["crv"], "Ed25519");
        assert!(key.get("d").is_none());
        assert_eq!(key["kid"].as_str().unwrap(), keys.kid);
    }
}
