//! `charter pattern check|match`: STIX patterns on the command line, with no data folder or
//! server. Tools around Charter call these shapes, so they are a contract:
//!
//! * `charter pattern check PATTERN` prints `valid`, or the error with a caret under the
//!   pattern; exit status 0 or 1.
//! * `charter pattern check` (no argument) reads JSON Lines `{"pattern": "…"}` on standard
//!   input and writes `{"valid": true}` or `{"valid": false, "error": "…"}` for each line;
//!   exit status 0 when every pattern is valid, else 1.
//! * `charter pattern match` reads JSON Lines `{"pattern": "…", "observed_data": […]}` and
//!   writes `{"matched": true}`, `{"matched": false}` or `{"error": "…"}` for each; exit 0.
//! * `charter pattern match PATTERN --observed FILE` does the same for one pattern and a file
//!   (a JSON list of objects, a bundle, one object, or JSON Lines; `-` is standard input);
//!   exit status 0 when it matched, 1 when not, 2 on an error.

use std::io::{BufRead, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Value, json};

/// Arguments of `charter pattern`.
#[derive(clap::Args, Debug)]
pub struct PatternArgs {
    #[command(subcommand)]
    cmd: PatternCommand,
}

#[derive(clap::Subcommand, Debug)]
enum PatternCommand {
    /// Check a pattern's syntax and the specification's rules (JSON Lines on stdin without
    /// an argument).
    Check {
        /// The pattern; omit to read `{"pattern": …}` lines from standard input.
        pattern: Option<String>,
    },
    /// Match patterns against observations (JSON Lines on stdin without an argument).
    Match {
        /// The pattern; omit to read `{"pattern": …, "observed_data": […]}` lines from
        /// standard input.
        pattern: Option<String>,
        /// File of observations for PATTERN: observed-data objects and SCOs, or bundles.
        #[arg(long, requires = "pattern")]
        observed: Option<PathBuf>,
    },
}

/// Runs `charter pattern`.
pub fn run(args: &PatternArgs) -> anyhow::Result<ExitCode> {
    match &args.cmd {
        PatternCommand::Check { pattern: Some(p) } => Ok(check_one(p)),
        PatternCommand::Check { pattern: None } => check_lines(),
        PatternCommand::Match {
            pattern: Some(p),
            observed: Some(file),
        } => match_one(p, file),
        PatternCommand::Match {
            pattern: Some(_),
            observed: None,
        } => {
            anyhow::bail!("charter pattern match PATTERN needs --observed FILE")
        }
        PatternCommand::Match { pattern: None, .. } => match_lines(),
    }
}

fn check_one(pattern: &str) -> ExitCode {
    match charter_pattern::validate(pattern) {
        Ok(_) => {
            println!("valid");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("{}", e.render(pattern));
            ExitCode::from(1)
        }
    }
}

fn check_lines() -> anyhow::Result<ExitCode> {
    let mut all_valid = true;
    for_each_line(|line| {
        let verdict = match parse_line(line).and_then(|v| pattern_of(&v).map(str::to_owned)) {
            Ok(pattern) => charter_pattern::validate(&pattern)
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(why) => Err(why),
        };
        all_valid &= verdict.is_ok();
        match verdict {
            Ok(()) => r#"{"valid": true}"#.to_owned(),
            // Written by hand so the keys keep the documented order.
            Err(why) => format!(r#"{{"valid": false, "error": {}}}"#, Value::String(why)),
        }
    })?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn match_lines() -> anyhow::Result<ExitCode> {
    for_each_line(|line| {
        let outcome = parse_line(line).and_then(|v| {
            let pattern = pattern_of(&v)?;
            let observed = match v.get("observed_data") {
                Some(Value::Array(items)) => items.as_slice(),
                _ => {
                    return Err(
                        "each line needs \"observed_data\": a list of STIX objects".to_owned()
                    );
                }
            };
            evaluate(pattern, observed)
        });
        match outcome {
            Ok(matched) => json!({"matched": matched}).to_string(),
            Err(why) => json!({"error": why}).to_string(),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

fn match_one(pattern: &str, file: &PathBuf) -> anyhow::Result<ExitCode> {
    let text = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read standard input")?;
        s
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?
    };
    let observed =
        observations_from_text(&text).with_context(|| format!("cannot read {}", file.display()))?;
    let (line, code) = match evaluate(pattern, &observed) {
        Ok(true) => (json!({"matched": true}), ExitCode::SUCCESS),
        Ok(false) => (json!({"matched": false}), ExitCode::from(1)),
        Err(why) => (json!({"error": why}), ExitCode::from(2)),
    };
    println!("{line}");
    Ok(code)
}

/// A file of observations: a JSON list, a single object (a bundle, say), or JSON Lines.
fn observations_from_text(text: &str) -> anyhow::Result<Vec<Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(v @ Value::Object(_)) => Ok(vec![v]),
        Ok(_) => anyhow::bail!("expected STIX objects, a list of them, or a bundle"),
        Err(_) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l).with_context(|| format!("line {} is not JSON", i + 1))
            })
            .collect(),
    }
}

fn evaluate(pattern: &str, observed: &[Value]) -> Result<bool, String> {
    let parsed = charter_pattern::validate(pattern).map_err(|e| e.to_string())?;
    charter_pattern::matches(&parsed, observed).map_err(|e| e.to_string())
}

fn parse_line(line: &str) -> Result<Value, String> {
    serde_json::from_str(line).map_err(|e| format!("line is not JSON: {e}"))
}

fn pattern_of(v: &Value) -> Result<&str, String> {
    v.get("pattern")
        .and_then(Value::as_str)
        .ok_or_else(|| "each line needs \"pattern\": a string".to_owned())
}

/// Reads standard input line by line and writes one JSON line for each non-blank line,
/// flushing as it goes so that a caller can converse line by line.
fn for_each_line(mut answer: impl FnMut(&str) -> String) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for line in stdin.lock().lines() {
        let line = line.context("cannot read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        writeln!(out, "{}", answer(&line))?;
        out.flush()?;
    }
    Ok(())
}
