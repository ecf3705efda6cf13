//! Acting on intelligence through the one door: the active indicators a principal may see
//! (for scans) and exports for sensors. Lookups of values against them keep a long-lived
//! index (`crate::lookup`) over the same reads.
//!
//! **Invariant (one door):** every function here takes the requesting `Viewer`, reads only
//! the collections it may read, asks the store for the versions in its audience (the same
//! query as a TAXII read), re-checks each with `charter_policy::may_release`, records in the
//! release record exactly the versions it hands out (all active indicators for a scan or an
//! export, only the matching ones for a lookup), and returns `Released<T>`.
//!
//! An indicator is *active* at an instant when its latest version visible to the principal
//! has `valid_from` ≤ that instant < `valid_until` and is not revoked; a revocation is a
//! newer version, so it takes effect on the next read.
//!
//! Warning lists (MISP format, `warninglists = "DIR"` in the configuration) flag an
//! indicator whose value is on one. The flags are computed when a version is stored and
//! read here from the store (see `warnings`); flagged indicators are left out of scans and
//! exports unless the caller asks for them, and lookups show the flag.

use std::sync::Arc;

use charter_intel::export::{SensorFormat, SensorValue};
use charter_pattern::index::{Field, exact_values};
use charter_policy::TlpLevel;
use charter_stix::Timestamp;
use charter_store::{ObjectQuery, VersionFilter};
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::objects::now_micros;
use crate::{Hub, Released, Viewer};

/// Which indicators a scan, lookup or export takes.
#[derive(Debug, Clone, Default)]
pub struct IndicatorFilter {
    /// The API root of the collections.
    pub api_root: String,
    /// Only these collections (ids or aliases); empty: every collection the principal may
    /// read.
    pub collections: Vec<String>,
    /// Only values of these kinds: `ip`, `domain`, `url`, `email`, `hash` (empty: all).
    pub kinds: Vec<String>,
    /// Only versions at or below this TLP level.
    pub max_tlp: Option<TlpLevel>,
    /// Active at this instant (default: now).
    pub at: Option<Timestamp>,
    /// Keep indicators whose value is on a warning list (flagged).
    pub include_warninglisted: bool,
}

/// An active indicator as a scan, lookup or export sees it.
#[derive(Debug, Clone)]
pub struct ActiveIndicator {
    /// The STIX id.
    pub id: String,
    /// The version (`modified`).
    pub version: String,
    /// The indicator's `name`, or empty.
    pub name: String,
    /// The collection it was read from.
    pub collection: String,
    /// The version's TLP level.
    pub tlp: TlpLevel,
    /// The STIX pattern.
    pub pattern: Arc<charter_pattern::Pattern>,
    /// The values a sensor can load, when the pattern is a list of equalities.
    pub values: Option<Vec<(Field, String)>>,
    /// The warning list one of its values is on (the first by name of its stored flags).
    pub warning: Option<String>,
}

/// A rendered export.
#[derive(Debug, Clone)]
pub struct SensorExport {
    /// The text.
    pub text: String,
    /// The highest TLP of its contents (`None` when empty).
    pub highest_tlp: Option<TlpLevel>,
    /// How many values it holds.
    pub values: usize,
}

impl Hub {
    /// The active indicators `viewer` may see, for a scan. Recorded as released.
    pub async fn indicators(
        &self,
        viewer: &Viewer,
        filter: &IndicatorFilter,
    ) -> Result<Released<Vec<ActiveIndicator>>> {
        let found = self.gather(viewer, filter).await?;
        self.record_all(viewer, "indicators", &found).await?;
        Ok(Released::grant(found))
    }

