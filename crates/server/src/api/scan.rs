//! `POST /api/v1/scan`: a log scanned against the active indicators the caller may see, as
//! `charter scan` scans it and through the same loop (`charter_intel::scan`).
//!
//! The body is the log (any format `charter scan` reads, gzip or not, told by its magic
//! bytes), at most [`MAX_SCAN_BODY`] bytes: a larger one is refused with 413. The query
//! string takes `format` (`auto`, `json`, `zeek`, `csv`, `plain`; default `auto`),
//! `columns` (the CSV column mapping, `COLUMN=KIND` items, repeatable or comma-separated),
//! `collection` (repeatable or comma-separated; default every collection the caller may
//! read), `include_warninglisted` and `report` (`true` or `false`, default `false`) and
//! `report_collection` (where sightings go; default the default collection). Collections
//! are those of the default API root, as for lookups. A bad parameter is refused with 400
//! naming it, before the body is read; nothing is scanned or reported.
//!
//! The answer: `{"records", "values", "match_count", "matches": [{"indicator", "name",
//! "tlp", "value", "position"}], "bad_records", "errors", "sightings"}`. `matches` lists
//! the first [`MAX_LISTED_MATCHES`] hits (`match_count` counts them all); `errors` holds
//! the messages of the first malformed records, which are skipped; `sightings` is the
//! status of the sightings submitted with `report=true` (one per matched indicator,
//! sighted where the caller's organisation is), `null` when none were asked for or
//! nothing matched.
//!
//! **Invariant (one door):** the indicators come from `Hub::indicators` with the caller's
//! `Viewer`, so a scan matches only what the caller may see, and the release record holds
//! the read. The index build and the scan run on the blocking pool.

use std::io::Cursor;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use bytes::Bytes;
use charter_hub::admin::DEFAULT_COLLECTION_ALIAS;
use charter_hub::input::{self, InputFormat, csv::Mapping};
use charter_hub::scan::{self, Hit, Record, Scanner, Sink, Tally, Totals};
use charter_hub::{ActiveIndicator, Hub, SightingCount};
use serde::Serialize;

use crate::api::intel::{base_filter, pairs};
use crate::api::{Caller, JsonResult, json};
use crate::body;
use crate::error::{ApiError, ErrorCode};
use crate::render::StatusBody;

/// The largest log a scan takes, in bytes (64 MiB).
pub const MAX_SCAN_BODY: u64 = 64 * 1024 * 1024;

/// The most matches one answer lists.
pub const MAX_LISTED_MATCHES: usize = 100_000;

/// The scan a request asks for.
struct Request {
    format: InputFormat,
    columns: Vec<String>,
    filter: charter_hub::IndicatorFilter,
    report: bool,
    report_collection: String,
}

fn boolean(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::parameter(name, value, "is not true or false")),
    }
}

/// The non-empty items of a repeatable, comma-separated parameter.
fn items(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Request {
    fn parse(uri: &Uri) -> Result<(Request, Option<Mapping>), ApiError> {
        let mut request = Request {
            format: InputFormat::Auto,
            columns: Vec::new(),
            filter: base_filter(),
            report: false,
            report_collection: DEFAULT_COLLECTION_ALIAS.to_owned(),
        };
        for (name, value) in pairs(uri)? {
            match name.as_str() {
                "format" => {
                    request.format = match value.as_str() {
                        "auto" => InputFormat::Auto,
                        "json" => InputFormat::Json,
                        "zeek" => InputFormat::Zeek,
                        "csv" => InputFormat::Csv,
                        "plain" => InputFormat::Plain,
                        _ => {
                            return Err(ApiError::parameter(
                                &name,
                                &value,
                                "is not auto, json, zeek, csv or plain",
                            ));
                        }
                    };
                }
                "columns" => request.columns.extend(items(&value)),
                "collection" => request.filter.collections.extend(items(&value)),
                "include_warninglisted" => {
                    request.filter.include_warninglisted = boolean(&name, &value)?;
                }
                "report" => request.report = boolean(&name, &value)?,
                "report_collection" => {
                    if value.trim().is_empty() {
                        return Err(ApiError::parameter(&name, &value, "is empty"));
                    }
                    value.trim().clone_into(&mut request.report_collection);
                }
                _ => {}
            }
        }
        let joined = request.columns.join(",");
        let mapping = if request.columns.is_empty() {
            if request.format == InputFormat::Csv {
                return Err(ApiError::parameter_described(
                    "columns",
                    "",
                    "columns: CSV input needs a column mapping (COLUMN=KIND items)".to_owned(),
                ));
            }
            None
        } else {
            let mapping = Mapping::parse(request.columns.iter().map(String::as_str))
                .map_err(|e| mapping_error(&joined, &e))?;
            Some(mapping)
        };
        Ok((request, mapping))
    }
}

fn mapping_error(value: &str, e: &scan::Error) -> ApiError {
    let message = e.message();
    let message = message.strip_prefix("--column ").unwrap_or(message);
    ApiError::parameter_described("columns", value, format!("columns: {message}"))
}

/// One listed match.
#[derive(Serialize)]
struct MatchBody<'a> {
    indicator: &'a str,
    name: &'a str,
    tlp: &'static str,
    value: &'a str,
    position: u64,
}

