//! Sessions checked in the last moment, so that a burst of requests in one session costs one
//! database round trip rather than one each. An entry is dropped as soon as this process
//! commits any write, and serves at most `SessionCache::TTL` after it was read, so a sign-out,
//! a disabled account or a withdrawn role on another instance (or by the command line) takes
//! effect there within that time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::{self, sessions::SessionState};

/// Remembered session states, bounded in number.
#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    state: Arc<SessionState>,
    /// When the read began: the state is at least this fresh.
    read_at: Instant,
    /// `store::committed_writes()` before the read began.
    writes: u64,
}

/// What a caller does with the cache: look up first, and on a miss read and remember.
pub struct Lookup {
    read_at: Instant,
    writes: u64,
}

impl SessionCache {
    /// How long a remembered state serves at most. A change committed by another process
    /// is seen within this time (one second at most, with room for the read itself).
    pub const TTL: Duration = Duration::from_millis(750);
    /// Sessions remembered at most; beyond, the stale are dropped, and if none is, all.
    pub const CAPACITY: usize = 10_000;

    /// The remembered state of a session, if it is still valid; otherwise the marker to
    /// `remember` the state read next.
    pub fn get(&self, session_id: &str) -> Result<Arc<SessionState>, Lookup> {
        self.get_at(session_id, Lookup::now())
    }

    fn get_at(&self, session_id: &str, lookup: Lookup) -> Result<Arc<SessionState>, Lookup> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(session_id) {
            Some(entry) if entry.is_valid(&lookup) => Ok(entry.state.clone()),
            _ => Err(lookup),
        }
    }

    /// Remembers the state read after `lookup` missed.
    pub fn remember(&self, session_id: &str, lookup: Lookup, state: Arc<SessionState>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::CAPACITY && !entries.contains_key(session_id) {
            let now = Lookup::now();
            entries.retain(|_, entry| entry.is_valid(&now));
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            session_id.to_owned(),
            Entry {
                state,
                read_at: lookup.read_at,
                writes: lookup.writes,
            },
        );
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl Lookup {
    fn now() -> Self {
        Self {
            read_at: Instant::now(),
            writes: store::committed_writes(),
        }
    }
}

impl Entry {
    fn is_valid(&self, now: &Lookup) -> bool {
        self.writes == now.writes && now.read_at.duration_since(self.read_at) < SessionCache::TTL
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use b2mms_shared::{AccountStatus, Role};

    fn state() -> Arc<SessionState> {
        Arc::new(SessionState {
            person_id: crate::store::new_id(),
            account_name: "jdoe".into(),
            account_status: AccountStatus::Active,
            must_change_password: false,
            password_expires_at: chrono::Utc::now(),
            revoked: false,
            expires_at: chrono::Utc::now(),
            roles: vec![Role::Member],
            represents: Vec::new(),
            membership: b2mms_shared::MembershipStatus::Active,
        })
    }

    fn at(read_at: Instant, writes: u64) -> Lookup {
        Lookup { read_at, writes }
    }

    #[test]
    fn a_state_serves_until_a_write_or_the_ttl() {
        let cache = SessionCache::default();
        let t0 = Instant::now();
        assert!(
            cache.get_at("s1", at(t0, 7)).is_err(),
            "nothing remembered yet"
        );
        cache.remember("s1", at(t0, 7), state());
        assert!(
            cache
                .get_at("s1", at(t0 + Duration::from_millis(100), 7))
                .is_ok()
        );
        assert!(cache.get_at("s2", at(t0, 7)).is_err(), "another session");
        assert!(
            cache.get_at("s1", at(t0, 8)).is_err(),
            "a committed write drops it at once"
        );
        assert!(
            cache.get_at("s1", at(t0 + SessionCache::TTL, 7)).is_err(),
            "it never serves longer than the TTL"
        );
    }

    #[test]
    fn a_commit_in_this_process_moves_the_write_count() {
        let before = crate::store::committed_writes();
        let mut conn = crate::store::DbUrl::parse(":memory:")
            .unwrap()
            .connect()
            .unwrap();
        crate::store::write_tx(&mut conn, |_| Ok(())).unwrap();
        assert!(crate::store::committed_writes() > before);
    }

    #[test]
    fn the_number_of_sessions_remembered_is_bounded() {
        let cache = SessionCache::default();
        let t0 = Instant::now();
        for n in 0..SessionCache::CAPACITY + 10 {
            cache.remember(&format!("s{n}"), at(t0, 0), state());
        }
        assert!(cache.len() <= SessionCache::CAPACITY);
        assert!(cache.len() >= 10, "the newest are kept");
    }
}
