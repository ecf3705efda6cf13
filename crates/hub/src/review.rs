//! The privacy review queue: object versions held because the privacy
//! filter found something its policy sends to a person, and the decisions
//! on them.
//!
//! **Invariant (held means unreleased):** a held version is visible only to
//! reviewers (node administrators and the reviewer role) and to the members
//! of the organisation that submitted it, and only here: it is in no
//! collection until approved. Every decision is a release-record entry,
//! committed with the decision itself.
//!
//! A reviewer can approve the proposed released form as it is, redact
//! further (every finding, including the ones sent to review, and any
//! literal text the reviewer names), or reject. A further-redacted form is
//! validated again before it is released.

use charter_policy::privacy::{Action, Context, FieldClass, PiiKind, PrivacyPolicy};
use charter_stix::{StixObject, Timestamp};
use charter_store::{DecideReview, ReviewDecision, ReviewOutcome, ReviewQuery, ReviewRecord};
use serde_json::{Value, json};

use crate::audit::draft;
use crate::error::{Error, ErrorKind, Result};
use crate::objects::now_micros;
use crate::{Hub, Released, Viewer};

/// A held (or decided) version as the review queue shows it.
#[derive(Debug, Clone)]
pub struct Review {
    /// The review's id.
    pub id: String,
    /// The collection it was submitted to.
    pub collection: String,
    /// The submission's status resource.
    pub status: String,
    /// The object's id.
    pub object_id: String,
    /// The object's version text (empty for objects without one).
    pub version: String,
    /// The object's TLP level.
    pub tlp: String,
    /// The organisation that submitted it, if any.
    pub submitter: Option<String>,
    /// The user who submitted it.
    pub submitted_by: String,
    /// When it was submitted.
    pub submitted_at: Timestamp,
    /// What the privacy filter found: path, kind, class, action, span.
    pub findings: Value,
    /// The form that approval releases (after an approval: the form that
    /// was released).
    pub released: String,
    /// The form as submitted.
    pub original: String,
    /// `held`, `approved` or `rejected`.
    pub state: &'static str,
    /// Who decided, when, and the note, once decided.
    pub decided_by: Option<String>,
    /// When the decision was made.
    pub decided_at: Option<Timestamp>,
    /// The reviewer's note.
    pub note: Option<String>,
}

/// What a reviewer decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Release the proposed form.
    Approve,
    /// Redact every finding (and each of these literal texts) and release.
    Redact(Vec<String>),
    /// Never release; the status reports the note as the reason.
    Reject,
}

fn to_review(record: ReviewRecord) -> Review {
    let v = record.version;
    let (state, decided_by, decided_at, note) = match record.decision {
        None => ("held", None, None, None),
        Some(d) => (
            d.outcome.as_str(),
            Some(d.by),
            Some(Timestamp::from_unix_micros(d.at)),
            d.note,
        ),
    };
    Review {
        id: record.id,
        collection: record.collection,
        status: record.status,
        object_id: v.id,
        version: v.version.map(|s| s.text).unwrap_or_default(),
        tlp: v.tlp,
        submitter: v.submitter,
        submitted_by: record.submitted_by,
        submitted_at: Timestamp::from_unix_micros(record.submitted_at),
        findings: serde_json::from_str(&record.findings).unwrap_or(Value::Null),
        original: v.original.unwrap_or_else(|| v.raw.clone()),
        released: v.raw,
        state,
        decided_by,
        decided_at,
        note,
    }
}

/// A policy that redacts everything it finds.
fn redact_everything() -> PrivacyPolicy {
    let mut policy = PrivacyPolicy::default();
    for kind in PiiKind::ALL {
        for class in FieldClass::ALL {
            policy.set(kind, class, Action::Redact);
        }
    }
    policy
}

/// Replaces each literal in every string of `value` with `[REDACTED]`.
fn redact_literals(value: &mut Value, literals: &[String]) {
    match value {
        Value::String(text) => {
            for literal in literals {
                if !literal.is_empty() && text.contains(literal.as_str()) {
                    *text = text.replace(literal.as_str(), "[REDACTED]");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| redact_literals(i, literals)),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if !matches!(key.as_str(), "type" | "id" | "spec_version") {
                    redact_literals(item, literals);
                }
            }
        }
        _ => {}
    }
}

/// The proposal with every finding and every literal redacted, validated
/// as a STIX object again.
fn redact_further(proposal: &str, literals: &[String]) -> Result<String> {
    let value: Value = serde_json::from_str(proposal)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("unreadable proposal: {e}")))?;
    let context = Context {
        redact_ids: true,
        ..Context::default()
    };
    let filtered = charter_policy::privacy::filter_object(&value, &redact_everything(), &context);
    let mut value = filtered.released.unwrap_or(value);
    redact_literals(&mut value, literals);
    let text = value.to_string();
    let raw = serde_json::value::RawValue::from_string(text.clone())
        .map_err(|e| Error::new(ErrorKind::Internal, e.to_string()))?;
    let object = StixObject::parse(raw)
        .map_err(|e| Error::invalid(format!("the redacted form is not a STIX object: {e}")))?;
    let errors = crate::write::must_errors(&object);
    if !errors.is_empty() {
        return Err(Error::invalid(format!(
            "the redacted form would not be valid STIX ({}); reject the object instead",
            errors.join("; ")
        )));
    }
    Ok(text)
}

impl Hub {
    /// Before an approved version is released under its submitter's
    /// pseudonym, publishes the pseudonym in its collection.
    async fn publish_pseudonym_for(
        &self,
        viewer: &Viewer,
        record: &ReviewRecord,
        released: Option<&str>,
    ) -> Result<()> {
        let Some(org) = record.version.submitter.as_deref() else {
            return Ok(());
        };
        let Some(anonymity) = self.pseudonym_of(org).await? else {
            return Ok(());
        };
        let text = released.unwrap_or(&record.version.raw);
        if text.contains(&anonymity.pseudonym) {
            self.publish_pseudonym(viewer, &record.collection, &anonymity)
                .await?;
        }
        Ok(())
    }

