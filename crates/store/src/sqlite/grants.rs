//! Grant rows: the indexed form of each version's audience.
//!
//! Every version has one `grants` row per grant key, clustered by
//! `(collection, grant_key, date_added)`, so the versions a key may see come
//! out of one ordered range. Keys are stored once in `grant_keys` and rows
//! hold their number, which keeps the rows (and the pages each commit
//! dirties) small.
//!
//! **Invariant:** for every `(collection, id)` and every key carried by some
//! of its versions, exactly one of those versions' rows for that key has
//! `is_first = 1` (the smallest `version_key`) and exactly one has
//! `is_last = 1` (the greatest). A reader's first or last version of an id is
//! first or last for every key it holds that the version carries, so these
//! flags let a read skip every other version without reading it.

use std::borrow::Cow;
use std::collections::HashMap;

use rusqlite::{CachedStatement, Connection, OptionalExtension, params};

use crate::Micros;

/// Sorted, without repeats, as the objects row stores them (as given when
/// they already are, as `policy` hands them over).
pub(super) fn normalize(grants: &[String]) -> Cow<'_, [String]> {
    if grants.windows(2).all(|w| w[0] < w[1]) {
        return Cow::Borrowed(grants);
    }
    let mut keys = grants.to_vec();
    keys.sort();
    keys.dedup();
    Cow::Owned(keys)
}

/// The JSON array text of `keys`, as `objects.grants` holds it.
pub(super) fn to_json(keys: &[String]) -> String {
    // A list of strings always serializes; the fallback keeps this total.
    serde_json::to_string(keys).unwrap_or_else(|_| "[]".to_owned())
}

/// Parses `objects.grants`.
pub(super) fn from_json(text: &str) -> serde_json::Result<Vec<String>> {
    serde_json::from_str(text)
}

/// Writes the grant rows of one collection's versions, with the statements
/// prepared once and the numbers of the keys already looked up.
pub(super) struct GrantWriter<'c> {
    collection: i64,
    numbers: HashMap<String, i64>,
    find: CachedStatement<'c>,
    create: CachedStatement<'c>,
    insert: CachedStatement<'c>,
    set_flags: CachedStatement<'c>,
    clear_first: CachedStatement<'c>,
    clear_last: CachedStatement<'c>,
}

impl<'c> GrantWriter<'c> {
    pub(super) fn new(conn: &'c Connection, collection: i64) -> rusqlite::Result<Self> {
        Ok(GrantWriter {
            collection,
            numbers: HashMap::new(),
            find: conn.prepare_cached("SELECT id FROM grant_keys WHERE key = ?1")?,
            create: conn.prepare_cached("INSERT INTO grant_keys (key) VALUES (?1) RETURNING id")?,
            insert: conn.prepare_cached(
                "INSERT INTO grants (collection, grant_key, date_added, object, type, is_first, is_last)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            set_flags: conn.prepare_cached(
                "UPDATE grants SET is_first = ?4, is_last = ?5
                 WHERE collection = ?1 AND grant_key = ?2 AND date_added = ?3",
            )?,
            clear_first: conn.prepare_cached(
                "UPDATE grants SET is_first = 0
                 WHERE collection = ?1 AND grant_key = ?2 AND date_added = ?3",
            )?,
            clear_last: conn.prepare_cached(
                "UPDATE grants SET is_last = 0
                 WHERE collection = ?1 AND grant_key = ?2 AND date_added = ?3",
            )?,
        })
    }

    /// The number of grant key `key`, created if the node has never seen it.
    pub(super) fn number(&mut self, key: &str) -> rusqlite::Result<i64> {
        if let Some(&n) = self.numbers.get(key) {
            return Ok(n);
        }
        let n = match self.find.query_row([key], |row| row.get(0)).optional()? {
            Some(n) => n,
            None => self.create.query_row([key], |row| row.get(0))?,
        };
        self.numbers.insert(key.to_owned(), n);
        Ok(n)
    }

    /// The numbers of `keys`, in order.
    pub(super) fn numbers(&mut self, keys: &[String]) -> rusqlite::Result<Vec<i64>> {
        keys.iter().map(|k| self.number(k)).collect()
    }

    /// Inserts the row of one version for one key.
    pub(super) fn insert(
        &mut self,
        key: i64,
        date_added: Micros,
        object: i64,
        object_type: &str,
        (is_first, is_last): (bool, bool),
    ) -> rusqlite::Result<()> {
        self.insert.execute(params![
            self.collection,
            key,
            date_added,
            object,
            object_type,
            is_first,
            is_last
        ])?;
        Ok(())
    }

    /// Clears `is_first` on one version's row for one key.
    pub(super) fn clear_first(&mut self, key: i64, date_added: Micros) -> rusqlite::Result<()> {
        self.clear_first
            .execute(params![self.collection, key, date_added])?;
        Ok(())
    }

    /// Clears `is_last` on one version's row for one key.
    pub(super) fn clear_last(&mut self, key: i64, date_added: Micros) -> rusqlite::Result<()> {
        self.clear_last
            .execute(params![self.collection, key, date_added])?;
        Ok(())
    }

    /// Sets the flags of one version's row for one key.
    pub(super) fn set_flags(
        &mut self,
        key: i64,
        date_added: Micros,
        (is_first, is_last): (bool, bool),
    ) -> rusqlite::Result<()> {
        self.set_flags
            .execute(params![self.collection, key, date_added, is_first, is_last])?;
        Ok(())
    }
}

/// A stored version of an id, as flag maintenance needs it.
pub(super) struct Held {
    /// `objects.seq`.
    pub(super) seq: i64,
    pub(super) version_key: String,
    pub(super) date_added: Micros,
    /// Key numbers.
    pub(super) grants: Vec<i64>,
}

/// Deletes the rows of the version added at `date_added` for `keys`.
pub(super) fn delete(
    conn: &Connection,
    collection: i64,
    date_added: Micros,
    keys: &[String],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "DELETE FROM grants WHERE collection = ?1 AND date_added = ?2
             AND grant_key = (SELECT id FROM grant_keys WHERE key = ?3)",
    )?;
    for key in keys {
        stmt.execute(params![collection, date_added, key])?;
    }
    Ok(())
}

/// Recomputes the per-key flags of every version of one id (after a
/// deletion), writing each row.
pub(super) fn reflag(writer: &mut GrantWriter<'_>, versions: &[Held]) -> rusqlite::Result<()> {
    let mut keys: Vec<i64> = versions
        .iter()
        .flat_map(|v| v.grants.iter().copied())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let carrying = || versions.iter().filter(|v| v.grants.contains(&key));
        let first = carrying()
            .min_by(|a, b| a.version_key.cmp(&b.version_key))
            .map(|v| v.seq);
        let last = carrying()
            .max_by(|a, b| a.version_key.cmp(&b.version_key))
            .map(|v| v.seq);
        for v in carrying() {
            writer.set_flags(
                key,
                v.date_added,
                (Some(v.seq) == first, Some(v.seq) == last),
            )?;
        }
    }
    Ok(())
}
