//! Warning-list flags and the fingerprint of the lists they were computed
//! with (see `crate::warnings`). New versions' flags are written by
//! `objects`, in the transaction that adds them; here they are read and
//! replaced.
//!
//! Several servers may replace the same versions' flags at once (each
//! re-flagging after a change of lists); every statement is keyed on the
//! version, so they converge on the same rows, whoever commits last.

use deadpool_postgres::{Client, GenericClient};

use super::catalog::{VersionTable, collection_key, of_versions};
use super::{exec, pg_err, row, rows};
use crate::warnings::normalize;
use crate::{Result, WarningFlag};

/// The flags of the given `(id, version key)` pairs of a collection.
pub(super) async fn get(
    client: &Client,
    collection: &str,
    versions: &[(String, String)],
) -> Result<Vec<WarningFlag>> {
    let found = of_versions(
        client,
        collection,
        versions,
        VersionTable::Warnings,
        "warning-list flags",
    )
    .await?;
    Ok(found
        .into_iter()
        .map(|(id, version_key, lists)| WarningFlag {
            id,
            version_key,
            lists,
        })
        .collect())
}

/// Replaces the flags of the named versions in one transaction; versions
/// not stored are skipped.
pub(super) async fn replace(
    client: &mut Client,
    collection: &str,
    flags: &[WarningFlag],
) -> Result<()> {
    let context = || format!("replacing warning-list flags in collection '{collection}'");
    let tx = client.transaction().await.map_err(pg_err(context()))?;
    let key = collection_key(&tx, collection, false).await?;
    let (mut clear_ids, mut clear_keys) = (Vec::new(), Vec::new());
    let (mut ids, mut keys, mut lists) = (Vec::new(), Vec::new(), Vec::new());
    for flag in flags {
        if flag.lists.is_empty() {
            clear_ids.push(flag.id.as_str());
            clear_keys.push(flag.version_key.as_str());
        } else {
            ids.push(flag.id.as_str());
            keys.push(flag.version_key.as_str());
            lists.push(serde_json::to_string(&normalize(&flag.lists)).unwrap_or_default());
        }
    }
    if !clear_ids.is_empty() {
        exec(
            &tx,
            "DELETE FROM warnings AS w
             USING unnest($2::text[], $3::text[]) AS n (id, version_key)
             WHERE w.collection = $1 AND w.id = n.id AND w.version_key = n.version_key",
            &[&key.seq, &clear_ids, &clear_keys],
        )
        .await
        .map_err(pg_err(context()))?;
    }
    if !ids.is_empty() {
        exec(
            &tx,
            "INSERT INTO warnings (collection, id, version_key, object, lists)
             SELECT $1, n.id, n.version_key, o.seq,
                    ARRAY(SELECT jsonb_array_elements_text(n.lists::jsonb))
             FROM unnest($2::text[], $3::text[], $4::text[]) AS n (id, version_key, lists)
             JOIN objects AS o
               ON o.id = n.id AND o.collection = $1 AND o.version_key = n.version_key
             ON CONFLICT (collection, id, version_key) DO UPDATE SET lists = excluded.lists",
            &[&key.seq, &ids, &keys, &lists],
        )
        .await
        .map_err(pg_err(context()))?;
    }
    tx.commit().await.map_err(pg_err(context()))
}

/// The ids with a flagged version, in id order, after `after`.
pub(super) async fn flagged_ids(
    client: &Client,
    collection: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<String>> {
    let key = collection_key(client, collection, false).await?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    rows(
        client,
        "SELECT DISTINCT id FROM warnings WHERE collection = $1 AND id > $2 ORDER BY id LIMIT $3",
        &[&key.seq, &after.unwrap_or(""), &limit],
    )
    .await
    .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect())
    .map_err(pg_err(format!(
        "listing flagged objects in collection '{collection}'"
    )))
}

/// The recorded fingerprint, if any.
pub(super) async fn fingerprint<C: GenericClient>(c: &C) -> Result<Option<String>> {
    row(
        c,
        "SELECT fingerprint FROM warning_lists WHERE singleton = 1",
        &[],
    )
    .await
    .and_then(|r| r.map(|r| r.try_get(0)).transpose())
    .map_err(pg_err("reading the warning-list fingerprint"))
}

/// Records the fingerprint.
pub(super) async fn set_fingerprint<C: GenericClient>(c: &C, fingerprint: &str) -> Result<()> {
    exec(
        c,
        "INSERT INTO warning_lists (singleton, fingerprint) VALUES (1, $1)
         ON CONFLICT (singleton) DO UPDATE SET fingerprint = excluded.fingerprint",
        &[&fingerprint],
    )
    .await
    .map_err(pg_err("recording the warning-list fingerprint"))?;
    Ok(())
}