    /// An export for sensors of the active indicators `viewer` may see.
    pub async fn sensor_export(
        &self,
        viewer: &Viewer,
        filter: &IndicatorFilter,
        format: SensorFormat,
        sid_base: u64,
    ) -> Result<Released<SensorExport>> {
        let found = self.gather(viewer, filter).await?;
        let kinds = &filter.kinds;
        let mut values = Vec::new();
        let mut exported = Vec::new();
        let mut highest = None;
        for ind in found {
            let Some(list) = &ind.values else {
                continue;
            };
            let before = values.len();
            for (field, value) in list {
                if !kinds.is_empty() && !kinds.iter().any(|k| k == field.name()) {
                    continue;
                }
                if matches!(field, Field::Other(_)) {
                    continue;
                }
                values.push(SensorValue {
                    id: ind.id.clone(),
                    name: ind.name.clone(),
                    tlp: ind.tlp.name().to_owned(),
                    field: field.clone(),
                    value: value.clone(),
                    warning: ind.warning.clone(),
                });
            }
            if values.len() > before {
                highest = highest.max(Some(ind.tlp));
                exported.push(ind);
            }
        }
        let mut out = Vec::new();
        let tlp = highest.map_or("none (empty export)", TlpLevel::name);
        charter_intel::export::write(format, &values, tlp, sid_base, &mut out)
            .map_err(|e| Error::new(ErrorKind::Internal, format!("rendering the export: {e}")))?;
        let text = String::from_utf8(out)
            .map_err(|_| Error::new(ErrorKind::Internal, "the export is not UTF-8"))?;
        self.record_all(viewer, &format!("export:{}", format.name()), &exported)
            .await?;
        Ok(Released::grant(SensorExport {
            text,
            highest_tlp: highest,
            values: values.len(),
        }))
    }

    /// Records the release of `found`, one entry per collection.
    pub(crate) async fn record_all(
        &self,
        viewer: &Viewer,
        form: &str,
        found: &[ActiveIndicator],
    ) -> Result<()> {
        let mut by_collection: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
        for ind in found {
            match by_collection.iter_mut().find(|(c, _)| *c == ind.collection) {
                Some((_, list)) => list.push((&ind.id, &ind.version)),
                None => by_collection.push((&ind.collection, vec![(&ind.id, &ind.version)])),
            }
        }
        for (collection, list) in by_collection {
            self.record_release(viewer, collection, form, &list).await?;
        }
        Ok(())
    }

