//! The one JSON form of a privacy review, shared by the JSON API and
//! `charter review --json`.
//!
//! `{"id", "collection", "status", "object_id", "version", "tlp",
//! "submitter", "submitted_by", "submitted_at", "state", "findings",
//! "released", "original", "decided_by", "decided_at", "note"}`:
//! `released` (the form approval releases, or released) and `original`
//! (the form as submitted) are the objects themselves; `findings` is a list
//! of `{"path", "kind", "class", "action", "start", "end"}`; `state` is
//! `held`, `approved` or `rejected`.

use charter_hub::Review;
use serde_json::{Value, json};

/// An object's JSON text as a value (as a string if it is somehow not JSON).
fn object(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// The review as JSON.
pub fn review_json(review: &Review) -> Value {
    json!({
        "id": review.id,
        "collection": review.collection,
        "status": review.status,
        "object_id": review.object_id,
        "version": review.version,
        "tlp": review.tlp,
        "submitter": review.submitter,
        "submitted_by": review.submitted_by,
        "submitted_at": review.submitted_at.as_str(),
        "state": review.state,
        "findings": review.findings,
        "released": object(&review.released),
        "original": object(&review.original),
        "decided_by": review.decided_by,
        "decided_at": review.decided_at.as_ref().map(|t| t.as_str()),
        "note": review.note,
    })
}
