//! Opening a node's data folder: the store and the hub over it, and what
//! every administration command shares (the runtime, the first-start
//! banner, list output).

use std::sync::Arc;

use anyhow::{Context, Result};
use charter_hub::{Hub, Timestamp};
use charter_store::Store;
use charter_store::postgres::PgStore;
use charter_store::sqlite::SqliteStore;

use crate::config::{Config, Database};

/// Opens (creating if needed) the store of `database`.
pub async fn open_store(database: &Database) -> Result<Arc<dyn Store>> {
    Ok(match database {
        Database::Sqlite(path) => {
            Arc::new(SqliteStore::open(path).with_context(|| format!("opening {database}"))?)
        }
        Database::Postgres(url) => Arc::new(
            PgStore::open(url)
                .await
                .with_context(|| format!("opening {database}"))?,
        ),
    })
}

/// Opens (creating if needed) the node in `config.data` (or the database
/// `config.database` names) and prepares it: default API root and
/// collection, and the `admin` user. Returns the hub and the admin password
/// if one was generated now.
pub async fn open(config: &Config) -> Result<(Hub, Option<String>)> {
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("creating the data folder {}", config.data.display()))?;
    let store = open_store(&config.database).await?;
    let hub = Hub::new(store, config.hub.clone());
    if let Some(dir) = &config.warninglists {
        let lists = charter_hub::WarningLists::load(dir)
            .with_context(|| format!("loading the warning lists in {}", dir.display()))?;
        tracing::info!(lists = lists.len(), "warning lists loaded");
        hub.set_warninglists(lists);
    }
    let admin_password = std::env::var("CHARTER_ADMIN_PASSWORD").ok();
    let generated = hub
        .bootstrap(admin_password)
        .await
        .context("preparing the node")?;
    Ok((hub, generated))
}

/// Opens the node for an administration command. A password generated on
/// this first start goes to standard error, so standard output stays the
/// command's own (an id, a token, a list).
pub async fn open_admin(config: &Config) -> Result<Hub> {
    let (hub, generated) = open(config).await?;
    if let Some(password) = generated {
        eprintln!("Created user 'admin' with password: {password}");
    }
    Ok(hub)
}

/// A single-threaded runtime for administration commands.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// Prints a `--json` list: pretty-printed, one document.
pub fn print_json(value: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// An instant of the store (microseconds since the epoch) as RFC 3339.
pub fn rfc3339(micros: i64) -> String {
    Timestamp::from_unix_micros(micros).as_str().to_owned()
}
