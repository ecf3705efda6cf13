//! The release record in PostgreSQL: appending linked entries and reading
//! them.
//!
//! **Invariant:** `audit.seq` runs 1, 2, 3, … without gaps, and each entry's
//! `prev_hash` is the hash of the entry before. Every append, in any process,
//! first takes the transaction-level advisory lock [`AUDIT_LOCK`] and only
//! then reads the head, and the lock is held until its transaction ends, so
//! no two appends can link to the same entry: the chain never forks.

use deadpool_postgres::GenericClient;

use super::{AUDIT_LOCK, exec, pg_err, row, rows};
use crate::audit::{GENESIS, entry_hash};
use crate::{AuditDraft, AuditEntry, Error, ErrorKind, Result};

/// Appends `drafts` after the current last entry inside the caller's
/// transaction; returns their sequence numbers.
pub(super) async fn append<C: GenericClient>(tx: &C, drafts: &[AuditDraft]) -> Result<Vec<i64>> {
    if drafts.is_empty() {
        return Ok(Vec::new());
    }
    let context = "appending to the release record";
    exec(tx, "SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK])
        .await
        .map_err(pg_err(context))?;
    let (mut seq, mut prev) = head(tx).await?.unwrap_or_else(|| (0, GENESIS.to_owned()));
    if seq > i64::MAX - drafts.len() as i64 {
        return Err(Error::new(
            ErrorKind::Backend,
            format!("the release record cannot grow past entry {seq}"),
        ));
    }
    let mut columns: [Vec<String>; 6] = Default::default();
    let (mut seqs, mut ats) = (Vec::new(), Vec::new());
    for d in drafts {
        seq += 1;
        let hash = entry_hash(&prev, seq, d.at, &d.actor, &d.action, &d.channel, &d.detail);
        seqs.push(seq);
        ats.push(d.at);
        for (column, value) in columns
            .iter_mut()
            .zip([&d.actor, &d.action, &d.channel, &d.detail, &prev, &hash])
        {
            column.push(value.clone());
        }
        prev = hash;
    }
    let [actors, actions, channels, details, prevs, hashes] = &columns;
    exec(
        tx,
        "INSERT INTO audit (seq, at, actor, action, channel, detail, prev_hash, hash)
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::text[], $8::text[])",
        &[
            &seqs, &ats, actors, actions, channels, details, prevs, hashes,
        ],
    )
    .await
    .map_err(pg_err(context))?;
    Ok(seqs)
}

/// The last entry's sequence number and hash.
pub(super) async fn head<C: GenericClient>(c: &C) -> Result<Option<(i64, String)>> {
    row(
        c,
        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
        &[],
    )
    .await
    .and_then(|r| r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose())
    .map_err(pg_err("reading the head of the release record"))
}

/// Up to `limit` entries after `after`, in order.
pub(super) async fn entries<C: GenericClient>(
    c: &C,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<AuditEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    rows(
        c,
        "SELECT seq, at, actor, action, channel, detail, prev_hash, hash
         FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
        &[&after.unwrap_or(i64::MIN), &limit],
    )
    .await
    .and_then(|rows| {
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    action: r.try_get(3)?,
                    channel: r.try_get(4)?,
                    detail: r.try_get(5)?,
                    prev_hash: r.try_get(6)?,
                    hash: r.try_get(7)?,
                })
            })
            .collect()
    })
    .map_err(pg_err("reading the release record"))
}
