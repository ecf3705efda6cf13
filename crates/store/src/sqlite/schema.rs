//! Opening connections and migrating the schema.
//!
//! Migrations are the files `migrations/sqlite/NNNN_name.sql`, embedded at
//! build time and applied in order; `PRAGMA user_version` records how many
//! have been applied. A file whose version is greater than this code knows
//! is refused before anything is written to it.

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use super::sql_err;
use crate::{Error, ErrorKind, Result};

/// Every migration, in order: its file name and its SQL.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial.sql",
        include_str!("../../migrations/sqlite/0001_initial.sql"),
    ),
    (
        "0002_members.sql",
        include_str!("../../migrations/sqlite/0002_members.sql"),
    ),
    (
        "0003_privacy.sql",
        include_str!("../../migrations/sqlite/0003_privacy.sql"),
    ),
    (
        "0004_warnings.sql",
        include_str!("../../migrations/sqlite/0004_warnings.sql"),
    ),
    (
        "0005_audit_actions.sql",
        include_str!("../../migrations/sqlite/0005_audit_actions.sql"),
    ),
];

/// The schema version after every migration has run.
pub(super) const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// How long a connection waits for another connection's lock (another
/// process's writer, a checkpoint) before failing with a backend error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Statements each connection keeps prepared; the query builder yields a
/// few dozen shapes.
const STATEMENT_CACHE: usize = 128;

/// Opens the write connection: refuses a too-new schema, switches the file
/// to WAL and applies pending migrations.
pub(super) fn open_writer(path: &Path) -> Result<Connection> {
    let at = path.display();
    let mut conn = Connection::open(path).map_err(sql_err(format!("cannot open {at}")))?;
    configure(&conn, path)?;
    // Check the version before changing anything, so a newer Charter's file
    // is left exactly as it was.
    refuse_too_new(&conn, path)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(sql_err(format!("cannot switch {at} to WAL mode")))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::new(
            ErrorKind::Backend,
            format!("{at} refused WAL mode (journal mode is {mode})"),
        ));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -65536;",
    )
    .map_err(sql_err(format!("cannot configure {at}")))?;
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Opens a read-only connection to a database the writer has already set up.
pub(super) fn open_reader(path: &Path) -> Result<Connection> {
    let at = path.display();
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .map_err(sql_err(format!("cannot open {at} for reading")))?;
    configure(&conn, path)?;
    conn.execute_batch(
        "PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16384;",
    )
    .map_err(sql_err(format!("cannot configure {at}")))?;
    Ok(conn)
}

/// Settings every connection shares.
pub(super) fn configure(conn: &Connection, path: &Path) -> Result<()> {
    let context = || format!("cannot configure {}", path.display());
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(sql_err(context()))?;
    // The query planner stability guarantee: a statement keeps the plan it
    // was prepared with whatever values are bound. Without it, matching a
    // bound parameter against a partial index's `WHERE` marks the statement
    // for re-preparation on every new binding, which more than doubled the
    // cost of each insert; and plans stay the ones the plan test checks.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(sql_err(context()))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

fn user_version(conn: &Connection, path: &Path) -> Result<u32> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(sql_err(format!(
            "cannot read the schema version of {}",
            path.display()
        )))
}

fn refuse_too_new(conn: &Connection, path: &Path) -> Result<u32> {
    let version = user_version(conn, path)?;
    if version > SCHEMA_VERSION {
        return Err(Error::new(
            ErrorKind::SchemaTooNew,
            format!(
                "{} has schema version {version}, but this Charter knows versions up to \
                 {SCHEMA_VERSION}; open it with a newer Charter",
                path.display()
            ),
        ));
    }
    Ok(version)
}

/// Applies the migrations the file lacks, all in one transaction. The
/// version is read again under the write lock, since another process may
/// have migrated the file in the meantime.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    if refuse_too_new(conn, path)? == SCHEMA_VERSION {
        return Ok(());
    }
    let at = path.display();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sql_err(format!("cannot lock {at} to migrate it")))?;
    let from = refuse_too_new(&tx, path)?;
    for (version, (name, sql)) in (1u32..).zip(MIGRATIONS).skip(from as usize) {
        tx.execute_batch(sql)
            .map_err(sql_err(format!("migration {name} failed on {at}")))?;
        tx.pragma_update(None, "user_version", version)
            .map_err(sql_err(format!("cannot record migration {name} in {at}")))?;
    }
    tx.commit()
        .map_err(sql_err(format!("cannot commit the migrations of {at}")))?;
    tracing::info!(path = %at, from, to = SCHEMA_VERSION, "migrated the SQLite schema");
    Ok(())
}
