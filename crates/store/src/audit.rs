//! The release record's hash chain: the one definition of an entry's hash,
//! shared by the store that appends entries and by whoever verifies them.
//!
//! Each entry's hash covers every field of the entry, its sequence number
//! and the hash of the entry before it, so editing, deleting or reordering
//! entries breaks the chain where it happened. [`verify`] walks a run of
//! entries and names each entry where the chain breaks and how:
//! [`AuditProblemKind::Edited`], [`AuditProblemKind::Missing`] or
//! [`AuditProblemKind::OutOfOrder`]. A chain can still be cut short at its
//! end without a trace inside it; keeping the last sequence number and
//! hash (the head) somewhere else detects that.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::Micros;

/// The `prev_hash` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Written first into every entry's hash, so the hash of an entry can
/// never be mistaken for a hash of anything else.
const DOMAIN: &[u8] = b"charter release record v1";

/// An entry to append: the store gives it its sequence number and links it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDraft {
    /// When the act happened.
    pub at: Micros,
    /// Who acted (a user name, or the node operator).
    pub actor: String,
    /// What kind of act: `write`, `release`, `delete`, `admin`, …
    pub action: String,
    /// How the actor reached the node: `taxii`, `api`, `cli`.
    pub channel: String,
    /// The act's details as compact JSON text.
    pub detail: String,
}

/// The release-record entries of a deletion, made once the number of
/// versions it removed is known. [`crate::Store::delete_object`] calls it
/// inside its transaction with that number, only when it is at least one,
/// and appends the drafts it returns in the same transaction, so a deletion
/// is never committed without its entries nor its entries without it.
pub type DeletionAudit = Box<dyn FnOnce(u64) -> Vec<AuditDraft> + Send>;

/// A stored entry of the release record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the record: 1 for the first entry, then one more each.
    pub seq: i64,
    /// When the act happened.
    pub at: Micros,
    /// Who acted.
    pub actor: String,
    /// What kind of act.
    pub action: String,
    /// How the actor reached the node.
    pub channel: String,
    /// The act's details as compact JSON text.
    pub detail: String,
    /// The hash of the entry before ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// This entry's hash: [`entry_hash`] of the fields above.
    pub hash: String,
}

impl AuditEntry {
    /// Whether [`AuditEntry::hash`] is the hash of the entry's fields.
    pub fn hash_matches(&self) -> bool {
        self.hash_at(self.seq) == self.hash
    }

    fn hash_at(&self, seq: i64) -> String {
        entry_hash(
            &self.prev_hash,
            seq,
            self.at,
            &self.actor,
            &self.action,
            &self.channel,
            &self.detail,
        )
    }
}

/// How the chain is broken at an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditProblemKind {
    /// The entry's hash does not match its fields: it was changed.
    Edited,
    /// Entries are missing: a gap in the sequence numbers, or an entry
    /// whose `prev_hash` names an entry that is not there.
    Missing,
    /// Entries are out of order: sequence numbers not increasing, or an
    /// intact entry found at another position than the one it was
    /// recorded at.
    OutOfOrder,
}

/// One break in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditProblem {
    /// The sequence number where the chain breaks: the changed or moved
    /// entry, or the first missing one.
    pub seq: i64,
    /// How it is broken.
    pub kind: AuditProblemKind,
    /// What was found, naming the entries involved.
    pub message: String,
}

