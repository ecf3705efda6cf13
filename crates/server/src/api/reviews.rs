//! The privacy review queue over the JSON API.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /api/v1/reviews?state=held\|all` | `{"reviews": [...]}`, oldest first; `held` (the default) leaves out decided ones |
//! | `GET /api/v1/reviews/{id}` | one review |
//! | `POST /api/v1/reviews/{id}/decision` | the decided review |
//!
//! Reviewers and node administrators see every review; a member sees those
//! of its own organisation's submissions; anyone else gets 403 (the list)
//! or 404 (one review). Only reviewers and node administrators decide.
//!
//! A review is in the form of [`crate::review_format`].
//!
//! A decision is `{"decision": "approve" | "redact" | "reject", "note":
//! "...", "redact": ["literal text", ...]}`: `redact` releases the proposal
//! with every finding redacted, and every listed text; a note is required
//! to reject, and becomes the reason in the submission's status.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use charter_hub::{Decision, Hub};
use serde::Deserialize;

use crate::api::{Caller, JsonResult, json};
use crate::error::{ApiError, ErrorCode};
use crate::review_format::review_json;

/// Whether a list asks for held reviews only (`state=held`, the default)
/// or all (`state=all`).
fn pending_only(uri: &Uri) -> Result<bool, ApiError> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            format!("the query string cannot be decoded: {e}"),
        )
    })?;
    let mut pending = true;
    for (name, value) in &pairs {
        if name == "state" {
            pending = match value.as_str() {
                "held" => true,
                "all" => false,
                _ => return Err(ApiError::parameter(name, value, "must be 'held' or 'all'")),
            };
        }
    }
    Ok(pending)
}

/// `GET /api/v1/reviews`.
pub(super) async fn list(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    uri: Uri,
) -> JsonResult<Response> {
    let pending = pending_only(&uri)?;
    let reviews = hub.reviews(&viewer, pending).await?.into_inner();
    let list: Vec<serde_json::Value> = reviews.iter().map(review_json).collect();
    Ok(json(&serde_json::json!({ "reviews": list }))?)
}

/// `GET /api/v1/reviews/{id}`.
pub(super) async fn one(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    Path(id): Path<String>,
) -> JsonResult<Response> {
    let review = hub.review(&viewer, &id).await?.into_inner();
    Ok(json(&review_json(&review))?)
}

/// The body of a decision.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    decision: String,
    note: Option<String>,
    #[serde(default)]
    redact: Vec<String>,
}

/// `POST /api/v1/reviews/{id}/decision`.
pub(super) async fn decide(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> JsonResult<Response> {
    let body: DecisionBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidRequest,
            format!("the decision is not valid: {e} (expected {{\"decision\": \"approve\"|\"redact\"|\"reject\", \"note\": ..., \"redact\": [...]}})"),
        )
    })?;
    let decision = match body.decision.as_str() {
        "approve" => Decision::Approve,
        "redact" => Decision::Redact(body.redact),
        "reject" => Decision::Reject,
        other => {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                format!("decision: '{other}' is not one of approve, redact, reject"),
            )
            .into());
        }
    };
    if decision == Decision::Reject && body.note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "note: a rejection needs a reason, which the submitter sees in its status",
        )
        .into());
    }
    let review = hub
        .decide_review(&viewer, &id, decision, body.note)
        .await?
        .into_inner();
    Ok(json(&review_json(&review))?)
}
