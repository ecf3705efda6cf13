//! Status resources: one row per request, its details as compact JSON (the
//! same encoding as the SQLite backend's).

use deadpool_postgres::GenericClient;

use super::{exec, exists, is_unique_violation, pg_err, row};
use crate::{Error, ErrorKind, Result, StatusDetail, StatusRecord};

fn taken(id: &str) -> Error {
    Error::new(ErrorKind::Conflict, format!("status '{id}' already exists"))
}

/// Fails with [`ErrorKind::Conflict`] if status `id` exists.
pub(super) async fn ensure_new<C: GenericClient>(c: &C, id: &str) -> Result<()> {
    if exists(
        c,
        "SELECT 1 FROM statuses WHERE id = $1",
        &[&id],
        format!("reading status '{id}'"),
    )
    .await?
    {
        return Err(taken(id));
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
pub(super) async fn update<C: GenericClient>(c: &C, status: &StatusRecord) -> Result<()> {
    let (successes, failures, pendings) = encode(status)?;
    exec(
        c,
        "UPDATE statuses SET successes = $2, failures = $3, pendings = $4 WHERE id = $1",
        &[&status.id, &successes, &failures, &pendings],
    )
    .await
    .map_err(pg_err(format!("updating status '{}'", status.id)))?;
    Ok(())
}

pub(super) async fn insert<C: GenericClient>(c: &C, status: &StatusRecord) -> Result<()> {
    let context = || format!("recording status '{}'", status.id);
    let (successes, failures, pendings) = encode(status)?;
    exec(
        c,
        "INSERT INTO statuses
             (id, collection, owner, request_timestamp, successes, failures, pendings)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &status.id,
            &status.collection,
            &status.owner,
            &status.request_timestamp,
            &successes,
            &failures,
            &pendings,
        ],
    )
    .await
    .map_err(|e| {
        // Another server recorded the same id meanwhile.
        if is_unique_violation(&e) {
            taken(&status.id)
        } else {
            Error::backend(context(), e)
        }
    })?;
    Ok(())
}

pub(super) async fn get<C: GenericClient>(c: &C, id: &str) -> Result<Option<StatusRecord>> {
    let context = || format!("reading status '{id}'");
    let Some(r) = row(
        c,
        "SELECT id, collection, owner, request_timestamp, successes, failures, pendings
         FROM statuses WHERE id = $1",
        &[&id],
    )
    .await
    .map_err(pg_err(context()))?
    else {
        return Ok(None);
    };
    let decode = |index: usize| -> Result<Vec<StatusDetail>> {
        let text: String = r.try_get(index).map_err(pg_err(context()))?;
        let rows: Vec<(String, String, Option<String>)> =
            serde_json::from_str(&text).map_err(|e| Error::backend(context(), e))?;
        Ok(rows
            .into_iter()
            .map(|(id, version, message)| StatusDetail {
                id,
                version,
                message,
            })
            .collect())
    };
    let text = |index: usize| -> Result<String> { r.try_get(index).map_err(pg_err(context())) };
    Ok(Some(StatusRecord {
        id: text(0)?,
        collection: text(1)?,
        owner: text(2)?,
        request_timestamp: r.try_get(3).map_err(pg_err(context()))?,
        successes: decode(4)?,
        failures: decode(5)?,
        pendings: decode(6)?,
    }))
}
