//! The privacy review queue and the originals of released versions.
//!
//! A held version is one row of `reviews` until it is decided; approval
//! stores it through the same code as any write ([`objects::put`], under the
//! collection's row lock, so its `date_added` is in order) and moves its
//! status line from `pendings` to `successes` in the same transaction.

use deadpool_postgres::{Client, GenericClient};
use tokio_postgres::Row;

use super::catalog::{VersionTable, collection_key, of_versions};
use super::{audit, exec, exists, objects, pg_err, row, rows, status};
use crate::review::settle;
use crate::{
    AddOutcome, AuditDraft, DecideReview, Error, ErrorKind, HeldVersion, NewVersion, Result,
    ReviewDecision, ReviewOutcome, ReviewQuery, ReviewRecord, StatusRecord, VersionStamp,
};

/// Fails with [`ErrorKind::Conflict`] if a review id is taken.
pub(super) async fn ensure_new<C: GenericClient>(c: &C, held: &[HeldVersion]) -> Result<()> {
    for hold in held {
        if exists(
            c,
            "SELECT 1 FROM reviews WHERE id = $1",
            &[&hold.id],
            format!("reading review '{}'", hold.id),
        )
        .await?
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("review '{}' already exists", hold.id),
            ));
        }
    }
    Ok(())
}

/// Records one held version of the submission `status`.
pub(super) async fn insert<C: GenericClient>(
    c: &C,
    hold: &HeldVersion,
    status: &StatusRecord,
) -> Result<()> {
    let v = &hold.version;
    let mut grants = v.grants.clone();
    grants.sort();
    grants.dedup();
    exec(
        c,
        "INSERT INTO reviews (id, collection, status, object_id, object_type, spec_version,
                              version_key, version_text, tlp, grants, submitter, submitted_by,
                              submitted_at, findings, released, original)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        &[
            &hold.id,
            &status.collection,
            &status.id,
            &v.id,
            &v.object_type,
            &v.spec_version,
            &v.version.as_ref().map(|s| &s.key),
            &v.version.as_ref().map(|s| &s.text),
            &v.tlp,
            &grants,
            &v.submitter,
            &hold.submitted_by,
            &status.request_timestamp,
            &hold.findings,
            &v.raw,
            &v.original,
        ],
    )
    .await
    .map_err(|e| {
        if super::is_unique_violation(&e) {
            Error::new(
                ErrorKind::Conflict,
                format!("review '{}' already exists", hold.id),
            )
        } else {
            Error::backend(format!("holding {} for review", v.id), e)
        }
    })?;
    Ok(())
}

const COLUMNS: &str = "id, collection, status, object_id, object_type, spec_version, version_key,
    version_text, tlp, grants, submitter, submitted_by, submitted_at, findings, released,
    original, outcome, decided_by, decided_at, note";

fn record(r: &Row) -> Result<ReviewRecord> {
    let context = "reading a review";
    let get = |e| Error::backend(context, e);
    let key: Option<String> = r.try_get(6).map_err(get)?;
    let text: Option<String> = r.try_get(7).map_err(get)?;
    let version = match (key, text) {
        (Some(key), Some(text)) => Some(VersionStamp { key, text }),
        _ => None,
    };
    let decision = match r.try_get::<_, Option<String>>(16).map_err(get)? {
        None => None,
        Some(name) => Some(ReviewDecision {
            outcome: ReviewOutcome::parse(&name).ok_or_else(|| {
                Error::new(
                    ErrorKind::Backend,
                    format!("unknown review outcome '{name}' stored"),
                )
            })?,
            by: r
                .try_get::<_, Option<String>>(17)
                .map_err(get)?
                .unwrap_or_default(),
            at: r
                .try_get::<_, Option<i64>>(18)
                .map_err(get)?
                .unwrap_or_default(),
            note: r.try_get(19).map_err(get)?,
        }),
    };
    Ok(ReviewRecord {
        id: r.try_get(0).map_err(get)?,
        collection: r.try_get(1).map_err(get)?,
        status: r.try_get(2).map_err(get)?,
        version: NewVersion {
            id: r.try_get(3).map_err(get)?,
            object_type: r.try_get(4).map_err(get)?,
            spec_version: r.try_get(5).map_err(get)?,
            version,
            tlp: r.try_get(8).map_err(get)?,
            grants: r.try_get(9).map_err(get)?,
            submitter: r.try_get(10).map_err(get)?,
            raw: r.try_get(14).map_err(get)?,
            original: r.try_get(15).map_err(get)?,
            warnings: Vec::new(),
        },
        submitted_by: r.try_get(11).map_err(get)?,
        submitted_at: r.try_get(12).map_err(get)?,
        findings: r.try_get(13).map_err(get)?,
        decision,
    })
}

