//! The listing of flagged indicators.
//!
//! `GET /api/v1/warnings` with optional `collection` (id or alias; repeatable), `limit`
//! (at most the node's largest page, which is also the default) and `next` answers
//! `{"indicators": [{"id", "version", "name", "collection", "tlp", "pattern", "lists"}],
//! "next"}`: for each indicator with a version on a warning list, the latest version the
//! caller may read, when that version is flagged, with the lists its values are on. `next`
//! is present when more may follow; passing it back continues the listing.

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use charter_hub::{FlaggedIndicator, Hub, WarningQuery};
use serde::Serialize;

use crate::api::{Caller, JsonResult, json};
use crate::error::{ApiError, ErrorCode};

#[derive(Serialize)]
struct Body<'a> {
    indicators: Vec<Flagged<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<&'a str>,
}

#[derive(Serialize)]
struct Flagged<'a> {
    id: &'a str,
    version: &'a str,
    name: &'a str,
    collection: &'a str,
    tlp: &'static str,
    pattern: &'a str,
    lists: &'a [String],
}

impl<'a> From<&'a FlaggedIndicator> for Flagged<'a> {
    fn from(i: &'a FlaggedIndicator) -> Self {
        Flagged {
            id: &i.id,
            version: &i.version,
            name: &i.name,
            collection: &i.collection,
            tlp: i.tlp.name(),
            pattern: &i.pattern,
            lists: &i.lists,
        }
    }
}

/// `GET /api/v1/warnings`.
pub(super) async fn list(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    uri: Uri,
) -> JsonResult<Response> {
    let mut query = WarningQuery {
        api_root: charter_hub::admin::DEFAULT_API_ROOT.to_owned(),
        ..WarningQuery::default()
    };
    let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("the query string cannot be decoded: {e}"),
            )
        })?;
    for (name, value) in pairs {
        match name.as_str() {
            "collection" => query.collections.push(value),
            "limit" => {
                let limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        ApiError::parameter(&name, &value, "is not a positive number")
                    })?;
                query.limit = Some(limit);
            }
            "next" => query.next = Some(value),
            _ => {}
        }
    }
    let page = hub.warnings(&viewer, &query).await?;
    let page = page.get();
    Ok(json(&Body {
        indicators: page.indicators.iter().map(Flagged::from).collect(),
        next: page.next.as_deref(),
    })?)
}
