//! Node configuration: a TOML file, environment overrides, then flags.
//!
//! Precedence, lowest first: built-in defaults, the file named by
//! `--config`, `CHARTER_*` environment variables, command-line flags.
//! Unknown keys in the file are an error, so a misspelt option is caught
//! at start rather than silently ignored.
//!
//! The database is SQLite in the data folder unless `database_url`
//! (`--database-url`, `CHARTER_DATABASE_URL`) names a PostgreSQL database
//! (`postgres://…`, for several servers on one database) or another SQLite
//! file (`sqlite:PATH`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

/// Options shared by every command that works on a node's data.
#[derive(clap::Args, Debug, Clone)]
pub struct NodeArgs {
    /// The data folder (created on first start).
    #[arg(long, value_name = "DIR", global = true)]
    pub data: Option<PathBuf>,
    /// A TOML configuration file.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// The database: `postgres://user@host:port/db` for PostgreSQL (several
    /// servers on one database), or `sqlite:PATH` [default: SQLite in the
    /// data folder].
    #[arg(long, value_name = "URL", global = true)]
    pub database_url: Option<String>,
}

/// Where a node's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by connection URL.
    Postgres(String),
}

impl Database {
    /// Parses `postgres://…`, `postgresql://…` or `sqlite:PATH`; `what`
    /// names where the value came from, for the error.
    pub fn parse(url: &str, what: &str) -> Result<Database> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Database::Postgres(url.to_owned()));
        }
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            anyhow::ensure!(!path.is_empty(), "{what}: 'sqlite:' needs a file path");
            return Ok(Database::Sqlite(PathBuf::from(path)));
        }
        anyhow::bail!(
            "{what}: '{}' is neither postgres://… nor sqlite:PATH",
            charter_store::postgres::redact(url)
        )
    }
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&charter_store::postgres::redact(url)),
        }
    }
}

/// The configuration file's contents; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data: Option<PathBuf>,
    database_url: Option<String>,
    title: Option<String>,
    node_name: Option<String>,
    node_country: Option<String>,
    description: Option<String>,
    contact: Option<String>,
    max_page_size: Option<usize>,
    max_content_length: Option<u64>,
    max_objects_per_envelope: Option<usize>,
    lookup_cache_entries: Option<usize>,
    log_format: Option<LogFormat>,
    warninglists: Option<PathBuf>,
    /// Privacy actions that differ from the defaults: per kind of finding
    /// (`email`, `uk-postcode`, …), per field class (`free_text`,
    /// `personal_sco`, `indicator_value`), `redact`, `review` or `allow`.
    privacy: Option<std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>>,
}

/// How logs are written to standard error.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// The resolved configuration of a node.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where `serve` listens.
    pub listen: SocketAddr,
    /// The data folder.
    pub data: PathBuf,
    /// The database: SQLite in the data folder unless `database_url` says
    /// otherwise.
    pub database: Database,
    /// Log format.
    pub log_format: LogFormat,
    /// Limits passed to the hub.
    pub hub: charter_hub::HubConfig,
    /// The folder of MISP warning lists (`warninglists = "DIR"`), relative paths taken
    /// from the configuration file's folder.
    pub warninglists: Option<PathBuf>,
}

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
const DEFAULT_DATA: &str = "charter-data";

/// The SQLite database file inside the data folder.
pub const DATABASE_FILE: &str = "charter.db";

