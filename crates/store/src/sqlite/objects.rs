//! Writing object versions: adding them (with `date_added`, the first/last
//! flags, their originals and their warning-list flags) and deleting them.
//!
//! **Invariant:** a `(collection, id, version_key)` is stored at most once.
//! No unique index enforces it (see [`id_hash`] for why the id index holds
//! hashes); `add` checks before every insert, and every writer, in this
//! process or another, runs `add` inside one `BEGIN IMMEDIATE` transaction,
//! so no two checks can interleave.
//!
//! **Invariant:** for every `(collection, id)` with stored versions, exactly
//! one row has `is_first = 1` (the smallest `version_key`) and exactly one
//! has `is_last = 1` (the greatest); they are the same row when there is one
//! version. `add` keeps this whatever order versions arrive in, and `delete`
//! restores it for the id it touched. The same holds per grant key for the
//! `grants` rows (see `grants`).

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::{Type, Value};
use rusqlite::{CachedStatement, Connection, OptionalExtension, params, params_from_iter};

use super::catalog::{CollectionKey, collection_key};
use super::grants::{self, GrantWriter, Held};
use super::query::Clause;
use super::{audit, review, sql_err, status, warnings};
use crate::{
    AddOutcome, AuditDraft, DeletionAudit, Error, ErrorKind, HeldVersion, Micros, NewVersion,
    Result, StatusDetail, StatusRecord, VersionFilter, VersionStamp,
};

/// The length of a [`VersionStamp::key`]: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
const KEY_LEN: usize = 30;

/// Hands out `date_added` values: the wall clock, but always past the last
/// value the collection ever had, so they strictly increase even when many
/// objects arrive in one microsecond or the clock steps back.
struct Clock {
    now: Micros,
    last: Micros,
}

impl Clock {
    fn next(&mut self) -> Micros {
        self.last = self.now.max(self.last.saturating_add(1));
        self.last
    }
}

fn now_micros() -> Micros {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
        Micros::try_from(d.as_micros()).unwrap_or(Micros::MAX)
    })
}

/// Stores `versions` in `status.collection`, holds `held` for review,
/// records `status` (its successes extended with every stored version's id
/// and version, its pendings with every held one's) and appends `drafts` to
/// the release record. Nothing is written if the collection is unknown, the
/// status id or a review id is taken, a version key is malformed or a
/// version has no grants.
pub(super) fn add(
    conn: &Connection,
    versions: &[NewVersion],
    held: &[HeldVersion],
    mut status: StatusRecord,
    drafts: &[AuditDraft],
) -> Result<Vec<AddOutcome>> {
    let key = collection_key(conn, &status.collection)?;
    check(versions.iter().chain(held.iter().map(|h| &h.version)))?;
    status::ensure_new(conn, &status.id)?;
    review::ensure_new(conn, held)?;
    let stored = put(conn, &status.collection, key, versions)?;
    let mut outcomes = Vec::with_capacity(stored.len());
    status.successes.reserve(stored.len());
    for (version, (outcome, text)) in versions.iter().zip(stored) {
        outcomes.push(outcome);
        status.successes.push(StatusDetail {
            id: version.id.clone(),
            version: text,
            message: None,
        });
    }
    for hold in held {
        review::insert(conn, hold, &status)?;
        status.pendings.push(StatusDetail {
            id: hold.version.id.clone(),
            version: crate::review::pending_version(&hold.version, status.request_timestamp),
            message: None,
        });
    }
    status::insert(conn, &status)?;
    audit::append(conn, drafts)?;
    Ok(outcomes)
}

/// Refuses malformed version keys and versions without an audience.
pub(super) fn check<'a>(versions: impl Iterator<Item = &'a NewVersion> + Clone) -> Result<()> {
    if let Some(bad) = versions
        .clone()
        .find(|v| v.version.as_ref().is_some_and(|s| !well_formed(&s.key)))
    {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("object {} has a malformed version key", bad.id),
        ));
    }
    if let Some(bare) = versions.into_iter().find(|v| v.grants.is_empty()) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("object {} has no audience (its grants are empty)", bare.id),
        ));
    }
    Ok(())
}

