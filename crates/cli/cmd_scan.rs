//! `charter scan`: matches logs against the shared indicators a member may see.
//!
//! The indicators come through the hub like any read (`--as USER` scans with exactly what
//! that member may see; without it, the node operator's view): active ones only, those on a
//! warning list left out unless `--include-warninglisted`. They are compiled into one
//! `charter_pattern::index::Index`, and each input is streamed through it record by record
//! in constant memory by `charter_intel::scan`, the loop the JSON API's scan runs too. Matches go out as JSON Lines; `--report` sends one STIX sighting per
//! matched indicator back to the hub, sighted where the member's organisation is.
//!
//! Exit status: 0 when every record was read, 1 when some were malformed (each named on
//! standard error), 2 when the scan could not run.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use charter_hub::admin::{DEFAULT_API_ROOT, DEFAULT_COLLECTION_ALIAS};
use charter_hub::{ActiveIndicator, IndicatorFilter, SightingCount, Viewer};
use charter_intel::input::{self, InputFormat, Record};
use charter_intel::scan::{self, Hit, Scanner, Sink, Tally, Totals};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::config::{Config, NodeArgs};
use crate::node;

/// Input formats of `charter scan`.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Decide from the first line.
    Auto,
    /// JSON Lines: STIX observed-data and SCOs, Zeek JSON logs, Suricata eve.json.
    Json,
    /// Zeek tab-separated logs.
    Zeek,
    /// CSV with a --column mapping.
    Csv,
    /// One value per line.
    Plain,
}

/// Arguments of `charter scan`.
#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// The files to scan (gzip or not); `-` is standard input.
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
    /// The input format.
    #[arg(long, value_enum, default_value_t = Format::Auto)]
    format: Format,
    /// A CSV column mapping, COLUMN=KIND (COLUMN a header name or a number from 1; KIND
    /// ip, domain, url, email, hash, host, time or type:property); repeatable.
    #[arg(long = "column", value_name = "COLUMN=KIND")]
    columns: Vec<String>,
    /// Only indicators of this collection (repeatable) [default: every readable one].
    #[arg(long = "collection", value_name = "COLLECTION")]
    collections: Vec<String>,
    /// The API root of the collections.
    #[arg(long, default_value = DEFAULT_API_ROOT)]
    api_root: String,
    /// Scan with what this user may see, rather than everything.
    #[arg(long = "as", value_name = "USER")]
    as_user: Option<String>,
    /// Also match indicators whose value is on a warning list.
    #[arg(long)]
    include_warninglisted: bool,
    /// Write matches to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Submit one sighting per matched indicator to the hub.
    #[arg(long)]
    report: bool,
    /// The collection sightings go to.
    #[arg(long, value_name = "COLLECTION", default_value = DEFAULT_COLLECTION_ALIAS)]
    report_collection: String,
    #[command(flatten)]
    node: NodeArgs,
}

/// One line of output.
#[derive(Serialize)]
struct Match<'a> {
    indicator: &'a str,
    name: &'a str,
    tlp: &'static str,
    value: &'a str,
    input: &'a str,
    position: u64,
}