/// The hash of an entry: lower-case hex SHA-256 over a domain tag and
/// every field, each text field preceded by its length in bytes and each
/// number written as 8 big-endian bytes, so no two different entries
/// encode alike.
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: Micros,
    actor: &str,
    action: &str,
    channel: &str,
    detail: &str,
) -> String {
    let mut digest = Sha256::new();
    let text = |digest: &mut Sha256, value: &str| {
        digest.update((value.len() as u64).to_be_bytes());
        digest.update(value.as_bytes());
    };
    digest.update(DOMAIN);
    text(&mut digest, prev_hash);
    digest.update(seq.to_be_bytes());
    digest.update(at.to_be_bytes());
    for value in [actor, action, channel, detail] {
        text(&mut digest, value);
    }
    let mut hex = String::with_capacity(64);
    for byte in digest.finalize() {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Checks a run of entries, in the order given: each entry's hash, and that
/// each links to the one before with no gap or reordering.
///
/// `expect_from` is the sequence number and hash of the entry just before
/// the run (when verifying page by page); `None` means the run starts the
/// record, at sequence number 1 after [`GENESIS`]. Returns every problem
/// found, at most one per entry plus one per gap, in order; an empty list
/// means the run is intact.
pub fn verify(entries: &[AuditEntry], expect_from: Option<(i64, &str)>) -> Vec<AuditProblem> {
    let (anchor_seq, anchor_hash) = expect_from.unwrap_or((0, GENESIS));
    let by_hash: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.hash.as_str(), i))
        .collect();
    let by_prev: HashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.prev_hash.as_str(), i))
        .collect();
    let present: BTreeSet<i64> = entries.iter().map(|e| e.seq).collect();
    let mut problems = Vec::new();
    let (mut prev_seq, mut prev_hash) = (anchor_seq, anchor_hash);
    // Whether the entry before is itself intact and in place; a broken
    // link after a broken entry is that entry's problem, not a new one.
    let mut prev_sound = true;
    for (index, entry) in entries.iter().enumerate() {
        let problem = if entry.seq <= prev_seq {
            Some((
                AuditProblemKind::OutOfOrder,
                format!("entry {} comes after entry {prev_seq}", entry.seq),
            ))
        } else if let Some(early) = present.range(prev_seq.saturating_add(1)..entry.seq).next() {
            // The gap is filled later in the run: this entry came too soon.
            Some((
                AuditProblemKind::OutOfOrder,
                format!("entry {} comes before entry {early}", entry.seq),
            ))
        } else if entry.seq > prev_seq.saturating_add(1) {
            let (first, last) = (prev_seq.saturating_add(1), entry.seq.saturating_sub(1));
            let span = if first == last {
                format!("entry {first} is missing")
            } else {
                format!("entries {first} to {last} are missing")
            };
            problems.push(AuditProblem {
                seq: first,
                kind: AuditProblemKind::Missing,
                message: format!("{span}: entry {} follows entry {prev_seq}", entry.seq),
            });
            // The entry after a gap cannot link to the one before the gap;
            // only its own fields are checked.
            moved_or_edited(
                entry,
                index,
                entries,
                &by_hash,
                &by_prev,
                (anchor_seq, anchor_hash),
            )
        } else {
            moved_or_edited(
                entry,
                index,
                entries,
                &by_hash,
                &by_prev,
                (anchor_seq, anchor_hash),
            )
            .or_else(|| {
                let linked = entry.prev_hash == prev_hash;
                (!linked && prev_sound).then(|| broken_link(entry, prev_seq, entries, &by_hash))
            })
        };
        prev_sound = problem.is_none();
        if let Some((kind, message)) = problem {
            problems.push(AuditProblem {
                seq: entry.seq,
                kind,
                message,
            });
        }
        prev_seq = prev_seq.max(entry.seq);
        prev_hash = &entry.hash;
    }
    problems
}

/// `None` if the entry's hash matches its fields. Otherwise: moved, if its
/// fields match its hash at the position its neighbours in the chain say
/// it was recorded at; else edited.
fn moved_or_edited(
    entry: &AuditEntry,
    index: usize,
    entries: &[AuditEntry],
    by_hash: &HashMap<&str, usize>,
    by_prev: &HashMap<&str, usize>,
    anchor: (i64, &str),
) -> Option<(AuditProblemKind, String)> {
    if entry.hash_matches() {
        return None;
    }
    // Where the chain says the entry was recorded: one after the entry its
    // prev_hash names, or one before the entry naming it.
    let after_named = match by_hash.get(entry.prev_hash.as_str()) {
        Some(&i) if i != index => Some(entries[i].seq.saturating_add(1)),
        _ => (entry.prev_hash == anchor.1).then_some(anchor.0.saturating_add(1)),
    };
    let before_naming = match by_prev.get(entry.hash.as_str()) {
        Some(&i) if i != index => Some(entries[i].seq.saturating_sub(1)),
        _ => None,
    };
    // Or next to where it is: rows renumbered to close a gap, or two rows
    // swapped across the edge of the run.
    let beside = [entry.seq.saturating_sub(1), entry.seq.saturating_add(1)];
    let recorded = [after_named, before_naming]
        .into_iter()
        .flatten()
        .chain(beside)
        .find(|&seq| seq != entry.seq && entry.hash_at(seq) == entry.hash);
    Some(match recorded {
        Some(seq) => (
            AuditProblemKind::OutOfOrder,
            format!(
                "entry {} is intact but was recorded as entry {seq}: entries were moved \
                 (reordered, or renumbered after a removal)",
                entry.seq
            ),
        ),
        None => (
            AuditProblemKind::Edited,
            format!(
                "entry {} does not match its hash: it was changed",
                entry.seq
            ),
        ),
    })
}

