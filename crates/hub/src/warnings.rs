//! Warning-list flags: which MISP warning lists an indicator version's values are on.
//!
//! A flag is computed once, when the version is stored (`write` for submissions, `review`
//! for approvals), from the exact values of its STIX pattern
//! (`charter_pattern::index::exact_values`) checked against the configured lists, and is
//! stored with the version in the same transaction. Reads (scans, lookups, exports, the
//! listing in `flagged`, the status of a submission) take the stored flags; nothing
//! recomputes them on the way out.
//!
//! When the configured lists change, [`Hub::set_warninglists`] says so and
//! [`Hub::reflag_warnings`] recomputes the flags of every stored indicator version.
//! Flags are derived data: re-flagging changes no object version and records nothing in the
//! release record. The store keeps the fingerprint of the lists the flags were computed
//! with (`WarningLists::fingerprint`). Before the first indicator version is stored with
//! lists other than those, the record is changed to a marker no fingerprint equals, so
//! the flags are recomputed at the next start whatever lists are configured then, even if
//! the pass was interrupted or never run. A process that stores no indicator (an
//! administration command) never touches the record.
//!
//! **Invariant:** a write holds the lists' read guard from computing its flags until its
//! commit; replacing the lists takes the write guard. So once the lists are replaced, every
//! version flagged with the old ones is committed, and the pass that follows sees it.

use std::collections::HashMap;
use std::sync::Arc;

use charter_intel::warninglists::WarningLists;
use charter_pattern::Pattern;
use charter_pattern::index::exact_values;
use charter_stix::Timestamp;
use charter_store::{
    CollectionRecord, ErrorKind as StoreErrorKind, ObjectQuery, StoredVersion, VersionFilter,
    WarningFlag,
};
use serde_json::Value;
use tokio::sync::RwLockReadGuard;

use crate::error::{Error, ErrorKind, Result};
use crate::{Hub, Status, Viewer};

/// What the store records while the lists in use are not those the stored flags were
/// computed with. Fingerprints are hexadecimal, so none equals it.
const STALE: &str = "stale: the lists changed; the flags are being recomputed";

/// How the store's record of the lists stands against the lists in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordState {
    /// Not compared since the lists were set.
    Unknown,
    /// The record names the lists in use, or already says the flags are stale.
    Squared,
}

/// Indicator versions read per step of a re-flagging pass.
const REFLAG_PAGE: usize = 1_000;

/// How far a re-flagging pass has got, and at the end what it did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reflag {
    /// Collections on the node.
    pub collections: usize,
    /// Collections whose indicator versions have all been checked.
    pub collections_done: usize,
    /// Indicator versions checked so far.
    pub checked: u64,
    /// Of those, the versions whose flags changed.
    pub changed: u64,
}

