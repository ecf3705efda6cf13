//! The records of privacy review: object versions held back from release
//! until a reviewer decides, and the decisions.
//!
//! A held version is not in its collection: no TAXII read, manifest or
//! export can reach it, and its status resource lists it under `pendings`.
//! The review record keeps both forms of the object (the proposed released
//! form and the original) and the audience computed at submission. An
//! approval stores the version in its collection then, with a `date_added`
//! of the moment of approval, so a client polling with `added_after` sees
//! it; a rejection stores nothing. Either way the status moves the object
//! from `pendings` to `successes` or `failures` in the same transaction.
//!
//! The findings are opaque JSON text to the store; `hub` writes and reads
//! them.

use crate::{Micros, NewVersion, StatusDetail, StatusRecord, VersionStamp};

/// A version to hold for review, passed to [`crate::Store::submit`].
#[derive(Debug, Clone)]
pub struct HeldVersion {
    /// The review's id (a UUID in text form), unique on the node.
    pub id: String,
    /// The version as approval would store it: `raw` is the proposed
    /// released form, `original` the form as submitted when it differs.
    pub version: NewVersion,
    /// The user who submitted it.
    pub submitted_by: String,
    /// What the privacy filter found, as JSON text.
    pub findings: String,
}

/// How a review ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// Released into its collection.
    Approved,
    /// Never released.
    Rejected,
}

impl ReviewOutcome {
    /// The stored name: `approved` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewOutcome::Approved => "approved",
            ReviewOutcome::Rejected => "rejected",
        }
    }

    /// The outcome named `name`, exactly as [`ReviewOutcome::as_str`] writes it.
    pub fn parse(name: &str) -> Option<ReviewOutcome> {
        match name {
            "approved" => Some(ReviewOutcome::Approved),
            "rejected" => Some(ReviewOutcome::Rejected),
            _ => None,
        }
    }
}

/// A reviewer's decision, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDecision {
    /// Approved or rejected.
    pub outcome: ReviewOutcome,
    /// The reviewer's user name.
    pub by: String,
    /// When the decision was made.
    pub at: Micros,
    /// The reviewer's note (the reason, for a rejection).
    pub note: Option<String>,
}

/// A review: the held version and, once decided, the decision.
#[derive(Debug, Clone)]
pub struct ReviewRecord {
    /// The review's id.
    pub id: String,
    /// The collection the version was submitted to.
    pub collection: String,
    /// The status resource of the submission.
    pub status: String,
    /// The held version: `raw` is the form released on approval (after an
    /// approval, the form that was released), `original` the submitted form
    /// when it differs.
    pub version: NewVersion,
    /// The user who submitted it.
    pub submitted_by: String,
    /// When it was submitted.
    pub submitted_at: Micros,
    /// What the privacy filter found, as JSON text.
    pub findings: String,
    /// The decision; `None` while the version is held.
    pub decision: Option<ReviewDecision>,
}

/// Which reviews [`crate::Store::reviews`] lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewQuery {
    /// Only reviews still waiting for a decision.
    pub pending_only: bool,
    /// Only reviews of versions submitted by this organisation (by id).
    pub submitter: Option<String>,
    /// At most this many, oldest first; 0 means no limit.
    pub limit: usize,
}

/// What [`crate::Store::decide_review`] is asked to record.
#[derive(Debug, Clone)]
pub struct DecideReview {
    /// The review's id.
    pub id: String,
    /// The decision.
    pub decision: ReviewDecision,
    /// On approval, the form to release instead of the proposed one (a
    /// reviewer who redacted further); `None` keeps the proposal.
    pub released: Option<String>,
    /// On approval, the names of the warning lists the released form's
    /// values are on: the stored version's flags.
    pub warnings: Vec<String>,
}

/// The version text a held version's status line shows: its own version,
/// or for an object without one, the submission time (its version is only
/// assigned when it is stored). Both backends write and settle the line
/// with this.
pub(crate) fn pending_version(version: &NewVersion, submitted_at: Micros) -> String {
    match &version.version {
        Some(stamp) => stamp.text.clone(),
        None => VersionStamp::from_micros(submitted_at).text,
    }
}

/// Moves `record`'s line of its submission's `status` out of `pendings`:
/// into `successes` with the version text approval stored (`stored`), or,
/// for a rejection (`stored` is `None`), into `failures` with the
/// reviewer's note as the reason.
pub(crate) fn settle(
    status: &mut StatusRecord,
    record: &ReviewRecord,
    decision: &ReviewDecision,
    stored: Option<String>,
) {
    let object = &record.version.id;
    let pending = pending_version(&record.version, record.submitted_at);
    if let Some(at) = status
        .pendings
        .iter()
        .position(|d| &d.id == object && d.version == pending)
    {
        status.pendings.remove(at);
    }
    match (decision.outcome, stored) {
        (ReviewOutcome::Approved, Some(version)) => status.successes.push(StatusDetail {
            id: object.clone(),
            version,
            message: None,
        }),
        (ReviewOutcome::Approved, None) => {}
        (ReviewOutcome::Rejected, _) => status.failures.push(StatusDetail {
            id: object.clone(),
            version: pending,
            message: Some(match &decision.note {
                Some(note) => format!("rejected in privacy review: {note}"),
                None => "rejected in privacy review".to_owned(),
            }),
        }),
    }
}
