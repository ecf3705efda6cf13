//! One lookup index: the latest visible version of every indicator of the collections an
//! audience has read, compiled into a `charter_pattern::index::Index`, and the matching of
//! values against it.
//!
//! The state is the same for every filter a lookup can carry: validity at the lookup's
//! instant, the highest TLP, the kinds of value and the collections are decided when a
//! value matches, never when an indicator is filed.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use foldhash::HashMapExt;

use charter_pattern::index::{Field, Index, Probe, ProbeField, Shape, classify};
use charter_policy::TlpLevel;
use charter_store::Micros;

use super::LookupMatch;
use crate::error::{Error, ErrorKind, Result};
use crate::intel::{ActiveIndicator, Validity};

/// Ordinals removed before the index is compiled afresh from the live indicators, at the
/// least; above it, a rebuild happens once removed ordinals outnumber live ones.
const COMPACT_AFTER: usize = 4_096;

/// The most versions filed (and indicators taken out) on the caller's thread; more go to
/// a blocking thread. Handing work to one and waking the task again takes about 20 µs,
/// filing a version under 1 µs (release build), so a few dozen cost no more inline than
/// the hand-off, while thousands would hold an async worker for milliseconds.
const INLINE_WORK: usize = 64;

/// The most versions of a page parsed on the caller's thread; more go to a blocking
/// thread. Parsing one takes about 7 µs (release build), so a handful cost about what the
/// hand-off does.
pub(crate) const INLINE_PARSE: usize = 8;

/// An indicator as the index keeps it.
#[derive(Debug)]
pub(crate) struct Cached {
    /// The indicator as a lookup returns it (its warning flag read when it matches).
    pub(crate) indicator: ActiveIndicator,
    /// The version's sort key (`VersionStamp::key`), for its stored flags.
    pub(crate) key: Box<str>,
    /// When it is valid, checked at the lookup's instant.
    pub(crate) validity: Validity,
}

/// A version read from the store, to be filed.
#[derive(Debug)]
pub(crate) struct Update {
    /// The STIX id.
    pub(crate) id: String,
    /// The version's sort key (`VersionStamp::key`).
    pub(crate) key: String,
    /// The indicator, or `None` when the version takes the id out (a revocation, another
    /// pattern language, a pattern that does not parse).
    pub(crate) found: Option<Arc<Cached>>,
}

/// What one read of a collection brought.
#[derive(Debug)]
pub(crate) struct Read {
    /// The collection id.
    pub(crate) collection: String,
    /// Whether the read started from nothing, replacing what the state held.
    pub(crate) rebuild: bool,
    /// The versions read, in `date_added` order.
    pub(crate) updates: Vec<Update>,
    /// The greatest `date_added` among them (or the previous mark).
    pub(crate) high_water: Option<Micros>,
    /// The release-record position of the last deletion in the collection known when the
    /// read began.
    pub(crate) deletions_seen: i64,
}

/// How a collection is brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Read its latest visible versions from the start.
    Build,
    /// Read the versions added after this mark (`None`: from the start).
    Poll(Option<Micros>),
}

/// One collection's part of the state.
#[derive(Debug)]
struct Shelf {
    /// The greatest `date_added` read; `None` before any version was.
    high_water: Option<Micros>,
    /// The release-record position of the last deletion the shelf reflects.
    deletions_seen: i64,
    /// The latest version read of each id, and its ordinal while it is filed (foldhash,
    /// seeded at start: the ids come from outside).
    latest: foldhash::HashMap<String, Latest>,
}

#[derive(Debug)]
struct Latest {
    key: Box<str>,
    ord: Option<u32>,
}

/// The filters of one lookup, applied when a value matches.
#[derive(Debug)]
pub(crate) struct Scope<'a> {
    /// The collections to answer from, each with its position in the answer's order.
    pub(crate) collections: HashMap<&'a str, usize>,
    /// The instant of the lookup, in microseconds.
    pub(crate) at: i64,
    /// The highest TLP to answer with.
    pub(crate) max_tlp: Option<TlpLevel>,
    /// Only indicators with values of these kinds (empty: any).
    pub(crate) kinds: &'a [String],
}

