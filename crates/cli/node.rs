//! Opening a node's data folder: the store and the hub over it, and what
//! every administration command shares (the runtime, the first-start
//! banner, list output).

use std::sync::Arc;

use anyhow::{Context, Result};
use charter_hub::{Hub, Reflag, Timestamp, WarningLists};
use charter_store::Store;
use charter_store::postgres::PgStore;
use charter_store::sqlite::SqliteStore;
use indicatif::{ProgressBar, ProgressStyle};

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
    // Set even when none are configured: lists taken out of the configuration
    // are a change too, and their flags must go.
    let lists = match &config.warninglists {
        Some(dir) => {
            let lists = WarningLists::load(dir)
                .with_context(|| format!("loading the warning lists in {}", dir.display()))?;
            tracing::info!(lists = lists.len(), "warning lists loaded");
            lists
        }
        None => WarningLists::default(),
    };
    if hub
        .set_warninglists(lists)
        .await
        .context("setting the warning lists")?
    {
        tracing::info!("the stored warning-list flags were computed with other lists");
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

/// Brings the stored warning-list flags up to date with the configured lists, if they
/// were computed with others, showing a spinner on standard error while it runs: for the
/// commands that read indicators from the local store (`scan`, `export-sensor`), which
/// must not act on stale flags.
pub async fn reflag(hub: &Hub) -> Result<()> {
    if !hub
        .warnings_stale()
        .await
        .context("reading the warning-list record")?
    {
        return Ok(());
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} re-flagging against the warning lists: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let show = |p: Reflag| {
        bar.set_message(format!(
            "{} indicator versions checked, {} changed, {}/{} collections",
            p.checked, p.changed, p.collections_done, p.collections
        ));
    };
    let done = hub
        .reflag_warnings(&show)
        .await
        .context("re-flagging indicators against the warning lists")?;
    bar.finish_and_clear();
    eprintln!(
        "re-flagged {} indicator versions against the warning lists ({} changed)",
        done.checked, done.changed
    );
    Ok(())
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
