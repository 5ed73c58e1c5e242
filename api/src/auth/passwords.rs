//! Password hashing with argon2id on a fixed set of worker threads. Each worker allocates
//! the algorithm's memory once and reuses it for every hash, so resident memory does not
//! grow with the number of sign-ins; a bounded queue stands in front of the workers, and a
//! full queue is refused at once (503 with `Retry-After`) instead of growing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult};

/// OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;
const SALT_LEN: usize = 16;
const OUTPUT_LEN: usize = 32;

fn params() -> Params {
    Params::new(MEMORY_KIB, ITERATIONS, LANES, Some(OUTPUT_LEN))
        .unwrap_or_else(|e| unreachable!("constant argon2 parameters are valid: {e}"))
}

/// The working memory of one worker, sized for the current parameters.
struct Memory(Vec<Block>);

impl Memory {
    fn new() -> Self {
        Self(vec![Block::default(); params().block_count()])
    }

    /// Blocks for `params`: the reused ones when they suffice, else (a stored hash made with
    /// larger parameters) a buffer for this hash only.
    fn run<T>(&mut self, params: &Params, f: impl FnOnce(&mut [Block]) -> T) -> T {
        let needed = params.block_count();
        match self.0.get_mut(..needed) {
            Some(blocks) => f(blocks),
            None => f(&mut vec![Block::default(); needed]),
        }
    }
}

fn failed(e: &dyn std::fmt::Display) -> AppError {
    AppError::Internal(format!("password hashing failed: {e}"))
}

fn hash_with(memory: &mut Memory, password: &str) -> AppResult<String> {
    let mut salt = [0u8; SALT_LEN];
    rand::fill(&mut salt);
    let params = params();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; OUTPUT_LEN];
    memory
        .run(&params, |blocks| {
            argon.hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, blocks)
        })
        .map_err(|e| failed(&e))?;
    phc(&params, &salt, &out)
}

/// The stored form of a password that does not exist yet (an account made by an import):
/// a well-formed argon2id hash with random salt and output, which no password matches and
/// whose check costs what any other costs. Made without hashing, so fast in bulk.
pub fn no_password_yet() -> AppResult<String> {
    let mut salt = [0u8; SALT_LEN];
    let mut out = [0u8; OUTPUT_LEN];
    rand::fill(&mut salt);
    rand::fill(&mut out);
    phc(&params(), &salt, &out)
}

fn phc(params: &Params, salt: &[u8], out: &[u8]) -> AppResult<String> {
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Memory, password: &str, phc: &str) -> AppResult<bool> {
    let unreadable = |e: &dyn std::fmt::Display| {
        AppError::Internal(format!("stored password hash unreadable: {e}"))
    };
    let parsed = PasswordHash::new(phc).map_err(|e| unreadable(&e))?;
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err(unreadable(&"no salt or hash"));
    };
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).map_err(|e| unreadable(&e))?;
    let version = parsed
        .version
        .map_or(Ok(Version::V0x13), Version::try_from)
        .map_err(|e| unreadable(&e))?;
    let params = Params::try_from(&parsed).map_err(|e| unreadable(&e))?;
    let argon = Argon2::new(algorithm, version, params.clone());
    let mut out = vec![0u8; expected.len()];
    memory
        .run(&params, |blocks| {
            argon.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
        })
        .map_err(|e| unreadable(&e))?;
    // `Output` compares in constant time.
    Ok(Output::new(&out).is_ok_and(|computed| computed == *expected))
}

/// Hashes a password (blocking, with memory of its own; use [`Hasher`] from async code).
pub fn hash_blocking(password: &str) -> AppResult<String> {
    hash_with(&mut Memory::new(), password)
}

/// Checks a password against a stored PHC string (blocking).
pub fn verify_blocking(password: &str, phc: &str) -> AppResult<bool> {
    verify_with(&mut Memory::new(), password, phc)
}

enum Work {
    Hash(String),
    Verify(String, Arc<str>),
}

enum Done {
    Hashed(AppResult<String>),
    Verified(AppResult<bool>),
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Done>,
}

/// The handle of the hashing workers; cheap to clone.
#[derive(Clone)]
pub struct Hasher {
    queue: SyncSender<Job>,
    /// Callers waiting for a hash or a check, queued or running.
    pending: Arc<AtomicUsize>,
    /// A hash of nothing anyone knows, checked when the account does not exist so that an
    /// unknown account name costs the same time as a wrong password.
    decoy: Arc<str>,
}

/// How long a caller refused by a full queue is asked to wait.
pub const BUSY_RETRY_AFTER_SECS: i64 = 1;