impl Scope<'_> {
    /// The position of the indicator's collection, if the lookup may answer with it.
    fn admits(&self, c: &Cached) -> Option<usize> {
        let position = *self.collections.get(c.indicator.collection.as_str())?;
        if self.max_tlp.is_some_and(|max| c.indicator.tlp > max) || !c.validity.holds_at(self.at) {
            return None;
        }
        let kinds_ok = self.kinds.is_empty()
            || c.indicator.values.as_ref().is_some_and(|vs| {
                vs.iter()
                    .any(|(f, _)| self.kinds.iter().any(|k| k == f.name()))
            });
        kinds_ok.then_some(position)
    }
}

/// An audience's lookup index.
#[derive(Debug, Default)]
pub(crate) struct State {
    shelves: HashMap<String, Shelf>,
    index: Index,
    /// The indicator filed under each ordinal of `index`; `None` once removed.
    slots: Vec<Option<Arc<Cached>>>,
    /// Filed indicators.
    live: usize,
    /// Ordinals removed since the index was last compiled afresh.
    dead: usize,
    /// Whether filing into the state failed part way: it was emptied, and a lookup must
    /// not answer from it until it is filed into again.
    failed: bool,
}

impl State {
    /// How collection `id` is brought up to date, given the position of the last deletion
    /// from it in the release record.
    pub(crate) fn plan(&self, id: &str, deleted: i64) -> Plan {
        match self.shelves.get(id) {
            Some(shelf) if shelf.deletions_seen >= deleted => Plan::Poll(shelf.high_water),
            _ => Plan::Build,
        }
    }

    /// Whether the state holds a collection `keep` refuses.
    pub(crate) fn holds_other(&self, keep: &dyn Fn(&str) -> bool) -> bool {
        self.shelves.keys().any(|c| !keep(c))
    }

    /// Drops every collection `keep` refuses.
    fn retain(&mut self, keep: &dyn Fn(&str) -> bool) {
        let gone: Vec<String> = self.shelves.keys().filter(|c| !keep(c)).cloned().collect();
        for c in gone {
            self.drop_shelf(&c);
        }
    }

    /// The number of indicators filed.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Whether filing into the state failed, leaving it empty, and nothing has been filed
    /// since.
    pub(crate) fn failed(&self) -> bool {
        self.failed
    }

    /// Whether filing `reads` is little enough work for the caller's thread: at most
    /// `INLINE_WORK` versions filed and indicators taken out, too few removals to compile
    /// the index afresh, and no failure to recover from.
    pub(crate) fn light(&self, reads: &[Read]) -> bool {
        let work: usize = reads
            .iter()
            .map(|read| {
                let dropped = match self.shelves.get(&read.collection) {
                    Some(shelf) if read.rebuild => shelf.latest.len(),
                    _ => 0,
                };
                read.updates.len() + dropped
            })
            .sum();
        // Each version filed takes out at most one indicator, so `dead` cannot pass the
        // compaction threshold.
        !self.failed && work <= INLINE_WORK && self.dead + work <= COMPACT_AFTER
    }

    /// Drops the collections not in `keep` (when given), then files `reads` in order, as
    /// one step (see `guarded`).
    pub(crate) fn file_all(
        &mut self,
        keep: Option<&HashSet<String>>,
        reads: Vec<Read>,
    ) -> Result<()> {
        self.guarded(|state| {
            if let Some(keep) = keep {
                state.retain(&|c| keep.contains(c));
            }
            for read in reads {
                state.apply(read);
            }
        })
    }

    /// Runs `work` on the state as one step: if it panics, the state is left empty and
    /// failed rather than part done, and the panic becomes an error. A failed state is
    /// filed into afresh: from an empty state every collection reads as `Plan::Build`.
    pub(crate) fn guarded(&mut self, work: impl FnOnce(&mut State)) -> Result<()> {
        self.failed = false;
        let done = std::panic::catch_unwind(AssertUnwindSafe(|| work(self)));
        done.map_err(|panic| {
            *self = State {
                failed: true,
                ..State::default()
            };
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(panic = %why, "filing into a lookup index panicked; the index was emptied");
            Error::new(
                ErrorKind::Internal,
                "the lookup index could not be brought up to date",
            )
        })
    }

