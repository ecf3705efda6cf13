//! The release record in SQLite: appending linked entries and reading them.
//!
//! **Invariant:** `audit.seq` runs 1, 2, 3, … without gaps, and each entry's
//! `prev_hash` is the hash of the entry before. Appends run only on a write
//! connection inside `BEGIN IMMEDIATE` (the writer thread, or another
//! process's writer, which SQLite's lock serialises with ours), and each
//! reads the current last entry inside that transaction, so no two appends
//! can link to the same entry.

use rusqlite::{Connection, OptionalExtension, params};

use super::sql_err;
use crate::audit::{GENESIS, entry_hash};
use crate::{AuditDraft, AuditEntry, Error, ErrorKind, Result};

/// Appends `drafts` after the current last entry; returns their sequence
/// numbers.
pub(super) fn append(conn: &Connection, drafts: &[AuditDraft]) -> Result<Vec<i64>> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let context = "appending to the release record";
    let (mut seq, mut prev) = head(conn)?.unwrap_or_else(|| (0, GENESIS.to_owned()));
    if seq > i64::MAX - drafts.len() as i64 {
        return Err(Error::new(
            ErrorKind::Backend,
            format!("the release record cannot grow past entry {seq}"),
        ));
    }
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO audit (seq, at, actor, action, channel, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )
        .map_err(sql_err(context))?;
    let mut given = Vec::with_capacity(drafts.len());
    for d in drafts {
        seq += 1;
        let hash = entry_hash(&prev, seq, d.at, &d.actor, &d.action, &d.channel, &d.detail);
        insert
            .execute(params![
                seq, d.at, d.actor, d.action, d.channel, d.detail, prev, hash
            ])
            .map_err(sql_err(context))?;
        given.push(seq);
        prev = hash;
    }
    Ok(given)
}

/// The last entry's sequence number and hash.
pub(super) fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    conn.prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        .and_then(|mut stmt| {
            stmt.query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .map_err(sql_err("reading the head of the release record"))
}

/// Up to `limit` entries after `after`, in order.
pub(super) fn entries(
    conn: &Connection,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<AuditEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "SELECT seq, at, actor, action, channel, detail, prev_hash, hash
         FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )
    .and_then(|mut stmt| {
        stmt.query_map(params![after.unwrap_or(i64::MIN), limit], entry)?
            .collect()
    })
    .map_err(sql_err("reading the release record"))
}

/// Up to `limit` entries of `action` after `after`, in order, through the
/// index `audit_action`.
pub(super) fn entries_of(
    conn: &Connection,
    action: &str,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<AuditEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "SELECT seq, at, actor, action, channel, detail, prev_hash, hash
         FROM audit INDEXED BY audit_action
         WHERE action = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )
    .and_then(|mut stmt| {
        stmt.query_map(params![action, after.unwrap_or(i64::MIN), limit], entry)?
            .collect()
    })
    .map_err(sql_err(format!(
        "reading the release record's '{action}' entries"
    )))
}

fn entry(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        actor: row.get(2)?,
        action: row.get(3)?,
        channel: row.get(4)?,
        detail: row.get(5)?,
        prev_hash: row.get(6)?,
        hash: row.get(7)?,
    })
}
