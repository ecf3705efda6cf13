//! Readers of the inputs a scan takes, each turning its records into [`Record`]s: values
//! classified by [`Field`], a time, and the record's position in the input.
//!
//! * JSON Lines ([`json`]): STIX observed-data and SCOs, Zeek logs written as JSON, and
//!   Suricata `eve.json`, told apart line by line.
//! * Zeek TSV logs ([`zeek`]): conn, dns, http, files and any log with those fields.
//! * CSV with a column mapping ([`csv`]).
//! * Plain lines of values ([`plain`]), each classified by its form.
//!
//! [`open_input`] reads gzip-compressed input transparently (by its magic bytes).

pub mod csv;
pub mod json;
pub mod plain;
pub mod zeek;

use std::io::{BufRead, BufReader, Read};
use std::ops::Range;

use charter_pattern::index::{Field, Probe, ProbeField};
use serde_json::{Map, Value, json};

use crate::{Error, ErrorKind, Result};

/// The input formats `charter scan` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Decided from the first line: a Zeek header, a JSON object, else plain values.
    Auto,
    /// JSON Lines: STIX, Zeek JSON or Suricata EVE, per line.
    Json,
    /// Zeek's tab-separated logs.
    Zeek,
    /// CSV with a column mapping.
    Csv,
    /// One value per line.
    Plain,
}

/// One record of an input.
#[derive(Debug, Default)]
pub struct Record {
    /// Where the record starts: its line number, from 1.
    pub position: u64,
    /// When it was observed, in microseconds since the epoch (0 when the input says not).
    pub time: i64,
    buf: String,
    values: Vec<(Field, Range<usize>)>,
    types: Vec<&'static str>,
    /// The record as STIX, when the input was STIX.
    pub(crate) stix: Option<Value>,
}

impl Record {
    /// Empties the record for reuse.
    pub fn clear(&mut self) {
        self.time = 0;
        self.buf.clear();
        self.values.clear();
        self.types.clear();
        self.stix = None;
    }

    /// Adds a value of `field`, and the SCO type that holds it.
    pub fn push(&mut self, field: Field, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let start = self.buf.len();
        self.buf.push_str(value);
        let ty = sco_type(&field, value);
        if !self.types.contains(&ty) {
            self.types.push(ty);
        }
        self.values.push((field, start..self.buf.len()));
    }

    /// Adds a value of `field` made of `parts` one after another (a URL from its host and
    /// path), without an intermediate string.
    pub fn push_joined(&mut self, field: Field, parts: &[&str]) {
        let start = self.buf.len();
        for p in parts {
            self.buf.push_str(p);
        }
        if self.buf.len() == start {
            return;
        }
        let ty = sco_type(&field, &self.buf[start..]);
        if !self.types.contains(&ty) {
            self.types.push(ty);
        }
        self.values.push((field, start..self.buf.len()));
    }

    /// The values, in input order.
    pub fn values(&self) -> impl Iterator<Item = (&Field, &str)> {
        self.values.iter().map(|(f, r)| (f, &self.buf[r.clone()]))
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the record has no value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values as the index's probes, appended to `out`.
    pub fn probes<'a>(&'a self, out: &mut Vec<Probe<'a>>) {
        for (field, value) in self.values() {
            let field = match field {
                Field::Ip => ProbeField::Ip,
                Field::Domain => ProbeField::Domain,
                Field::Url => ProbeField::Url,
                Field::Email => ProbeField::Email,
                Field::Hash => ProbeField::Hash,
                Field::Other(path) => ProbeField::Other(path),
            };
            out.push(Probe { field, value });
        }
    }

    /// The SCO types the record holds.
    pub fn types(&self) -> &[&'static str] {
        &self.types
    }

    /// The record as one STIX observed-data object with its SCOs embedded (its STIX text
    /// when the input was STIX), for the general evaluator.
    pub fn to_stix(&self) -> Value {
        if let Some(v) = &self.stix {
            return v.clone();
        }
        let mut objects = Map::new();
        for (i, (field, value)) in self.values().enumerate() {
            objects.insert(i.to_string(), sco(field, value));
        }
        let time = charter_stix::Timestamp::from_unix_micros(self.time);
        json!({
            "type": "observed-data",
            "spec_version": "2.1",
            "id": "observed-data--00000000-0000-4000-8000-000000000000",
            "first_observed": time.as_str(),
            "last_observed": time.as_str(),
            "number_observed": 1,
            "objects": objects,
        })
    }
}

