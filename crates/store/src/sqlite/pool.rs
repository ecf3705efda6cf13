//! A small pool of read-only connections used from `spawn_blocking`, or on
//! the caller's own thread for short reads.
//!
//! Connections are opened on demand and kept between reads, each with its
//! own cache of prepared statements. At most [`READERS`] reads run at once:
//! the rest wait for a permit instead of opening (and preparing, and
//! closing) a connection of their own, which under many concurrent clients
//! cost more than the queries themselves and stretched the latency tail.
//!
//! **Short reads** ([`ReadPool::run_short`]: a point lookup by key, a page
//! of at most [`SHORT_LIMIT`] rows through an index) take microseconds from
//! the page cache, less than handing them to a blocking thread and waking
//! the task again costs: two thread switches each way, and on a busy
//! machine a wait in the scheduler's queue for each. They run on the
//! calling task's thread when a connection is free at once, and go to the
//! blocking pool like any other read when none is.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::schema;
use crate::{Error, ErrorKind, Result};

/// How many reads run at once, and so how many connections are kept.
/// More than the machine's cores gains nothing for short indexed reads.
const READERS: usize = 4;

/// The most rows a page may ask for and still count as a short read.
pub(super) const SHORT_LIMIT: usize = 100;

/// The read side of a [`SqliteStore`](super::SqliteStore).
pub(super) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl ReadPool {
    pub(super) fn new(path: PathBuf) -> ReadPool {
        ReadPool {
            path,
            idle: Mutex::new(Vec::with_capacity(READERS)),
            permits: Arc::new(tokio::sync::Semaphore::new(READERS)),
        }
    }

    /// Runs `read` on a pooled connection on tokio's blocking threads.
    pub(super) fn run<T, F>(
        self: &Arc<Self>,
        read: F,
    ) -> impl Future<Output = Result<T>> + Send + 'static
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let pool = Arc::clone(self);
        async move {
            let permit = Arc::clone(&pool.permits)
                .acquire_owned()
                .await
                .map_err(|e| {
                    Error::new(ErrorKind::Backend, "the SQLite read pool is closed").with_source(e)
                })?;
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                pool.with(read)
            })
            .await
            .map_err(|e| {
                Error::new(ErrorKind::Backend, "an SQLite read task failed").with_source(e)
            })?
        }
    }

    /// Runs `read`, a short read, on the polling thread if a connection is
    /// free now, else as [`ReadPool::run`] does.
    pub(super) fn run_short<T, F>(
        self: &Arc<Self>,
        read: F,
    ) -> impl Future<Output = Result<T>> + Send + 'static
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let pool = Arc::clone(self);
        async move {
            match Arc::clone(&pool.permits).try_acquire_owned() {
                Ok(permit) => {
                    let result = pool.with(read);
                    drop(permit);
                    result
                }
                Err(_) => pool.run(read).await,
            }
        }
    }

    fn with<T>(&self, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        // A poisoned lock only means another reader panicked while holding
        // it; the connections in the list are still whole.
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => schema::open_reader(&self.path)?,
        };
        let result = read(&conn).map_err(|e| e.in_file(&self.path));
        // A connection left inside a transaction by a failed read is closed
        // rather than returned, so the next read starts clean.
        if conn.is_autocommit() {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            if idle.len() < READERS {
                idle.push(conn);
            }
        }
        result
    }
}
