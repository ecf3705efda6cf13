//! A small pool of read-only connections used from `spawn_blocking`.
//!
//! Connections are opened on demand and kept between reads, each with its
//! own cache of prepared statements. At most [`READERS`] reads run at once:
//! the rest wait for a permit instead of opening (and preparing, and
//! closing) a connection of their own, which under many concurrent clients
//! cost more than the queries themselves and stretched the latency tail.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::schema;
use crate::{Error, ErrorKind, Result};

/// How many reads run at once, and so how many connections are kept.
/// More than the machine's cores gains nothing for short indexed reads.
const READERS: usize = 4;

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
