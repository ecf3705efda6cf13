//! Migrating the schema.
//!
//! Migrations are the files `migrations/postgres/NNNN_name.sql`, numbered as
//! SQLite's are, embedded at build time and applied in order, all in one
//! transaction under an advisory lock (servers starting together migrate
//! once). The table `charter_schema` records how many have been applied. A
//! database whose version is greater than this code knows is refused before
//! anything is written to it.

use super::{MIGRATION_LOCK, exec, pg_err, row};
use crate::{Error, ErrorKind, Result};

/// Every migration, in order: its file name and its SQL.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_initial.sql",
        include_str!("../../migrations/postgres/0001_initial.sql"),
    ),
    (
        "0002_members.sql",
        include_str!("../../migrations/postgres/0002_members.sql"),
    ),
    (
        "0003_privacy.sql",
        include_str!("../../migrations/postgres/0003_privacy.sql"),
    ),
    (
        "0004_warnings.sql",
        include_str!("../../migrations/postgres/0004_warnings.sql"),
    ),
    (
        "0005_audit_actions.sql",
        include_str!("../../migrations/postgres/0005_audit_actions.sql"),
    ),
];

/// The schema version after every migration has run.
pub(super) const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The schema version recorded in the database; 0 for a database Charter
/// never migrated. Reads only.
async fn version<C: deadpool_postgres::GenericClient>(c: &C, at: &str) -> Result<i32> {
    let context = || format!("reading the schema version of {at}");
    // From pg_tables, not to_regclass: a catalog lookup may answer from a
    // cache that has not yet seen another server's migration.
    let recorded = row(
        c,
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                        WHERE schemaname = current_schema() AND tablename = 'charter_schema')",
        &[],
    )
    .await
    .map_err(pg_err(context()))?
    .map(|r| r.try_get::<_, bool>(0))
    .transpose()
    .map_err(pg_err(context()))?
    .unwrap_or(false);
    if !recorded {
        return Ok(0);
    }
    let found = row(c, "SELECT version FROM charter_schema", &[])
        .await
        .map_err(pg_err(context()))?;
    match found {
        Some(r) => r.try_get(0).map_err(pg_err(context())),
        None => Ok(0),
    }
}

fn refuse_too_new(version: i32, at: &str) -> Result<i32> {
    if version > SCHEMA_VERSION {
        return Err(Error::new(
            ErrorKind::SchemaTooNew,
            format!(
                "{at} has schema version {version}, but this Charter knows versions up to \
                 {SCHEMA_VERSION}; open it with a newer Charter"
            ),
        ));
    }
    Ok(version)
}

/// Applies the migrations the database lacks.
pub(super) async fn migrate(client: &mut deadpool_postgres::Client, at: &str) -> Result<()> {
    // Checked before anything is written, so a newer Charter's database is
    // left exactly as it was.
    if refuse_too_new(version(&*client, at).await?, at)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = client
        .transaction()
        .await
        .map_err(pg_err(format!("cannot start migrating {at}")))?;
    exec(&tx, "SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(pg_err(format!("cannot lock {at} to migrate it")))?;
    // Read again under the lock: another server may have migrated meanwhile.
    let from = refuse_too_new(version(&tx, at).await?, at)?;
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS charter_schema (
             singleton integer PRIMARY KEY CHECK (singleton = 1),
             version   integer NOT NULL
         );
         INSERT INTO charter_schema (singleton, version) VALUES (1, 0)
         ON CONFLICT (singleton) DO NOTHING;",
    )
    .await
    .map_err(pg_err(format!("cannot record the schema version in {at}")))?;
    for (version, (name, sql)) in (1i32..).zip(MIGRATIONS).skip(from as usize) {
        tx.batch_execute(sql)
            .await
            .map_err(pg_err(format!("migration {name} failed on {at}")))?;
        exec(&tx, "UPDATE charter_schema SET version = $1", &[&version])
            .await
            .map_err(pg_err(format!("cannot record migration {name} in {at}")))?;
    }
    tx.commit()
        .await
        .map_err(pg_err(format!("cannot commit the migrations of {at}")))?;
    tracing::info!(database = %at, from, to = SCHEMA_VERSION, "migrated the PostgreSQL schema");
    Ok(())
}
