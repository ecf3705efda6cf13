//! Privacy on the write path: the two forms of a submitted object, the
//! submitter's pseudonym, and the screening that decides what is held for
//! review.
//!
//! **Invariant (two forms):** the form stored as an object version's `raw`
//! is the released form, which everyone reads; the form as submitted is
//! kept beside it (`original`) only when the two differ, and `read.rs`
//! serves it to the submitting organisation alone. A version with findings
//! the policy sends to review is not stored in its collection at all until
//! a reviewer approves it (`review.rs`).
//!
//! Screening is pure and runs with validation on a blocking thread; what
//! it needs from the store (the submitter's organisation, the node's
//! identity) is looked up before.

use charter_policy::anonymise;
use charter_policy::privacy::{Action, Context, FieldClass, FieldFinding, PrivacyPolicy};
use charter_store::{NewVersion, ObjectQuery, StatusRecord, VersionFilter, VersionStamp};
use serde_json::{Value, json};

use crate::audit::draft;
use crate::error::{Error, Result};
use crate::objects::now_micros;
use crate::{Hub, Submission, Viewer};

/// How a submission names its submitter in the released form.
#[derive(Debug, Clone)]
pub(crate) struct Anonymity {
    /// The submitting organisation's own identity id.
    pub(crate) identity: String,
    /// The node's pseudonym for its sector and country.
    pub(crate) pseudonym: String,
    /// The pseudonym's identity object, as published.
    pub(crate) pseudonym_json: String,
}

/// What screening made of one object.
#[derive(Debug, Clone, Default)]
pub(crate) struct Screened {
    /// The findings as the review queue keeps them, when the object must be
    /// held for review.
    pub(crate) review: Option<String>,
    /// The kinds redacted in the released form, for the release record.
    pub(crate) redacted: Vec<&'static str>,
    /// Whether references to the submitter were replaced by its pseudonym.
    pub(crate) anonymised: bool,
}

fn class_name(class: FieldClass) -> &'static str {
    match class {
        FieldClass::FreeText => "free-text",
        FieldClass::PersonalSco => "personal-sco",
        FieldClass::IndicatorValue => "indicator-value",
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Redact => "redact",
        Action::Review => "review",
        Action::Allow => "allow",
    }
}

/// The findings as JSON for the review queue: where, what, what was
/// decided, and the byte span in the submitted property.
pub(crate) fn findings_json(findings: &[FieldFinding]) -> String {
    Value::Array(
        findings
            .iter()
            .map(|f| {
                json!({
                    "path": f.path,
                    "kind": f.kind.as_str(),
                    "class": class_name(f.class),
                    "action": action_name(f.action),
                    "start": f.span.start,
                    "end": f.span.end,
                })
            })
            .collect(),
    )
    .to_string()
}

/// Screens one admitted object: fills in its released form (`raw`) and
/// original, and says whether it must be held. `value` is the object as
/// submitted. Refuses an organisation's own identity object when the
/// submission is anonymous: releasing it would name the submitter.
pub(crate) fn screen(
    version: &mut NewVersion,
    value: &Value,
    policy: &PrivacyPolicy,
    context: &Context<'_>,
    anonymity: Option<&Anonymity>,
) -> std::result::Result<Screened, String> {
    if let Some(a) = anonymity {
        if version.id == a.identity {
            return Err(format!(
                "{} is your organisation's own identity; shared anonymously it would name you \
                 (submit with attribution to share it)",
                version.id
            ));
        }
    }
    let filtered = charter_policy::privacy::filter_object(value, policy, context);
    let mut screened = Screened {
        review: filtered
            .needs_review()
            .then(|| findings_json(&filtered.findings)),
        ..Default::default()
    };
    for f in &filtered.findings {
        if f.action == Action::Redact && !screened.redacted.contains(&f.kind.as_str()) {
            screened.redacted.push(f.kind.as_str());
        }
    }
    let mut released = filtered.released;
    if let Some(a) = anonymity {
        let mut candidate = released.clone().unwrap_or_else(|| value.clone());
        if anonymise::replace_identity(&mut candidate, &a.identity, &a.pseudonym) {
            screened.anonymised = true;
            released = Some(candidate);
        }
    }
    if let Some(released) = released {
        version.original = Some(std::mem::replace(&mut version.raw, released.to_string()));
    }
    Ok(screened)
}

