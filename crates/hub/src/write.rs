//! Writes: adding an envelope of objects, and deleting an object.
//!
//! Every write runs validate → audience → store → audit:
//! each object is parsed and checked on its own (the STIX MUST rules, and
//! the pattern of a STIX indicator, whose values are then checked against
//! the warning lists for its flags), given its TLP level and audience once,
//! checked against onward sharing that would widen the audience of the
//! versions already on the node, and then stored with the status and the
//! release-record entry in one transaction.
//!
//! **Invariant (bad input changes nothing):** a rejected object appears in
//! the status `failures` with its reason; the rest of the envelope is stored.
//! **Invariant (acknowledged means durable):** the status is returned only
//! after the store's commit.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use charter_intel::warninglists::WarningLists;

use charter_policy::{Audience, Grant, TlpLevel};
use charter_stix::{Severity, StixObject};
use charter_store::{
    AuditDraft, CollectionRecord, DeletionAudit, HeldVersion, NewVersion, StatusRecord,
    VersionFilter, VersionStamp,
};
use serde_json::json;
use serde_json::value::RawValue;

use crate::audit::draft;
use crate::error::{Error, ErrorKind, Result};
use crate::objects::{now_micros, status_from_record};
use crate::privacy::{Anonymity, Screened, screen};
use crate::{Hub, Released, Status, Submission, Viewer};

/// A rejected object: id, version and reason.
type Rejection = (String, String, String);

/// A stored indicator's warning lists, by its id and version text.
type VersionFlags = ((String, String), Vec<String>);

/// One object that passed the checks that need nothing but itself.
struct Admitted {
    version: NewVersion,
    tlp: TlpLevel,
    /// The object as submitted, for the privacy filter.
    value: serde_json::Value,
    /// What the privacy filter made of it.
    screened: Screened,
}