/// Stores checked `versions` in the collection `key` (named `collection`
/// in errors), with their originals; returns each one's outcome and the
/// version text to report.
pub(super) fn put(
    conn: &Connection,
    collection: &str,
    key: CollectionKey,
    versions: &[NewVersion],
) -> Result<Vec<(AddOutcome, String)>> {
    let context = || format!("adding objects to collection '{collection}'");
    let mut envelope = Envelope::load(conn, key.seq, versions).map_err(sql_err(context()))?;
    let mut clock = Clock {
        now: now_micros(),
        last: key.last_added,
    };
    let mut out = Vec::with_capacity(versions.len());
    for version in versions {
        out.push(
            envelope
                .add(conn, version, &mut clock)
                .map_err(sql_err(format!(
                    "adding {} to collection '{collection}'",
                    version.id
                )))?,
        );
    }
    drop(envelope);
    if clock.last != key.last_added {
        conn.prepare_cached("UPDATE collections SET last_added = ?1 WHERE seq = ?2")
            .and_then(|mut stmt| stmt.execute(params![clock.last, key.seq]))
            .map_err(sql_err(format!("updating collection '{collection}'")))?;
    }
    Ok(out)
}

/// A key the store can order: fixed width, ending in `Z`.
fn well_formed(key: &str) -> bool {
    key.len() == KEY_LEN && key.ends_with('Z') && key.is_ascii()
}

/// One envelope's write: the versions already stored under its ids, looked
/// up with one statement for the whole envelope rather than one per object,
/// and the insert statements, prepared once.
struct Envelope<'c> {
    collection: i64,
    /// Every stored version of each id in the envelope, kept current as the
    /// envelope's own versions go in.
    stored: HashMap<String, Vec<Held>>,
    grants: GrantWriter<'c>,
    insert: CachedStatement<'c>,
    clear_first: CachedStatement<'c>,
    clear_last: CachedStatement<'c>,
    original: CachedStatement<'c>,
    warning: CachedStatement<'c>,
}

