//! `charter ingest`: adds a bundle or JSON Lines file to a collection.
//!
//! The objects go through the same door as a TAXII POST (`Hub::add_objects`),
//! in envelopes of a fixed size, so every check and every durability promise
//! is the same as over HTTP. The node operator submits them, recorded as
//! acting from the command line; TLP:RED objects need their recipients
//! named with `--recipient`, as a TAXII client names them in the
//! `X-Charter-Recipients` header. Indicators whose values are on a warning list are
//! stored flagged, and the summary says how many and by which lists.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use charter_hub::admin::{DEFAULT_API_ROOT, DEFAULT_COLLECTION_ALIAS};
use charter_hub::{Submission, Viewer};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{Config, NodeArgs};
use crate::node;

/// Objects per envelope handed to the hub.
const BATCH: usize = 500;

/// Arguments of `charter ingest`.
#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    /// A STIX bundle, a JSON array of objects, or JSON Lines; `-` for standard input.
    file: PathBuf,
    /// The collection, by id or alias.
    #[arg(long, default_value = DEFAULT_COLLECTION_ALIAS)]
    collection: String,
    /// The API root of the collection.
    #[arg(long, default_value = DEFAULT_API_ROOT)]
    api_root: String,
    /// An organisation (id or name) that may receive the file's TLP:RED
    /// objects (repeatable); RED objects are refused without one.
    #[arg(long = "recipient", value_name = "ORG")]
    recipients: Vec<String>,
    /// Print nothing but the summary.
    #[arg(long)]
    quiet: bool,
    #[command(flatten)]
    node: NodeArgs,
}

fn read_input(path: &PathBuf) -> Result<String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// Ingests the file; exit status 0 if every object was accepted, 1 if any
/// was rejected.
pub fn run(args: &IngestArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    let text = read_input(&args.file)?;
    let objects = charter_stix::split_document(&text)
        .with_context(|| format!("reading objects from {}", args.file.display()))?;
    drop(text);
    node::runtime()?.block_on(async {
        let (hub, generated) = node::open(&config).await?;
        if let Some(password) = generated {
            eprintln!("Created user 'admin' with password: {password}");
        }
        let viewer = Viewer::node_operator();
        let submission = Submission {
            recipients: args.recipients.clone(),
            attribution: None,
        };
        let bar = if args.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(objects.len() as u64)
        };
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} objects {per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let (mut accepted, mut held, mut rejected) = (0usize, 0usize, Vec::new());
        let mut flagged = 0usize;
        let mut per_list: BTreeMap<String, usize> = BTreeMap::new();
        let mut objects = objects;
        while !objects.is_empty() {
            let rest = objects.split_off(objects.len().min(BATCH));
            let batch = std::mem::replace(&mut objects, rest);
            let n = batch.len() as u64;
            let status = hub
                .add_objects(
                    &viewer,
                    &args.api_root,
                    &args.collection,
                    batch,
                    &submission,
                )
                .await
                .with_context(|| format!("adding objects to collection '{}'", args.collection))?
                .into_inner();
            accepted += status.successes.len();
            let (flagged_here, lists) = status.flagged();
            flagged += flagged_here;
            for (list, count) in lists {
                *per_list.entry(list.to_owned()).or_default() += count;
            }
            held += status.pendings.len();
            rejected.extend(status.failures);
            bar.inc(n);
        }
        bar.finish_and_clear();
        if !args.quiet {
            for failure in &rejected {
                println!(
                    "rejected {}: {}",
                    failure.id,
                    failure.message.as_deref().unwrap_or("invalid")
                );
            }
        }
        if held > 0 {
            println!(
                "{accepted} accepted, {held} held for privacy review, {} rejected",
                rejected.len()
            );
        } else {
            println!("{accepted} accepted, {} rejected", rejected.len());
        }
        if flagged > 0 {
            let lists: Vec<String> = per_list
                .iter()
                .map(|(list, n)| format!("{list}: {n}"))
                .collect();
            println!("flagged {flagged} ({})", lists.join(", "));
        }
        Ok(if rejected.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}
