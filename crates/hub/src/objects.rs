//! Object reads and writes: the TAXII resources as plain Rust values.

use charter_stix::{Severity, StixObject, Timestamp};
use charter_store::{
    CollectionRecord, Cursor, NewVersion, ObjectQuery, StatusRecord, StoredVersion, VersionFilter,
    VersionStamp,
};
use serde_json::value::RawValue;

use crate::error::{Error, ErrorKind, Result};
use crate::{Hub, Released, Viewer, STIX_MEDIA_TYPE};

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
    /// Why it failed, for failures.
    pub message: Option<String>,
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
}

fn now_micros() -> i64 {
    let now = std::time::SystemTime::now();
    match now.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_micros()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

fn details(list: Vec<charter_store::StatusDetail>) -> Vec<StatusDetail> {
    list.into_iter()
        .map(|d| StatusDetail { id: d.id, version: d.version, message: d.message })
        .collect()
}

fn status_from_record(record: StatusRecord) -> Status {
    Status {
        id: record.id,
        status: if record.pendings.is_empty() { "complete" } else { "pending" },
        request_timestamp: Timestamp::from_unix_micros(record.request_timestamp),
        successes: details(record.successes),
        failures: details(record.failures),
        pendings: details(record.pendings),
    }
}

/// Encodes a cursor as an opaque `next` token.
fn encode_next(cursor: Cursor) -> String {
    format!("c{:x}", cursor.0)
}

fn decode_next(token: &str) -> Result<Cursor> {
    token
        .strip_prefix('c')
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .map(Cursor)
        .ok_or_else(|| Error::invalid(format!("next: '{token}' is not a token this server issued")))
}

/// The best id to name a rejected object by: its `id` if it has a string one.
fn id_hint(raw: &RawValue) -> String {
    #[derive(serde::Deserialize)]
    struct Probe {
        id: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Probe>(raw.get()) {
        Ok(Probe { id: Some(serde_json::Value::String(id)) }) => id,
        _ => "(no id)".to_owned(),
    }
}

/// Checks one submitted object; on success returns what the store needs.
fn admit(raw: Box<RawValue>) -> std::result::Result<NewVersion, (String, String, String)> {
    let hint = id_hint(&raw);
    let object = StixObject::parse(raw).map_err(|d| (hint.clone(), String::new(), d.to_string()))?;
    let version = object.modified().or(object.created()).cloned();
    let version_text = version.as_ref().map(|t| t.as_str().to_owned()).unwrap_or_default();
    let fail = |message: String| (object.id().to_owned(), version_text.clone(), message);
    let errors: Vec<String> = charter_stix::validate(&object)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(fail(errors.join("; ")));
    }
    if object.object_type() == "bundle" {
        return Err(fail("a bundle cannot be stored as an object; post its objects".to_owned()));
    }
    if object.object_type() == "indicator" {
        let value = object.value();
        if value.get("pattern_type").and_then(|v| v.as_str()) == Some("stix") {
            if let Some(pattern) = value.get("pattern").and_then(|v| v.as_str()) {
                if let Err(e) = charter_pattern::validate(pattern) {
                    return Err(fail(format!("pattern: {}", e.message())));
                }
            }
        }
    }
    Ok(NewVersion {
        id: object.id().to_owned(),
        object_type: object.object_type().to_owned(),
        spec_version: object.spec_version().unwrap_or("2.1").to_owned(),
        version: version.map(|t| VersionStamp { key: t.sort_key(), text: t.as_str().to_owned() }),
        raw: object.raw().get().to_owned(),
    })
}

impl Hub {
    /// The API roots of this node.
    pub async fn api_roots(&self, _viewer: &Viewer) -> Result<Released<Vec<ApiRoot>>> {
        let roots = self.store().api_roots().await?;
        let max = self.config().max_content_length;
        Ok(Released::grant(
            roots
                .into_iter()
                .map(|r| ApiRoot {
                    name: r.name,
                    title: r.title,
                    description: r.description,
                    max_content_length: max,
                })
                .collect(),
        ))
    }

    /// One API root.
    pub async fn api_root(&self, viewer: &Viewer, name: &str) -> Result<Released<ApiRoot>> {
        let roots = self.api_roots(viewer).await?.into_inner();
        roots
            .into_iter()
            .find(|r| r.name == name)
            .map(Released::grant)
            .ok_or_else(|| Error::not_found(format!("API root '{name}'")))
    }

    /// The collections of an API root on which the viewer has any right.
    pub async fn collections(&self, viewer: &Viewer, api_root: &str) -> Result<Released<Vec<CollectionInfo>>> {
        self.api_root(viewer, api_root).await?;
        let all = self.store().collections(api_root).await?;
        Ok(Released::grant(
            all.into_iter()
                .map(|record| CollectionInfo {
                    can_read: viewer.can_read(&record.id),
                    can_write: viewer.can_write(&record.id),
                    record,
                })
                .filter(|c| c.can_read || c.can_write)
                .collect(),
        ))
    }

    /// One collection, by id or alias; not found unless the viewer has some
    /// right on it, so its existence is not revealed to others.
    pub async fn collection(&self, viewer: &Viewer, api_root: &str, id: &str) -> Result<Released<CollectionInfo>> {
        self.api_root(viewer, api_root).await?;
        let record = self
            .store()
            .collection(api_root, id)
            .await?
            .ok_or_else(|| Error::not_found(format!("collection '{id}'")))?;
        let info = CollectionInfo {
            can_read: viewer.can_read(&record.id),
            can_write: viewer.can_write(&record.id),
            record,
        };
        if !info.can_read && !info.can_write {
            return Err(Error::not_found(format!("collection '{id}'")));
        }
        Ok(Released::grant(info))
    }

    async fn readable(&self, viewer: &Viewer, api_root: &str, id: &str) -> Result<CollectionRecord> {
        let info = self.collection(viewer, api_root, id).await?.into_inner();
        if !info.can_read {
            return Err(Error::new(ErrorKind::Forbidden, "you may not read this collection"));
        }
        Ok(info.record)
    }

    /// Reads object versions (with their JSON when `with_raw`, else for a
    /// manifest) from a collection the viewer may read.
    pub async fn objects(
        &self,
        viewer: &Viewer,
        api_root: &str,
        collection: &str,
        filter: ObjectFilter,
        with_raw: bool,
    ) -> Result<Released<ObjectPage>> {
        let record = self.readable(viewer, api_root, collection).await?;
        let config = self.config();
        let limit = filter.limit.unwrap_or(config.default_page_size).clamp(1, config.max_page_size);
        let after = filter.next.as_deref().map(decode_next).transpose()?;
        let query = ObjectQuery {
            collection: record.id,
            added_after: filter.added_after.as_ref().map(Timestamp::unix_micros),
            ids: filter.ids,
            types: filter.types,
            versions: filter.versions.unwrap_or_else(VersionFilter::last),
            spec_versions: filter.spec_versions,
            limit,
            after,
            with_raw,
        };
        let page = self.store().query(query).await?;
        let objects = page.items.into_iter().map(object_version).collect();
        Ok(Released::grant(ObjectPage { objects, next: page.next.map(encode_next) }))
    }

    /// Adds the objects of an envelope to a collection the viewer may write.
    /// Each object is checked on its own; the status lists every failure
    /// with its reason and is returned only after the valid objects are
    /// committed.
    pub async fn add_objects(
        &self,
        viewer: &Viewer,
        api_root: &str,
        collection: &str,
        objects: Vec<Box<RawValue>>,
    ) -> Result<Released<Status>> {
        let info = self.collection(viewer, api_root, collection).await?.into_inner();
        if !info.can_write {
            return Err(Error::new(ErrorKind::Forbidden, "you may not write to this collection"));
        }
        let max = self.config().max_objects_per_envelope;
        if objects.len() > max {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("the envelope carries {} objects; this server accepts at most {max}", objects.len()),
            ));
        }
        let request_timestamp = now_micros();
        let (versions, failures) = tokio::task::spawn_blocking(move || {
            let mut versions = Vec::with_capacity(objects.len());
            let mut failures = Vec::new();
            for raw in objects {
                match admit(raw) {
                    Ok(v) => versions.push(v),
                    Err((id, version, message)) => {
                        failures.push(charter_store::StatusDetail { id, version, message: Some(message) })
                    }
                }
            }
            (versions, failures)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "validation task failed");
            Error::new(ErrorKind::Internal, "validation failed")
        })?;
        let status = StatusRecord {
            id: uuid::Uuid::new_v4().to_string(),
            collection: info.record.id,
            owner: viewer.username().to_owned(),
            request_timestamp,
            successes: Vec::new(),
            failures,
            pendings: Vec::new(),
        };
        let status_id = status.id.clone();
        self.store().add_objects(versions, status).await?;
        let record = self
            .store()
            .status(&status_id)
            .await?
            .ok_or_else(|| Error::new(ErrorKind::Internal, "status was not recorded"))?;
        Ok(Released::grant(status_from_record(record)))
    }

    /// Deletes the selected versions of an object. Needs write access.
    pub async fn delete_object(
        &self,
        viewer: &Viewer,
        api_root: &str,
        collection: &str,
        id: &str,
        versions: Option<VersionFilter>,
    ) -> Result<()> {
        let info = self.collection(viewer, api_root, collection).await?.into_inner();
        if !info.can_write || !info.can_read {
            return Err(Error::new(ErrorKind::Forbidden, "you may not delete from this collection"));
        }
        let versions = versions.unwrap_or(VersionFilter { all: true, ..Default::default() });
        let removed = self.store().delete_object(&info.record.id, id, versions).await?;
        if removed == 0 {
            return Err(Error::not_found(format!("object '{id}'")));
        }
        Ok(())
    }

    /// A status resource; visible to the principal that made the request and
    /// to administrators.
    pub async fn status(&self, viewer: &Viewer, api_root: &str, id: &str) -> Result<Released<Status>> {
        self.api_root(viewer, api_root).await?;
        let record = self
            .store()
            .status(id)
            .await?
            .filter(|s| viewer.is_admin() || s.owner == viewer.username())
            .ok_or_else(|| Error::not_found(format!("status '{id}'")))?;
        Ok(Released::grant(status_from_record(record)))
    }
}

fn object_version(v: StoredVersion) -> ObjectVersion {
    ObjectVersion {
        id: v.id,
        date_added: Timestamp::from_unix_micros(v.date_added),
        version: v.version.text,
        media_type: STIX_MEDIA_TYPE,
        raw: v.raw,
    }
}