impl Hasher {
    /// Starts `workers` threads with a queue of `queue` waiting hashes in front of them.
    pub fn new(workers: usize, queue: usize) -> AppResult<Self> {
        let (sender, receiver) = sync_channel::<Job>(queue.max(1));
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..workers.max(1) {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("b2mms-hash-{n}"))
                .spawn(move || work(&receiver))
                .map_err(|e| AppError::Internal(format!("starting a hashing worker: {e}")))?;
        }
        Ok(Self {
            queue: sender,
            pending: Arc::new(AtomicUsize::new(0)),
            decoy: hash_blocking(&crate::auth::random_secret())?.into(),
        })
    }

    /// Callers now waiting for a hash or a check, queued or running.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    async fn submit(&self, work: Work) -> AppResult<Done> {
        let _waiting = Waiting::count(&self.pending);
        let (reply, answer) = oneshot::channel();
        self.queue
            .try_send(Job { work, reply })
            .map_err(|e| match e {
                TrySendError::Full(_) => AppError::Busy {
                    retry_after: BUSY_RETRY_AFTER_SECS,
                },
                TrySendError::Disconnected(_) => {
                    AppError::Internal("the hashing workers stopped".into())
                }
            })?;
        answer
            .await
            .map_err(|_| AppError::Internal("a hashing worker stopped".into()))
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        match self.submit(Work::Hash(password)).await? {
            Done::Hashed(result) => result,
            Done::Verified(_) => unreachable!("a hash job answers with a hash"),
        }
    }

    /// `stored = None` checks against the decoy and always answers `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let known = stored.is_some();
        let phc = stored.map_or_else(|| Arc::clone(&self.decoy), Arc::from);
        match self.submit(Work::Verify(password, phc)).await? {
            Done::Verified(result) => Ok(result? && known),
            Done::Hashed(_) => unreachable!("a verify job answers with a verdict"),
        }
    }
}

/// One caller counted in `Hasher::pending` for as long as it lives, cancelled or not.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn count(pending: &'a AtomicUsize) -> Self {
        pending.fetch_add(1, Ordering::Relaxed);
        Self(pending)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One worker: takes jobs until every handle is gone, hashing in its own memory, allocated
/// at the first job (an idle instance holds none) and reused for every later one.
fn work(receiver: &Mutex<Receiver<Job>>) {
    let mut memory: Option<Memory> = None;
    loop {
        let job = match receiver.lock() {
            Ok(queue) => queue.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(Job { work, reply }) = job else {
            return;
        };
        let memory = memory.get_or_insert_with(Memory::new);
        let done = match work {
            Work::Hash(password) => Done::Hashed(hash_with(memory, &password)),
            Work::Verify(password, phc) => Done::Verified(verify_with(memory, &password, &phc)),
        };
        // The caller may have gone (the request was cancelled); nothing to tell then.
        let _ = reply.send(done);
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters() {
        let phc = hash_blocking("Correct-Horse-42").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_blocking("Correct-Horse-42", &phc).unwrap());
        assert!(!verify_blocking("correct-horse-42", &phc).unwrap());
        assert_ne!(phc, hash_blocking("Correct-Horse-42").unwrap(), "salted");
    }

    #[test]
    fn hashes_agree_with_the_reference_implementation_both_ways() {
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let ours = hash_blocking("Belle-Two-Rocks-9").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            reference
                .verify_password(b"Belle-Two-Rocks-9", &parsed)
                .is_ok()
        );
        assert!(
            reference
                .verify_password(b"Belle-Two-Rocks-8", &parsed)
                .is_err()
        );
        let theirs = reference
            .hash_password(b"Belle-Two-Rocks-9")
            .unwrap()
            .to_string();
        assert!(verify_blocking("Belle-Two-Rocks-9", &theirs).unwrap());
        assert!(!verify_blocking("Belle-Two-Rocks-8", &theirs).unwrap());
    }

    #[test]
    fn stored_hashes_with_larger_parameters_still_verify() {
        let larger = Params::new(MEMORY_KIB * 2, 1, 1, None).unwrap();
        let old = Argon2::new(Algorithm::Argon2id, Version::V0x13, larger)
            .hash_password(b"Old-Params-7")
            .unwrap()
            .to_string();
        let mut memory = Memory::new();
        assert!(verify_with(&mut memory, "Old-Params-7", &old).unwrap());
        assert!(!verify_with(&mut memory, "Old-Params-6", &old).unwrap());
    }

    #[test]
    fn an_unreadable_stored_hash_is_an_error_not_a_match() {
        assert!(verify_blocking("x", "not a hash").is_err());
    }

    #[actix_web::test]
    async fn a_full_queue_refuses_at_once_instead_of_growing() {
        let hasher = Hasher::new(1, 1).unwrap();
        let calls: Vec<_> = (0..8)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.verify("guess".into(), None).await })
            })
            .collect();
        let mut refused = 0;
        for call in calls {
            match call.await.unwrap() {
                Ok(ok) => assert!(!ok, "the decoy never matches"),
                Err(AppError::Busy { retry_after }) => {
                    assert!(retry_after >= 1);
                    refused += 1;
                }
                Err(other) => panic!("unexpected {other}"),
            }
        }
        assert!(
            refused >= 6,
            "one worker and one queue slot take at most two of eight; {refused} refused"
        );
        assert!(
            hasher.verify("guess".into(), None).await.is_ok(),
            "the queue drains and works again"
        );
    }
}