    /// Files what `read` brought: for each id, a version newer than the one held replaces
    /// it (a version that takes the id out removes it); an older or equal one is ignored.
    fn apply(&mut self, read: Read) {
        if read.rebuild {
            self.drop_shelf(&read.collection);
        }
        let mut shelf = self
            .shelves
            .remove(&read.collection)
            .unwrap_or_else(|| Shelf {
                high_water: None,
                deletions_seen: read.deletions_seen,
                latest: foldhash::HashMap::new(),
            });
        shelf.latest.reserve(read.updates.len());
        shelf.high_water = shelf.high_water.max(read.high_water);
        shelf.deletions_seen = shelf.deletions_seen.max(read.deletions_seen);
        for update in read.updates {
            if let Some(held) = shelf.latest.get(&update.id) {
                if *held.key >= *update.key {
                    continue;
                }
                if let Some(ord) = held.ord {
                    self.remove(ord);
                }
            }
            let ord = update.found.map(|c| {
                self.live += 1;
                file(&mut self.index, &mut self.slots, c)
            });
            shelf.latest.insert(
                update.id,
                Latest {
                    key: update.key.into_boxed_str(),
                    ord,
                },
            );
        }
        self.shelves.insert(read.collection, shelf);
        if self.dead > COMPACT_AFTER && self.dead > self.len() {
            self.compact();
        }
    }

    /// Looks each value up; returns the answers and every indicator released by them (each
    /// without its warning flag, which the caller reads from the store).
    pub(crate) fn answer(
        &self,
        values: &[String],
        scope: &Scope<'_>,
    ) -> (Vec<LookupMatch>, Vec<Arc<Cached>>) {
        let mut answers = Vec::with_capacity(values.len());
        let mut released: Vec<u32> = Vec::new();
        let mut ords = Vec::new();
        for value in values {
            let field = classify(value);
            let mut matched: Vec<(usize, u32)> = Vec::new();
            if let Some(field) = &field {
                let probe = Probe {
                    field: match field {
                        Field::Ip => ProbeField::Ip,
                        Field::Domain => ProbeField::Domain,
                        Field::Url => ProbeField::Url,
                        Field::Email => ProbeField::Email,
                        _ => ProbeField::Hash,
                    },
                    value: value.trim(),
                };
                ords.clear();
                self.index.candidates(probe, &mut |o| ords.push(o));
                ords.sort_unstable();
                ords.dedup();
                for &o in &ords {
                    let Some(Some(c)) = self.slots.get(o as usize) else {
                        continue;
                    };
                    if let Some(position) = scope.admits(c) {
                        matched.push((position, o));
                    }
                }
                matched.sort_unstable();
            }
            released.extend(matched.iter().map(|(_, o)| *o));
            let indicators = matched
                .into_iter()
                .filter_map(|(_, o)| {
                    let c = self.slots.get(o as usize)?.as_ref()?;
                    let exact = self.index.shape(o) == Some(Shape::Direct);
                    Some((c.indicator.clone(), exact))
                })
                .collect();
            answers.push(LookupMatch {
                value: value.clone(),
                kind: field.map(|f| match f {
                    Field::Ip => "ip",
                    Field::Domain => "domain",
                    Field::Url => "url",
                    Field::Email => "email",
                    _ => "hash",
                }),
                indicators,
            });
        }
        released.sort_unstable();
        released.dedup();
        let hits = released
            .into_iter()
            .filter_map(|o| self.slots.get(o as usize)?.clone())
            .collect();
        (answers, hits)
    }

    fn drop_shelf(&mut self, collection: &str) {
        if let Some(shelf) = self.shelves.remove(collection) {
            for ord in shelf.latest.values().filter_map(|l| l.ord) {
                self.remove(ord);
            }
        }
    }

