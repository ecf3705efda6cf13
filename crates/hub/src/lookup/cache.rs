//! The lookup indexes a hub keeps: one entry per audience, the least recently used dropped
//! first, and the scan of the release record that tells which collections lost versions.
//!
//! **Invariant (one door):** an entry is keyed by everything a read's result depends on
//! besides the collection: the principal keys the store filters by (which already name the
//! organisation, its communities and the collections it holds explicit read rights on; none
//! for node administrators, whose reads are unfiltered) and the organisation whose
//! submitted forms the reads return. Two viewers share an entry only when every read would
//! give both the same versions in the same forms; a viewer whose memberships or rights
//! change has other keys, so another entry.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Instant;

use charter_store::{AuditEntry, Store};

use super::state::{Cached, State};
use crate::Viewer;
use crate::error::Result;

/// The number of entries a hub keeps unless configured otherwise.
pub(crate) const DEFAULT_CACHE_ENTRIES: usize = 16;

/// Deletion entries of the release record read per store call by the deletion scan.
const AUDIT_PAGE: usize = 1_000;

/// The action of a deletion's entry in the release record, as `Hub::delete_object` writes
/// it: its detail names the collection.
pub(crate) const DELETE_ACTION: &str = "delete";

/// What a viewer's reads depend on besides the collection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AudienceKey {
    api_root: String,
    /// The principal keys the store filters by, sorted; `None` for unfiltered reads.
    keys: Option<Vec<String>>,
    /// The organisation whose own versions come in their submitted form.
    org: Option<String>,
}

impl AudienceKey {
    pub(crate) fn of(viewer: &Viewer, api_root: &str) -> AudienceKey {
        let keys = viewer.audience_filter().map(|k| {
            let mut k = k.to_vec();
            k.sort();
            k.dedup();
            k
        });
        AudienceKey {
            api_root: api_root.to_owned(),
            keys,
            org: viewer.org().map(str::to_owned),
        }
    }
}

/// One audience's lookup index.
#[derive(Debug, Default)]
pub(crate) struct Entry {
    /// Held while the entry is brought up to date, so that lookups arriving together read
    /// each version once: the second waits, then finds the first's reads applied.
    pub(crate) sync: tokio::sync::Mutex<()>,
    /// The index; lookups match under the read lock. Filing takes the write lock as an
    /// owned guard, so that a blocking thread can hold it while it works.
    pub(crate) state: Arc<tokio::sync::RwLock<State>>,
    /// When the last completed read of each collection began: a lookup that arrived before
    /// that needs no read of its own.
    pub(crate) polled: Mutex<HashMap<String, Instant>>,
    /// Indicators filed, for the statistics.
    pub(crate) indicators: AtomicUsize,
}

impl Entry {
    pub(crate) fn polled(&self) -> MutexGuard<'_, HashMap<String, Instant>> {
        self.polled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// How the lookup indexes have been used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LookupCacheStats {
    /// Entries held now (one per audience).
    pub entries: usize,
    /// The most entries held.
    pub capacity: usize,
    /// Indicators filed across the entries.
    pub indicators: usize,
    /// Reads of a collection from the start (a new entry, a collection new to it, or one a
    /// deletion touched).
    pub builds: u64,
    /// Reads of the versions added to a collection since the last read.
    pub polls: u64,
    /// Entries dropped to make room.
    pub evictions: u64,
}

/// The entries, least recently used first out, the indicators they share, and the deletion
/// scan.
#[derive(Debug)]
pub(crate) struct LookupCache {
    capacity: usize,
    lru: Mutex<Lru>,
    shared: Mutex<Shared>,
    deletions: tokio::sync::Mutex<Deletions>,
    pub(crate) builds: AtomicU64,
    pub(crate) polls: AtomicU64,
    evictions: AtomicU64,
}

#[derive(Debug, Default)]
struct Lru {
    entries: HashMap<AudienceKey, (Arc<Entry>, u64)>,
    tick: u64,
}

/// Indicators in their released form, by collection, id and version key: every entry that
/// holds one holds the same, parsed once. (A version in the form its submitter's
/// organisation submitted it is its entry's own.)
#[derive(Debug, Default)]
struct Shared {
    /// Foldhash, seeded at start: the keys hold ids that come from outside.
    by_version: foldhash::HashMap<String, Weak<Cached>>,
    /// Insertions since the map last let go of indicators no entry holds any more.
    added: usize,
}

