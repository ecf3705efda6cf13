//! WAL checkpoints, kept off the writer's commit path.
//!
//! SQLite's automatic checkpoint runs inside the `COMMIT` that pushes the
//! WAL past 1,000 pages, so the writer (and every caller waiting on its
//! group commit) stalls while pages are copied into the database file and
//! synced. Object ids are random, so each commit dirties pages all over the
//! id index and those checkpoints are frequent and large; measured here,
//! they cut ingest to a fifth.
//!
//! Instead, the writer's WAL hook signals a thread of our own once the log
//! passes [`BACKGROUND_AT`] pages, and that thread copies frames into the
//! database with passive checkpoints while the writer goes on committing.
//! Many commits share one checkpoint, so a hot page is copied once, not once
//! per commit. A passive checkpoint cannot rewind the log while the writer
//! keeps appending, though (SQLite rewinds it only when a write transaction
//! begins with every frame already copied). So once the log passes
//! [`RESTART_AT`] pages, the writer itself, between two batches, finishes
//! the copying: the background thread has already copied nearly everything,
//! so this is short, and the writer's next commit starts the log again from
//! its beginning. That bounds the WAL file at about [`RESTART_AT`] pages
//! plus what is written while a background copy runs. A mutex keeps the
//! two from checkpointing at once (SQLite would refuse the second outright
//! rather than wait); the writer never waits for it, it tries again after
//! its next batch.

use std::ffi::c_int;
use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::Connection;
use rusqlite::hooks::Wal;

use super::sql_err;
use crate::{Error, Result};

/// WAL pages (4 KiB each) past which the background thread checkpoints.
const BACKGROUND_AT: c_int = 4096;

/// WAL pages past which the writer rewinds the log between batches.
const RESTART_AT: c_int = 32_768;

/// What the writer and the checkpoint thread share: the WAL's size after
/// the writer's last commit, and the lock that serialises checkpoints.
#[derive(Clone)]
pub(super) struct WalGauge {
    pages: Arc<AtomicI32>,
    checkpointing: Arc<Mutex<()>>,
}

impl WalGauge {
    /// Copies the rest of the log into the database if the log has grown
    /// past [`RESTART_AT`], so the next commit rewinds it. Called by the
    /// writer outside any transaction.
    pub(super) fn rewind_if_long(&self, conn: &Connection, path: &Path) {
        if self.pages.load(Ordering::Relaxed) < RESTART_AT {
            return;
        }
        // While the background thread copies, the writer does not wait for
        // it (that copy and its sync can take longer than many batches, and
        // every caller in the next group commit would wait too): it tries
        // again after its next batch, when the copy is likely done.
        let _turn = match self.checkpointing.try_lock() {
            Ok(turn) => turn,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return,
        };
        match checkpoint(conn) {
            // Everything copied: the next write transaction rewinds the log.
            Ok((0, log, done)) if log == done => self.pages.store(0, Ordering::Relaxed),
            // A reader still needs old frames; try again after the next batch.
            Ok((busy, log, done)) => {
                tracing::debug!(path = %path.display(), busy, log, done, "WAL not rewound yet")
            }
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "checkpoint failed"),
        }
    }
}

/// The handle to the checkpoint thread.
pub(super) struct Checkpointer {
    signal: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the checkpoint thread with its own connection to `path`, and
    /// installs the WAL hook on the writer's connection `writer`.
    pub(super) fn spawn(path: &Path, writer: &mut Connection) -> Result<(Checkpointer, WalGauge)> {
        let conn = Connection::open(path).map_err(sql_err(format!(
            "cannot open {} for checkpoints",
            path.display()
        )))?;
        super::schema::configure(&conn, path)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql_err(format!("cannot configure {}", path.display())))?;
        let (signal, requests) = mpsc::sync_channel::<()>(1);
        let owned = path.to_owned();
        let gauge = WalGauge {
            pages: Arc::new(AtomicI32::new(0)),
            checkpointing: Arc::new(Mutex::new(())),
        };
        let turns = Arc::clone(&gauge.checkpointing);
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                while requests.recv().is_ok() {
                    let _turn = turns.lock().unwrap_or_else(|p| p.into_inner());
                    if let Err(e) = checkpoint(&conn) {
                        tracing::warn!(path = %owned.display(), error = %e, "checkpoint failed");
                    }
                }
            })
            .map_err(|e| Error::backend("cannot start the SQLite checkpoint thread", e))?;
        let (hook_signal, hook_gauge) = (signal.clone(), gauge.clone());
        writer
            .wal_hook(Some(move |_: &mut Wal, pages: c_int| {
                hook_gauge.pages.store(pages, Ordering::Relaxed);
                if pages >= BACKGROUND_AT {
                    // A full queue means a checkpoint is already due, which
                    // covers this commit too; a closed one means the store
                    // is closing, and closing checkpoints anyway.
                    let _ = hook_signal.try_send(());
                }
                Ok(())
            }))
            .map_err(sql_err(format!(
                "cannot install the WAL hook on {}",
                path.display()
            )))?;
        Ok((
            Checkpointer {
                signal: Some(signal),
                thread: Some(thread),
            },
            gauge,
        ))
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.signal = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the SQLite checkpoint thread panicked");
            }
        }
    }
}

/// Runs a passive checkpoint: (busy, frames in log, frames copied).
fn checkpoint(conn: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
    })
}