/// The SCO type a value of `field` is held by.
fn sco_type(field: &Field, value: &str) -> &'static str {
    match field {
        Field::Ip if value.contains(':') => "ipv6-addr",
        Field::Ip => "ipv4-addr",
        Field::Domain => "domain-name",
        Field::Url => "url",
        Field::Email => "email-addr",
        Field::Hash => "file",
        Field::Other(path) => {
            // Only the common types are named here; others are found by their values.
            match path.split_once(':').map(|(t, _)| t) {
                Some("process") => "process",
                Some("file") => "file",
                Some("user-account") => "user-account",
                Some("windows-registry-key") => "windows-registry-key",
                Some("mutex") => "mutex",
                _ => "x-charter-unknown",
            }
        }
    }
}

/// The SCO holding one value.
fn sco(field: &Field, value: &str) -> Value {
    match field {
        Field::Hash => {
            let algorithm = match value.len() {
                32 => "MD5",
                40 => "SHA-1",
                128 => "SHA-512",
                _ => "SHA-256",
            };
            json!({"type": "file", "hashes": {algorithm: value}})
        }
        Field::Other(path) => match path.split_once(':') {
            Some((ty, prop)) if !prop.contains('.') => json!({"type": ty, prop: value}),
            _ => json!({"type": "x-charter-unknown", "value": value}),
        },
        _ => json!({"type": sco_type(field, value), "value": value}),
    }
}

/// A source of records.
pub trait Reader {
    /// Reads the next record into `record`; `Ok(false)` at the end of the input. An error
    /// of kind [`ErrorKind::BadRecord`] names one bad record; reading may go on after it.
    fn next_record(&mut self, record: &mut Record) -> Result<bool>;

    /// Bytes of input read so far (before decompression), for progress.
    fn bytes_read(&self) -> u64;
}

/// Counts the bytes read through it.
pub(crate) struct Counting<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// An opened input: its lines, decompressed if it was gzip, and a byte counter.
pub struct Input {
    pub(crate) lines: Box<dyn BufRead + Send>,
    pub(crate) count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Input {
    pub(crate) fn bytes(&self) -> u64 {
        self.count.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Reads one line (without its line break) into `line`; `false` at the end.
    pub(crate) fn line(&mut self, line: &mut String, position: u64) -> Result<bool> {
        line.clear();
        let n = self.lines.read_line(line).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("line {position}: reading the input: {e}"),
            )
        })?;
        if n == 0 {
            return Ok(false);
        }
        while line.ends_with('\n') || line.ends_with('\r') {
            line.pop();
        }
        Ok(true)
    }
}

/// Opens `source` for reading, decompressing it when it starts with gzip's magic bytes.
pub fn open_input(source: Box<dyn Read + Send>) -> Result<Input> {
    let count = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counting = Counting {
        inner: source,
        count: count.clone(),
    };
    let mut buffered = BufReader::with_capacity(256 * 1024, counting);
    let head = buffered
        .fill_buf()
        .map_err(|e| Error::new(ErrorKind::Io, format!("reading the input: {e}")))?;
    let lines: Box<dyn BufRead + Send> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    };
    Ok(Input { lines, count })
}

/// The reader for `format` over `input`; `Auto` looks at the first bytes. `columns` is the
/// CSV column mapping (see [`csv::Mapping`]).
pub fn reader(
    format: InputFormat,
    mut input: Input,
    columns: Option<csv::Mapping>,
) -> Result<Box<dyn Reader + Send>> {
    let format = match format {
        InputFormat::Auto => {
            let head = input
                .lines
                .fill_buf()
                .map_err(|e| Error::new(ErrorKind::Io, format!("reading the input: {e}")))?;
            let first = head
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .map(|i| &head[i..])
                .unwrap_or_default();
            if first.starts_with(b"#separator") || first.starts_with(b"#fields") {
                InputFormat::Zeek
            } else if first.starts_with(b"{") {
                InputFormat::Json
            } else if columns.is_some() {
                InputFormat::Csv
            } else {
                InputFormat::Plain
            }
        }
        other => other,
    };
    Ok(match format {
        InputFormat::Json => Box::new(json::JsonReader::new(input)),
        InputFormat::Zeek => Box::new(zeek::ZeekReader::new(input)),
        InputFormat::Csv => {
            let mapping = columns.ok_or_else(|| {
                Error::new(
                    ErrorKind::BadConfig,
                    "CSV input needs a column mapping (--column)",
                )
            })?;
            Box::new(csv::CsvReader::new(input, mapping)?)
        }
        InputFormat::Plain | InputFormat::Auto => Box::new(plain::PlainReader::new(input)),
    })
}