/// The best id to name a rejected object by: its `id` if it has a string one.
fn id_hint(raw: &RawValue) -> String {
    #[derive(serde::Deserialize)]
    struct Probe {
        id: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Probe>(raw.get()) {
        Ok(Probe {
            id: Some(serde_json::Value::String(id)),
        }) => id,
        _ => "(no id)".to_owned(),
    }
}

/// The specification's MUST rules that `object` breaks, each as a message.
pub(crate) fn must_errors(object: &StixObject) -> Vec<String> {
    charter_stix::validate(object)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect()
}

/// Checks one submitted object on its own, resolves its TLP level and, for
/// an indicator, the warning lists its values are on.
fn admit(
    raw: Box<RawValue>,
    default_tlp: TlpLevel,
    lists: &WarningLists,
) -> std::result::Result<Admitted, Rejection> {
    let hint = id_hint(&raw);
    let object =
        StixObject::parse(raw).map_err(|d| (hint.clone(), String::new(), d.to_string()))?;
    let version = object.modified().or(object.created()).cloned();
    let version_text = version
        .as_ref()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    let fail = |message: String| (object.id().to_owned(), version_text.clone(), message);
    let errors = must_errors(&object);
    if !errors.is_empty() {
        return Err(fail(errors.join("; ")));
    }
    if object.object_type() == "bundle" {
        return Err(fail(
            "a bundle cannot be stored as an object; post its objects".to_owned(),
        ));
    }
    let mut warnings = Vec::new();
    if object.object_type() == "indicator" {
        let value = object.value();
        if value.get("pattern_type").and_then(|v| v.as_str()) == Some("stix") {
            if let Some(pattern) = value.get("pattern").and_then(|v| v.as_str()) {
                match charter_pattern::validate(pattern) {
                    Ok(parsed) => warnings = crate::warnings::flags_of(&parsed, lists),
                    Err(e) => return Err(fail(format!("pattern: {}", e.message()))),
                }
            }
        }
    }
    let markings = object
        .common()
        .object_marking_refs
        .iter()
        .map(String::as_str);
    let tlp = charter_policy::resolve_tlp(markings, default_tlp);
    Ok(Admitted {
        tlp,
        value: object.value().clone(),
        screened: Screened::default(),
        version: NewVersion {
            id: object.id().to_owned(),
            object_type: object.object_type().to_owned(),
            spec_version: object.spec_version().unwrap_or("2.1").to_owned(),
            version: version.map(|t| VersionStamp {
                key: t.sort_key(),
                text: t.as_str().to_owned(),
            }),
            tlp: tlp.as_str().to_owned(),
            grants: Vec::new(),
            submitter: None,
            raw: object.raw().get().to_owned(),
            original: None,
            warnings,
        },
    })
}

/// Admits every object of an envelope, then screens the admitted ones for
/// personal data with the whole envelope as context.
fn admit_all(
    objects: Vec<Box<RawValue>>,
    default_tlp: TlpLevel,
    policy: &charter_policy::privacy::PrivacyPolicy,
    anonymity: Option<&Anonymity>,
    lists: &WarningLists,
) -> (Vec<Admitted>, Vec<Rejection>) {
    let mut admitted = Vec::with_capacity(objects.len());
    let mut failures = Vec::new();
    for raw in objects {
        match admit(raw, default_tlp, lists) {
            Ok(a) => admitted.push(a),
            Err(rejection) => failures.push(rejection),
        }
    }
    let values: Vec<serde_json::Value> = admitted
        .iter_mut()
        .map(|a| std::mem::take(&mut a.value))
        .collect();
    let context = charter_policy::privacy::Context::of(values.iter());
    let mut screened = Vec::with_capacity(admitted.len());
    for (mut a, value) in admitted.into_iter().zip(&values) {
        match screen(&mut a.version, value, policy, &context, anonymity) {
            Ok(s) => {
                a.screened = s;
                screened.push(a);
            }
            Err(message) => {
                let version = a.version.version.as_ref().map(|v| v.text.clone());
                failures.push((a.version.id, version.unwrap_or_default(), message));
            }
        }
    }
    (screened, failures)
}

/// The versions to store now, those to hold for review, and for the
/// release record the kinds redacted per object.
type Split = (
    Vec<NewVersion>,
    Vec<HeldVersion>,
    Vec<(String, Vec<&'static str>)>,
);

fn split_held(placed: Vec<Admitted>, viewer: &Viewer) -> Split {
    let mut versions = Vec::with_capacity(placed.len());
    let mut held = Vec::new();
    let mut redacted = Vec::new();
    for a in placed {
        if !a.screened.redacted.is_empty() {
            redacted.push((a.version.id.clone(), a.screened.redacted));
        }
        match a.screened.review {
            Some(findings) => held.push(HeldVersion {
                id: uuid::Uuid::new_v4().to_string(),
                // Flagged when approved, with the lists in use then.
                version: NewVersion {
                    warnings: Vec::new(),
                    ..a.version
                },
                submitted_by: viewer.username().to_owned(),
                findings,
            }),
            None => versions.push(a.version),
        }
    }
    (versions, held, redacted)
}

fn audience_from(tlp: &str, grants: &[String]) -> Audience {
    Audience {
        tlp: TlpLevel::parse(tlp).unwrap_or(TlpLevel::Red),
        grants: grants.iter().filter_map(|g| Grant::from_key(g)).collect(),
    }
}

impl Hub {
    /// Resolves recipient names or ids to organisation ids.
    async fn recipients(&self, names: &[String]) -> Result<Vec<String>> {
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            let org = self.store().org(name).await?.ok_or_else(|| {
                Error::invalid(format!(
                    "recipient '{name}' is not an organisation of this node"
                ))
            })?;
            ids.push(org.id);
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// Gives each admitted object its audience and refuses those whose
    /// audience would be wider than that of versions already on the node.
    async fn place(
        &self,
        viewer: &Viewer,
        collection: &CollectionRecord,
        recipients: &[String],
        admitted: Vec<Admitted>,
        failures: &mut Vec<Rejection>,
    ) -> Result<Vec<Admitted>> {
        let ids: Vec<String> = admitted
            .iter()
            .map(|a| a.version.id.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut existing: HashMap<String, Vec<Audience>> = HashMap::new();
        for (id, tlp, grants) in self.store().audiences_of(ids).await? {
            existing
                .entry(id)
                .or_default()
                .push(audience_from(&tlp, &grants));
        }
        // Only the communities that the existing and the new audiences name
        // matter to the onward-sharing check.
        let mut named: HashSet<String> = HashSet::new();
        if !existing.is_empty() {
            named.extend(collection.community.iter().cloned());
            for audiences in existing.values() {
                for a in audiences {
                    named.extend(a.grants.iter().filter_map(|g| match g {
                        Grant::Community(c) => Some(c.clone()),
                        _ => None,
                    }));
                }
            }
        }
        let mut members: HashMap<String, Vec<String>> = HashMap::new();
        for id in named {
            if let Some(c) = self.store().community(&id).await? {
                members.insert(c.id, c.members);
            }
        }
        let members_of = |c: &str| members.get(c).cloned().unwrap_or_default();
        let mut out = Vec::with_capacity(admitted.len());
        for mut placed in admitted {
            let (version, tlp) = (&mut placed.version, placed.tlp);
            let reject = |message: String, version: &NewVersion| {
                let text = version
                    .version
                    .as_ref()
                    .map(|v| v.text.clone())
                    .unwrap_or_default();
                (version.id.clone(), text, message)
            };
            let audience = match charter_policy::audience(
                tlp,
                viewer.org(),
                &collection.id,
                collection.community.as_deref(),
                recipients,
            ) {
                Ok(a) => a,
                Err(e) => {
                    failures.push(reject(e.to_string(), version));
                    continue;
                }
            };
            if let Some(before) = existing.get(&version.id) {
                if let Err(e) = charter_policy::widens(before, &audience, &members_of) {
                    failures.push(reject(e.to_string(), version));
                    continue;
                }
            }
            version.grants = audience.keys();
            version.submitter = viewer.org().map(str::to_owned);
            out.push(placed);
        }
        Ok(out)
    }

    /// Adds the objects of an envelope to a collection the viewer may write.
    /// Each object is checked on its own; the status lists every failure
    /// with its reason and is returned only after the valid objects, the
    /// status and the release-record entry are committed together.
    pub async fn add_objects(
        &self,
        viewer: &Viewer,
        api_root: &str,
        collection: &str,
        objects: Vec<Box<RawValue>>,
        submission: &Submission,
    ) -> Result<Released<Status>> {
        let info = self
            .collection(viewer, api_root, collection)
            .await?
            .into_inner();
        if !info.can_write {
            self.record_refusal(
                viewer,
                json!({ "write": info.record.id }),
                "no write access",
            )
            .await;
            return Err(Error::new(
                ErrorKind::Forbidden,
                "you may not write to this collection",
            ));
        }
        let max = self.config().max_objects_per_envelope;
        if objects.len() > max {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "the envelope carries {} objects; this server accepts at most {max}",
                    objects.len()
                ),
            ));
        }
        let recipients = self.recipients(&submission.recipients).await?;
        let anonymity = self.anonymity(viewer, submission).await?;
        let request_timestamp = now_micros();
        let default_tlp = TlpLevel::parse(&info.record.default_tlp).unwrap_or(TlpLevel::Amber);
        let policy = self.config().privacy.clone();
        let screening = anonymity.clone();
        // Held until the commit: see the invariant in `warnings`.
        let lists = self.lists_for_write().await;
        let flagging = Arc::clone(&*lists);
        let (admitted, mut failures) = tokio::task::spawn_blocking(move || {
            admit_all(objects, default_tlp, &policy, screening.as_ref(), &flagging)
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "validation task failed");
            Error::new(ErrorKind::Internal, "validation failed")
        })?;
        let placed = self
            .place(viewer, &info.record, &recipients, admitted, &mut failures)
            .await?;
        if let Some(a) = &anonymity {
            if placed
                .iter()
                .any(|p| p.screened.anonymised && p.screened.review.is_none())
            {
                self.publish_pseudonym(viewer, &info.record.id, a).await?;
            }
        }
        let (versions, held, privacy) = split_held(placed, viewer);
        if versions.iter().any(|v| v.object_type == "indicator") {
            self.square_record(&lists).await?;
        }
        let accepted: Vec<(String, String, &str)> = versions
            .iter()
            .map(|v| {
                (
                    v.id.clone(),
                    v.version
                        .as_ref()
                        .map(|s| s.text.clone())
                        .unwrap_or_default(),
                    v.tlp.as_str(),
                )
            })
            .collect();
        let rejected: Vec<(&str, &str)> = failures
            .iter()
            .map(|(id, _, why)| (id.as_str(), why.as_str()))
            .collect();
        let held_lines: Vec<(&str, &str)> = held
            .iter()
            .map(|h| (h.version.id.as_str(), h.id.as_str()))
            .collect();
        let entry = draft(
            viewer,
            "write",
            json!({
                "collection": info.record.id,
                "recipients": recipients,
                "accepted": accepted,
                "rejected": rejected,
                "held": held_lines,
                "redacted": privacy,
                "pseudonym": anonymity.as_ref().map(|a| a.pseudonym.as_str()),
            }),
        );
        let collection = info.record.clone();
        let status = StatusRecord {
            id: uuid::Uuid::new_v4().to_string(),
            collection: info.record.id,
            owner: viewer.username().to_owned(),
            request_timestamp,
            successes: Vec::new(),
            failures: failures
                .into_iter()
                .map(|(id, version, message)| charter_store::StatusDetail {
                    id,
                    version,
                    message: Some(message),
                })
                .collect(),
            pendings: Vec::new(),
        };
        let status_id = status.id.clone();
        // The indicators' flags, to report those stored now without reading them back.
        let indicators: Vec<Option<VersionFlags>> = versions
            .iter()
            .map(|v| match &v.version {
                Some(stamp) if v.object_type == "indicator" => {
                    Some(((v.id.clone(), stamp.text.clone()), v.warnings.clone()))
                }
                _ => None,
            })
            .collect();
        let outcomes = self
            .store()
            .submit(versions, held, status, vec![entry])
            .await?;
        drop(lists);
        let record = self
            .store()
            .status(&status_id)
            .await?
            .ok_or_else(|| Error::new(ErrorKind::Internal, "status was not recorded"))?;
        let mut status = status_from_record(record);
        let added: HashMap<(String, String), Vec<String>> = indicators
            .into_iter()
            .zip(outcomes)
            .filter_map(|(flags, outcome)| {
                matches!(outcome, charter_store::AddOutcome::Added(_))
                    .then_some(flags)
                    .flatten()
            })
            .collect();
        self.flag_status(viewer, &collection, &mut status, &added)
            .await?;
        Ok(Released::grant(status))
    }

    /// Deletes the selected versions of an object, recorded in the release
    /// record in the same transaction. Only node administrators may delete:
    /// a member could otherwise remove (or probe for) versions outside its
    /// audience.
    pub async fn delete_object(
        &self,
        viewer: &Viewer,
        api_root: &str,
        collection: &str,
        id: &str,
        versions: Option<VersionFilter>,
    ) -> Result<()> {
        let info = self
            .collection(viewer, api_root, collection)
            .await?
            .into_inner();
        if !viewer.is_admin() {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "only a node administrator may delete objects",
            ));
        }
        let versions = versions.unwrap_or(VersionFilter {
            all: true,
            ..Default::default()
        });
        // The entry is made in the deletion's transaction, which alone knows
        // how many versions it removed, and is not made when it removed none.
        // Lookup indexes find deletions by it (`lookup::DELETE_ACTION`).
        let entry = draft(
            viewer,
            crate::lookup::DELETE_ACTION,
            serde_json::Value::Null,
        );
        let (collection, object) = (info.record.id.clone(), id.to_owned());
        let entries: DeletionAudit = Box::new(move |removed| {
            let detail = json!({ "collection": collection, "id": object, "removed": removed });
            vec![AuditDraft {
                detail: detail.to_string(),
                ..entry
            }]
        });
        let removed = self
            .store()
            .delete_object(&info.record.id, id, versions, entries)
            .await?;
        if removed == 0 {
            return Err(Error::not_found(format!("object '{id}'")));
        }
        Ok(())
    }
}
