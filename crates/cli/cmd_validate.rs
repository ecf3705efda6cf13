//! `charter validate FILE`: checks STIX 2.1 objects against the specification.
//!
//! The file may be a bundle, a JSON array, one object or JSON Lines (`-`
//! reads standard input). Every object is checked on its own, so one bad
//! object does not hide the others. Exit status: 0 when all are valid, 1
//! when any is invalid, 2 when the input cannot be read or split.

use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use charter_stix::{Diagnostic, Severity, StixObject, split_document, validate};

/// Arguments of `charter validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// The document to check, or `-` for standard input.
    file: PathBuf,
    /// `text`: one line per failure and a summary; `jsonl`: one JSON line
    /// per object with its verdict.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Output formats of `charter validate`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// Failures one per line, then `N objects, M valid, K invalid`.
    Text,
    /// `{"id": …, "valid": …, "errors": […]}` per object, in input order.
    Jsonl,
}

/// Runs `charter validate`.
pub fn run(args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let text = read_input(&args.file)?;
    let parts =
        split_document(&text).with_context(|| format!("cannot split {}", args.file.display()))?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut valid, mut invalid) = (0usize, 0usize);
    for raw in parts {
        let (id, errors) = match StixObject::parse(raw) {
            Ok(obj) => {
                let errors: Vec<Diagnostic> = validate(&obj)
                    .into_iter()
                    .filter(|d| d.severity == Severity::Error)
                    .collect();
                (Some(obj.id().to_owned()), errors)
            }
            Err(d) => (d.object_id.clone(), vec![d]),
        };
        if errors.is_empty() {
            valid += 1;
        } else {
            invalid += 1;
        }
        match args.format {
            Format::Text => {
                for d in &errors {
                    writeln!(out, "{d}")?;
                }
            }
            Format::Jsonl => {
                let line = serde_json::json!({
                    "id": id,
                    "valid": errors.is_empty(),
                    "errors": errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
                });
                writeln!(out, "{line}")?;
            }
        }
    }
    if args.format == Format::Text {
        writeln!(
            out,
            "{} objects, {valid} valid, {invalid} invalid",
            valid + invalid
        )?;
    }
    out.flush()?;
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn read_input(file: &PathBuf) -> anyhow::Result<String> {
    if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        Ok(text)
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
    }
}
