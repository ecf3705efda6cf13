//! The privacy review queue and the originals of released versions.
//!
//! A held version is one row of `reviews` until it is decided; approval
//! inserts it into `objects` through the same code as any write
//! ([`objects::put`]) and moves its status line from `pendings` to
//! `successes` in the same transaction.

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::catalog::collection_key;
use super::objects;
use super::{audit, grants, sql_err, status};
use crate::review::settle;
use crate::{
    AddOutcome, AuditDraft, DecideReview, Error, ErrorKind, HeldVersion, NewVersion, Result,
    ReviewDecision, ReviewOutcome, ReviewQuery, ReviewRecord, StatusRecord, VersionStamp,
};

/// Fails with [`ErrorKind::Conflict`] if a review id is taken.
pub(super) fn ensure_new(conn: &Connection, held: &[HeldVersion]) -> Result<()> {
    for hold in held {
        let taken = conn
            .prepare_cached("SELECT 1 FROM reviews WHERE id = ?1")
            .and_then(|mut stmt| stmt.exists([&hold.id]))
            .map_err(sql_err(format!("reading review '{}'", hold.id)))?;
        if taken {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("review '{}' already exists", hold.id),
            ));
        }
    }
    Ok(())
}

/// Records one held version of the submission `status`.
pub(super) fn insert(conn: &Connection, hold: &HeldVersion, status: &StatusRecord) -> Result<()> {
    let v = &hold.version;
    let keys = grants::normalize(&v.grants);
    conn.prepare_cached(
        "INSERT INTO reviews (id, collection, status, object_id, object_type, spec_version,
                              version_key, version_text, tlp, grants, submitter, submitted_by,
                              submitted_at, findings, released, original)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            hold.id,
            status.collection,
            status.id,
            v.id,
            v.object_type,
            v.spec_version,
            v.version.as_ref().map(|s| &s.key),
            v.version.as_ref().map(|s| &s.text),
            v.tlp,
            grants::to_json(&keys),
            v.submitter,
            hold.submitted_by,
            status.request_timestamp,
            hold.findings,
            v.raw,
            v.original,
        ])
    })
    .map_err(sql_err(format!("holding {} for review", v.id)))?;
    Ok(())
}

const COLUMNS: &str = "id, collection, status, object_id, object_type, spec_version, version_key,
    version_text, tlp, grants, submitter, submitted_by, submitted_at, findings, released,
    original, outcome, decided_by, decided_at, note";

fn row_to_record(row: &Row<'_>) -> rusqlite::Result<ReviewRecord> {
    let conversion = |index: usize, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(index, Type::Text, e)
    };
    let grants =
        grants::from_json(row.get_ref(9)?.as_str()?).map_err(|e| conversion(9, e.into()))?;
    let version = match (
        row.get::<_, Option<String>>(6)?,
        row.get::<_, Option<String>>(7)?,
    ) {
        (Some(key), Some(text)) => Some(VersionStamp { key, text }),
        _ => None,
    };
    let decision = match row.get::<_, Option<String>>(16)? {
        None => None,
        Some(name) => Some(ReviewDecision {
            outcome: ReviewOutcome::parse(&name)
                .ok_or_else(|| conversion(16, format!("unknown review outcome '{name}'").into()))?,
            by: row.get::<_, Option<String>>(17)?.unwrap_or_default(),
            at: row.get::<_, Option<i64>>(18)?.unwrap_or_default(),
            note: row.get(19)?,
        }),
    };
    Ok(ReviewRecord {
        id: row.get(0)?,
        collection: row.get(1)?,
        status: row.get(2)?,
        version: NewVersion {
            id: row.get(3)?,
            object_type: row.get(4)?,
            spec_version: row.get(5)?,
            version,
            tlp: row.get(8)?,
            grants,
            submitter: row.get(10)?,
            raw: row.get(14)?,
            original: row.get(15)?,
            warnings: Vec::new(),
        },
        submitted_by: row.get(11)?,
        submitted_at: row.get(12)?,
        findings: row.get(13)?,
        decision,
    })
}

