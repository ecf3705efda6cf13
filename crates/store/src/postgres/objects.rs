//! Writing object versions: adding them (with `date_added`, the first/last
//! flags, their originals and their warning-list flags) and deleting them.
//!
//! **Invariant:** a `(collection, id, version_key)` is stored at most once
//! (the unique index `objects_id` enforces it).
//!
//! **Invariant:** for every `(collection, id)` with stored versions, exactly
//! one row has `is_first` (the smallest `version_key`) and exactly one has
//! `is_last` (the greatest). Every writer of a collection holds its row lock,
//! so the versions read at the start of a write are still all the versions
//! when it commits.
//!
//! An envelope is written with a handful of statements whatever its size:
//! one lookup of the versions already stored under its ids, one `INSERT …
//! SELECT FROM unnest(…)` of the new rows (their flags computed here), and
//! at most two `UPDATE`s clearing the flags of versions that stopped being
//! first or last, and one insert each of the originals and warning-list
//! flags the envelope carries.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use deadpool_postgres::{Client, GenericClient};

use super::catalog::{CollectionKey, collection_key};
use super::{audit, exec, pg_err, review, rows, status};
use crate::warnings::normalize;
use crate::{
    AddOutcome, AuditDraft, DeletionAudit, Error, ErrorKind, HeldVersion, Micros, NewVersion,
    Result, StatusDetail, StatusRecord, VersionFilter, VersionStamp,
};

/// The length of a [`VersionStamp::key`]: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
const KEY_LEN: usize = 30;

/// The channel `add_objects` notifies on (see `notify`).
pub(super) const CHANNEL: &str = "charter_changes";

fn now_micros() -> Micros {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
        Micros::try_from(d.as_micros()).unwrap_or(Micros::MAX)
    })
}

/// A key the store can order: fixed width, ending in `Z`.
fn well_formed(key: &str) -> bool {
    key.len() == KEY_LEN && key.ends_with('Z') && key.is_ascii()
}

/// A version of an id as the envelope's write sees it.
struct Held {
    key: String,
    /// `objects.seq` of a stored row; `None` for a row of this envelope.
    seq: Option<i64>,
    is_first: bool,
    is_last: bool,
}

/// The columns of the new rows, one array per column, for `unnest`.
#[derive(Default)]
struct NewRows {
    date_added: Vec<i64>,
    id: Vec<String>,
    object_type: Vec<String>,
    spec_version: Vec<String>,
    version_key: Vec<String>,
    version_text: Vec<String>,
    tlp: Vec<String>,
    grants: Vec<String>,
    submitter: Vec<Option<String>>,
    raw: Vec<String>,
    original: Vec<Option<String>>,
    /// The warning lists as JSON text; `None` for an unflagged version.
    warnings: Vec<Option<String>>,
}

/// Stores `versions` in `status.collection`, holds `held` for review,
/// records `status` (its successes extended with every stored version's id
/// and version, its pendings with every held one's) and appends `drafts` to
/// the release record, in one transaction. Nothing is written if the
/// collection is unknown, the status id or a review id is taken, a version
/// key is malformed or a version has no grants.
pub(super) async fn add(
    client: &mut Client,
    versions: &[NewVersion],
    held: &[HeldVersion],
    mut status: StatusRecord,
    drafts: &[AuditDraft],
) -> Result<Vec<AddOutcome>> {
    let context = || format!("adding objects to collection '{}'", status.collection);
    let tx = client.transaction().await.map_err(pg_err(context()))?;
    let key = collection_key(&tx, &status.collection, true).await?;
    check(versions.iter().chain(held.iter().map(|h| &h.version)))?;
    status::ensure_new(&tx, &status.id).await?;
    review::ensure_new(&tx, held).await?;
    let stored = put(&tx, &status.collection, key, versions).await?;
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
        review::insert(&tx, hold, &status).await?;
        status.pendings.push(StatusDetail {
            id: hold.version.id.clone(),
            version: crate::review::pending_version(&hold.version, status.request_timestamp),
            message: None,
        });
    }
    status::insert(&tx, &status).await?;
    // Last: the release record's lock is shared by every writer.
    audit::append(&tx, drafts).await?;
    tx.commit().await.map_err(pg_err(context()))?;
    Ok(outcomes)
}