/// The warning lists the values of `pattern` are on: sorted names, each once. Only a
/// pattern that is a list of equalities has values to check (as a sensor export would
/// take them); any other pattern is never flagged.
pub(crate) fn flags_of(pattern: &Pattern, lists: &WarningLists) -> Vec<String> {
    if lists.is_empty() {
        return Vec::new();
    }
    let mut names: Vec<String> = exact_values(pattern)
        .unwrap_or_default()
        .iter()
        .flat_map(|(field, value)| lists.lists_of(field, value))
        .map(str::to_owned)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// [`flags_of`] for the JSON text of a stored object: empty unless it is an indicator
/// with a STIX pattern that parses.
pub(crate) fn flags_of_raw(raw: &str, lists: &WarningLists) -> Vec<String> {
    if lists.is_empty() {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_str::<Value>(raw) else {
        return Vec::new();
    };
    let text = |k: &str| value.get(k).and_then(Value::as_str);
    if text("type") != Some("indicator") || text("pattern_type") != Some("stix") {
        return Vec::new();
    }
    match text("pattern").map(charter_pattern::parse) {
        Some(Ok(pattern)) => flags_of(&pattern, lists),
        _ => Vec::new(),
    }
}

/// The status line of a flagged object.
fn message(lists: &[String]) -> String {
    match lists {
        [one] => format!("on warning list: {one}"),
        _ => format!("on warning lists: {}", lists.join(", ")),
    }
}

/// Stored flags of a page of versions, by id and version key.
#[derive(Debug, Default)]
pub(crate) struct StoredFlags(HashMap<String, Vec<(String, Vec<String>)>>);

impl StoredFlags {
    fn insert(&mut self, flag: WarningFlag) {
        self.0
            .entry(flag.id)
            .or_default()
            .push((flag.version_key, flag.lists));
    }

    /// The lists a version is on, if it is flagged.
    pub(crate) fn lists(&self, id: &str, version_key: &str) -> Option<&[String]> {
        self.0
            .get(id)?
            .iter()
            .find(|(key, _)| key == version_key)
            .map(|(_, lists)| lists.as_slice())
    }

    /// The first (by name) of the lists a version is on.
    pub(crate) fn first_list(&self, id: &str, version_key: &str) -> Option<String> {
        self.lists(id, version_key)?.first().cloned()
    }
}

impl Hub {
    /// Replaces the warning lists that versions stored from now on are flagged with, once
    /// every write that used the old ones has committed. Returns whether the stored flags
    /// were computed with other lists: then [`Hub::reflag_warnings`] brings them up to date
    /// (`charter serve` runs it in the background at start; the commands that read
    /// indicators from the local store run it first). Writes nothing itself.
    pub async fn set_warninglists(&self, lists: WarningLists) -> Result<bool> {
        let fingerprint = lists.fingerprint();
        let mut slot = self.inner.warninglists.write().await;
        let stale = self.recorded_fingerprint().await? != fingerprint;
        *self.inner.record.lock().await = RecordState::Unknown;
        *slot = Arc::new(lists);
        Ok(stale)
    }

    /// Before a write stores indicator versions flagged with `lists` (the lists in use,
    /// whose read guard the caller holds): if the store's record names other lists, marks
    /// it stale, committed before the write goes on. Once per change of lists.
    pub(crate) async fn square_record(&self, lists: &WarningLists) -> Result<()> {
        let mut state = self.inner.record.lock().await;
        if *state == RecordState::Squared {
            return Ok(());
        }
        let recorded = self.recorded_fingerprint().await?;
        if recorded != STALE && recorded != lists.fingerprint() {
            self.store()
                .set_warning_fingerprint(STALE.to_owned())
                .await?;
        }
        *state = RecordState::Squared;
        Ok(())
    }

    /// Whether the stored flags were computed with other lists than those in use.
    pub async fn warnings_stale(&self) -> Result<bool> {
        let current = self.inner.warninglists.read().await.fingerprint();
        Ok(self.recorded_fingerprint().await? != current)
    }

    /// The warning lists for a write, held until the write commits (see the invariant in
    /// the module documentation).
    pub(crate) async fn lists_for_write(&self) -> RwLockReadGuard<'_, Arc<WarningLists>> {
        self.inner.warninglists.read().await
    }

    /// The fingerprint the store records; a store that never recorded one holds no flags,
    /// which are the flags of no lists.
    async fn recorded_fingerprint(&self) -> Result<String> {
        Ok(self
            .store()
            .warning_fingerprint()
            .await?
            .unwrap_or_else(|| WarningLists::default().fingerprint()))
    }

    /// Recomputes the flags of every stored indicator version, in every collection, with
    /// the lists in use, writing only those that changed, and then records the lists'
    /// fingerprint; `progress` hears after each step. Does nothing when the stored flags
    /// are already those of the lists in use. If the lists are replaced during the pass, it
    /// goes round again with the new ones. One pass runs at a time; a second caller waits
    /// for it and then finds nothing to do.
    ///
    /// This reads object versions without a `Viewer` because nothing it reads leaves the
    /// hub: it writes flags only, changes no version and records nothing in the release
    /// record.
    pub async fn reflag_warnings(
        &self,
        progress: &(dyn Fn(Reflag) + Send + Sync),
    ) -> Result<Reflag> {
        let _pass = self.inner.reflagging.lock().await;
        loop {
            let lists = Arc::clone(&*self.inner.warninglists.read().await);
            let fingerprint = lists.fingerprint();
            let mut done = Reflag::default();
            if self.recorded_fingerprint().await? == fingerprint {
                return Ok(done);
            }
            let mut collections = Vec::new();
            for root in self.store().api_roots().await? {
                collections.extend(self.store().collections(&root.name).await?);
            }
            done.collections = collections.len();
            progress(done);
            for record in &collections {
                self.reflag_collection(&record.id, &lists, &mut done, progress)
                    .await?;
                done.collections_done += 1;
                progress(done);
            }
            let current = self.inner.warninglists.read().await;
            if Arc::ptr_eq(&current, &lists) {
                self.store().set_warning_fingerprint(fingerprint).await?;
                *self.inner.record.lock().await = RecordState::Squared;
                tracing::info!(
                    lists = lists.len(),
                    checked = done.checked,
                    changed = done.changed,
                    "indicator versions re-flagged against the warning lists"
                );
                return Ok(done);
            }
            tracing::info!("the warning lists changed during re-flagging; going round again");
        }
    }

    /// One collection of [`Hub::reflag_warnings`].
    async fn reflag_collection(
        &self,
        collection: &str,
        lists: &Arc<WarningLists>,
        done: &mut Reflag,
        progress: &(dyn Fn(Reflag) + Send + Sync),
    ) -> Result<()> {
        let mut after = None;
        loop {
            let page = self
                .store()
                .query(ObjectQuery {
                    collection: collection.to_owned(),
                    added_after: None,
                    ids: Vec::new(),
                    types: vec!["indicator".to_owned()],
                    versions: VersionFilter {
                        all: true,
                        ..VersionFilter::default()
                    },
                    spec_versions: Vec::new(),
                    limit: REFLAG_PAGE,
                    after,
                    with_raw: true,
                    audience: None,
                })
                .await?;
            let stored = self.stored_flags(collection, &page.items).await?;
            let checked = page.items.len() as u64;
            let lists = Arc::clone(lists);
            let items = page.items;
            let changed = tokio::task::spawn_blocking(move || {
                items
                    .into_iter()
                    .filter_map(|item| {
                        let now = flags_of_raw(&item.raw, &lists);
                        let before = stored.lists(&item.id, &item.version.key).unwrap_or(&[]);
                        (before != now.as_slice()).then_some(WarningFlag {
                            id: item.id,
                            version_key: item.version.key,
                            lists: now,
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "re-flagging task failed");
                Error::new(ErrorKind::Internal, "re-flagging failed")
            })?;
            done.checked += checked;
            done.changed += changed.len() as u64;
            if !changed.is_empty() {
                self.store().replace_warnings(collection, changed).await?;
            }
            progress(*done);
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// The stored flags of the indicator versions among `items` of `collection`.
    pub(crate) async fn stored_flags(
        &self,
        collection: &str,
        items: &[StoredVersion],
    ) -> Result<StoredFlags> {
        let keys: Vec<(String, String)> = items
            .iter()
            .filter(|v| v.object_type == "indicator")
            .map(|v| (v.id.clone(), v.version.key.clone()))
            .collect();
        let mut flags = StoredFlags::default();
        if keys.is_empty() {
            return Ok(flags);
        }
        for flag in self.store().warnings(collection, keys).await? {
            flags.insert(flag);
        }
        Ok(flags)
    }

    /// Adds to each indicator among the successes of `status` (a submission to
    /// `collection`) the stored flags of the version it names, and says so in its message:
    /// only for versions `viewer` may read (a version already present may be another's,
    /// with an audience of its own). `added` holds, by id and version text, the flags of
    /// the versions this very submission stored, committed with them: those are taken as
    /// they are, and the store is asked only about the rest.
    pub(crate) async fn flag_status(
        &self,
        viewer: &Viewer,
        collection: &CollectionRecord,
        status: &mut Status,
        added: &HashMap<(String, String), Vec<String>>,
    ) -> Result<()> {
        for detail in &mut status.successes {
            if let Some(lists) = added.get(&(detail.id.clone(), detail.version.clone())) {
                if !lists.is_empty() {
                    detail.message = Some(message(lists));
                    detail.warnings = lists.clone();
                }
            }
        }
        let key_of = |id: &str, version: &str| {
            id.starts_with("indicator--")
                .then(|| Timestamp::parse(version).ok())
                .flatten()
                .map(|t| t.sort_key())
        };
        let keys: Vec<(String, String)> = status
            .successes
            .iter()
            .filter(|d| !added.contains_key(&(d.id.clone(), d.version.clone())))
            .filter_map(|d| key_of(&d.id, &d.version).map(|k| (d.id.clone(), k)))
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        let found = match self.store().warnings(&collection.id, keys).await {
            Ok(found) => found,
            // The collection was removed since (only an empty one can be): no flags.
            Err(e) if e.kind() == StoreErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if found.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<String> = found.iter().map(|f| f.id.clone()).collect();
        ids.sort_unstable();
        ids.dedup();
        let exact: Vec<String> = found.iter().map(|f| f.version_key.clone()).collect();
        let limit = found.len();
        let readable = self
            .page_for(
                viewer,
                collection,
                ObjectQuery {
                    collection: collection.id.clone(),
                    added_after: None,
                    ids,
                    types: vec!["indicator".to_owned()],
                    versions: VersionFilter {
                        exact,
                        ..VersionFilter::default()
                    },
                    spec_versions: Vec::new(),
                    limit,
                    after: None,
                    with_raw: false,
                    audience: None,
                },
            )
            .await?;
        let mut flags = StoredFlags::default();
        for flag in found {
            if readable
                .items
                .iter()
                .any(|v| v.id == flag.id && v.version.key == flag.version_key)
            {
                flags.insert(flag);
            }
        }
        for detail in &mut status.successes {
            if added.contains_key(&(detail.id.clone(), detail.version.clone())) {
                continue;
            }
            let Some(key) = key_of(&detail.id, &detail.version) else {
                continue;
            };
            if let Some(lists) = flags.lists(&detail.id, &key) {
                detail.message = Some(message(lists));
                detail.warnings = lists.to_vec();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> WarningLists {
        WarningLists::from_texts([
            r#"{"name": "public-dns", "type": "string", "list": ["8.8.8.8"]}"#,
            r#"{"name": "google", "type": "cidr", "list": ["8.8.8.0/24"]}"#,
            r#"{"name": "rfc1918", "type": "cidr", "list": ["10.0.0.0/8"]}"#,
        ])
        .expect("test lists")
    }

    fn flags(pattern: &str) -> Vec<String> {
        let parsed = charter_pattern::parse(pattern).expect("a pattern");
        flags_of(&parsed, &lists())
    }

    #[test]
    fn every_list_of_every_exact_value_is_named_once() {
        assert_eq!(
            flags("[ipv4-addr:value = '8.8.8.8' OR ipv4-addr:value = '10.1.2.3']"),
            ["google", "public-dns", "rfc1918"]
        );
        assert_eq!(
            flags("[ipv4-addr:value IN ('10.0.0.1', '10.0.0.2')]"),
            ["rfc1918"]
        );
        assert!(flags("[ipv4-addr:value = '203.0.113.7']").is_empty());
    }

    #[test]
    fn patterns_that_are_not_value_lists_are_never_flagged() {
        assert!(
            flags("[ipv4-addr:value = '8.8.8.8'] FOLLOWEDBY [ipv4-addr:value = '10.0.0.1']")
                .is_empty()
        );
        assert!(flags_of_raw(r#"{"type":"note","pattern":"x"}"#, &lists()).is_empty());
        assert!(
            flags_of_raw(
                r#"{"type":"indicator","pattern_type":"sigma","pattern":"[ipv4-addr:value = '8.8.8.8']"}"#,
                &lists()
            )
            .is_empty()
        );
        assert_eq!(
            flags_of_raw(
                r#"{"type":"indicator","pattern_type":"stix","pattern":"[ipv4-addr:value = '8.8.8.8']"}"#,
                &lists()
            ),
            ["google", "public-dns"]
        );
    }

    #[test]
    fn status_messages_name_the_lists() {
        assert_eq!(message(&["a".to_owned()]), "on warning list: a");
        assert_eq!(
            message(&["a".to_owned(), "b".to_owned()]),
            "on warning lists: a, b"
        );
    }
}
