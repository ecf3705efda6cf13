//! Lookups of values against the active indicators a principal may see, answered from a
//! long-lived index that follows the store instead of reading every indicator per lookup.
//!
//! The hub keeps one index per *audience* (`cache::AudienceKey`: the principal keys the
//! store filters by and the organisation whose submitted forms a read returns), at most
//! `HubConfig::lookup_cache_entries` of them, the least recently used dropped first. An
//! entry holds, per collection, the latest visible version of each indicator and the
//! greatest `date_added` it has read (its high-water mark). Each lookup
//!
//! 1. takes the collections its viewer may read *now* (an entry forgets collections its
//!    audience can no longer read; a lookup answers only from its own viewer's),
//! 2. reads the release record on from where the last lookup stopped, for deletions,
//! 3. brings the entry up to date: a collection new to it, or one a deletion touched, is
//!    read from the start (latest visible versions); any other only for the versions added
//!    after its mark. A newer visible version of an id replaces the one held; one that is
//!    revoked, or not a STIX-pattern indicator, takes the id out,
//! 4. matches the values, applying validity at the lookup's instant, the highest TLP, the
//!    kinds and the collections then, so one entry serves every filter, and
//! 5. reads the stored warning flags of the matching versions (never kept: re-flagging
//!    against new lists changes flags without a new version), and records exactly the
//!    matching versions as released, in form `lookup`.
//!
//! Entries hold the parsed indicators behind `Arc`s: a version in its released form is
//! parsed once and shared by every entry that holds it, so a further audience costs its
//! index and its map of latest versions, not another copy of the indicators. A version in
//! the form its submitter's own organisation submitted stays in that organisation's entries.
//!
//! **Off the async workers.** Parsing the indicators of a page and filing reads into an
//! index (compiling their patterns, compacting) take hundreds of milliseconds for a large
//! collection, so both run on tokio's blocking threads: each page is parsed there while the
//! next one is read, and the filing holds the entry's write lock as an owned guard there.
//! Lookups match under the read lock, so none answers from a read part filed. A panic while
//! filing leaves the index empty and failed (`State::guarded`): that lookup gets an error,
//! and the next builds the index again. Small pages and polls stay on the caller's thread,
//! where they cost less than the hand-off (`INLINE_PARSE`, `State::light`).
//!
//! **Invariant (one door):** every version an entry holds was read through `Hub::page_for`
//! (the audience-filtered query, the submitted forms, the `may_release` re-check) with the
//! viewer of a lookup whose audience is the entry's; every answer is recorded.
//!
//! **Why a poll is exact**, with one server or many on one PostgreSQL database: a write to a
//! collection holds the collection's lock while it takes `date_added` values past the last
//! one and until it commits, so `date_added` is strictly increasing per collection and
//! commits land in `date_added` order (the store's documentation states both for SQLite and
//! PostgreSQL, and an approved review is stored the same way). A version not yet committed
//! when a read ran therefore gets a `date_added` above every version that read saw, and the
//! next read, `added_after` the mark, finds it. Versions never change; deletions, the one
//! way a version leaves, are found in the release record (see `cache`). A lookup that
//! arrives while another reads the entry waits for it and then reads again only the
//! collections whose last read began before the lookup arrived.

mod cache;
mod state;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use charter_policy::TlpLevel;
use charter_stix::Timestamp;
use charter_store::{CollectionRecord, Micros, ObjectQuery, StoredVersion, VersionFilter};
use tokio::task::JoinHandle;

pub use cache::LookupCacheStats;
pub(crate) use cache::{DEFAULT_CACHE_ENTRIES, DELETE_ACTION, LookupCache};

use crate::error::{Error, ErrorKind, Result};
use crate::intel::{self, ActiveIndicator, IndicatorFilter};
use crate::objects::now_micros;
use crate::{Hub, Released, Viewer};
use cache::{AudienceKey, Entry};
use state::{Cached, INLINE_PARSE, Plan, Read, Scope, Update};

/// A matched version: collection, id and version text.
type FlagKey = (String, String, String);

/// The stored flag of `indicator` among `flags`.
fn warning_of(indicator: &ActiveIndicator, flags: &HashMap<FlagKey, String>) -> Option<String> {
    if flags.is_empty() {
        return None;
    }
    let key = (
        indicator.collection.clone(),
        indicator.id.clone(),
        indicator.version.clone(),
    );
    flags.get(&key).cloned()
}

/// The most values one lookup may carry.
pub const MAX_LOOKUP_VALUES: usize = 10_000;