/// Runs the scan.
pub fn run(args: &ScanArgs) -> Result<ExitCode> {
    let config = Config::load(&args.node, None)?;
    let mapping = if args.columns.is_empty() {
        None
    } else {
        Some(input::csv::Mapping::parse(
            args.columns.iter().map(String::as_str),
        )?)
    };
    let format = match args.format {
        Format::Auto => InputFormat::Auto,
        Format::Json => InputFormat::Json,
        Format::Zeek => InputFormat::Zeek,
        Format::Csv => InputFormat::Csv,
        Format::Plain => InputFormat::Plain,
    };
    let runtime = node::runtime()?;
    let (hub, viewer, indicators) = runtime.block_on(async {
        let (hub, _) = node::open(&config).await?;
        node::reflag(&hub).await?;
        let operator = Viewer::node_operator();
        let viewer = match &args.as_user {
            Some(user) => hub.viewer_as(&operator, user).await?,
            None => operator,
        };
        let filter = IndicatorFilter {
            api_root: args.api_root.clone(),
            collections: args.collections.clone(),
            include_warninglisted: args.include_warninglisted,
            ..IndicatorFilter::default()
        };
        let found = hub
            .indicators(&viewer, &filter)
            .await
            .context("reading the indicators")?
            .into_inner();
        anyhow::Ok((hub, viewer, found))
    })?;
    let index = scan::index(indicators.iter().map(|i| &*i.pattern));
    eprintln!("{} active indicators", indicators.len());
    let out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut scanner = Scanner::new(&index);
    let mut totals = Totals::default();
    let mut sink = CliSink {
        indicators: &indicators,
        out,
        tally: Tally::new(indicators.len(), now_micros()),
        name: String::new(),
        bar: ProgressBar::hidden(),
    };
    for path in &args.inputs {
        let name = path.display().to_string();
        let (source, size): (Box<dyn Read + Send>, Option<u64>) = if name == "-" {
            (Box::new(std::io::stdin()), None)
        } else {
            let file = File::open(path).with_context(|| format!("opening {name}"))?;
            let size = file.metadata().ok().map(|m| m.len());
            (Box::new(file), size)
        };
        let bar = match size {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            ),
            None => ProgressBar::new_spinner(),
        };
        bar.set_message(name.clone());
        let mut reader = input::reader(format, input::open_input(source)?, mapping.clone())
            .with_context(|| format!("reading {name}"))?;
        sink.name = name;
        sink.bar = bar;
        scan::scan(&mut *reader, &mut scanner, &mut totals, &mut sink)
            .with_context(|| format!("reading {}", sink.name))?;
        sink.bar.finish_and_clear();
    }
    sink.out.flush()?;
    let bad = totals.bad_records;
    if bad > scan::MAX_ERRORS as u64 {
        eprintln!(
            "... and {} more malformed records",
            bad - scan::MAX_ERRORS as u64
        );
    }
    eprintln!(
        "{} records, {} values, {} matches, {bad} malformed records",
        totals.records, totals.values, totals.matches
    );
    if args.report {
        let counts = sighting_counts(&sink.tally, &indicators);
        if counts.is_empty() {
            eprintln!("no sightings to report");
        } else {
            let status = runtime
                .block_on(hub.report_sightings(
                    &viewer,
                    &args.api_root,
                    &args.report_collection,
                    &counts,
                ))
                .context("reporting sightings")?
                .into_inner();
            eprintln!(
                "{} sightings reported, {} refused",
                status.successes.len(),
                status.failures.len()
            );
            for f in &status.failures {
                eprintln!("{}: {}", f.id, f.message.as_deref().unwrap_or("refused"));
            }
        }
    }
    Ok(if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Now, in microseconds since the epoch: the time of records that carry none.
fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Where the matches of `charter scan` go: JSON Lines to the output, the tally for
/// sightings, malformed records to standard error under the progress bar.
struct CliSink<'a> {
    indicators: &'a [ActiveIndicator],
    out: Box<dyn Write + 'a>,
    tally: Tally,
    /// The input being scanned, as its matches and errors name it.
    name: String,
    bar: ProgressBar,
}

impl Sink for CliSink<'_> {
    type Error = anyhow::Error;

    fn hits(&mut self, record: &Record, hits: &[Hit]) -> Result<()> {
        for hit in hits {
            let Some(ind) = self.indicators.get(hit.ord as usize) else {
                continue;
            };
            let line = Match {
                indicator: &ind.id,
                name: &ind.name,
                tlp: ind.tlp.name(),
                value: &hit.value,
                input: &self.name,
                position: record.position,
            };
            serde_json::to_writer(&mut self.out, &line)?;
            self.out.write_all(b"\n")?;
        }
        self.tally.add(record.time, hits);
        Ok(())
    }

    fn bad_record(&mut self, error: &charter_intel::Error, kept: bool) {
        if kept {
            let name = &self.name;
            self.bar
                .suspend(|| eprintln!("{name}: {}", error.message()));
        }
    }

    fn progress(&mut self, bytes_read: u64) {
        self.bar.set_position(bytes_read);
    }
}

/// The sightings of a tally, one per indicator seen.
fn sighting_counts(tally: &Tally, indicators: &[ActiveIndicator]) -> Vec<SightingCount> {
    tally
        .seen()
        .filter_map(|s| {
            let ind = indicators.get(s.ord as usize)?;
            Some(SightingCount {
                indicator: ind.id.clone(),
                count: s.count,
                first_seen: s.first_seen,
                last_seen: s.last_seen,
            })
        })
        .collect()
}