/// The problem of an intact entry whose `prev_hash` is not the hash of the
/// intact entry before it.
fn broken_link(
    entry: &AuditEntry,
    prev_seq: i64,
    entries: &[AuditEntry],
    by_hash: &HashMap<&str, usize>,
) -> (AuditProblemKind, String) {
    match by_hash.get(entry.prev_hash.as_str()) {
        Some(&i) => (
            AuditProblemKind::OutOfOrder,
            format!(
                "entry {} was recorded after entry {}, not after entry {prev_seq}",
                entry.seq, entries[i].seq
            ),
        ),
        None => (
            AuditProblemKind::Missing,
            format!(
                "entry {} does not link to entry {prev_seq}: an entry between them was removed \
                 (or entry {prev_seq} was rewritten)",
                entry.seq
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: 1_700_000_000_000_000 + seq,
                    actor: format!("user{seq}"),
                    action: "release".into(),
                    channel: "taxii".into(),
                    detail: format!(r#"{{"n":{seq}}}"#),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.hash_at(seq);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn kinds(problems: &[AuditProblem]) -> Vec<(i64, AuditProblemKind)> {
        problems.iter().map(|p| (p.seq, p.kind)).collect()
    }

    #[test]
    fn the_hash_is_lower_hex_and_covers_every_field() {
        let base = entry_hash(GENESIS, 1, 2, "a", "b", "c", "{}");
        assert_eq!(base.len(), 64);
        assert!(
            base.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        let variants = [
            entry_hash("1", 1, 2, "a", "b", "c", "{}"),
            entry_hash(GENESIS, 2, 2, "a", "b", "c", "{}"),
            entry_hash(GENESIS, 1, 3, "a", "b", "c", "{}"),
            entry_hash(GENESIS, 1, 2, "A", "b", "c", "{}"),
            entry_hash(GENESIS, 1, 2, "a", "B", "c", "{}"),
            entry_hash(GENESIS, 1, 2, "a", "b", "C", "{}"),
            entry_hash(GENESIS, 1, 2, "a", "b", "c", "{ }"),
            // Moving a byte from one field to the next changes the hash.
            entry_hash(GENESIS, 1, 2, "ab", "", "c", "{}"),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
        assert_eq!(
            base,
            entry_hash(GENESIS, 1, 2, "a", "b", "c", "{}"),
            "deterministic"
        );
    }

    #[test]
    fn an_intact_chain_verifies_whole_and_in_pages() {
        let entries = chain(10);
        assert!(verify(&entries, None).is_empty());
        let anchor = (entries[3].seq, entries[3].hash.as_str());
        assert!(verify(&entries[4..], Some(anchor)).is_empty());
        assert!(verify(&[], None).is_empty());
        let wrong = (entries[2].seq, entries[2].hash.as_str());
        assert_eq!(
            kinds(&verify(&entries[4..], Some(wrong))),
            [(4, AuditProblemKind::Missing)]
        );
    }

    #[test]
    fn an_edit_is_named() {
        let mut entries = chain(6);
        entries[2].actor = "mallory".into();
        assert_eq!(
            kinds(&verify(&entries, None)),
            [(3, AuditProblemKind::Edited)]
        );
    }

    #[test]
    fn a_rewritten_entry_breaks_the_next_link() {
        let mut entries = chain(6);
        entries[2].actor = "mallory".into();
        entries[2].hash = entries[2].hash_at(3);
        assert_eq!(
            kinds(&verify(&entries, None)),
            [(4, AuditProblemKind::Missing)]
        );
    }

    #[test]
    fn deletions_are_named_by_the_first_missing_entry() {
        let mut entries = chain(8);
        entries.remove(4);
        let problems = verify(&entries, None);
        assert_eq!(kinds(&problems), [(5, AuditProblemKind::Missing)]);
        assert!(
            problems[0].message.contains("entry 5 is missing"),
            "{}",
            problems[0].message
        );
        entries.drain(1..3);
        assert_eq!(
            kinds(&verify(&entries, None)),
            [
                (2, AuditProblemKind::Missing),
                (5, AuditProblemKind::Missing)
            ]
        );
        let mut headless = chain(3);
        headless.remove(0);
        assert_eq!(
            kinds(&verify(&headless, None)),
            [(1, AuditProblemKind::Missing)]
        );
    }

    #[test]
    fn swapped_positions_are_named_out_of_order() {
        let mut entries = chain(6);
        // Swap the sequence numbers of entries 3 and 4, as an edit of the
        // stored rows would, and read them back in sequence order.
        entries[2].seq = 4;
        entries[3].seq = 3;
        entries.swap(2, 3);
        assert_eq!(
            kinds(&verify(&entries, None)),
            [
                (3, AuditProblemKind::OutOfOrder),
                (4, AuditProblemKind::OutOfOrder)
            ]
        );
        // Entries handed over in the wrong order are out of order too.
        let mut shuffled = chain(5);
        shuffled.swap(1, 3);
        let found = verify(&shuffled, None);
        assert!(
            found.iter().all(|p| p.kind == AuditProblemKind::OutOfOrder),
            "{found:?}"
        );
        assert!(found.iter().any(|p| p.seq == 2), "{found:?}");
    }
}