/// Refuses malformed version keys and versions without an audience.
pub(super) fn check<'a>(mut versions: impl Iterator<Item = &'a NewVersion> + Clone) -> Result<()> {
    if let Some(bad) = versions
        .clone()
        .find(|v| v.version.as_ref().is_some_and(|s| !well_formed(&s.key)))
    {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("object {} has a malformed version key", bad.id),
        ));
    }
    if let Some(bare) = versions.find(|v| v.grants.is_empty()) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("object {} has no audience (its grants are empty)", bare.id),
        ));
    }
    Ok(())
}

/// Stores checked `versions` in the collection `key` (named `collection`),
/// whose row lock the transaction holds, with their originals, and
/// notifies listeners on commit; returns each one's outcome and the version
/// text to report.
pub(super) async fn put(
    tx: &deadpool_postgres::Transaction<'_>,
    collection: &str,
    key: CollectionKey,
    versions: &[NewVersion],
) -> Result<Vec<(AddOutcome, String)>> {
    let context = || format!("adding objects to collection '{collection}'");
    let mut ids: Vec<&str> = versions.iter().map(|v| v.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut stored: HashMap<String, Vec<Held>> = HashMap::new();
    for r in rows(
        tx,
        "SELECT id, seq, version_key, is_first, is_last FROM objects
         WHERE id = ANY($2) AND collection = $1",
        &[&key.seq, &ids],
    )
    .await
    .map_err(pg_err(context()))?
    {
        let held = (|| {
            Ok::<_, tokio_postgres::Error>((
                r.try_get::<_, String>(0)?,
                Held {
                    seq: Some(r.try_get(1)?),
                    key: r.try_get(2)?,
                    is_first: r.try_get(3)?,
                    is_last: r.try_get(4)?,
                },
            ))
        })()
        .map_err(pg_err(context()))?;
        stored.entry(held.0).or_default().push(held.1);
    }
    // Objects without a version of their own are the same object when
    // their text is: a retried push adds nothing.
    let mut unversioned: Vec<&str> = versions
        .iter()
        .filter(|v| v.version.is_none())
        .map(|v| v.id.as_str())
        .collect();
    unversioned.sort_unstable();
    unversioned.dedup();
    let mut texts: HashMap<(String, String), String> = HashMap::new();
    if !unversioned.is_empty() {
        for r in rows(
            tx,
            "SELECT id, raw, version_text FROM objects WHERE id = ANY($2) AND collection = $1",
            &[&key.seq, &unversioned],
        )
        .await
        .map_err(pg_err(context()))?
        {
            let (id, raw, text) =
                (|| Ok::<_, tokio_postgres::Error>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))(
                )
                .map_err(pg_err(context()))?;
            texts.entry((id, raw)).or_insert(text);
        }
    }

    let now = now_micros();
    let mut last = key.last_added;
    let mut new = NewRows::default();
    let mut out = Vec::with_capacity(versions.len());
    for version in versions {
        out.push(place(version, &mut stored, &mut texts, &mut new, || {
            last = now.max(last.saturating_add(1));
            last
        }));
    }
    if new.id.is_empty() {
        return Ok(out);
    }
    write_rows(tx, key.seq, &stored, new)
        .await
        .map_err(pg_err(context()))?;
    exec(
        tx,
        "UPDATE collections SET last_added = $1 WHERE seq = $2",
        &[&last, &key.seq],
    )
    .await
    .map_err(pg_err(context()))?;
    let payload = serde_json::json!({
        "collection": collection,
        "after": key.last_added,
        "through": last,
    })
    .to_string();
    exec(tx, "SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
        .await
        .map_err(pg_err(context()))?;
    Ok(out)
}

/// Decides what happens to one version: already present, or a new row
/// (pushed onto `new`, with the flags of its id's versions updated in
/// `stored`). Returns the outcome and the version text to report.
fn place(
    version: &NewVersion,
    stored: &mut HashMap<String, Vec<Held>>,
    texts: &mut HashMap<(String, String), String>,
    new: &mut NewRows,
    mut clock: impl FnMut() -> Micros,
) -> (AddOutcome, String) {
    let (stamp, date_added) = match &version.version {
        Some(stamp) => {
            let held = stored.get(&version.id);
            if held.is_some_and(|h| h.iter().any(|h| h.key == stamp.key)) {
                return (AddOutcome::AlreadyPresent, stamp.text.clone());
            }
            (stamp.clone(), clock())
        }
        None => {
            let text_key = (version.id.clone(), version.raw.clone());
            if let Some(text) = texts.get(&text_key) {
                return (AddOutcome::AlreadyPresent, text.clone());
            }
            let at = clock();
            let stamp = VersionStamp::from_micros(at);
            texts.insert(text_key, stamp.text.clone());
            (stamp, at)
        }
    };
    let held = stored.entry(version.id.clone()).or_default();
    let is_first = held.iter().all(|h| stamp.key < h.key);
    let is_last = held.iter().all(|h| stamp.key > h.key);
    for h in held.iter_mut() {
        h.is_first &= !is_first;
        h.is_last &= !is_last;
    }
    held.push(Held {
        key: stamp.key.clone(),
        seq: None,
        is_first,
        is_last,
    });
    let mut grants = version.grants.clone();
    grants.sort();
    grants.dedup();
    new.date_added.push(date_added);
    new.id.push(version.id.clone());
    new.object_type.push(version.object_type.clone());
    new.spec_version.push(version.spec_version.clone());
    new.version_key.push(stamp.key.clone());
    new.version_text.push(stamp.text.clone());
    new.tlp.push(version.tlp.clone());
    new.grants
        .push(serde_json::to_string(&grants).unwrap_or_else(|_| "[]".to_owned()));
    new.submitter.push(version.submitter.clone());
    new.raw.push(version.raw.clone());
    new.original.push(version.original.clone());
    new.warnings.push(
        (!version.warnings.is_empty())
            .then(|| serde_json::to_string(&normalize(&version.warnings)).ok())
            .flatten(),
    );
    (AddOutcome::Added(date_added), stamp.text)
}

/// Inserts the new rows with their final flags and clears the flags of the
/// stored rows that lost them.
async fn write_rows(
    tx: &deadpool_postgres::Transaction<'_>,
    collection: i64,
    stored: &HashMap<String, Vec<Held>>,
    new: NewRows,
) -> std::result::Result<(), tokio_postgres::Error> {
    let mut clear_first = Vec::new();
    let mut clear_last = Vec::new();
    let mut flags: HashMap<(&str, &str), (bool, bool)> = HashMap::new();
    for (id, held) in stored {
        for h in held {
            match h.seq {
                Some(seq) => {
                    // A stored row only ever loses a flag to a newer arrival.
                    if !h.is_first {
                        clear_first.push(seq);
                    }
                    if !h.is_last {
                        clear_last.push(seq);
                    }
                }
                None => {
                    flags.insert((id.as_str(), h.key.as_str()), (h.is_first, h.is_last));
                }
            }
        }
    }
    let (mut is_first, mut is_last) = (Vec::new(), Vec::new());
    for (id, key) in new.id.iter().zip(&new.version_key) {
        let (first, last) = flags
            .get(&(id.as_str(), key.as_str()))
            .copied()
            .unwrap_or((true, true));
        is_first.push(first);
        is_last.push(last);
    }
    // Only rows whose flag is set are updated: the rest already lack it.
    exec(
        tx,
        "UPDATE objects SET is_first = false WHERE seq = ANY($1) AND is_first",
        &[&clear_first],
    )
    .await?;
    exec(
        tx,
        "UPDATE objects SET is_last = false WHERE seq = ANY($1) AND is_last",
        &[&clear_last],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO objects (collection, date_added, id, type, spec_version, version_key,
                              version_text, is_first, is_last, tlp, grants, submitter, raw)
         SELECT $1, n.date_added, n.id, n.type, n.spec_version, n.version_key, n.version_text,
                n.is_first, n.is_last, n.tlp,
                ARRAY(SELECT jsonb_array_elements_text(n.grants::jsonb)),
                n.submitter, n.raw
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                     $8::boolean[], $9::boolean[], $10::text[], $11::text[], $12::text[],
                     $13::text[])
              AS n (date_added, id, type, spec_version, version_key, version_text,
                    is_first, is_last, tlp, grants, submitter, raw)",
        &[
            &collection,
            &new.date_added,
            &new.id,
            &new.object_type,
            &new.spec_version,
            &new.version_key,
            &new.version_text,
            &is_first,
            &is_last,
            &new.tlp,
            &new.grants,
            &new.submitter,
            &new.raw,
        ],
    )
    .await?;
    if new.original.iter().any(Option::is_some) {
        exec(
            tx,
            "INSERT INTO originals (collection, id, version_key, object, raw)
             SELECT $1, n.id, n.version_key, o.seq, n.original
             FROM unnest($2::text[], $3::text[], $4::text[]) AS n (id, version_key, original)
             JOIN objects AS o
               ON o.id = n.id AND o.collection = $1 AND o.version_key = n.version_key
             WHERE n.original IS NOT NULL",
            &[&collection, &new.id, &new.version_key, &new.original],
        )
        .await?;
    }
    if new.warnings.iter().any(Option::is_some) {
        exec(
            tx,
            "INSERT INTO warnings (collection, id, version_key, object, lists)
             SELECT $1, n.id, n.version_key, o.seq,
                    ARRAY(SELECT jsonb_array_elements_text(n.lists::jsonb))
             FROM unnest($2::text[], $3::text[], $4::text[]) AS n (id, version_key, lists)
             JOIN objects AS o
               ON o.id = n.id AND o.collection = $1 AND o.version_key = n.version_key
             WHERE n.lists IS NOT NULL",
            &[&collection, &new.id, &new.version_key, &new.warnings],
        )
        .await?;
    }
    Ok(())
}

