//! The listing of flagged indicators: for each indicator with a flagged version, the
//! latest version the principal may read, when that version is itself flagged, with the
//! lists its values are on.
//!
//! **Invariant (one door):** the listing takes the requesting `Viewer`, reads only the
//! collections it may read, fetches each version through the same audience-filtered,
//! re-checked page as a TAXII read (so an indicator the viewer may not read never shows,
//! nor does its flag), and records every version it lists in the release record.
//!
//! Pages follow the flags, not the indicators: the store lists flagged ids per collection
//! in id order, and `next` names the collection and the last id a page looked at, so a
//! page costs in proportion to the flags it passes over, never to the whole collection.

use std::collections::HashMap;

use base64::Engine;
use charter_policy::TlpLevel;
use charter_store::{CollectionRecord, ObjectQuery, StoredVersion, VersionFilter};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::{Hub, Released, Viewer};

/// Which flagged indicators a listing takes.
#[derive(Debug, Clone, Default)]
pub struct WarningQuery {
    /// The API root of the collections.
    pub api_root: String,
    /// Only these collections (ids or aliases); empty: every collection the principal may
    /// read.
    pub collections: Vec<String>,
    /// Page size; clamped to the node's largest page (the default when absent).
    pub limit: Option<usize>,
    /// The `next` token of a previous page.
    pub next: Option<String>,
}

/// A flagged indicator as the listing shows it.
#[derive(Debug, Clone)]
pub struct FlaggedIndicator {
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
    pub pattern: String,
    /// The warning lists its values are on, sorted.
    pub lists: Vec<String>,
}

/// One page of the listing.
#[derive(Debug, Clone)]
pub struct WarningPage {
    /// The flagged indicators, by collection and then by id.
    pub indicators: Vec<FlaggedIndicator>,
    /// The token for the next page, when more may remain.
    pub next: Option<String>,
}

fn encode_next(collection: &str, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{collection}\n{id}"))
}

fn decode_next(token: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (collection, id) = text.split_once('\n')?;
    Some((collection.to_owned(), id.to_owned()))
}

fn listed(item: &StoredVersion, record: &CollectionRecord, lists: &[String]) -> FlaggedIndicator {
    let value: Value = serde_json::from_str(&item.raw).unwrap_or(Value::Null);
    let text = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    FlaggedIndicator {
        id: item.id.clone(),
        version: item.version.text.clone(),
        name: text("name"),
        collection: record.id.clone(),
        tlp: TlpLevel::parse(&item.tlp).unwrap_or(TlpLevel::Red),
        pattern: text("pattern"),
        lists: lists.to_vec(),
    }
}

impl Hub {
    /// The flagged indicators `viewer` may read, one page at a time; see the module
    /// documentation. Recorded as released.
    pub async fn warnings(
        &self,
        viewer: &Viewer,
        query: &WarningQuery,
    ) -> Result<Released<WarningPage>> {
        let collections = self
            .readable_collections(viewer, &query.api_root, &query.collections)
            .await?;
        let config = self.config();
        let limit = query
            .limit
            .unwrap_or(config.default_page_size)
            .clamp(1, config.max_page_size);
        let (mut start, mut after) = (0, None);
        if let Some(token) = &query.next {
            let refused =
                || Error::invalid(format!("next: '{token}' is not a token this server issued"));
            let (collection, id) = decode_next(token).ok_or_else(refused)?;
            start = collections
                .iter()
                .position(|c| c.id == collection)
                .ok_or_else(refused)?;
            after = Some(id);
        }
        let mut found: Vec<FlaggedIndicator> = Vec::new();
        let mut next = None;
        'collections: for record in &collections[start..] {
            loop {
                let ids = self
                    .store()
                    .flagged_ids(&record.id, after.take(), limit)
                    .await?;
                let Some(last) = ids.last().cloned() else {
                    break;
                };
                let page = self
                    .page_for(
                        viewer,
                        record,
                        ObjectQuery {
                            collection: record.id.clone(),
                            added_after: None,
                            ids: ids.clone(),
                            types: vec!["indicator".to_owned()],
                            versions: VersionFilter::last(),
                            spec_versions: Vec::new(),
                            limit: ids.len(),
                            after: None,
                            with_raw: true,
                            audience: None,
                        },
                    )
                    .await?;
                let flags = self.stored_flags(&record.id, &page.items).await?;
                let mut latest: HashMap<&str, &StoredVersion> =
                    page.items.iter().map(|v| (v.id.as_str(), v)).collect();
                for id in &ids {
                    // Not readable by this viewer, or its latest readable version is not
                    // flagged.
                    let Some(item) = latest.remove(id.as_str()) else {
                        continue;
                    };
                    let Some(lists) = flags.lists(&item.id, &item.version.key) else {
                        continue;
                    };
                    found.push(listed(item, record, lists));
                    if found.len() == limit {
                        next = Some(encode_next(&record.id, id));
                        break 'collections;
                    }
                }
                if ids.len() < limit {
                    break;
                }
                after = Some(last);
            }
        }
        let mut by_collection: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
        for ind in &found {
            match by_collection.iter_mut().find(|(c, _)| *c == ind.collection) {
                Some((_, list)) => list.push((&ind.id, &ind.version)),
                None => by_collection.push((&ind.collection, vec![(&ind.id, &ind.version)])),
            }
        }
        for (collection, list) in by_collection {
            self.record_release(viewer, collection, "warnings", &list)
                .await?;
        }
        Ok(Released::grant(WarningPage {
            indicators: found,
            next,
        }))
    }
}