    /// The active indicators `viewer` may see under `filter`, not yet recorded.
    async fn gather(
        &self,
        viewer: &Viewer,
        filter: &IndicatorFilter,
    ) -> Result<Vec<ActiveIndicator>> {
        let collections = self
            .readable_collections(viewer, &filter.api_root, &filter.collections)
            .await?;
        let at = filter
            .at
            .as_ref()
            .map_or_else(now_micros, Timestamp::unix_micros);
        let mut found = Vec::new();
        for record in collections {
            let mut after = None;
            loop {
                let query = ObjectQuery {
                    collection: record.id.clone(),
                    added_after: None,
                    ids: Vec::new(),
                    types: vec!["indicator".to_owned()],
                    versions: VersionFilter::last(),
                    spec_versions: Vec::new(),
                    limit: self.config().max_page_size,
                    after,
                    with_raw: true,
                    audience: None,
                };
                // The same keys, forms and re-check as a TAXII read.
                let page = self.page_for(viewer, &record, query).await?;
                let flags = self.stored_flags(&record.id, &page.items).await?;
                for item in page.items {
                    let tlp = TlpLevel::parse(&item.tlp).unwrap_or(TlpLevel::Red);
                    if filter.max_tlp.is_some_and(|max| tlp > max) {
                        continue;
                    }
                    let warning = flags.first_list(&item.id, &item.version.key);
                    if let Some(ind) = active(
                        &item.raw,
                        at,
                        &record.id,
                        tlp,
                        item.version.text.clone(),
                        warning,
                    ) {
                        if ind.warning.is_some() && !filter.include_warninglisted {
                            continue;
                        }
                        if !filter.kinds.is_empty()
                            && !ind.values.as_ref().is_some_and(|vs| {
                                vs.iter()
                                    .any(|(f, _)| filter.kinds.iter().any(|k| k == f.name()))
                            })
                        {
                            continue;
                        }
                        found.push(ind);
                    }
                }
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        Ok(found)
    }
}

/// When an indicator is valid: its `valid_from` and `valid_until` in microseconds since the
/// epoch (either may be absent, or unreadable, and then does not limit it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Validity {
    from: Option<i64>,
    until: Option<i64>,
}

impl Validity {
    /// Whether the indicator is valid at `at`: `valid_from` ≤ `at` < `valid_until`.
    pub(crate) fn holds_at(self, at: i64) -> bool {
        !(self.from.is_some_and(|f| f > at) || self.until.is_some_and(|u| u <= at))
    }
}

/// The indicator in `raw` if it is a STIX-pattern indicator active at `at`.
fn active(
    raw: &str,
    at: i64,
    collection: &str,
    tlp: TlpLevel,
    version: String,
    warning: Option<String>,
) -> Option<ActiveIndicator> {
    indicator(raw, collection, tlp, version, warning)
        .and_then(|(ind, validity)| validity.holds_at(at).then_some(ind))
}

/// The indicator in `raw` and when it is valid, if it is a STIX-pattern indicator that is
/// not revoked; `None` for anything else (another type, another pattern language, a
/// revocation, a pattern that does not parse).
pub(crate) fn indicator(
    raw: &str,
    collection: &str,
    tlp: TlpLevel,
    version: String,
    warning: Option<String>,
) -> Option<(ActiveIndicator, Validity)> {
    let v: Value = serde_json::from_str(raw).ok()?;
    let s = |k: &str| v.get(k).and_then(Value::as_str);
    if s("type") != Some("indicator") || s("pattern_type") != Some("stix") {
        return None;
    }
    if v.get("revoked").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let micros = |k: &str| {
        s(k).and_then(|t| Timestamp::parse(t).ok())
            .map(|t| t.unix_micros())
    };
    let validity = Validity {
        from: micros("valid_from"),
        until: micros("valid_until"),
    };
    let pattern = charter_pattern::parse(s("pattern")?).ok()?;
    let values = exact_values(&pattern);
    let found = ActiveIndicator {
        id: s("id")?.to_owned(),
        version,
        name: s("name").unwrap_or_default().to_owned(),
        collection: collection.to_owned(),
        tlp,
        pattern: Arc::new(pattern),
        values,
        warning,
    };
    Some((found, validity))
}

/// How often one indicator was seen by a scan, for a sighting.
#[derive(Debug, Clone)]
pub struct SightingCount {
    /// The indicator's STIX id.
    pub indicator: String,
    /// How many times it matched.
    pub count: u64,
    /// The first time it was seen, in microseconds since the epoch.
    pub first_seen: i64,
    /// The last time it was seen, in microseconds since the epoch.
    pub last_seen: i64,
}

impl Hub {
    /// Submits one STIX sighting per entry of `counts` to `collection`, sighted where the
    /// viewer's organisation is (its STIX identity in `where_sighted_refs`), through the
    /// ordinary write path. The viewer must belong to an organisation.
    pub async fn report_sightings(
        &self,
        viewer: &Viewer,
        api_root: &str,
        collection: &str,
        counts: &[SightingCount],
    ) -> Result<Released<crate::Status>> {
        let org = viewer.org().ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidInput,
                "sightings name the member that saw them: act as a member of an organisation",
            )
        })?;
        let identity = self
            .store()
            .orgs()
            .await?
            .into_iter()
            .find(|o| o.id == org)
            .map(|o| o.identity_id)
            .ok_or_else(|| Error::not_found(format!("organisation '{org}'")))?;
        let now = Timestamp::from_unix_micros(now_micros());
        let mut objects = Vec::with_capacity(counts.len());
        for c in counts {
            let first = Timestamp::from_unix_micros(c.first_seen.min(c.last_seen));
            let last = Timestamp::from_unix_micros(c.last_seen.max(c.first_seen));
            let sighting = serde_json::json!({
                "type": "sighting",
                "spec_version": "2.1",
                "id": format!("sighting--{}", uuid::Uuid::new_v4()),
                "created": now.as_str(),
                "modified": now.as_str(),
                "sighting_of_ref": c.indicator,
                "count": c.count.min(999_999_999),
                "first_seen": first.as_str(),
                "last_seen": last.as_str(),
                "where_sighted_refs": [identity],
            });
            let raw = serde_json::value::RawValue::from_string(sighting.to_string())
                .map_err(|e| Error::new(ErrorKind::Internal, format!("a sighting: {e}")))?;
            objects.push(raw);
        }
        self.add_objects(
            viewer,
            api_root,
            collection,
            objects,
            &crate::Submission::default(),
        )
        .await
    }
}