impl Hub {
    /// How `viewer`'s submission is attributed: `None` when it is released
    /// under the submitter's own identity (attribution chosen, or a
    /// principal without an organisation).
    pub(crate) async fn anonymity(
        &self,
        viewer: &Viewer,
        submission: &Submission,
    ) -> Result<Option<Anonymity>> {
        let Some(org_id) = viewer.org() else {
            return Ok(None);
        };
        let Some(org) = self.store().org(org_id).await? else {
            return Ok(None);
        };
        if submission.attribution.unwrap_or(org.attribution) {
            return Ok(None);
        }
        self.pseudonym_of(&org.id).await
    }

    /// The pseudonym of the organisation `org_id` (whatever its choice of
    /// attribution), if it exists.
    pub(crate) async fn pseudonym_of(&self, org_id: &str) -> Result<Option<Anonymity>> {
        let Some(org) = self.store().org(org_id).await? else {
            return Ok(None);
        };
        let node = self.node().await?;
        let sector = anonymise::pseudonym_sector(&org.sectors);
        let (pseudonym, pseudonym_json) =
            anonymise::pseudonym(&node.identity_id, sector, &org.country);
        Ok(Some(Anonymity {
            identity: org.identity_id,
            pseudonym,
            pseudonym_json,
        }))
    }

    /// Publishes the pseudonym's identity object in `collection` (TLP
    /// CLEAR, readable by everyone who may read the collection) unless it
    /// is there already, so that released forms never name an identity
    /// their readers cannot resolve.
    pub(crate) async fn publish_pseudonym(
        &self,
        viewer: &Viewer,
        collection: &str,
        anonymity: &Anonymity,
    ) -> Result<()> {
        let present = self
            .store()
            .query(ObjectQuery {
                collection: collection.to_owned(),
                added_after: None,
                ids: vec![anonymity.pseudonym.clone()],
                types: Vec::new(),
                versions: VersionFilter::last(),
                spec_versions: Vec::new(),
                limit: 1,
                after: None,
                with_raw: false,
                audience: None,
            })
            .await?;
        if !present.items.is_empty() {
            return Ok(());
        }
        let created = charter_stix::Timestamp::parse("2020-01-01T00:00:00.000Z")
            .map_err(|e| Error::new(crate::ErrorKind::Internal, e.to_string()))?;
        let version = NewVersion {
            id: anonymity.pseudonym.clone(),
            object_type: "identity".to_owned(),
            spec_version: "2.1".to_owned(),
            version: Some(VersionStamp {
                key: created.sort_key(),
                text: created.as_str().to_owned(),
            }),
            tlp: charter_policy::TlpLevel::Clear.as_str().to_owned(),
            grants: vec![charter_policy::Grant::Anyone.key()],
            submitter: None,
            raw: anonymity.pseudonym_json.clone(),
            original: None,
            warnings: Vec::new(),
        };
        let status = StatusRecord {
            id: uuid::Uuid::new_v4().to_string(),
            collection: collection.to_owned(),
            owner: viewer.username().to_owned(),
            request_timestamp: now_micros(),
            successes: Vec::new(),
            failures: Vec::new(),
            pendings: Vec::new(),
        };
        let entry = draft(
            viewer,
            "write",
            json!({ "collection": collection, "pseudonym": anonymity.pseudonym }),
        );
        self.store()
            .add_objects(vec![version], status, vec![entry])
            .await?;
        Ok(())
    }
}