    /// Whether `viewer` may see `record` in the queue.
    fn may_see_review(viewer: &Viewer, record: &ReviewRecord) -> bool {
        viewer.can_review()
            || viewer
                .org()
                .is_some_and(|org| record.version.submitter.as_deref() == Some(org))
    }

    /// The review queue as `viewer` may see it: every review for
    /// reviewers, its own organisation's submissions for a member, oldest
    /// first. `pending_only` leaves out decided ones.
    pub async fn reviews(
        &self,
        viewer: &Viewer,
        pending_only: bool,
    ) -> Result<Released<Vec<Review>>> {
        let submitter = if viewer.can_review() {
            None
        } else {
            match viewer.org() {
                Some(org) => Some(org.to_owned()),
                None => {
                    return Err(Error::new(
                        ErrorKind::Forbidden,
                        "the review queue is for reviewers and the submitting organisation",
                    ));
                }
            }
        };
        let records = self
            .store()
            .reviews(ReviewQuery {
                pending_only,
                submitter,
                limit: 0,
            })
            .await?;
        let reviews: Vec<Review> = records
            .into_iter()
            .filter(|r| Self::may_see_review(viewer, r))
            .map(to_review)
            .collect();
        let listed: Vec<&str> = reviews.iter().map(|r| r.id.as_str()).collect();
        self.record(
            viewer,
            "release",
            json!({ "form": "reviews", "decision": "released", "reviews": listed }),
        )
        .await?;
        Ok(Released::grant(reviews))
    }

    /// One review; not found unless `viewer` may see it.
    pub async fn review(&self, viewer: &Viewer, id: &str) -> Result<Released<Review>> {
        let record = self
            .store()
            .review(id)
            .await?
            .filter(|r| Self::may_see_review(viewer, r))
            .ok_or_else(|| Error::not_found(format!("review '{id}'")))?;
        self.record(
            viewer,
            "release",
            json!({ "form": "review", "decision": "released", "reviews": [id] }),
        )
        .await?;
        Ok(Released::grant(to_review(record)))
    }

    /// Decides on a held version (reviewers only); returns the decided
    /// review. The decision, the release into the collection (or the
    /// status failure) and the release-record entry commit together.
    pub async fn decide_review(
        &self,
        viewer: &Viewer,
        id: &str,
        decision: Decision,
        note: Option<String>,
    ) -> Result<Released<Review>> {
        if !viewer.can_review() {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "only reviewers and node administrators decide on held objects",
            ));
        }
        let record = self
            .store()
            .review(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("review '{id}'")))?;
        if record.decision.is_some() {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("review '{id}' is already decided"),
            ));
        }
        let (outcome, released, name) = match &decision {
            Decision::Approve => (ReviewOutcome::Approved, None, "approved"),
            Decision::Redact(literals) => (
                ReviewOutcome::Approved,
                Some(redact_further(&record.version.raw, literals)?),
                "redacted",
            ),
            Decision::Reject => (ReviewOutcome::Rejected, None, "rejected"),
        };
        let version = record
            .version
            .version
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        let entry = draft(
            viewer,
            "review",
            json!({
                "review": id,
                "collection": record.collection,
                "object": [record.version.id, version],
                "decision": name,
                "note": note,
            }),
        );
        if outcome == ReviewOutcome::Approved {
            self.publish_pseudonym_for(viewer, &record, released.as_deref())
                .await?;
        }
        // The approved form is flagged now, with the lists in use, which are
        // held until the commit (see `warnings`).
        let lists = self.lists_for_write().await;
        if outcome == ReviewOutcome::Approved && record.version.object_type == "indicator" {
            self.square_record(&lists).await?;
        }
        let warnings = match outcome {
            ReviewOutcome::Approved => crate::warnings::flags_of_raw(
                released.as_deref().unwrap_or(&record.version.raw),
                &lists,
            ),
            ReviewOutcome::Rejected => Vec::new(),
        };
        let (decided, _) = self
            .store()
            .decide_review(
                DecideReview {
                    id: id.to_owned(),
                    decision: ReviewDecision {
                        outcome,
                        by: viewer.username().to_owned(),
                        at: now_micros(),
                        note,
                    },
                    released,
                    warnings,
                },
                vec![entry],
            )
            .await?;
        drop(lists);
        Ok(Released::grant(to_review(decided)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn further_redaction_covers_findings_and_literals() {
        let proposal = json!({
            "type": "note", "spec_version": "2.1",
            "id": "note--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba16",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "content": "Call Jane Doe at SW1A 1AA about jane@example.org",
            "object_refs": ["indicator--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba17"]
        })
        .to_string();
        let out = redact_further(&proposal, &["Jane Doe".to_owned()]).expect("valid");
        let value: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(
            value["content"],
            "Call [REDACTED] at [REDACTED:uk-postcode] about [REDACTED:email]"
        );
        assert_eq!(value["id"], "note--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba16");
    }

    #[test]
    fn further_redaction_that_breaks_the_object_is_refused() {
        let proposal = json!({
            "type": "note", "spec_version": "2.1",
            "id": "note--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba16",
            "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
            "content": "x",
            "object_refs": ["indicator--6d4ffe54-6b2c-4a8b-9f4c-2c1b4d0bba17"]
        })
        .to_string();
        let err = redact_further(&proposal, &["2024-01-01T00:00:00.000Z".to_owned()])
            .expect_err("timestamps redacted");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.message().contains("reject"), "{err:?}");
    }
}