/// The answer.
#[derive(Serialize)]
struct ScanBody<'a> {
    records: u64,
    values: u64,
    match_count: u64,
    matches: Vec<MatchBody<'a>>,
    bad_records: u64,
    errors: &'a [String],
    sightings: Option<StatusBody<'a>>,
}

/// The hits of one scan: the first ones listed, all of them tallied.
struct Collected {
    listed: Vec<(u32, String, u64)>,
    tally: Tally,
}

impl Sink for Collected {
    type Error = scan::Error;

    fn hits(&mut self, record: &Record, hits: &[Hit]) -> Result<(), scan::Error> {
        for hit in hits {
            if self.listed.len() < MAX_LISTED_MATCHES {
                self.listed
                    .push((hit.ord, hit.value.clone(), record.position));
            }
        }
        self.tally.add(record.time, hits);
        Ok(())
    }
}

/// Scans `log` against `indicators` (CPU work: run it on the blocking pool).
fn run(
    log: Bytes,
    format: InputFormat,
    mapping: Option<Mapping>,
    indicators: &[ActiveIndicator],
) -> Result<(Totals, Collected), ApiError> {
    let unreadable = |e: scan::Error| match e.kind() {
        scan::ErrorKind::BadConfig => mapping_error("", &e),
        _ => ApiError::new(
            ErrorCode::InvalidRequest,
            format!("the body cannot be read as a log: {}", e.message()),
        ),
    };
    let mut reader = input::open_input(Box::new(Cursor::new(log)))
        .and_then(|i| input::reader(format, i, mapping))
        .map_err(unreadable)?;
    let index = scan::index(indicators.iter().map(|i| &*i.pattern));
    let mut scanner = Scanner::new(&index);
    let mut totals = Totals::default();
    let mut collected = Collected {
        listed: Vec::new(),
        tally: Tally::new(indicators.len(), now_micros()),
    };
    scan::scan(&mut *reader, &mut scanner, &mut totals, &mut collected).map_err(unreadable)?;
    Ok((totals, collected))
}

/// `POST /api/v1/scan`.
pub(super) async fn scan(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> JsonResult<Response> {
    let (request, mapping) = Request::parse(&uri)?;
    let log = body::read_limited(&headers, body, MAX_SCAN_BODY, "the scan limit").await?;
    let indicators = hub.indicators(&viewer, &request.filter).await?.into_inner();
    let format = request.format;
    let (indicators, outcome) = tokio::task::spawn_blocking(move || {
        let outcome = run(log, format, mapping, &indicators);
        (indicators, outcome)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "the scan task failed");
        ApiError::new(ErrorCode::Internal, "the scan failed")
    })?;
    let (totals, collected) = outcome?;
    let counts: Vec<SightingCount> = collected
        .tally
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
        .collect();
    let status = if request.report && !counts.is_empty() {
        Some(
            hub.report_sightings(
                &viewer,
                &request.filter.api_root,
                &request.report_collection,
                &counts,
            )
            .await?,
        )
    } else {
        None
    };
    let matches = collected
        .listed
        .iter()
        .filter_map(|(ord, value, position)| {
            let ind = indicators.get(*ord as usize)?;
            Some(MatchBody {
                indicator: &ind.id,
                name: &ind.name,
                tlp: ind.tlp.name(),
                value,
                position: *position,
            })
        })
        .collect();
    let body = ScanBody {
        records: totals.records,
        values: totals.values,
        match_count: totals.matches,
        matches,
        bad_records: totals.bad_records,
        errors: &totals.errors,
        sightings: status.as_ref().map(StatusBody::new),
    };
    Ok(json(&body)?)
}

/// Now, in microseconds since the epoch: the time of records that carry none.
fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}