/// Deletes the versions of `id` that `filter` selects and appends the
/// release-record entries `entries` makes of their number (only when there
/// is at least one), in one transaction; returns how many.
pub(super) async fn delete(
    client: &mut Client,
    collection: &str,
    id: &str,
    filter: &VersionFilter,
    entries: DeletionAudit,
) -> Result<u64> {
    let context = || format!("deleting {id} from collection '{collection}'");
    let tx = client.transaction().await.map_err(pg_err(context()))?;
    let key = collection_key(&tx, collection, true).await?;
    let mut terms = Vec::new();
    if filter.first {
        terms.push("is_first".to_owned());
    }
    if filter.last {
        terms.push("is_last".to_owned());
    }
    if !filter.exact.is_empty() {
        terms.push("version_key = ANY($3)".to_owned());
    }
    let selection = if filter.all {
        String::new()
    } else if terms.is_empty() {
        " AND false".to_owned()
    } else {
        format!(" AND ({})", terms.join(" OR "))
    };
    let sql = format!("DELETE FROM objects WHERE id = $2 AND collection = $1{selection}");
    let removed = if filter.exact.is_empty() {
        exec(&tx, &sql, &[&key.seq, &id]).await
    } else {
        exec(&tx, &sql, &[&key.seq, &id, &filter.exact]).await
    }
    .map_err(pg_err(context()))?;
    if removed > 0 {
        reflag(&tx, key.seq, id).await.map_err(pg_err(context()))?;
        // Last, as every writer does: the collection's row lock is taken
        // before the release record's, never after.
        audit::append(&tx, &entries(removed)).await?;
    }
    tx.commit().await.map_err(pg_err(context()))?;
    Ok(removed)
}

/// Marks the earliest and latest remaining versions of `id`.
async fn reflag<C: GenericClient>(
    c: &C,
    collection: i64,
    id: &str,
) -> std::result::Result<(), tokio_postgres::Error> {
    exec(
        c,
        "UPDATE objects AS o SET is_first = f.first, is_last = f.last
         FROM (SELECT seq,
                      version_key = min(version_key) OVER () AS first,
                      version_key = max(version_key) OVER () AS last
               FROM objects WHERE id = $2 AND collection = $1) AS f
         WHERE o.seq = f.seq AND (o.is_first <> f.first OR o.is_last <> f.last)",
        &[&collection, &id],
    )
    .await?;
    Ok(())
}