/// The indicators that matched one looked-up value.
#[derive(Debug, Clone)]
pub struct LookupMatch {
    /// The value as given.
    pub value: String,
    /// What the value was taken to be (`ip`, `domain`, …), or `None` when it is none of
    /// these.
    pub kind: Option<&'static str>,
    /// The matching indicators; `exact` tells a full match from a pattern that needs more
    /// than this value (an `AND`, a sequence).
    pub indicators: Vec<(ActiveIndicator, bool)>,
}

impl Hub {
    /// Looks `values` up against the active indicators `viewer` may see (flagged ones
    /// included, with their flag). Only the matching indicators are recorded as released.
    pub async fn lookup(
        &self,
        viewer: &Viewer,
        filter: &IndicatorFilter,
        values: &[String],
    ) -> Result<Released<Vec<LookupMatch>>> {
        if values.len() > MAX_LOOKUP_VALUES {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "{} values in one lookup; at most {MAX_LOOKUP_VALUES}",
                    values.len()
                ),
            ));
        }
        let since = Instant::now();
        let at = filter
            .at
            .as_ref()
            .map_or_else(now_micros, Timestamp::unix_micros);
        let selected = self
            .readable_collections(viewer, &filter.api_root, &filter.collections)
            .await?;
        // Without named collections these are all the viewer may read: the entry forgets
        // the others.
        let readable: Option<HashSet<&str>> = filter
            .collections
            .is_empty()
            .then(|| selected.iter().map(|c| c.id.as_str()).collect());
        let deletions = self.inner.lookups.deletions(self.store(), since).await?;
        let entry = self
            .inner
            .lookups
            .entry(AudienceKey::of(viewer, &filter.api_root));
        self.refresh(
            viewer,
            &entry,
            &selected,
            readable.as_ref(),
            &deletions,
            since,
        )
        .await?;
        let scope = Scope {
            collections: selected
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.as_str(), i))
                .collect(),
            at,
            max_tlp: filter.max_tlp,
            kinds: &filter.kinds,
        };
        let (mut answers, hits) = {
            let state = entry.state.read().await;
            if state.failed() {
                return Err(Error::new(
                    ErrorKind::Internal,
                    "the lookup index could not be brought up to date",
                ));
            }
            state.answer(values, &scope)
        };
        let flags = self.stored_warnings(&hits).await?;
        for answer in &mut answers {
            for (indicator, _) in &mut answer.indicators {
                indicator.warning = warning_of(indicator, &flags);
            }
        }
        let hits: Vec<ActiveIndicator> = hits.iter().map(|c| c.indicator.clone()).collect();
        self.record_all(viewer, "lookup", &hits).await?;
        Ok(Released::grant(answers))
    }

    /// The stored warning flag (the first list by name) of each of `hits` that has one, by
    /// collection, id and version.
    async fn stored_warnings(&self, hits: &[Arc<Cached>]) -> Result<HashMap<FlagKey, String>> {
        let mut by_collection: HashMap<&str, Vec<&Cached>> = HashMap::new();
        for c in hits {
            by_collection
                .entry(c.indicator.collection.as_str())
                .or_default()
                .push(c);
        }
        let mut flags = HashMap::new();
        for (collection, list) in by_collection {
            let keys = list
                .iter()
                .map(|c| (c.indicator.id.clone(), c.key.to_string()))
                .collect();
            let texts: HashMap<(&str, &str), &str> = list
                .iter()
                .map(|c| {
                    (
                        (c.indicator.id.as_str(), &*c.key),
                        c.indicator.version.as_str(),
                    )
                })
                .collect();
            for flag in self.store().warnings(collection, keys).await? {
                let Some(first) = flag.lists.into_iter().min() else {
                    continue;
                };
                if let Some(text) = texts.get(&(flag.id.as_str(), flag.version_key.as_str())) {
                    flags.insert(
                        (collection.to_owned(), flag.id.clone(), (*text).to_owned()),
                        first,
                    );
                }
            }
        }
        Ok(flags)
    }

    /// How the lookup indexes have been used.
    pub fn lookup_cache_stats(&self) -> LookupCacheStats {
        self.inner.lookups.stats()
    }

    /// Brings `entry` up to date for `selected`, and makes it forget the collections not in
    /// `readable` (when given).
    async fn refresh(
        &self,
        viewer: &Viewer,
        entry: &Arc<Entry>,
        selected: &[CollectionRecord],
        readable: Option<&HashSet<&str>>,
        deletions: &HashMap<String, i64>,
        since: Instant,
    ) -> Result<()> {
        let _turn = entry.sync.lock().await;
        let deleted = |id: &str| deletions.get(id).copied().unwrap_or(0);
        let keep = |c: &str| readable.is_none_or(|r| r.contains(c));
        let (plans, prune, heal) = {
            let state = entry.state.read().await;
            let polled = entry.polled();
            let plans: Vec<(&CollectionRecord, Plan)> = selected
                .iter()
                .filter_map(|record| {
                    let plan = state.plan(&record.id, deleted(&record.id));
                    let fresh = polled.get(&record.id).is_some_and(|p| *p > since);
                    (plan == Plan::Build || !fresh).then_some((record, plan))
                })
                .collect();
            (plans, state.holds_other(&keep), state.failed())
        };
        let mut reads = Vec::new();
        let mut began = Vec::new();
        for (record, plan) in plans {
            let start = Instant::now();
            let (rebuild, after) = match plan {
                Plan::Build => (true, None),
                Plan::Poll(after) => (false, after),
            };
            let counter = if rebuild {
                &self.inner.lookups.builds
            } else {
                &self.inner.lookups.polls
            };
            counter.fetch_add(1, Ordering::Relaxed);
            let (updates, high_water) = self.read_indicators(viewer, record, after).await?;
            began.push((record.id.clone(), start));
            if rebuild || !updates.is_empty() {
                reads.push(Read {
                    collection: record.id.clone(),
                    rebuild,
                    updates,
                    high_water,
                    deletions_seen: deleted(&record.id),
                });
            }
        }
        if !reads.is_empty() || prune || heal {
            // `prune` holds only when some collections are not readable, so `readable` is
            // given.
            let keep_only = readable
                .filter(|_| prune)
                .map(|r| r.iter().map(|c| (*c).to_owned()).collect());
            file(entry, keep_only, reads).await?;
        }
        let mut polled = entry.polled();
        polled.retain(|c, _| keep(c));
        polled.extend(began);
        Ok(())
    }

    /// The indicator versions of `record` visible to `viewer`: the latest of each id when
    /// `after` is `None`, else every version added after it. Returns them with the
    /// greatest `date_added` read (or `after`).
    async fn read_indicators(
        &self,
        viewer: &Viewer,
        record: &CollectionRecord,
        after: Option<Micros>,
    ) -> Result<(Vec<Update>, Option<Micros>)> {
        let versions = match after {
            None => VersionFilter::last(),
            Some(_) => VersionFilter {
                all: true,
                ..VersionFilter::default()
            },
        };
        let mut updates = Vec::new();
        let mut high_water = after;
        let mut cursor = None;
        // The page being parsed on a blocking thread while the next one is read.
        let mut parsing: Option<JoinHandle<Vec<Update>>> = None;
        loop {
            let query = ObjectQuery {
                collection: record.id.clone(),
                added_after: after,
                ids: Vec::new(),
                types: vec!["indicator".to_owned()],
                versions: versions.clone(),
                spec_versions: Vec::new(),
                limit: self.config().max_page_size,
                after: cursor,
                with_raw: true,
                audience: None,
            };
            // The same keys, forms and re-check as a TAXII read.
            let page = self.page_for(viewer, record, query).await?;
            if let Some(task) = parsing.take() {
                updates.extend(joined(task, "parsing indicators", Some(&record.id)).await?);
            }
            high_water = high_water.max(page.items.iter().map(|i| i.date_added).max());
            let page_len = page.items.len();
            let items = page.items;
            let parse = {
                let hub = self.clone();
                let collection = record.id.clone();
                let org = viewer.org().map(str::to_owned);
                move || parse_page(&hub.inner.lookups, &collection, org.as_deref(), items)
            };
            if page_len <= INLINE_PARSE {
                updates.extend(parse());
            } else {
                parsing = Some(tokio::task::spawn_blocking(parse));
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        if let Some(task) = parsing {
            updates.extend(joined(task, "parsing indicators", Some(&record.id)).await?);
        }
        Ok((updates, high_water))
    }
}

/// Files `reads` into `entry`'s state under its write lock, after dropping the collections
/// not in `keep_only` (when given): on a blocking thread unless the work is light. Lookups
/// answer under the read lock, so none sees a read part filed; a failure leaves the state
/// empty and failed (see `State::file_all`) and is returned as an error.
async fn file(
    entry: &Arc<Entry>,
    keep_only: Option<HashSet<String>>,
    reads: Vec<Read>,
) -> Result<()> {
    let mut state = Arc::clone(&entry.state).write_owned().await;
    if keep_only.is_none() && state.light(&reads) {
        let filed = state.file_all(None, reads);
        entry.indicators.store(state.len(), Ordering::Relaxed);
        return filed;
    }
    // The count is stored under the lock, so it is right even when the lookup that
    // started the filing is dropped while the blocking thread works.
    let counted = Arc::clone(entry);
    let task = tokio::task::spawn_blocking(move || {
        let filed = state.file_all(keep_only.as_ref(), reads);
        counted.indicators.store(state.len(), Ordering::Relaxed);
        filed
    });
    joined(task, "filing indicators", None).await?
}

/// The outcome of a blocking task of the lookups, or an internal error that says `what`
/// failed (the task panicked, or was cancelled as the runtime shut down); the log names
/// the collection, when the task was about one.
async fn joined<T>(task: JoinHandle<T>, what: &str, collection: Option<&str>) -> Result<T> {
    task.await.map_err(|e| {
        tracing::error!(error = %e, collection = collection.unwrap_or("-"), "{what} for a lookup failed");
        Error::new(
            ErrorKind::Internal,
            format!("{what} for the lookup index failed"),
        )
    })
}

/// The updates of one page of indicator versions of `collection` read for a viewer of
/// organisation `org`: each version parsed, or taken from another entry when that holds
/// its released form already.
fn parse_page(
    cache: &LookupCache,
    collection: &str,
    org: Option<&str>,
    items: Vec<StoredVersion>,
) -> Vec<Update> {
    let mut updates = Vec::with_capacity(items.len());
    for item in items {
        // Versions the viewer's own organisation submitted may come in the form it
        // submitted; every other version is in the released form all entries share.
        let shared = org
            .is_none_or(|org| item.submitter.as_deref() != Some(org))
            .then(|| cache.shared_key(collection, &item.id, &item.version.key))
            .flatten();
        let held = shared.as_deref().and_then(|key| cache.released(key));
        let found = held.or_else(|| {
            let tlp = TlpLevel::parse(&item.tlp).unwrap_or(TlpLevel::Red);
            // The warning flag is read from the store when the indicator matches:
            // flags are recomputed when the lists change, without a new version.
            let (indicator, validity) =
                intel::indicator(&item.raw, collection, tlp, item.version.text.clone(), None)?;
            let c = Arc::new(Cached {
                indicator,
                key: item.version.key.clone().into_boxed_str(),
                validity,
            });
            if let Some(key) = shared {
                cache.share(key, &c);
            }
            Some(c)
        });
        updates.push(Update {
            id: item.id,
            key: item.version.key,
            found,
        });
    }
    updates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HubConfig, Submission};
    use charter_store::sqlite::SqliteStore;

    #[tokio::test]
    async fn a_blocking_task_that_panics_is_an_error() {
        let task = tokio::task::spawn_blocking(|| -> u32 { panic!("parsing broke") });
        let err = joined(task, "parsing indicators", Some("c"))
            .await
            .expect_err("the panic is an error");
        assert_eq!(err.kind(), ErrorKind::Internal);
        assert!(err.to_string().contains("parsing indicators"), "{err}");
    }

    #[tokio::test]
    async fn an_index_whose_filing_failed_is_built_again_by_the_next_lookup() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("charter.db")).expect("store opens");
        let hub = Hub::new(Arc::new(store), HubConfig::default());
        hub.bootstrap(Some("admin-password".into()))
            .await
            .expect("bootstrap");
        let op = Viewer::node_operator();
        let raw = serde_json::json!({
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--2c7b1a5e-8c4e-4f7a-9d3b-000000000001",
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": "[ipv4-addr:value = '203.0.113.1']", "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z"
        });
        let raw = serde_json::value::RawValue::from_string(raw.to_string()).expect("JSON");
        let status = hub
            .add_objects(&op, "default", "default", vec![raw], &Submission::default())
            .await
            .expect("added")
            .into_inner();
        assert!(status.failures.is_empty(), "{:?}", status.failures);
        let filter = IndicatorFilter {
            api_root: "default".into(),
            ..IndicatorFilter::default()
        };
        let values = ["203.0.113.1".to_owned()];
        let matched = |answer: Released<Vec<LookupMatch>>| answer.into_inner()[0].indicators.len();

        let answer = hub.lookup(&op, &filter, &values).await.expect("lookup");
        assert_eq!(matched(answer), 1);
        let entry = hub.inner.lookups.entry(AudienceKey::of(&op, "default"));
        let broken = entry
            .state
            .write()
            .await
            .guarded(|_| panic!("filing broke part way"));
        assert!(broken.is_err());

        let answer = hub.lookup(&op, &filter, &values).await.expect("lookup");
        assert_eq!(matched(answer), 1);
        let stats = hub.lookup_cache_stats();
        assert_eq!((stats.builds, stats.indicators), (2, 1), "{stats:?}");
        assert!(!entry.state.read().await.failed());
    }
}
