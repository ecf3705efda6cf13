//! Warning-list flags and the fingerprint of the lists they were computed
//! with (see `crate::warnings`). New versions' flags are written by
//! `objects`, in the transaction that adds them; here they are read and
//! replaced.

use rusqlite::{Connection, OptionalExtension, params};

use super::catalog::collection_key;
use super::objects::id_hash;
use super::sql_err;
use crate::warnings::normalize;
use crate::{Error, Result, WarningFlag};

/// A list of names as stored: a JSON array, sorted, without repeats.
pub(super) fn to_json(lists: &[String]) -> String {
    serde_json::to_string(&normalize(lists)).unwrap_or_else(|_| "[]".to_owned())
}

fn from_json(text: &str, context: &str) -> Result<Vec<String>> {
    serde_json::from_str(text)
        .map_err(|e| Error::backend(format!("{context}: an unreadable list of warning lists"), e))
}

/// The flags of the given `(id, version key)` pairs of a collection.
pub(super) fn get(
    conn: &Connection,
    collection: &str,
    versions: &[(String, String)],
) -> Result<Vec<WarningFlag>> {
    let key = collection_key(conn, collection)?;
    let context = format!("reading warning-list flags in collection '{collection}'");
    // Most collections hold no flags at all: one probe instead of a lookup
    // per version.
    let any = conn
        .prepare_cached("SELECT 1 FROM warnings WHERE collection = ?1 LIMIT 1")
        .and_then(|mut stmt| stmt.exists([key.seq]))
        .map_err(sql_err(&context))?;
    if !any {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT lists FROM warnings WHERE collection = ?1 AND id = ?2 AND version_key = ?3",
        )
        .map_err(sql_err(&context))?;
    let mut out = Vec::new();
    for (id, version_key) in versions {
        let found: Option<String> = stmt
            .query_row(params![key.seq, id, version_key], |row| row.get(0))
            .optional()
            .map_err(sql_err(&context))?;
        if let Some(text) = found {
            out.push(WarningFlag {
                id: id.clone(),
                version_key: version_key.clone(),
                lists: from_json(&text, &context)?,
            });
        }
    }
    Ok(out)
}

/// Replaces the flags of the named versions; versions not stored are
/// skipped.
pub(super) fn replace(conn: &Connection, collection: &str, flags: &[WarningFlag]) -> Result<()> {
    let key = collection_key(conn, collection)?;
    let context = || format!("replacing warning-list flags in collection '{collection}'");
    let mut clear = conn
        .prepare_cached(
            "DELETE FROM warnings WHERE collection = ?1 AND id = ?2 AND version_key = ?3",
        )
        .map_err(sql_err(context()))?;
    let mut put = conn
        .prepare_cached(
            "INSERT INTO warnings (collection, id, version_key, object, lists)
             SELECT ?1, ?3, ?4, seq, ?5 FROM objects INDEXED BY objects_id
             WHERE id_hash = ?2 AND collection = ?1 AND id = ?3 AND version_key = ?4
             ON CONFLICT (collection, id, version_key) DO UPDATE SET lists = excluded.lists",
        )
        .map_err(sql_err(context()))?;
    for flag in flags {
        if flag.lists.is_empty() {
            clear.execute(params![key.seq, flag.id, flag.version_key])
        } else {
            put.execute(params![
                key.seq,
                id_hash(&flag.id),
                flag.id,
                flag.version_key,
                to_json(&flag.lists)
            ])
        }
        .map_err(sql_err(context()))?;
    }
    Ok(())
}

/// The ids with a flagged version, in id order, after `after`.
pub(super) fn flagged_ids(
    conn: &Connection,
    collection: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<String>> {
    let key = collection_key(conn, collection)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "SELECT DISTINCT id FROM warnings WHERE collection = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
    )
    .and_then(|mut stmt| {
        stmt.query_map(params![key.seq, after.unwrap_or(""), limit], |row| {
            row.get(0)
        })?
        .collect()
    })
    .map_err(sql_err(format!(
        "listing flagged objects in collection '{collection}'"
    )))
}

/// The recorded fingerprint, if any.
pub(super) fn fingerprint(conn: &Connection) -> Result<Option<String>> {
    conn.prepare_cached("SELECT fingerprint FROM warning_lists WHERE singleton = 1")
        .and_then(|mut stmt| stmt.query_row([], |row| row.get(0)).optional())
        .map_err(sql_err("reading the warning-list fingerprint"))
}

/// Records the fingerprint.
pub(super) fn set_fingerprint(conn: &Connection, fingerprint: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO warning_lists (singleton, fingerprint) VALUES (1, ?1)
         ON CONFLICT (singleton) DO UPDATE SET fingerprint = excluded.fingerprint",
    )
    .and_then(|mut stmt| stmt.execute([fingerprint]))
    .map_err(sql_err("recording the warning-list fingerprint"))?;
    Ok(())
}
