//! Readers of the inputs a scan takes, each turning its records into [`Record`]s: values
//! classified by [`Field`], a time, and the record's position in the input.
//!
//! * JSON Lines ([`json`]): STIX observed-data and SCOs, Zeek logs written as JSON, and
//!   Suricata `eve.json`, told apart line by line.
//! * Zeek TSV logs ([`zeek`]): conn, dns, http, files and any log with those fields.
//! * CSV with a column mapping ([`csv`]).
//! * Plain lines of values ([`plain`]), each classified by its form.
//!
//! [`open_input`] reads gzip-compressed input transparently (by its magic bytes), in large
//! blocks from which lines are handed out as bytes (`source`). Readers check as text only
//! what they read: a Zeek line is checked once, and where that fails only its fields that
//! are read, so a byte that is not UTF-8 is a bad record when it is in a value a scan
//! compares and nothing otherwise.

mod bytes;
pub mod csv;
pub mod json;
pub mod plain;
mod source;
pub mod zeek;

use std::ops::Range;

use charter_pattern::index::{Field, Probe, ProbeField};
use serde_json::{Map, Value, json};

pub use source::{Input, open_input};

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
        let value = trim(value);
        if value.is_empty() {
            return;
        }
        let ty = sco_type(&field, value);
        self.push_as(field, value, ty);
    }

    /// [`Self::push`] for a caller that knows the SCO type of the value, `ty`, which must
    /// be [`sco_type`]'s.
    pub(crate) fn push_as(&mut self, field: Field, value: &str, ty: &'static str) {
        let value = trim(value);
        if value.is_empty() {
            return;
        }
        debug_assert_eq!(ty, sco_type(&field, value));
        let start = self.buf.len();
        self.buf.push_str(value);
        self.add_type(ty);
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
        self.add_type(ty);
        self.values.push((field, start..self.buf.len()));
    }

    fn add_type(&mut self, ty: &'static str) {
        // The same constant is nearly always the same pointer: compared first, cheaply.
        let same = |t: &&str| (t.as_ptr() == ty.as_ptr() && t.len() == ty.len()) || *t == ty;
        if !self.types.iter().any(same) {
            self.types.push(ty);
        }
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

/// `value` without white space at either end; a value that starts and ends with a visible
/// ASCII character (nearly every value of a log) is returned without looking further.
pub(crate) fn trim(value: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_graphic());
    let bytes = value.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        value
    } else {
        value.trim()
    }
}

/// The SCO type a value of `field` is held by.
pub(crate) fn sco_type(field: &Field, value: &str) -> &'static str {
    match field {
        Field::Ip if value.as_bytes().contains(&b':') => "ipv6-addr",
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

/// The reader for `format` over `input`; `Auto` looks at the first bytes. `columns` is the
/// CSV column mapping (see [`csv::Mapping`]).
pub fn reader(
    format: InputFormat,
    mut input: Input,
    columns: Option<csv::Mapping>,
) -> Result<Box<dyn Reader + Send>> {
    let format = match format {
        InputFormat::Auto => {
            let head = input.head()?;
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