impl<'c> Envelope<'c> {
    fn load(
        conn: &'c Connection,
        collection: i64,
        versions: &[NewVersion],
    ) -> rusqlite::Result<Self> {
        let mut stored: HashMap<String, Vec<Held>> = versions
            .iter()
            .map(|v| (v.id.clone(), Vec::new()))
            .collect();
        let mut grants = GrantWriter::new(conn, collection)?;
        let mut hashes: Vec<i64> = versions.iter().map(|v| id_hash(&v.id)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        let hashes = serde_json::to_string(&hashes).unwrap_or_else(|_| "[]".to_owned());
        let mut lookup = conn.prepare_cached(
            "SELECT id, seq, version_key, date_added, grants FROM objects INDEXED BY objects_id
             WHERE id_hash IN (SELECT value FROM json_each(?2)) AND collection = ?1",
        )?;
        let mut rows = lookup.query(params![collection, hashes])?;
        while let Some(row) = rows.next()? {
            // A hash shared with an id outside the envelope is skipped here.
            if let Some(list) = stored.get_mut(row.get_ref(0)?.as_str()?) {
                let keys = grants::from_json(row.get_ref(4)?.as_str()?).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(4, Type::Text, Box::new(e))
                })?;
                list.push(Held {
                    seq: row.get(1)?,
                    version_key: row.get(2)?,
                    date_added: row.get(3)?,
                    grants: grants.numbers(&keys)?,
                });
            }
        }
        Ok(Envelope {
            collection,
            stored,
            grants,
            insert: conn.prepare_cached(
                "INSERT INTO objects (collection, date_added, id, id_hash, type, spec_version,
                                      version_key, version_text, is_first, is_last,
                                      tlp, grants, submitter, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?,
            clear_first: conn.prepare_cached("UPDATE objects SET is_first = 0 WHERE seq = ?1")?,
            clear_last: conn.prepare_cached("UPDATE objects SET is_last = 0 WHERE seq = ?1")?,
            original: conn.prepare_cached(
                "INSERT INTO originals (collection, id, version_key, object, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            warning: conn.prepare_cached(
                "INSERT INTO warnings (collection, id, version_key, object, lists)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
        })
    }

    /// Adds one version; returns its outcome and the version text to report.
    fn add(
        &mut self,
        conn: &Connection,
        version: &NewVersion,
        clock: &mut Clock,
    ) -> rusqlite::Result<(AddOutcome, String)> {
        let mut date_added = None;
        let assigned;
        let stamp = match &version.version {
            Some(stamp) => stamp,
            None => {
                // An object without a version of its own is versioned by its
                // date_added, so resubmitting it would otherwise add a copy
                // on every push; the same text under the same id is the same
                // object.
                if let Some(text) = identical_unversioned(conn, self.collection, version)? {
                    return Ok((AddOutcome::AlreadyPresent, text));
                }
                let at = clock.next();
                date_added = Some(at);
                assigned = VersionStamp::from_micros(at);
                &assigned
            }
        };
        let stored = self.stored.entry(version.id.clone()).or_default();
        if stored.iter().any(|held| held.version_key == stamp.key) {
            return Ok((AddOutcome::AlreadyPresent, stamp.text.clone()));
        }
        let (is_first, is_last) = place(stored.iter(), &stamp.key);
        if let (true, Some(held)) = (is_first, earliest(stored.iter())) {
            self.clear_first.execute([held.seq])?;
        }
        if let (true, Some(held)) = (is_last, latest(stored.iter())) {
            self.clear_last.execute([held.seq])?;
        }
        let keys = grants::normalize(&version.grants);
        let numbers = self.grants.numbers(&keys)?;
        let date_added = date_added.unwrap_or_else(|| clock.next());
        // Per key, the same placement among the versions that carry it.
        let mut flags = Vec::with_capacity(numbers.len());
        for &key in &numbers {
            let carrying = || stored.iter().filter(|held| held.grants.contains(&key));
            let (first, last) = place(carrying(), &stamp.key);
            if let (true, Some(held)) = (first, earliest(carrying())) {
                self.grants.clear_first(key, held.date_added)?;
            }
            if let (true, Some(held)) = (last, latest(carrying())) {
                self.grants.clear_last(key, held.date_added)?;
            }
            flags.push((first, last));
        }
        self.insert.execute(params![
            self.collection,
            date_added,
            version.id,
            id_hash(&version.id),
            version.object_type,
            version.spec_version,
            stamp.key,
            stamp.text,
            is_first,
            is_last,
            version.tlp,
            grants::to_json(&keys),
            version.submitter,
            version.raw,
        ])?;
        let seq = conn.last_insert_rowid();
        if let Some(original) = &version.original {
            self.original.execute(params![
                self.collection,
                version.id,
                stamp.key,
                seq,
                original
            ])?;
        }
        if !version.warnings.is_empty() {
            self.warning.execute(params![
                self.collection,
                version.id,
                stamp.key,
                seq,
                warnings::to_json(&version.warnings)
            ])?;
        }
        for (&key, &flag) in numbers.iter().zip(&flags) {
            self.grants
                .insert(key, date_added, seq, &version.object_type, flag)?;
        }
        stored.push(Held {
            seq,
            version_key: stamp.key.clone(),
            date_added,
            grants: numbers,
        });
        Ok((AddOutcome::Added(date_added), stamp.text.clone()))
    }
}

/// Whether a new version with `key` would be the first and the last among
/// `held` (both when there are none).
fn place<'a>(mut held: impl Iterator<Item = &'a Held> + Clone, key: &str) -> (bool, bool) {
    let first = held.clone().all(|h| key < h.version_key.as_str());
    let last = held.all(|h| key > h.version_key.as_str());
    (first, last)
}

fn earliest<'a>(held: impl Iterator<Item = &'a Held>) -> Option<&'a Held> {
    held.min_by(|a, b| a.version_key.cmp(&b.version_key))
}

fn latest<'a>(held: impl Iterator<Item = &'a Held>) -> Option<&'a Held> {
    held.max_by(|a, b| a.version_key.cmp(&b.version_key))
}

/// The version text of a stored version of `version.id` with exactly the
/// same JSON text, if any.
fn identical_unversioned(
    conn: &Connection,
    collection: i64,
    version: &NewVersion,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT version_text FROM objects INDEXED BY objects_id
         WHERE id_hash = ?2 AND collection = ?1 AND id = ?3 AND raw = ?4 LIMIT 1",
    )?
    .query_row(
        params![collection, id_hash(&version.id), version.id, version.raw],
        |row| row.get(0),
    )
    .optional()
}

