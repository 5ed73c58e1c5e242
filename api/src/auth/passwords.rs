//! Password hashing with argon2id on a bounded pool: at most `permits` hashes run at once, on
//! blocking threads, so that a burst of sign-ins queues instead of starving other requests.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

fn argon2() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .unwrap_or_else(|e| unreachable!("constant argon2 parameters are valid: {e}"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (blocking; use [`Hasher`] from async code).
pub fn hash_blocking(password: &str) -> AppResult<String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored PHC string (blocking).
pub fn verify_blocking(password: &str, phc: &str) -> AppResult<bool> {
    let parsed = PasswordHash::new(phc)
        .map_err(|e| AppError::Internal(format!("stored password hash unreadable: {e}")))?;
    Ok(argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

/// The bounded hashing pool.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// A hash of nothing anyone knows, checked when the account does not exist so that an
    /// unknown account name costs the same time as a wrong password.
    decoy: Arc<str>,
}

impl Hasher {
    pub fn new(permits: usize) -> AppResult<Self> {
        Ok(Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            decoy: hash_blocking(&crate::auth::random_secret())?.into(),
        })
    }

    async fn on_pool<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| AppError::Internal(format!("hashing pool closed: {e}")))?;
        actix_web::rt::task::spawn_blocking(job)
            .await
            .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))?
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.on_pool(move || hash_blocking(&password)).await
    }

    /// `stored = None` checks against the decoy and always answers `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.decoy.to_string());
        let ok = self
            .on_pool(move || verify_blocking(&password, &phc))
            .await?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let phc = hash_blocking("Correct-Horse-42").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_blocking("Correct-Horse-42", &phc).unwrap());
        assert!(!verify_blocking("correct-horse-42", &phc).unwrap());
        assert_ne!(phc, hash_blocking("Correct-Horse-42").unwrap(), "salted");
    }
}