/// One review by id.
pub(super) fn get(conn: &Connection, id: &str) -> Result<Option<ReviewRecord>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM reviews WHERE id = ?1"))
        .and_then(|mut stmt| stmt.query_row([id], row_to_record).optional())
        .map_err(sql_err(format!("reading review '{id}'")))
}

/// Reviews, oldest first.
pub(super) fn list(conn: &Connection, query: &ReviewQuery) -> Result<Vec<ReviewRecord>> {
    let mut sql = format!("SELECT {COLUMNS} FROM reviews WHERE 1 = 1");
    if query.pending_only {
        sql.push_str(" AND outcome IS NULL");
    }
    if query.submitter.is_some() {
        sql.push_str(" AND submitter = ?1");
    }
    sql.push_str(" ORDER BY seq");
    if query.limit > 0 {
        sql.push_str(&format!(" LIMIT {}", query.limit));
    }
    let run = |stmt: &mut rusqlite::CachedStatement<'_>| -> rusqlite::Result<Vec<ReviewRecord>> {
        match &query.submitter {
            Some(org) => stmt.query_map([org], row_to_record)?.collect(),
            None => stmt.query_map([], row_to_record)?.collect(),
        }
    };
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| run(&mut stmt))
        .map_err(sql_err("listing reviews"))
}

/// Whether a collection has versions waiting for review.
pub(super) fn holds_pending(conn: &Connection, collection: &str) -> Result<bool> {
    conn.prepare_cached("SELECT 1 FROM reviews WHERE collection = ?1 AND outcome IS NULL")
        .and_then(|mut stmt| stmt.exists([collection]))
        .map_err(sql_err(format!(
            "reading the reviews of collection '{collection}'"
        )))
}

/// Records a decision and its consequences; see `Store::decide_review`.
pub(super) fn decide(
    conn: &Connection,
    request: &DecideReview,
    drafts: &[AuditDraft],
) -> Result<(ReviewRecord, Option<AddOutcome>)> {
    let id = &request.id;
    let mut record = get(conn, id)?
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
    let mut status = status::get(conn, &record.status)?.ok_or_else(|| {
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
            let key = collection_key(conn, &record.collection)?;
            let stored = objects::put(
                conn,
                &record.collection,
                key,
                std::slice::from_ref(&record.version),
            )?;
            if let Some((added, text)) = stored.into_iter().next() {
                outcome = Some(added);
                settle(&mut status, &record, &decision, Some(text));
            }
        }
        ReviewOutcome::Rejected => settle(&mut status, &record, &decision, None),
    }
    status::update(conn, &status)?;
    conn.prepare_cached(
        "UPDATE reviews SET outcome = ?2, decided_by = ?3, decided_at = ?4, note = ?5,
                            released = ?6
         WHERE id = ?1",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            id,
            decision.outcome.as_str(),
            decision.by,
            decision.at,
            decision.note,
            record.version.raw,
        ])
    })
    .map_err(sql_err(format!("recording the decision on review '{id}'")))?;
    audit::append(conn, drafts)?;
    record.decision = Some(decision);
    Ok((record, outcome))
}

/// The originals of the given `(id, version key)` pairs of a collection.
pub(super) fn originals(
    conn: &Connection,
    collection: &str,
    versions: &[(String, String)],
) -> Result<Vec<(String, String, String)>> {
    let key = collection_key(conn, collection)?;
    let context = || format!("reading originals in collection '{collection}'");
    let any = conn
        .prepare_cached("SELECT 1 FROM originals WHERE collection = ?1 LIMIT 1")
        .and_then(|mut stmt| stmt.exists([key.seq]))
        .map_err(sql_err(context()))?;
    if !any {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare_cached(
            "SELECT raw FROM originals WHERE collection = ?1 AND id = ?2 AND version_key = ?3",
        )
        .map_err(sql_err(context()))?;
    let mut out = Vec::new();
    for (id, version_key) in versions {
        let found: Option<String> = stmt
            .query_row(params![key.seq, id, version_key], |row| row.get(0))
            .optional()
            .map_err(sql_err(context()))?;
        if let Some(raw) = found {
            out.push((id.clone(), version_key.clone(), raw));
        }
    }
    Ok(out)
}
