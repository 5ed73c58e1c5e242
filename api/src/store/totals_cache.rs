//! Directory totals counted in the last moment, so that paging through a list of 100,000
//! people costs one count rather than one a page. An entry is dropped as soon as this process
//! commits any write, and serves at most `TotalsCache::TTL` after it was counted, so people
//! added by another instance (or the command line) show in the total within that time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AppResult;

/// Remembered totals by the filter they count, bounded in number.
#[derive(Debug, Default)]
pub struct TotalsCache {
    entries: Mutex<HashMap<String, Entry>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    total: i64,
    /// When the count began: the total is at least this fresh.
    counted_at: Instant,
    /// `store::committed_writes()` before the count began.
    writes: u64,
}

impl TotalsCache {
    /// How long a remembered total serves at most.
    pub const TTL: Duration = Duration::from_millis(750);
    /// Totals remembered at most; beyond, the stale are dropped, and if none is, all.
    pub const CAPACITY: usize = 1_000;

    /// The total for `key`: remembered if still valid, else counted by `count` and remembered.
    pub fn total(&self, key: String, count: impl FnOnce() -> AppResult<i64>) -> AppResult<i64> {
        let writes = super::committed_writes();
        let now = Instant::now();
        let fresh = |e: &Entry| e.writes == writes && now.duration_since(e.counted_at) < Self::TTL;
        if let Some(entry) = self.lock().get(&key).filter(|e| fresh(e)) {
            return Ok(entry.total);
        }
        let total = count()?;
        let mut entries = self.lock();
        if entries.len() >= Self::CAPACITY {
            entries.retain(|_, e| fresh(e));
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                total,
                counted_at: now,
                writes,
            },
        );
        Ok(total)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_is_counted_once_until_a_write_or_the_time_is_up() {
        let cache = TotalsCache::default();
        let mut counted = 0;
        for _ in 0..3 {
            let total = cache
                .total("all".into(), || {
                    counted += 1;
                    Ok(42)
                })
                .unwrap();
            assert_eq!(total, 42);
        }
        assert_eq!(counted, 1);
        super::super::note_commit();
        cache
            .total("all".into(), || {
                counted += 1;
                Ok(43)
            })
            .unwrap();
        assert_eq!(counted, 2, "a write drops what was counted before it");
        let other = cache.total("other".into(), || Ok(7)).unwrap();
        assert_eq!(other, 7, "each filter has its own total");
    }
}
