//! Credentials: password hashing, signed tokens, refresh tokens and the request principal.

pub mod caller;
pub mod passwords;
pub mod principal;
pub mod session_cache;
pub mod tokens;

use base64::Engine;
use sha2::{Digest, Sha256};

/// Service tokens are opaque, not JWTs, and carry this prefix.
pub const SERVICE_TOKEN_PREFIX: &str = "b2mms_st_";

/// A random opaque secret (refresh tokens, one-time links): 32 bytes, URL-safe base64.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether a secret someone gave is the configured one. The digests are compared, so the
/// time taken tells nothing about how much of the secret was right.
pub fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// How opaque secrets are stored: SHA-256, hex. They are random, so no salt is needed.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
