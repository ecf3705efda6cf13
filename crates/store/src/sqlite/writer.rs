//! The writer thread: the only connection that writes, with group commit.
//!
//! Requests arrive on a bounded channel as closures over the connection.
//! The thread takes the first one, then every request already queued (up to
//! [`MAX_BATCH_WEIGHT`] objects' worth), runs them all inside one
//! `BEGIN IMMEDIATE … COMMIT`, and only then answers each caller.
//!
//! **Contract for work functions:** refusals (unknown collection, taken
//! name, bad input) are decided before the first row is written, so a
//! refused request changed nothing and the others commit. There are no
//! per-request savepoints: measured here, the statement journal they need
//! took about a fifth of the writer's time. A request that fails after
//! writing (an I/O error) is detected by the connection's change counter,
//! and then the whole batch is rolled back and every caller in it gets the
//! failure. If the commit itself fails, every caller gets that failure too.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::checkpoint::WalGauge;
use crate::{Error, ErrorKind, Result};

/// How many requests may wait for the writer before callers wait to send.
const QUEUE: usize = 256;

/// The most objects one transaction takes, so a burst of envelopes is split
/// into commits of bounded latency.
const MAX_BATCH_WEIGHT: usize = 20_000;

/// Answers a caller once the batch's fate is known: `None` if it committed,
/// else the reason it did not.
type Deliver = Box<dyn FnOnce(Option<&Error>) + Send>;

/// The work of one request. Given the connection inside an open
/// transaction, it runs and reports whether it succeeded; given an error (the
/// transaction could not even start), it reports that error without running.
type Work = Box<dyn FnOnce(std::result::Result<&Connection, &Error>) -> (bool, Deliver) + Send>;

struct Job {
    weight: usize,
    work: Work,
}

/// The handle to the writer thread.
pub(super) struct Writer {
    path: Arc<Path>,
    queue: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer thread, which owns `conn` from now on.
    pub(super) fn spawn(conn: Connection, gauge: WalGauge, path: &Path) -> Result<Writer> {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let owned = path.to_owned();
        let thread = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, jobs, gauge, owned))
            .map_err(|e| Error::backend("cannot start the SQLite writer thread", e))?;
        Ok(Writer {
            path: path.into(),
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Runs `work` in the next group commit; resolves after `COMMIT`.
    /// `weight` is roughly the number of rows it writes.
    pub(super) fn submit<T, F>(
        &self,
        weight: usize,
        work: F,
    ) -> impl Future<Output = Result<T>> + Send + '_
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T>>();
        let path = Arc::clone(&self.path);
        let work: Work = Box::new(move |conn| {
            let result = match conn {
                Ok(conn) => work(conn).map_err(|e| e.in_file(&path)),
                Err(failure) => Err(relay(failure)),
            };
            let ok = result.is_ok();
            let deliver: Deliver = Box::new(move |failure| {
                let result = match failure {
                    Some(failure) if ok => Err(relay(failure)),
                    _ => result,
                };
                // The caller may have gone away (its future dropped); the
                // work is committed all the same.
                let _ = reply.send(result);
            });
            (ok, deliver)
        });
        async move {
            let queue = self.queue.as_ref().ok_or_else(stopped)?;
            queue
                .send(Job { weight, work })
                .await
                .map_err(|_| stopped())?;
            answer.await.map_err(|_| stopped())?
        }
    }
}

impl Drop for Writer {
    /// Closes the queue, lets the thread commit what was already queued and
    /// waits for it, so the file is closed when the store is gone.
    fn drop(&mut self) {
        self.queue = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the SQLite writer thread panicked");
            }
        }
    }
}

fn stopped() -> Error {
    Error::new(ErrorKind::Backend, "the SQLite writer has stopped")
}

/// A copy of a batch-wide failure for one caller (errors are not `Clone`).
fn relay(failure: &Error) -> Error {
    Error::new(failure.kind(), failure.to_string())
}

fn run(conn: Connection, mut jobs: mpsc::Receiver<Job>, gauge: WalGauge, path: PathBuf) {
    while let Some(first) = jobs.blocking_recv() {
        gauge.rewind_if_long(&conn, &path);
        let mut weight = first.weight;
        let mut batch = vec![first];
        while weight < MAX_BATCH_WEIGHT {
            match jobs.try_recv() {
                Ok(job) => {
                    weight += job.weight;
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        commit(&conn, batch, &path);
    }
}

/// Runs one batch in one transaction and answers every caller.
fn commit(conn: &Connection, batch: Vec<Job>, path: &Path) {
    let at = path.display();
    let mut abort = conn
        .execute_batch("BEGIN IMMEDIATE")
        .err()
        .map(|e| Error::backend(format!("cannot start a write transaction on {at}"), e));
    let mut deliveries = Vec::with_capacity(batch.len());
    for job in batch {
        if let Some(failure) = &abort {
            deliveries.push((job.work)(Err(failure)).1);
            continue;
        }
        let before = conn.total_changes();
        let (ok, deliver) = (job.work)(Ok(conn));
        if !ok && conn.total_changes() != before {
            // It failed after writing: only rolling back the whole batch
            // undoes its rows. The others are told, and may retry.
            abort = Some(Error::new(
                ErrorKind::Backend,
                format!("a write failed halfway on {at}; its batch was rolled back"),
            ));
        }
        deliveries.push(deliver);
    }
    let failure = match abort {
        Some(failure) => {
            rollback(conn, path);
            Some(failure)
        }
        None => match conn.execute_batch("COMMIT") {
            Ok(()) => None,
            Err(e) => {
                rollback(conn, path);
                Some(Error::backend(format!("cannot commit to {at}"), e))
            }
        },
    };
    if let Some(failure) = &failure {
        tracing::error!(error = %failure, "an SQLite write batch was rolled back");
    }
    for deliver in deliveries {
        deliver(failure.as_ref());
    }
}

fn rollback(conn: &Connection, path: &Path) {
    if !conn.is_autocommit() {
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::error!(path = %path.display(), error = %e, "cannot roll back");
        }
    }
}
