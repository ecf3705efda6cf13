//! Writing object versions: adding them (with `date_added` and the
//! first/last flags) and deleting them.
//!
//! **Invariant:** for every `(collection, id)` with stored versions, exactly
//! one row has `is_first = 1` (the smallest `version_key`) and exactly one
//! has `is_last = 1` (the greatest); they are the same row when there is one
//! version. `add` keeps this whatever order versions arrive in, and `delete`
//! restores it for the id it touched.

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};

use super::catalog::collection_key;
use super::query::Clause;
use super::{sql_err, status};
use crate::{
    AddOutcome, Error, ErrorKind, Micros, NewVersion, Result, StatusDetail, StatusRecord,
    VersionFilter, VersionStamp,
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
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| Micros::try_from(d.as_micros()).unwrap_or(Micros::MAX))
}

/// Stores `versions` in `status.collection` and records `status`, its
/// successes extended with every input's id and version. Nothing is written
/// if the collection is unknown, the status id is taken or a version key is
/// malformed.
pub(super) fn add(
    conn: &Connection,
    versions: &[NewVersion],
    mut status: StatusRecord,
) -> Result<Vec<AddOutcome>> {
    let key = collection_key(conn, &status.collection)?;
    if let Some(bad) = versions.iter().find(|v| v.version.as_ref().is_some_and(|s| !well_formed(&s.key))) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("object {} has a malformed version key", bad.id),
        ));
    }
    status::ensure_new(conn, &status.id)?;
    let mut clock = Clock { now: now_micros(), last: key.last_added };
    let mut outcomes = Vec::with_capacity(versions.len());
    status.successes.reserve(versions.len());
    for version in versions {
        let (outcome, text) = add_one(conn, key.seq, version, &mut clock)
            .map_err(sql_err(format!("adding {} to collection '{}'", version.id, status.collection)))?;
        outcomes.push(outcome);
        status.successes.push(StatusDetail { id: version.id.clone(), version: text, message: None });
    }
    if clock.last != key.last_added {
        conn.prepare_cached("UPDATE collections SET last_added = ?1 WHERE seq = ?2")
            .and_then(|mut stmt| stmt.execute(params![clock.last, key.seq]))
            .map_err(sql_err(format!("updating collection '{}'", status.collection)))?;
    }
    status::insert(conn, &status)?;
    Ok(outcomes)
}

/// A key the store can order: fixed width, ending in `Z`.
fn well_formed(key: &str) -> bool {
    key.len() == KEY_LEN && key.ends_with('Z') && key.is_ascii()
}

/// Adds one version; returns its outcome and the version text to report.
fn add_one(
    conn: &Connection,
    collection: i64,
    version: &NewVersion,
    clock: &mut Clock,
) -> rusqlite::Result<(AddOutcome, String)> {
    let mut date_added = None;
    let assigned;
    let stamp = match &version.version {
        Some(stamp) => stamp,
        None => {
            // An object without a version of its own is versioned by its
            // date_added, so resubmitting it would otherwise add a copy on
            // every push; the same text under the same id is the same object.
            if let Some(text) = identical_unversioned(conn, collection, version)? {
                return Ok((AddOutcome::AlreadyPresent, text));
            }
            let at = clock.next();
            date_added = Some(at);
            assigned = VersionStamp::from_micros(at);
            &assigned
        }
    };
    let first: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT seq, version_key FROM objects WHERE collection = ?1 AND id = ?2
             ORDER BY version_key LIMIT 1",
        )?
        .query_row(params![collection, version.id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let (is_first, is_last) = match first {
        None => (true, true),
        Some((first_seq, first_key)) => {
            let present = first_key == stamp.key
                || conn
                    .prepare_cached(
                        "SELECT 1 FROM objects
                         WHERE collection = ?1 AND id = ?2 AND version_key = ?3",
                    )?
                    .exists(params![collection, version.id, stamp.key])?;
            if present {
                return Ok((AddOutcome::AlreadyPresent, stamp.text.clone()));
            }
            let (last_seq, last_key): (i64, String) = conn
                .prepare_cached(
                    "SELECT seq, version_key FROM objects WHERE collection = ?1 AND id = ?2
                     ORDER BY version_key DESC LIMIT 1",
                )?
                .query_row(params![collection, version.id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            let is_first = stamp.key < first_key;
            let is_last = stamp.key > last_key;
            if is_first {
                set_flags(conn, first_seq, "is_first = 0")?;
            }
            if is_last {
                set_flags(conn, last_seq, "is_last = 0")?;
            }
            (is_first, is_last)
        }
    };
    let date_added = date_added.unwrap_or_else(|| clock.next());
    conn.prepare_cached(
        "INSERT INTO objects (collection, date_added, id, type, spec_version, version_key,
                              version_text, is_first, is_last, raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        collection,
        date_added,
        version.id,
        version.object_type,
        version.spec_version,
        stamp.key,
        stamp.text,
        is_first,
        is_last,
        version.raw,
    ])?;
    Ok((AddOutcome::Added(date_added), stamp.text.clone()))
}

/// The version text of a stored version of `version.id` with exactly the
/// same JSON text, if any.
fn identical_unversioned(
    conn: &Connection,
    collection: i64,
    version: &NewVersion,
) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(
        "SELECT version_text FROM objects WHERE collection = ?1 AND id = ?2 AND raw = ?3 LIMIT 1",
    )?
    .query_row(params![collection, version.id, version.raw], |row| row.get(0))
    .optional()
}

fn set_flags(conn: &Connection, seq: i64, assignment: &'static str) -> rusqlite::Result<()> {
    let sql = format!("UPDATE objects SET {assignment} WHERE seq = ?1");
    conn.prepare_cached(&sql)?.execute([seq])?;
    Ok(())
}

/// Deletes the versions of `id` that `filter` selects; returns how many.
pub(super) fn delete(
    conn: &Connection,
    collection: &str,
    id: &str,
    filter: &VersionFilter,
) -> Result<u64> {
    let key = collection_key(conn, collection)?;
    let context = || format!("deleting {id} from collection '{collection}'");
    let mut clause = Clause::new(
        "DELETE FROM objects INDEXED BY objects_version WHERE collection = ?1 AND id = ?2",
        vec![Value::Integer(key.seq), Value::Text(id.to_owned())],
    );
    clause.versions(filter);
    let removed = conn
        .prepare_cached(&clause.sql)
        .and_then(|mut stmt| stmt.execute(params_from_iter(clause.params)))
        .map_err(sql_err(context()))?;
    if removed > 0 {
        reflag(conn, key.seq, id).map_err(sql_err(context()))?;
    }
    Ok(removed as u64)
}

/// Marks the earliest and latest remaining versions of `id`.
fn reflag(conn: &Connection, collection: i64, id: &str) -> rusqlite::Result<()> {
    let rows: Vec<(i64, bool, bool)> = conn
        .prepare_cached(
            "SELECT seq, is_first, is_last FROM objects WHERE collection = ?1 AND id = ?2
             ORDER BY version_key",
        )?
        .query_map(params![collection, id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let count = rows.len();
    for (index, (seq, is_first, is_last)) in rows.into_iter().enumerate() {
        let (first, last) = (index == 0, index + 1 == count);
        if (first, last) != (is_first, is_last) {
            conn.prepare_cached("UPDATE objects SET is_first = ?1, is_last = ?2 WHERE seq = ?3")?
                .execute(params![first, last, seq])?;
        }
    }
    Ok(())
}