/// One review by id; `lock` takes its row lock until the transaction ends.
pub(super) async fn get<C: GenericClient>(
    c: &C,
    id: &str,
    lock: bool,
) -> Result<Option<ReviewRecord>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reviews WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    row(c, &sql, &[&id])
        .await
        .map_err(pg_err(format!("reading review '{id}'")))?
        .as_ref()
        .map(record)
        .transpose()
}

/// Reviews, oldest first.
pub(super) async fn list(client: &Client, query: &ReviewQuery) -> Result<Vec<ReviewRecord>> {
    let mut sql = format!("SELECT {COLUMNS} FROM reviews WHERE true");
    if query.pending_only {
        sql.push_str(" AND outcome IS NULL");
    }
    if query.submitter.is_some() {
        sql.push_str(" AND submitter = $1");
    }
    sql.push_str(" ORDER BY seq");
    if query.limit > 0 {
        sql.push_str(&format!(" LIMIT {}", query.limit));
    }
    let found = match &query.submitter {
        Some(org) => rows(client, &sql, &[org]).await,
        None => rows(client, &sql, &[]).await,
    }
    .map_err(pg_err("listing reviews"))?;
    found.iter().map(record).collect()
}

/// Whether a collection has versions waiting for review.
pub(super) async fn holds_pending<C: GenericClient>(c: &C, collection: &str) -> Result<bool> {
    exists(
        c,
        "SELECT 1 FROM reviews WHERE collection = $1 AND outcome IS NULL LIMIT 1",
        &[&collection],
        format!("reading the reviews of collection '{collection}'"),
    )
    .await
}

/// Records a decision and its consequences; see `Store::decide_review`.
pub(super) async fn decide(
    client: &mut Client,
    request: &DecideReview,
    drafts: &[AuditDraft],
) -> Result<(ReviewRecord, Option<AddOutcome>)> {
    let id = &request.id;
    let context = || format!("recording the decision on review '{id}'");
    let tx = client.transaction().await.map_err(pg_err(context()))?;
    // Read without a lock first, to lock the collection before the review:
    // writers always take the collection's lock first.
    let peek = get(&tx, id, false)
        .await?
        .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("no review '{id}'")))?;
    let key = collection_key(&tx, &peek.collection, true).await?;
    let mut record = get(&tx, id, true)
        .await?
        .ok_or_else(|| Error::new(ErrorKind::NotFound, format!("no review '{id}'")))?;
    if let Some(done) = &record.decision {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!(
                "review '{id}' was already decided ({})",
                done.outcome.as_str()
            ),
        ));
    }
    let mut status = status::get(&tx, &record.status).await?.ok_or_else(|| {
        Error::new(
            ErrorKind::Backend,
            format!(
                "review '{id}' names a status '{}' that does not exist",
                record.status
            ),
        )
    })?;
    let decision = request.decision.clone();
    let mut outcome = None;
    match decision.outcome {
        ReviewOutcome::Approved => {
            if let Some(released) = &request.released {
                record.version.raw = released.clone();
            }
            record.version.warnings = request.warnings.clone();
            let stored = objects::put(
                &tx,
                &record.collection,
                key,
                std::slice::from_ref(&record.version),
            )
            .await?;
            if let Some((added, text)) = stored.into_iter().next() {
                outcome = Some(added);
                settle(&mut status, &record, &decision, Some(text));
            }
        }
        ReviewOutcome::Rejected => settle(&mut status, &record, &decision, None),
    }
    status::update(&tx, &status).await?;
    exec(
        &tx,
        "UPDATE reviews SET outcome = $2, decided_by = $3, decided_at = $4, note = $5,
                            released = $6
         WHERE id = $1",
        &[
            &id,
            &decision.outcome.as_str(),
            &decision.by,
            &decision.at,
            &decision.note,
            &record.version.raw,
        ],
    )
    .await
    .map_err(pg_err(context()))?;
    audit::append(&tx, drafts).await?;
    tx.commit().await.map_err(pg_err(context()))?;
    record.decision = Some(decision);
    Ok((record, outcome))
}

/// The originals of the given `(id, version key)` pairs of a collection.
pub(super) async fn originals(
    client: &Client,
    collection: &str,
    versions: &[(String, String)],
) -> Result<Vec<(String, String, String)>> {
    of_versions(
        client,
        collection,
        versions,
        VersionTable::Originals,
        "originals",
    )
    .await
}
