//! `charter migrate`: moves a node's whole data from its SQLite file into a
//! PostgreSQL database, with a progress bar, and verifies the row counts and
//! the release record's chain at the end. Run again after an interruption,
//! it finishes without duplicates (see `charter_store::postgres::import`).

use std::process::ExitCode;

use anyhow::{Context, Result};
use charter_store::postgres::{ImportProgress, PgStore};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Database;
use crate::node;

/// Arguments of `charter migrate`.
#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// The source: `sqlite:PATH` (the node's `charter.db`).
    #[arg(long, value_name = "sqlite:PATH")]
    from: String,
    /// The target: `postgres://user@host:port/db`, empty or holding an
    /// interrupted copy of the same node.
    #[arg(long, value_name = "postgres://…")]
    to: String,
}

/// Copies, verifies and prints what was copied.
pub fn run(args: &MigrateArgs) -> Result<ExitCode> {
    let Database::Sqlite(source) = Database::parse(&args.from, "--from")? else {
        anyhow::bail!("--from must name an SQLite file: sqlite:PATH");
    };
    anyhow::ensure!(
        source.is_file(),
        "--from: {} is not a file",
        source.display()
    );
    let Database::Postgres(url) = Database::parse(&args.to, "--to")? else {
        anyhow::bail!("--to must name a PostgreSQL database: postgres://…");
    };
    node::runtime()?.block_on(async {
        let target = PgStore::open(&url)
            .await
            .with_context(|| format!("opening {}", charter_store::postgres::redact(&url)))?;
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} rows {per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let show = |p: ImportProgress| {
            bar.set_length(p.total);
            bar.set_position(p.done);
            bar.set_message(p.stage);
        };
        let report = target
            .import_sqlite(&source, &show)
            .await
            .with_context(|| format!("copying {}", source.display()))?;
        bar.finish_and_clear();
        for (table, rows) in &report.counts {
            println!("{table:<18} {rows:>10} rows, equal in both");
        }
        match &report.audit_head {
            Some((seq, hash)) => {
                println!("release record     verified: {seq} entries, head {hash}");
            }
            None => println!("release record     empty"),
        }
        Ok(ExitCode::SUCCESS)
    })
}
