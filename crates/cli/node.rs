//! Opening a node's data folder: the store and the hub over it.

use std::sync::Arc;

use anyhow::{Context, Result};
use charter_hub::Hub;
use charter_store::sqlite::SqliteStore;
use charter_store::Store;

use crate::config::Config;

/// The database file inside the data folder.
pub const DATABASE_FILE: &str = "charter.db";

/// Opens (creating if needed) the node in `config.data` and prepares it:
/// default API root and collection, and the `admin` user. Returns the hub
/// and the admin password if one was generated now.
pub async fn open(config: &Config) -> Result<(Hub, Option<String>)> {
    std::fs::create_dir_all(&config.data)
        .with_context(|| format!("creating the data folder {}", config.data.display()))?;
    let path = config.data.join(DATABASE_FILE);
    let store = SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?;
    let store: Arc<dyn Store> = Arc::new(store);
    let hub = Hub::new(store, config.hub.clone());
    let admin_password = std::env::var("CHARTER_ADMIN_PASSWORD").ok();
    let generated = hub.bootstrap(admin_password).await.context("preparing the node")?;
    Ok((hub, generated))
}

/// A single-threaded runtime for administration commands.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the async runtime")
}
