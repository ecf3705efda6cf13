//! Load generator for Charter's TAXII benchmark (`bench/taxii/run`, part 1).
//!
//! One run drives one collection through three phases and prints a line per phase:
//! 1. **ingest**: `--count` generated indicators POSTed in envelopes of `--batch`, with
//!    `--in-flight` envelopes outstanding at once, until every status resource says
//!    `complete` (the server acknowledges only what is on disk, so this is durable ingest);
//! 2. **read**: the whole collection read back in pages of `--page`, following `next`;
//! 3. **queries**: `--clients` concurrent clients making `--queries` filtered GETs in all
//!    (`match[id]`, `match[type]`, `added_after`), each answer checked.
//!
//! `--url` may list several API roots (servers on one database); requests go to each in
//! turn. `--after-ingest` runs a shell command between ingest and read.
//!
//! Every answer is checked, not only timed: a wrong count, a duplicate or a non-2xx answer
//! is an error, and the process exits non-zero if any phase had one.

mod args;
mod generate;
mod ingest;
mod query;
mod read;
mod stats;
mod taxii;

use std::process::ExitCode;
use std::sync::Arc;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args::Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("loadgen: {msg}\n\n{}", args::USAGE);
            return ExitCode::from(2);
        }
    };
    let client = match taxii::Taxii::new(&args) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("loadgen: {e}");
            return ExitCode::from(2);
        }
    };
    let label = args.label.clone().unwrap_or_else(|| args.count.to_string());

    let ingest = ingest::run(&client, &args).await;
    println!("{}", ingest.report(&label));
    if let Some(command) = &args.after_ingest {
        match std::process::Command::new("sh").args(["-c", command]).status() {
            Ok(status) if status.success() => {}
            other => {
                eprintln!("loadgen: --after-ingest {command:?} failed: {other:?}");
                return ExitCode::FAILURE;
            }
        }
    }
    let read = read::run(&client, &args).await;
    println!("{}", read.phase.report(&label));
    let queries = query::run(&client, &args, &read.cursors).await;
    println!("{}", queries.report(&label));

    if ingest.errors + read.phase.errors + queries.errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
