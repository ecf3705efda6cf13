//! CSV with a column mapping: `COLUMN=KIND` pairs, where COLUMN is a header name or a
//! 1-based column number and KIND is `ip`, `domain`, `url`, `email`, `hash`, `host`,
//! `time` (RFC 3339 or epoch seconds) or a STIX `type:property` path. With header names the
//! first row is the header.

use charter_pattern::index::Field;

use super::{Input, Reader, Record};
use crate::{Error, ErrorKind, Result};

/// What one CSV column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Value(Field),
    Host,
    Time,
}

/// A column, by name or number.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Name(String),
    Number(usize),
}

/// A column mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    columns: Vec<(Column, Kind)>,
}

impl Mapping {
    /// Parses `COLUMN=KIND` items.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<Mapping> {
        let mut columns = Vec::new();
        for item in items {
            let bad =
                |why: &str| Error::new(ErrorKind::BadConfig, format!("--column '{item}': {why}"));
            let (col, kind) = item
                .split_once('=')
                .ok_or_else(|| bad("expected COLUMN=KIND"))?;
            let col = col.trim();
            if col.is_empty() {
                return Err(bad("the column is empty"));
            }
            let column = match col.parse::<usize>() {
                Ok(0) => return Err(bad("columns are numbered from 1")),
                Ok(n) => Column::Number(n - 1),
                Err(_) => Column::Name(col.to_owned()),
            };
            let kind = match kind.trim() {
                "ip" => Kind::Value(Field::Ip),
                "domain" => Kind::Value(Field::Domain),
                "url" => Kind::Value(Field::Url),
                "email" => Kind::Value(Field::Email),
                "hash" => Kind::Value(Field::Hash),
                "host" => Kind::Host,
                "time" => Kind::Time,
                path if path.contains(':') => {
                    let (ty, prop) = path.split_once(':').unwrap_or_default();
                    let keys: Vec<&str> = prop.split('.').collect();
                    Kind::Value(Field::of_parts(ty, &keys))
                }
                other => {
                    return Err(bad(&format!(
                        "'{other}' is not ip, domain, url, email, hash, host, time or a type:property path"
                    )));
                }
            };
            columns.push((column, kind));
        }
        if columns.is_empty() {
            return Err(Error::new(ErrorKind::BadConfig, "an empty column mapping"));
        }
        Ok(Mapping { columns })
    }

    fn has_names(&self) -> bool {
        self.columns
            .iter()
            .any(|(c, _)| matches!(c, Column::Name(_)))
    }
}

/// A reader of CSV records.
pub struct CsvReader {
    reader: ::csv::Reader<Input>,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
    columns: Vec<(usize, Kind)>,
    row: ::csv::StringRecord,
}

impl CsvReader {
    /// A reader over `input` with `mapping`; header names must be in the first row.
    pub fn new(input: Input, mapping: Mapping) -> Result<CsvReader> {
        let has_headers = mapping.has_names();
        let count = input.count.clone();
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(has_headers)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(input);
        let headers = if has_headers {
            reader
                .headers()
                .map_err(|e| Error::new(ErrorKind::BadRecord, format!("CSV header: {e}")))?
                .clone()
        } else {
            ::csv::StringRecord::new()
        };
        let mut columns = Vec::new();
        for (column, kind) in mapping.columns {
            let index =
                match column {
                    Column::Number(n) => n,
                    Column::Name(name) => headers
                        .iter()
                        .position(|h| h.trim() == name)
                        .ok_or_else(|| {
                            Error::new(
                                ErrorKind::BadConfig,
                                format!("--column: no column '{name}' in the CSV header"),
                            )
                        })?,
                };
            columns.push((index, kind));
        }
        Ok(CsvReader {
            reader,
            count,
            columns,
            row: ::csv::StringRecord::new(),
        })
    }
}

impl Reader for CsvReader {
    fn next_record(&mut self, record: &mut Record) -> Result<bool> {
        let more = self.reader.read_record(&mut self.row).map_err(|e| {
            let line = e.position().map_or(0, ::csv::Position::line);
            Error::new(ErrorKind::BadRecord, format!("line {line}: CSV: {e}"))
        })?;
        if !more {
            return Ok(false);
        }
        record.clear();
        record.position = self.row.position().map_or(0, ::csv::Position::line);
        for (index, kind) in &self.columns {
            let Some(value) = self.row.get(*index) else {
                continue;
            };
            match kind {
                Kind::Value(field) => record.push(field.clone(), value),
                Kind::Host => super::zeek::push_host(record, value),
                Kind::Time => {
                    if let Some(t) = crate::time::parse_rfc3339(value)
                        .or_else(|| crate::time::parse_epoch_seconds(value))
                    {
                        record.time = t;
                    }
                }
            }
        }
        Ok(true)
    }

    fn bytes_read(&self) -> u64 {
        self.count.load(std::sync::atomic::Ordering::Relaxed)
    }
}