    fn remove(&mut self, ord: u32) {
        self.index.remove(ord);
        if let Some(slot) = self.slots.get_mut(ord as usize) {
            if slot.take().is_some() {
                self.live -= 1;
                self.dead += 1;
            }
        }
    }

    /// Compiles the index afresh from the live indicators, so ordinals stay dense.
    fn compact(&mut self) {
        let mut index = Index::new();
        let mut slots = Vec::with_capacity(self.len());
        let mut moved = vec![None; self.slots.len()];
        for (old, slot) in std::mem::take(&mut self.slots).into_iter().enumerate() {
            if let Some(c) = slot {
                moved[old] = Some(file(&mut index, &mut slots, c));
            }
        }
        for shelf in self.shelves.values_mut() {
            for latest in shelf.latest.values_mut() {
                latest.ord = latest
                    .ord
                    .and_then(|o| moved.get(o as usize).copied().flatten());
            }
        }
        self.index = index;
        self.slots = slots;
        self.dead = 0;
    }
}

/// Compiles `c` into `index` and files it under the ordinal the index gives it.
fn file(index: &mut Index, slots: &mut Vec<Option<Arc<Cached>>>, c: Arc<Cached>) -> u32 {
    let ord = index.insert(&c.indicator.pattern);
    let at = ord as usize;
    // The index hands out ordinals one past the last, as `slots` grows: the two stay in
    // step, and a gap would only leave empty slots.
    if slots.len() <= at {
        slots.resize(at + 1, None);
    }
    slots[at] = Some(c);
    ord
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intel;

    fn update(n: u32) -> Update {
        let id = format!("indicator--2c7b1a5e-8c4e-4f7a-9d3b-{n:012}");
        let raw = serde_json::json!({
            "type": "indicator", "spec_version": "2.1", "id": id,
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": format!("[ipv4-addr:value = '10.0.{}.{}']", n >> 8, n & 255),
            "pattern_type": "stix"
        });
        let (indicator, validity) =
            intel::indicator(&raw.to_string(), "c", TlpLevel::Clear, "v1".into(), None)
                .expect("an indicator");
        Update {
            id,
            key: "k1".into(),
            found: Some(Arc::new(Cached {
                indicator,
                key: "k1".into(),
                validity,
            })),
        }
    }

    fn read(rebuild: bool, numbers: std::ops::Range<u32>) -> Read {
        Read {
            collection: "c".into(),
            rebuild,
            updates: numbers.map(update).collect(),
            high_water: Some(1),
            deletions_seen: 0,
        }
    }

    #[test]
    fn a_panic_while_filing_leaves_the_state_empty_and_failed_until_filed_again() {
        let mut state = State::default();
        state.file_all(None, vec![read(true, 0..3)]).expect("filed");
        assert_eq!((state.len(), state.failed()), (3, false));

        let err = state
            .guarded(|s| {
                s.apply(read(false, 3..5));
                panic!("filing broke part way");
            })
            .expect_err("the panic is an error");
        assert_eq!(err.kind(), ErrorKind::Internal);
        // Nothing of the part-filed read, nor of what was held before, is left to answer.
        assert_eq!((state.len(), state.failed()), (0, true));
        assert_eq!(state.plan("c", 0), Plan::Build);
        assert!(
            !state.light(&[]),
            "a failed state is filed on a blocking thread"
        );

        state.file_all(None, vec![read(true, 0..5)]).expect("filed");
        assert_eq!((state.len(), state.failed()), (5, false));
    }

    #[test]
    fn only_small_filings_are_light() {
        let mut state = State::default();
        assert!(state.light(&[read(true, 0..10)]), "a new collection");
        assert!(!state.light(&[read(false, 0..INLINE_WORK as u32 + 1)]));
        state
            .file_all(None, vec![read(true, 0..60)])
            .expect("filed");
        assert!(state.light(&[read(false, 60..64)]));
        // Reading the collection afresh takes out the 60 filed first.
        assert!(!state.light(&[read(true, 0..10)]));
    }
}
