//! Reads: API roots, collections, objects, manifests, versions and statuses.
//!
//! **Invariant (one door):** every read takes the requesting `Viewer` and
//! returns `Released<T>`. Object reads pass the viewer's principal keys to
//! the store, which filters in the database (so pages stay exact), and
//! then re-check each version with `charter_policy::may_release` before
//! granting the release and recording it.
//!
//! **Invariant (two forms):** object reads serve the released form, except
//! to members of the organisation that submitted a version, who get it as
//! they submitted it.

use charter_store::{CollectionRecord, ObjectQuery, VersionFilter};
use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::objects::{decode_next, encode_next, object_version, status_from_record};
use crate::{ApiRoot, CollectionInfo, Hub, ObjectFilter, ObjectPage, Released, Status, Viewer};

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
    pub async fn collections(
        &self,
        viewer: &Viewer,
        api_root: &str,
    ) -> Result<Released<Vec<CollectionInfo>>> {
        self.api_root(viewer, api_root).await?;
        let all = self.store().collections(api_root).await?;
        Ok(Released::grant(
            all.into_iter()
                .map(|record| info(viewer, record))
                .filter(|c| c.can_read || c.can_write)
                .collect(),
        ))
    }

    /// One collection, by id or alias; not found unless the viewer has some
    /// right on it, so its existence is not revealed to others.
    pub async fn collection(
        &self,
        viewer: &Viewer,
        api_root: &str,
        id: &str,
    ) -> Result<Released<CollectionInfo>> {
        // A collection found under `api_root` proves the API root exists,
        // so the roots are listed only to tell which of the two is missing:
        // one store read per request instead of two.
        let Some(record) = self.store().collection(api_root, id).await? else {
            self.api_root(viewer, api_root).await?;
            return Err(Error::not_found(format!("collection '{id}'")));
        };
        let info = info(viewer, record);
        if !info.can_read && !info.can_write {
            return Err(Error::not_found(format!("collection '{id}'")));
        }
        Ok(Released::grant(info))
    }

    pub(crate) async fn readable(
        &self,
        viewer: &Viewer,
        api_root: &str,
        id: &str,
    ) -> Result<CollectionRecord> {
        let outcome = self.collection(viewer, api_root, id).await;
        let refused = match &outcome {
            Ok(info) if info.get().can_read => None,
            Ok(_) => Some("no read access to the collection"),
            Err(e) if e.kind() == ErrorKind::NotFound => {
                Some("no such collection visible to the principal")
            }
            Err(_) => None,
        };
        if let Some(reason) = refused {
            self.record_refusal(
                viewer,
                json!({ "api_root": api_root, "collection": id }),
                reason,
            )
            .await;
        }
        let info = outcome?.into_inner();
        if !info.can_read {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "you may not read this collection",
            ));
        }
        Ok(info.record)
    }

    /// The collections of `api_root` named in `names` (ids or aliases), each of which the
    /// viewer must be able to read (a refusal is recorded); with no names, every
    /// collection it may read, in creation order.
    pub(crate) async fn readable_collections(
        &self,
        viewer: &Viewer,
        api_root: &str,
        names: &[String],
    ) -> Result<Vec<CollectionRecord>> {
        if names.is_empty() {
            return Ok(self
                .collections(viewer, api_root)
                .await?
                .into_inner()
                .into_iter()
                .filter(|c| c.can_read)
                .map(|c| c.record)
                .collect());
        }
        let mut list = Vec::with_capacity(names.len());
        for name in names {
            list.push(self.readable(viewer, api_root, name).await?);
        }
        Ok(list)
    }

    /// Reads object versions — with their JSON when `with_raw`, else
    /// metadata only (manifests, version lists) — from a collection the
    /// viewer may read. Only versions in the viewer's audience are returned;
    /// `match[version]` first/last are among those.
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
        let limit = filter
            .limit
            .unwrap_or(config.default_page_size)
            .clamp(1, config.max_page_size);
        let after = filter.next.as_deref().map(decode_next).transpose()?;
        let query = ObjectQuery {
            collection: record.id.clone(),
            added_after: filter
                .added_after
                .as_ref()
                .map(charter_stix::Timestamp::unix_micros),
            ids: filter.ids,
            types: filter.types,
            versions: filter.versions.unwrap_or_else(VersionFilter::last),
            spec_versions: filter.spec_versions,
            limit,
            after,
            with_raw,
            audience: None,
        };
        let page = self.page_for(viewer, &record, query).await?;
        let originals = page.originals;
        let objects: Vec<_> = page.items.into_iter().map(object_version).collect();
        let released: Vec<(&str, &str)> = objects
            .iter()
            .map(|o| (o.id.as_str(), o.version.as_str()))
            .collect();
        let form = match (with_raw, originals) {
            (false, _) => "manifest",
            (true, 0) => "objects",
            // Some versions went out as their submitter's organisation
            // submitted them.
            (true, _) => "objects+originals",
        };
        self.record_release(viewer, &record.id, form, &released)
            .await?;
        Ok(Released::grant(ObjectPage {
            objects,
            next: page.next.map(encode_next),
        }))
    }

    /// One page of `record`'s versions for `viewer`, the one query shape
    /// of every object read (TAXII, exports, scans, lookups): the store
    /// filters by the viewer's keys that a version of this collection can
    /// carry, the versions the viewer's own organisation submitted come in
    /// their submitted form, and each version is checked again before it
    /// is released. `query.collection` and `query.audience` are set here.
    pub(crate) async fn page_for(
        &self,
        viewer: &Viewer,
        record: &CollectionRecord,
        mut query: ObjectQuery,
    ) -> Result<CheckedPage> {
        let audience = viewer.audience_filter();
        query.collection = record.id.clone();
        // Only the keys a version of this collection can carry: the same
        // versions, fewer ranges for the store to merge.
        query.audience = audience.map(|keys| {
            charter_policy::keys_for_collection(keys, &record.id, record.community.as_deref())
        });
        let with_raw = query.with_raw;
        let mut page = self.store().query(query).await?;
        let originals = if with_raw {
            self.submitted_forms(viewer, &record.id, &mut page.items)
                .await?
        } else {
            0
        };
        let items = page
            .items
            .into_iter()
            .filter(|item| {
                // The store filtered already; this is the release check
                // itself, and a disagreement is a defect to report, never a
                // release.
                let ok = audience.is_none_or(|keys| charter_policy::may_release(&item.grants, keys));
                if !ok {
                    tracing::error!(id = %item.id, version = %item.version.text, "store returned a version outside the audience");
                }
                ok
            })
            .collect();
        Ok(CheckedPage {
            items,
            originals,
            next: page.next,
        })
    }

    /// Replaces the released form of the versions that `viewer`'s own
    /// organisation submitted with the form it submitted (invariant: two
    /// forms); returns how many were replaced.
    pub(crate) async fn submitted_forms(
        &self,
        viewer: &Viewer,
        collection: &str,
        items: &mut [charter_store::StoredVersion],
    ) -> Result<usize> {
        let Some(org) = viewer.org() else {
            return Ok(0);
        };
        let own: Vec<(String, String)> = items
            .iter()
            .filter(|v| v.submitter.as_deref() == Some(org))
            .map(|v| (v.id.clone(), v.version.key.clone()))
            .collect();
        if own.is_empty() {
            return Ok(0);
        }
        let found = self.store().originals(collection, own).await?;
        let mut by_version: std::collections::HashMap<(String, String), String> = found
            .into_iter()
            .map(|(id, key, raw)| ((id, key), raw))
            .collect();
        let mut replaced = 0;
        for item in items.iter_mut() {
            if item.submitter.as_deref() != Some(org) {
                continue;
            }
            if let Some(raw) = by_version.remove(&(item.id.clone(), item.version.key.clone())) {
                item.raw = raw;
                replaced += 1;
            }
        }
        Ok(replaced)
    }

    /// A status resource; visible to the principal that made the request and
    /// to administrators.
    pub async fn status(
        &self,
        viewer: &Viewer,
        api_root: &str,
        id: &str,
    ) -> Result<Released<Status>> {
        self.api_root(viewer, api_root).await?;
        let record = self
            .store()
            .status(id)
            .await?
            .filter(|s| viewer.is_admin() || s.owner == viewer.username())
            .ok_or_else(|| Error::not_found(format!("status '{id}'")))?;
        let collection = self
            .store()
            .collection(api_root, &record.collection)
            .await?;
        let mut status = status_from_record(record);
        if let Some(collection) = collection {
            self.flag_status(viewer, &collection, &mut status, &Default::default())
                .await?;
        }
        Ok(Released::grant(status))
    }
}

/// A page of versions that passed the release check, not yet released.
pub(crate) struct CheckedPage {
    /// The versions, in `date_added` order.
    pub(crate) items: Vec<charter_store::StoredVersion>,
    /// How many are in their submitted form.
    pub(crate) originals: usize,
    /// Where the next page starts.
    pub(crate) next: Option<charter_store::Cursor>,
}

fn info(viewer: &Viewer, record: CollectionRecord) -> CollectionInfo {
    CollectionInfo {
        can_read: viewer.can_read(&record),
        can_write: viewer.can_write(&record),
        record,
    }
}
