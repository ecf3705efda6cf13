//! `charter audit`: the release record, for oversight.
//!
//! `audit verify` checks the hash chain — each entry's hash over its
//! fields, and each entry's link to the one before — of the node's record,
//! or of an export of it (`--file`, which needs no data folder), and names
//! every entry that was edited, removed or moved. `audit export` writes the
//! whole record as JSON Lines in the JSON API's form, which keeps every
//! field the hashes cover, so a copy kept elsewhere can be verified later.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use charter_hub::{AuditProblem, Viewer};
use charter_server::audit_format;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Arguments of `charter audit`.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
    #[command(flatten)]
    node: NodeArgs,
}

#[derive(clap::Subcommand, Debug)]
enum AuditCommand {
    /// Check the release record's hash chain; exit 1 naming each entry that
    /// was edited, removed or reordered.
    Verify {
        /// Check this export (from `charter audit export`) instead of the node's record.
        #[arg(long, value_name = "EXPORT.jsonl")]
        file: Option<PathBuf>,
    },
    /// Write the whole release record as JSON Lines.
    Export {
        /// Write to this file instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Runs a `charter audit` command.
pub fn run(args: &AuditArgs) -> Result<ExitCode> {
    match &args.command {
        AuditCommand::Verify { file: Some(path) } => verify_file(path),
        AuditCommand::Verify { file: None } => {
            let config = Config::load(&args.node, None)?;
            node::runtime()?.block_on(async {
                let hub = node::open_admin(&config).await?;
                let report = hub.verify_audit(&Viewer::node_operator()).await?;
                Ok(outcome(report.entries, report.head, &report.problems, &[]))
            })
        }
        AuditCommand::Export { output } => {
            let config = Config::load(&args.node, None)?;
            export(&config, output.as_ref())
        }
    }
}

/// Prints the verdict and returns the exit status: 0 when intact, 1 when
/// anything is wrong. `unreadable` lists lines of an export that are not
/// entries at all.
fn outcome(
    entries: u64,
    head: Option<(i64, String)>,
    problems: &[AuditProblem],
    unreadable: &[String],
) -> ExitCode {
    if problems.is_empty() && unreadable.is_empty() {
        match head {
            Some((seq, hash)) => println!("{entries} entries, head {seq} {hash}: intact"),
            None => println!("{entries} entries: intact"),
        }
        return ExitCode::SUCCESS;
    }
    for line in unreadable {
        println!("{line}");
    }
    for p in problems {
        println!(
            "entry {}: {}: {}",
            p.seq,
            audit_format::problem_kind(p.kind),
            p.message
        );
    }
    ExitCode::from(1)
}

fn verify_file(path: &PathBuf) -> Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut entries = Vec::new();
    let mut unreadable = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match audit_format::parse_line(line) {
            Ok(entry) => entries.push(entry),
            Err(e) => unreadable.push(format!("line {}: {e}", n + 1)),
        }
    }
    let problems = charter_store::audit::verify(&entries, None);
    let head = entries.last().map(|e| (e.seq, e.hash.clone()));
    Ok(outcome(entries.len() as u64, head, &problems, &unreadable))
}

fn export(config: &Config, output: Option<&PathBuf>) -> Result<ExitCode> {
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    node::runtime()?.block_on(async {
        let hub = node::open_admin(config).await?;
        let op = Viewer::node_operator();
        let page_size = hub.config().max_page_size.max(1);
        let (mut after, mut count) = (None, 0usize);
        loop {
            let page = hub.audit_entries(&op, after, page_size).await?;
            let Some(last) = page.get().last() else { break };
            after = Some(last.seq);
            count += page.get().len();
            out.write_all(audit_format::jsonl(&page).as_bytes())?;
        }
        out.flush()?;
        eprintln!("{count} entries exported");
        Ok(ExitCode::SUCCESS)
    })
}
