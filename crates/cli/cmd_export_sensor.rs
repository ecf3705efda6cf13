//! `charter export-sensor`: writes the active indicators a member may see in a format its
//! sensors load: Suricata rules, a Zeek Intel framework file, a plain blocklist or CSV.
//!
//! It reads through the hub like `charter export` (`--as USER` for exactly what that member
//! may see) and the release is recorded. Each export starts with comment lines giving the
//! highest TLP of its contents; indicators whose value is on a warning list are left out
//! unless `--include-warninglisted`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use charter_hub::admin::DEFAULT_API_ROOT;
use charter_hub::{IndicatorFilter, SensorFormat, TlpLevel, Viewer};

use crate::config::{Config, NodeArgs};
use crate::node;

/// Formats of `charter export-sensor`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Suricata rules.
    Suricata,
    /// A Zeek Intel framework file.
    Zeek,
    /// One value per line.
    Blocklist,
    /// CSV.
    Csv,
}

/// Value kinds an export can be limited to.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// IP addresses and CIDR blocks.
    Ip,
    /// Domain names.
    Domain,
    /// URLs.
    Url,
    /// E-mail addresses.
    Email,
    /// File hashes.
    Hash,
}

/// Arguments of `charter export-sensor`.
#[derive(clap::Args, Debug)]
pub struct ExportSensorArgs {
    /// The output format.
    #[arg(long, value_enum)]
    format: Format,
    /// Only indicators of this collection (repeatable) [default: every readable one].
    #[arg(long = "collection", value_name = "COLLECTION")]
    collections: Vec<String>,
    /// The API root of the collections.
    #[arg(long, default_value = DEFAULT_API_ROOT)]
    api_root: String,
    /// Only values of this kind (repeatable).
    #[arg(long = "type", value_enum, value_name = "KIND")]
    kinds: Vec<Kind>,
    /// Only indicators at or below this TLP level (clear, green, amber, amber+strict, red).
    #[arg(long, value_name = "TLP")]
    max_tlp: Option<String>,
    /// Indicators active at this STIX timestamp [default: now].
    #[arg(long, value_name = "TIMESTAMP")]
    valid_at: Option<String>,
    /// Keep indicators whose value is on a warning list.
    #[arg(long)]
    include_warninglisted: bool,
    /// The first Suricata rule id.
    #[arg(long, default_value_t = 9_000_000)]
    sid_base: u64,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Export what this user may see, rather than everything.
    #[arg(long = "as", value_name = "USER")]
    as_user: Option<String>,
    #[command(flatten)]
    node: NodeArgs,
}

/// Runs the export.
pub fn run(args: &ExportSensorArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    let max_tlp = args
        .max_tlp
        .as_deref()
        .map(|t| {
            TlpLevel::parse(t).with_context(|| {
                format!("--max-tlp: '{t}' is not clear, green, amber, amber+strict or red")
            })
        })
        .transpose()?;
    let at = args
        .valid_at
        .as_deref()
        .map(|v| charter_hub::parse_timestamp("--valid-at", v))
        .transpose()?;
    let format = match args.format {
        Format::Suricata => SensorFormat::Suricata,
        Format::Zeek => SensorFormat::Zeek,
        Format::Blocklist => SensorFormat::Blocklist,
        Format::Csv => SensorFormat::Csv,
    };
    let kinds = args
        .kinds
        .iter()
        .map(|k| match k {
            Kind::Ip => "ip",
            Kind::Domain => "domain",
            Kind::Url => "url",
            Kind::Email => "email",
            Kind::Hash => "hash",
        })
        .map(str::to_owned)
        .collect();
    let filter = IndicatorFilter {
        api_root: args.api_root.clone(),
        collections: args.collections.clone(),
        kinds,
        max_tlp,
        at,
        include_warninglisted: args.include_warninglisted,
    };
    let export = node::runtime()?.block_on(async {
        let (hub, _) = node::open(&config).await?;
        node::reflag(&hub).await?;
        let operator = Viewer::node_operator();
        let viewer = match &args.as_user {
            Some(user) => hub.viewer_as(&operator, user).await?,
            None => operator,
        };
        let export = hub
            .sensor_export(&viewer, &filter, format, args.sid_base)
            .await
            .context("exporting")?
            .into_inner();
        anyhow::Ok(export)
    })?;
    match &args.output {
        Some(path) => std::fs::write(path, &export.text)
            .with_context(|| format!("writing {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(export.text.as_bytes())?;
            out.flush()?;
        }
    }
    eprintln!(
        "{} values exported, highest TLP {}",
        export.values,
        export.highest_tlp.map_or("none", TlpLevel::name)
    );
    Ok(ExitCode::SUCCESS)
}
