//! The PostgreSQL server the tests use, shared by the store suite and the
//! root package's integration tests (which include this file by path): where
//! it is, running SQL on its administrative database, and a fresh database
//! per test that fails under `CI=true` when the server cannot be reached and
//! says loudly that it did not run otherwise.

use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the PostgreSQL server tests use, as a
/// URL of a database to connect to for creating and dropping theirs.
pub const PG_ENV: &str = "CHARTER_TEST_PG";

/// The server tests use when [`PG_ENV`] is not set.
const PG_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The URL of the server's administrative database.
pub fn pg_admin_url() -> String {
    std::env::var(PG_ENV).unwrap_or_else(|_| PG_DEFAULT.to_owned())
}

/// `admin` with its database replaced by `database`.
pub fn pg_url_for(admin: &str, database: &str) -> String {
    let (base, query) = admin
        .split_once('?')
        .map_or((admin, None), |(b, q)| (b, Some(q)));
    let root = match base.rfind('/') {
        Some(slash) if base[..slash].ends_with('/') => base,
        Some(slash) => &base[..slash],
        None => base,
    };
    let root = root.trim_end_matches('/');
    match query {
        Some(q) => format!("{root}/{database}?{q}"),
        None => format!("{root}/{database}"),
    }
}

/// Runs `sql` on the administrative database, on a thread and runtime of
/// its own (so it works from `Drop` and from inside a test's runtime).
pub fn pg_admin(sql: String) -> Result<(), String> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async {
            let (client, connection) =
                tokio_postgres::connect(&pg_admin_url(), tokio_postgres::NoTls)
                    .await
                    .map_err(|e| e.to_string())?;
            let driver = tokio::spawn(connection);
            let result = client.batch_execute(&sql).await.map_err(|e| e.to_string());
            drop(client);
            let _ = driver.await;
            result
        })
    })
    .join()
    .map_err(|_| "the PostgreSQL admin thread panicked".to_owned())?
}

/// Creates a fresh, empty database named `{prefix}_{random}` and returns
/// its name; `None` (after saying so) when the server cannot be reached
/// outside CI.
pub fn pg_create_database(prefix: &str) -> Option<String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = std::hash::BuildHasher::hash_one(
        &std::collections::hash_map::RandomState::new(),
        (std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)),
    );
    let name = format!("{prefix}_{seed:016x}");
    match pg_admin(format!("CREATE DATABASE {name}")) {
        Ok(()) => Some(name),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("PostgreSQL at {} is required in CI: {e}", pg_admin_url())
        }
        Err(e) => {
            eprintln!(
                "!!! NOT RUN on PostgreSQL: cannot reach {} ({e}); set {PG_ENV} to a reachable server",
                pg_admin_url()
            );
            None
        }
    }
}

/// Drops the database `name`, reporting (not failing) when it cannot.
pub fn pg_drop_database(name: &str) {
    if let Err(e) = pg_admin(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")) {
        eprintln!("cannot drop the test database {name}: {e}");
    }
}
