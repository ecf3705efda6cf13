//! The TAXII resources as plain Rust values, and the small conversions
//! between them and the store's records. Reads are in `read.rs`, writes in
//! `write.rs`.

use charter_stix::Timestamp;
use charter_store::{CollectionRecord, Cursor, StatusRecord, StoredVersion, VersionFilter};

use crate::STIX_MEDIA_TYPE;
use crate::error::{Error, Result};

/// An API root, with the limits a client needs.
#[derive(Debug, Clone)]
pub struct ApiRoot {
    /// The path segment it is served under.
    pub name: String,
    /// Human-readable title.
    pub title: String,
    /// Optional description.
    pub description: Option<String>,
    /// The largest request body the root accepts.
    pub max_content_length: u64,
}

/// A collection as one viewer sees it.
#[derive(Debug, Clone)]
pub struct CollectionInfo {
    /// The collection.
    pub record: CollectionRecord,
    /// Whether the viewer may read it.
    pub can_read: bool,
    /// Whether the viewer may write to it.
    pub can_write: bool,
}

/// What a submitter says about a submission beyond the objects themselves.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    /// For TLP:RED objects, the organisations (ids or names) that may
    /// receive them.
    pub recipients: Vec<String>,
    /// Whether the released form names the submitter (`Some(true)`) or the
    /// node's pseudonym for its sector and country (`Some(false)`); `None`
    /// takes the organisation's own setting (anonymous unless it opted in).
    pub attribution: Option<bool>,
}

/// Filters of an object, manifest or versions read (TAXII's URL parameters,
/// already parsed).
#[derive(Debug, Clone, Default)]
pub struct ObjectFilter {
    /// Only versions added after this instant.
    pub added_after: Option<Timestamp>,
    /// Only these ids.
    pub ids: Vec<String>,
    /// Only these types.
    pub types: Vec<String>,
    /// Which versions; `None` means TAXII's default (the latest).
    pub versions: Option<VersionFilter>,
    /// Only these spec versions.
    pub spec_versions: Vec<String>,
    /// Page size; clamped to the node's maximum.
    pub limit: Option<usize>,
    /// The `next` token of a previous page.
    pub next: Option<String>,
}

/// One object version in a read.
#[derive(Debug, Clone)]
pub struct ObjectVersion {
    /// The STIX id.
    pub id: String,
    /// When this node added the version.
    pub date_added: Timestamp,
    /// The version's timestamp text.
    pub version: String,
    /// The media type (always STIX 2.1).
    pub media_type: &'static str,
    /// The version's TLP level.
    pub tlp: charter_policy::TlpLevel,
    /// The verbatim JSON (empty for manifest reads).
    pub raw: String,
}

/// One page of a read.
#[derive(Debug, Clone)]
pub struct ObjectPage {
    /// The versions, in `date_added` order.
    pub objects: Vec<ObjectVersion>,
    /// The token for the next page, when more remain.
    pub next: Option<String>,
}

impl ObjectPage {
    /// The `date_added` of the first version in the page.
    pub fn date_added_first(&self) -> Option<&Timestamp> {
        self.objects.first().map(|o| &o.date_added)
    }

    /// The `date_added` of the last version in the page.
    pub fn date_added_last(&self) -> Option<&Timestamp> {
        self.objects.last().map(|o| &o.date_added)
    }
}

/// A per-object line of a status.
#[derive(Debug, Clone)]
pub struct StatusDetail {
    /// The object id.
    pub id: String,
    /// The object version.
    pub version: String,
    /// Why it failed, for failures; for a stored indicator on warning lists, which.
    pub message: Option<String>,
    /// For a stored indicator, the warning lists its values are on (its stored flags),
    /// sorted; empty otherwise.
    pub warnings: Vec<String>,
}

/// A TAXII status resource.
#[derive(Debug, Clone)]
pub struct Status {
    /// The status id.
    pub id: String,
    /// `complete` or `pending`.
    pub status: &'static str,
    /// When the request arrived.
    pub request_timestamp: Timestamp,
    /// Objects stored.
    pub successes: Vec<StatusDetail>,
    /// Objects rejected, with reasons.
    pub failures: Vec<StatusDetail>,
    /// Objects not yet processed.
    pub pendings: Vec<StatusDetail>,
}

impl Status {
    /// All objects of the request.
    pub fn total_count(&self) -> usize {
        self.successes.len() + self.failures.len() + self.pendings.len()
    }

    /// How many stored objects are on a warning list, and per list how many, by name.
    pub fn flagged(&self) -> (usize, Vec<(&str, usize)>) {
        let mut per_list: Vec<(&str, usize)> = Vec::new();
        let mut flagged = 0;
        for detail in &self.successes {
            if !detail.warnings.is_empty() {
                flagged += 1;
            }
            for list in &detail.warnings {
                match per_list.iter_mut().find(|(name, _)| name == list) {
                    Some((_, n)) => *n += 1,
                    None => per_list.push((list, 1)),
                }
            }
        }
        per_list.sort_unstable();
        (flagged, per_list)
    }
}

/// Now, in microseconds since the Unix epoch.
pub(crate) fn now_micros() -> i64 {
    let now = std::time::SystemTime::now();
    match now.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

fn details(list: Vec<charter_store::StatusDetail>) -> Vec<StatusDetail> {
    list.into_iter()
        .map(|d| StatusDetail {
            id: d.id,
            version: d.version,
            message: d.message,
            warnings: Vec::new(),
        })
        .collect()
}

pub(crate) fn status_from_record(record: StatusRecord) -> Status {
    Status {
        id: record.id,
        status: if record.pendings.is_empty() {
            "complete"
        } else {
            "pending"
        },
        request_timestamp: Timestamp::from_unix_micros(record.request_timestamp),
        successes: details(record.successes),
        failures: details(record.failures),
        pendings: details(record.pendings),
    }
}

/// Encodes a cursor as an opaque `next` token.
pub(crate) fn encode_next(cursor: Cursor) -> String {
    format!("c{:x}", cursor.0)
}

pub(crate) fn decode_next(token: &str) -> Result<Cursor> {
    token
        .strip_prefix('c')
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .map(Cursor)
        .ok_or_else(|| Error::invalid(format!("next: '{token}' is not a token this server issued")))
}

pub(crate) fn object_version(v: StoredVersion) -> ObjectVersion {
    ObjectVersion {
        id: v.id,
        date_added: Timestamp::from_unix_micros(v.date_added),
        version: v.version.text,
        media_type: STIX_MEDIA_TYPE,
        tlp: charter_policy::TlpLevel::parse(&v.tlp).unwrap_or(charter_policy::TlpLevel::Red),
        raw: v.raw,
    }
}
