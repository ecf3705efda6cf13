//! Status resources: one row per request, its details as compact JSON.
//!
//! A status of a 500-object envelope has 500 successes; one JSON array per
//! list costs one row write where a child table would cost 500.

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, params};

use super::sql_err;
use crate::{Error, ErrorKind, Result, StatusDetail, StatusRecord};

/// Fails with [`ErrorKind::Conflict`] if status `id` exists.
pub(super) fn ensure_new(conn: &Connection, id: &str) -> Result<()> {
    let taken = conn
        .prepare_cached("SELECT 1 FROM statuses WHERE id = ?1")
        .and_then(|mut stmt| stmt.exists([id]))
        .map_err(sql_err(format!("reading status '{id}'")))?;
    if taken {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("status '{id}' already exists"),
        ));
    }
    Ok(())
}

/// The three detail lists of a status as stored: compact JSON arrays.
fn encode(status: &StatusRecord) -> Result<(String, String, String)> {
    let encode = |list: &[StatusDetail]| {
        let rows: Vec<(&str, &str, Option<&str>)> = list
            .iter()
            .map(|d| (d.id.as_str(), d.version.as_str(), d.message.as_deref()))
            .collect();
        serde_json::to_string(&rows)
            .map_err(|e| Error::backend(format!("recording status '{}'", status.id), e))
    };
    Ok((
        encode(&status.successes)?,
        encode(&status.failures)?,
        encode(&status.pendings)?,
    ))
}

/// Rewrites the detail lists of an existing status.
pub(super) fn update(conn: &Connection, status: &StatusRecord) -> Result<()> {
    let (successes, failures, pendings) = encode(status)?;
    conn.prepare_cached(
        "UPDATE statuses SET successes = ?2, failures = ?3, pendings = ?4 WHERE id = ?1",
    )
    .and_then(|mut stmt| stmt.execute(params![status.id, successes, failures, pendings]))
    .map_err(sql_err(format!("updating status '{}'", status.id)))?;
    Ok(())
}

pub(super) fn insert(conn: &Connection, status: &StatusRecord) -> Result<()> {
    let context = || format!("recording status '{}'", status.id);
    let (successes, failures, pendings) = encode(status)?;
    conn.prepare_cached(
        "INSERT INTO statuses
             (id, collection, owner, request_timestamp, successes, failures, pendings)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            status.id,
            status.collection,
            status.owner,
            status.request_timestamp,
            successes,
            failures,
            pendings
        ])
    })
    .map_err(sql_err(context()))?;
    Ok(())
}

pub(super) fn get(conn: &Connection, id: &str) -> Result<Option<StatusRecord>> {
    let decode = |row: &rusqlite::Row<'_>, index: usize| -> rusqlite::Result<Vec<StatusDetail>> {
        let text: String = row.get(index)?;
        let rows: Vec<(String, String, Option<String>)> =
            serde_json::from_str(&text).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(e))
            })?;
        Ok(rows
            .into_iter()
            .map(|(id, version, message)| StatusDetail {
                id,
                version,
                message,
            })
            .collect())
    };
    conn.prepare_cached(
        "SELECT id, collection, owner, request_timestamp, successes, failures, pendings
         FROM statuses WHERE id = ?1",
    )
    .and_then(|mut stmt| {
        stmt.query_row([id], |row| {
            Ok(StatusRecord {
                id: row.get(0)?,
                collection: row.get(1)?,
                owner: row.get(2)?,
                request_timestamp: row.get(3)?,
                successes: decode(row, 4)?,
                failures: decode(row, 5)?,
                pendings: decode(row, 6)?,
            })
        })
        .optional()
    })
    .map_err(sql_err(format!("reading status '{id}'")))
}
