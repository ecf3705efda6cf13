//! The release record in PostgreSQL: appending linked entries and reading
//! them.
//!
//! **Invariant:** `audit.seq` runs 1, 2, 3, … without gaps, and each entry's
//! `prev_hash` is the hash of the entry before. Every append, in any process,
//! first takes the transaction-level advisory lock [`AUDIT_LOCK`] and only
//! then reads the head, and the lock is held until its transaction ends, so
//! no two appends can link to the same entry: the chain never forks.
//!
//! **Group commit.** Every read appends an entry, and appends from every
//! server take turns on one lock, each holding it through its commit. So
//! [`Appender`] takes the appends waiting in this process at that moment and
//! commits them in one transaction: one turn at the lock and one flush to
//! disk for all of them. Each caller still hears only after the commit.

use deadpool_postgres::{GenericClient, Pool};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::types::Type;

use super::{AUDIT_LOCK, exec, get, pg_err, row, rows};
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
    .and_then(|rows| rows.iter().map(entry).collect())
    .map_err(pg_err("reading the release record"))
}

/// Up to `limit` entries of `action` after `after`, in order, through the
/// index `audit_action`.
///
/// Sent as an unnamed statement, planned anew for each call's values. A
/// cached statement would after a few calls be given a generic plan, which
/// cannot tell a rare action from a common one and walks the primary key
/// from `after`, reading the entries of every action.
pub(super) async fn entries_of(
    c: &tokio_postgres::Client,
    action: &str,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<AuditEntry>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let after = after.unwrap_or(i64::MIN);
    c.query_typed(
        "SELECT seq, at, actor, action, channel, detail, prev_hash, hash
         FROM audit WHERE action = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        &[
            (&action, Type::TEXT),
            (&after, Type::INT8),
            (&limit, Type::INT8),
        ],
    )
    .await
    .and_then(|rows| rows.iter().map(entry).collect())
    .map_err(pg_err(format!(
        "reading the release record's '{action}' entries"
    )))
}

fn entry(r: &tokio_postgres::Row) -> std::result::Result<AuditEntry, tokio_postgres::Error> {
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
}

/// One caller's drafts and where to send their sequence numbers.
type Request = (Vec<AuditDraft>, oneshot::Sender<Result<Vec<i64>>>);

/// The most drafts one group commit takes.
const MAX_GROUP: usize = 4096;

/// The handle to this process's group-commit task for appends.
pub(super) struct Appender {
    queue: mpsc::Sender<Request>,
    task: tokio::task::JoinHandle<()>,
}

impl Appender {
    /// Starts the task; it runs until the store is dropped.
    pub(super) fn spawn(pool: Pool, shown: String) -> Appender {
        let (queue, mut requests) = mpsc::channel::<Request>(1024);
        let task = tokio::spawn(async move {
            while let Some(first) = requests.recv().await {
                let mut batch = vec![first];
                let mut size = batch[0].0.len();
                while size < MAX_GROUP {
                    match requests.try_recv() {
                        Ok(next) => {
                            size += next.0.len();
                            batch.push(next);
                        }
                        Err(_) => break,
                    }
                }
                commit(&pool, &shown, batch).await;
            }
        });
        Appender { queue, task }
    }

    /// Appends `drafts` in the next group commit; resolves after it.
    pub(super) async fn append(&self, drafts: Vec<AuditDraft>) -> Result<Vec<i64>> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        let stopped = || Error::new(ErrorKind::Backend, "the release record's appender stopped");
        self.queue
            .send((drafts, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

impl Drop for Appender {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Appends every request's drafts in one transaction and answers each.
async fn commit(pool: &Pool, shown: &str, batch: Vec<Request>) {
    let all: Vec<AuditDraft> = batch.iter().flat_map(|(d, _)| d.iter().cloned()).collect();
    let outcome = async {
        let mut client = get(pool, shown).await?;
        let context = "appending to the release record";
        let tx = client.transaction().await.map_err(pg_err(context))?;
        let seqs = append(&tx, &all).await?;
        tx.commit().await.map_err(pg_err(context))?;
        Ok::<_, Error>(seqs)
    }
    .await;
    match outcome {
        Ok(seqs) => {
            let mut rest = seqs.as_slice();
            for (drafts, reply) in batch {
                let (mine, others) = rest.split_at(drafts.len().min(rest.len()));
                rest = others;
                // The caller may have gone; the entries are committed all the same.
                let _ = reply.send(Ok(mine.to_vec()));
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "a group of release-record appends failed");
            for (_, reply) in batch {
                let _ = reply.send(Err(Error::new(e.kind(), e.to_string())));
            }
        }
    }
}
