//! `charter export`: writes a collection's objects to a bundle or JSON Lines.
//!
//! It reads through the hub like any other principal, page by page, and
//! writes each object's JSON verbatim. By default it reads as the node
//! operator, who sees everything; `--as USER` exports exactly what that
//! member may see (its organisation's audience, the same check as TAXII),
//! for handing a member its own copy. Either way the release is recorded,
//! as acting from the command line.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use charter_hub::admin::{DEFAULT_API_ROOT, DEFAULT_COLLECTION_ALIAS};
use charter_hub::{ObjectFilter, Viewer};
use indicatif::ProgressBar;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Output formats of `charter export`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// One STIX 2.1 bundle.
    Bundle,
    /// One object per line.
    Jsonl,
}

/// Arguments of `charter export`.
#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The collection, by id or alias.
    #[arg(long, default_value = DEFAULT_COLLECTION_ALIAS)]
    collection: String,
    /// The API root of the collection.
    #[arg(long, default_value = DEFAULT_API_ROOT)]
    api_root: String,
    /// Only objects of this type (repeatable).
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
    /// Only versions added after this STIX timestamp.
    #[arg(long, value_name = "TIMESTAMP")]
    added_after: Option<String>,
    /// Which versions: first, last, all or a timestamp (repeatable) [default: last].
    #[arg(long = "version", value_name = "VERSION")]
    versions: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Bundle)]
    format: Format,
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
pub fn run(args: &ExportArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    let added_after = args
        .added_after
        .as_deref()
        .map(|v| charter_hub::parse_timestamp("--added-after", v))
        .transpose()?;
    let versions = if args.versions.is_empty() {
        None
    } else {
        Some(charter_hub::parse_version_filter(
            "--version",
            args.versions.iter().map(String::as_str),
        )?)
    };
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let bar = if args.output.is_some() {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    node::runtime()?.block_on(async {
        let (hub, _) = node::open(&config).await?;
        let operator = Viewer::node_operator();
        let viewer = match &args.as_user {
            Some(user) => hub.viewer_as(&operator, user).await?,
            None => operator,
        };
        if args.format == Format::Bundle {
            write!(
                out,
                "{{\"type\":\"bundle\",\"id\":\"bundle--{}\",\"objects\":[",
                uuid::Uuid::new_v4()
            )?;
        }
        let mut next = None;
        let mut count = 0u64;
        loop {
            let filter = ObjectFilter {
                added_after: added_after.clone(),
                types: args.types.clone(),
                versions: versions.clone(),
                next: next.take(),
                ..ObjectFilter::default()
            };
            let page = hub
                .objects(&viewer, &args.api_root, &args.collection, filter, true)
                .await
                .with_context(|| format!("reading collection '{}'", args.collection))?
                .into_inner();
            for object in &page.objects {
                match args.format {
                    Format::Bundle => {
                        if count > 0 {
                            out.write_all(b",")?;
                        }
                        out.write_all(object.raw.as_bytes())?;
                    }
                    Format::Jsonl => {
                        // Line breaks in JSON text can only be whitespace
                        // between tokens, so dropping them keeps the object
                        // otherwise byte for byte.
                        write_without_line_breaks(&mut out, &object.raw)?;
                        out.write_all(b"\n")?;
                    }
                }
                count += 1;
            }
            bar.set_message(format!("{count} objects"));
            bar.tick();
            match page.next {
                Some(token) => next = Some(token),
                None => break,
            }
        }
        if args.format == Format::Bundle {
            out.write_all(b"]}\n")?;
        }
        out.flush()?;
        bar.finish_and_clear();
        eprintln!("{count} objects exported");
        Ok(ExitCode::SUCCESS)
    })
}

fn write_without_line_breaks(out: &mut dyn Write, raw: &str) -> std::io::Result<()> {
    for piece in raw.split(['\n', '\r']) {
        out.write_all(piece.as_bytes())?;
    }
    Ok(())
}