impl Config {
    /// Resolves the configuration for `args`, with `listen` from a flag if given.
    pub fn load(args: &NodeArgs, listen_flag: Option<SocketAddr>) -> Result<Config> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let env_listen = std::env::var("CHARTER_LISTEN")
            .ok()
            .map(|v| {
                v.parse::<SocketAddr>()
                    .with_context(|| format!("CHARTER_LISTEN: '{v}' is not ADDR:PORT"))
            })
            .transpose()?;
        let env_data = std::env::var_os("CHARTER_DATA").map(PathBuf::from);
        let listen = match listen_flag.or(env_listen).or(file.listen) {
            Some(addr) => addr,
            None => DEFAULT_LISTEN.parse().context("default listen address")?,
        };
        let data = args
            .data
            .clone()
            .or(env_data)
            .or(file.data)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
        let env_database = std::env::var("CHARTER_DATABASE_URL").ok();
        let database = match (&args.database_url, env_database, file.database_url) {
            (Some(url), _, _) => Database::parse(url, "--database-url")?,
            (None, Some(url), _) => Database::parse(&url, "CHARTER_DATABASE_URL")?,
            (None, None, Some(url)) => Database::parse(&url, "database_url")?,
            (None, None, None) => Database::Sqlite(data.join(DATABASE_FILE)),
        };
        let mut hub = charter_hub::HubConfig::default();
        if let Some(title) = file.title {
            hub.title = title;
        }
        if let Some(name) = file.node_name {
            anyhow::ensure!(!name.trim().is_empty(), "node_name must not be empty");
            hub.node_name = name;
        }
        if let Some(country) = file.node_country {
            anyhow::ensure!(
                country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()),
                "node_country: '{country}' is not an ISO 3166-1 alpha-2 code such as GB, US or AU"
            );
            hub.node_country = country;
        }
        hub.description = file.description;
        hub.contact = file.contact;
        if let Some(n) = file.max_page_size {
            anyhow::ensure!(n > 0, "max_page_size must be at least 1");
            hub.max_page_size = n;
            hub.default_page_size = hub.default_page_size.min(n);
        }
        if let Some(n) = file.max_content_length {
            anyhow::ensure!(n >= 1024, "max_content_length must be at least 1024 bytes");
            hub.max_content_length = n;
        }
        if let Some(n) = file.max_objects_per_envelope {
            anyhow::ensure!(n > 0, "max_objects_per_envelope must be at least 1");
            hub.max_objects_per_envelope = n;
        }
        if let Some(n) = file.lookup_cache_entries {
            hub.lookup_cache_entries = n;
        }
        let warninglists = file.warninglists.map(|dir| match &args.config {
            Some(path) if dir.is_relative() => {
                path.parent().map_or_else(|| dir.clone(), |p| p.join(&dir))
            }
            _ => dir,
        });
        if let Some(table) = &file.privacy {
            privacy_overrides(&mut hub.privacy, table)?;
        }
        Ok(Config {
            listen,
            data,
            database,
            log_format: file.log_format.unwrap_or_default(),
            hub,
            warninglists,
        })
    }
}

/// Applies the `[privacy]` table to the default policy, refusing unknown
/// kinds, classes and actions by name.
fn privacy_overrides(
    policy: &mut charter_policy::privacy::PrivacyPolicy,
    table: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
) -> Result<()> {
    use charter_policy::privacy::{Action, FieldClass, PiiKind};
    let kinds: Vec<&str> = PiiKind::ALL.iter().map(|k| k.as_str()).collect();
    for (kind_name, classes) in table {
        let kind = PiiKind::from_name(kind_name).with_context(|| {
            format!(
                "privacy.{kind_name}: not a kind of finding (one of {})",
                kinds.join(", ")
            )
        })?;
        for (class_name, action_name) in classes {
            let class = match class_name.as_str() {
                "free_text" => FieldClass::FreeText,
                "personal_sco" => FieldClass::PersonalSco,
                "indicator_value" => FieldClass::IndicatorValue,
                other => anyhow::bail!(
                    "privacy.{kind_name}.{other}: not a field class (free_text, personal_sco or indicator_value)"
                ),
            };
            let action = match action_name.as_str() {
                "redact" => Action::Redact,
                "review" => Action::Review,
                "allow" => Action::Allow,
                other => anyhow::bail!(
                    "privacy.{kind_name}.{class_name}: '{other}' is not redact, review or allow"
                ),
            };
            policy.set(kind, class, action);
        }
    }
    Ok(())
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("in {}", path.display()))
}