/// The 64-bit FNV-1a hash of an id's UTF-8 bytes, as stored in
/// `objects.id_hash` and searched through `objects_id`.
///
/// The id index holds this hash rather than the id text because ids are
/// random: every insert lands on a different leaf of the id index, and each
/// dirtied leaf is a page written to the WAL at commit. Entries of a few
/// bytes put about five times as many ids on a page as the text did, so far
/// fewer pages are dirtied per commit; measured here, that cut the writer's
/// CPU time per object by a third and raised ingest by about as much.
/// Lookups always compare the id itself too, so collisions cost a row read,
/// never a wrong answer. **This function is part of the file format:**
/// changing it makes every stored object unreachable.
pub(super) fn id_hash(id: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Deletes the versions of `id` that `filter` selects, with their grant
/// rows, and appends the release-record entries `entries` makes of their
/// number (only when there is at least one); returns how many.
pub(super) fn delete(
    conn: &Connection,
    collection: &str,
    id: &str,
    filter: &VersionFilter,
    entries: DeletionAudit,
) -> Result<u64> {
    let key = collection_key(conn, collection)?;
    let context = || format!("deleting {id} from collection '{collection}'");
    let mut clause = Clause::new(
        "DELETE FROM objects INDEXED BY objects_id
         WHERE id_hash = ?2 AND collection = ?1 AND id = ?3",
        vec![
            Value::Integer(key.seq),
            Value::Integer(id_hash(id)),
            Value::Text(id.to_owned()),
        ],
    );
    clause.versions(filter);
    clause.sql.push_str(" RETURNING date_added, grants");
    let removed: Vec<(Micros, String)> = conn
        .prepare_cached(&clause.sql)
        .and_then(|mut stmt| {
            stmt.query_map(params_from_iter(clause.params), |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect()
        })
        .map_err(sql_err(context()))?;
    for (date_added, keys) in &removed {
        let keys = grants::from_json(keys)
            .map_err(|e| Error::backend(format!("{}: unreadable grants", context()), e))?;
        grants::delete(conn, key.seq, *date_added, &keys).map_err(sql_err(context()))?;
    }
    let count = removed.len() as u64;
    if count > 0 {
        reflag(conn, key.seq, id).map_err(sql_err(context()))?;
        audit::append(conn, &entries(count))?;
    }
    Ok(count)
}

/// Marks the earliest and latest remaining versions of `id`, overall and
/// per grant key.
fn reflag(conn: &Connection, collection: i64, id: &str) -> rusqlite::Result<()> {
    let mut writer = GrantWriter::new(conn, collection)?;
    let mut held = Vec::new();
    let mut flags = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT seq, is_first, is_last, version_key, date_added, grants
             FROM objects INDEXED BY objects_id
             WHERE id_hash = ?2 AND collection = ?1 AND id = ?3 ORDER BY version_key",
        )?;
        let mut rows = stmt.query(params![collection, id_hash(id), id])?;
        while let Some(row) = rows.next()? {
            let keys = grants::from_json(row.get_ref(5)?.as_str()?).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(5, Type::Text, Box::new(e))
            })?;
            flags.push((row.get::<_, bool>(1)?, row.get::<_, bool>(2)?));
            held.push(Held {
                seq: row.get(0)?,
                version_key: row.get(3)?,
                date_added: row.get(4)?,
                grants: writer.numbers(&keys)?,
            });
        }
    }
    let count = held.len();
    for (index, (version, stored)) in held.iter().zip(flags).enumerate() {
        let (first, last) = (index == 0, index + 1 == count);
        if (first, last) != stored {
            conn.prepare_cached("UPDATE objects SET is_first = ?1, is_last = ?2 WHERE seq = ?3")?
                .execute(params![first, last, version.seq])?;
        }
    }
    grants::reflag(&mut writer, &held)
}

#[cfg(test)]
mod tests {
    use super::id_hash;

    /// The hash is stored on disk, so it must never change: these are the
    /// published FNV-1a 64-bit test vectors.
    #[test]
    fn id_hash_is_fnv1a_64() {
        let as_stored = |v: u64| i64::from_ne_bytes(v.to_ne_bytes());
        assert_eq!(id_hash(""), as_stored(0xcbf2_9ce4_8422_2325));
        assert_eq!(id_hash("a"), as_stored(0xaf63_dc4c_8601_ec8c));
        assert_eq!(id_hash("foobar"), as_stored(0x8594_4171_f739_67e8));
    }
}