/// Which collections lost versions, from the release record.
#[derive(Debug, Default)]
struct Deletions {
    /// Where the next scan reads on from: the head of the record at the first scan, then the
    /// last deletion entry read. `None` before the first scan.
    cursor: Option<i64>,
    /// When the last completed scan began.
    scanned: Option<Instant>,
    /// Per collection, the position of the last deletion from it.
    last: HashMap<String, i64>,
}

impl LookupCache {
    pub(crate) fn new(capacity: usize) -> LookupCache {
        LookupCache {
            capacity,
            lru: Mutex::default(),
            shared: Mutex::default(),
            deletions: tokio::sync::Mutex::default(),
            builds: AtomicU64::new(0),
            polls: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    fn lru(&self) -> MutexGuard<'_, Lru> {
        self.lru
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The entry of `key`, made (and the least recently used dropped) if there is none. With
    /// a capacity of 0, a fresh entry that is not kept.
    pub(crate) fn entry(&self, key: AudienceKey) -> Arc<Entry> {
        if self.capacity == 0 {
            return Arc::default();
        }
        let mut lru = self.lru();
        lru.tick += 1;
        let tick = lru.tick;
        if let Some((entry, used)) = lru.entries.get_mut(&key) {
            *used = tick;
            return Arc::clone(entry);
        }
        while lru.entries.len() >= self.capacity {
            let Some(oldest) = lru
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            lru.entries.remove(&oldest);
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
        let entry = Arc::<Entry>::default();
        lru.entries.insert(key, (Arc::clone(&entry), tick));
        entry
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The key under which the released form of a version is shared; `None` when no entry
    /// is kept, so there is nothing to share with.
    pub(crate) fn shared_key(&self, collection: &str, id: &str, key: &str) -> Option<String> {
        // None of the three holds a newline: a UUID, a STIX id, a fixed-width timestamp.
        (self.capacity > 0).then(|| format!("{collection}\n{id}\n{key}"))
    }

    /// The released form of a version, if an entry holds it already.
    pub(crate) fn released(&self, key: &str) -> Option<Arc<Cached>> {
        self.shared().by_version.get(key).and_then(Weak::upgrade)
    }

    /// Offers the released form of a version to the other entries.
    pub(crate) fn share(&self, key: String, c: &Arc<Cached>) {
        let mut shared = self.shared();
        shared.by_version.insert(key, Arc::downgrade(c));
        shared.added += 1;
        if shared.added > shared.by_version.len() {
            shared.by_version.retain(|_, c| c.strong_count() > 0);
            shared.added = 0;
        }
    }

    pub(crate) fn stats(&self) -> LookupCacheStats {
        let lru = self.lru();
        LookupCacheStats {
            entries: lru.entries.len(),
            capacity: self.capacity,
            indicators: lru
                .entries
                .values()
                .map(|(e, _)| e.indicators.load(Ordering::Relaxed))
                .sum(),
            builds: self.builds.load(Ordering::Relaxed),
            polls: self.polls.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
        }
    }

    /// Per collection, the release-record position of the last deletion from it, as of a
    /// scan that began after `since`. Deletions leave no newer version for a poll to find,
    /// but each is recorded in its own transaction (by whichever server made it), so before
    /// it is acknowledged, and the record is appended in order, so reading its deletion
    /// entries on from the last position finds every deletion acknowledged before the
    /// lookup began.
    pub(crate) async fn deletions(
        &self,
        store: &dyn Store,
        since: Instant,
    ) -> Result<HashMap<String, i64>> {
        let mut d = self.deletions.lock().await;
        if d.scanned.is_some_and(|s| s > since) {
            return Ok(d.last.clone());
        }
        let began = Instant::now();
        match d.cursor {
            // No entry was built before this scan, so earlier deletions are in every read.
            None => d.cursor = Some(store.audit_head().await?.map_or(0, |(seq, _)| seq)),
            Some(mut after) => {
                loop {
                    let page = store
                        .audit_entries_of(DELETE_ACTION, Some(after), AUDIT_PAGE)
                        .await?;
                    for entry in &page {
                        after = after.max(entry.seq);
                        if let Some(collection) = deleted_from(entry) {
                            d.last.insert(collection, entry.seq);
                        }
                    }
                    if page.len() < AUDIT_PAGE {
                        break;
                    }
                }
                d.cursor = Some(after);
            }
        }
        d.scanned = Some(began);
        Ok(d.last.clone())
    }
}

/// The collection a deletion's entry names.
fn deleted_from(entry: &AuditEntry) -> Option<String> {
    let detail: serde_json::Value = serde_json::from_str(&entry.detail).ok()?;
    Some(detail.get("collection")?.as_str()?.to_owned())
}
