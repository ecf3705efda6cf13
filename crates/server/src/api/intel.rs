//! Lookups and sensor exports for machine clients.
//!
//! `GET /api/v1/lookup?value=V` (`value` repeatable, `collection` optional and repeatable)
//! and `POST /api/v1/lookup` with `{"values": [...], "collections": [...]}` (at most
//! 10,000 values) answer `{"results": [{"value", "kind", "indicators": [{"id", "name",
//! "collection", "tlp", "exact", "warninglist"}]}]}`, one result per value in order, with
//! only the active indicators the caller may see.
//!
//! `GET /api/v1/export?format=suricata|zeek|blocklist|csv` with optional `collection`,
//! `type` (`ip`, `domain`, `url`, `email`, `hash`; repeatable), `max_tlp`, `valid_at` (a
//! STIX timestamp) and `include_warninglisted=true` answers the export as text; the
//! `X-Charter-Highest-TLP` header repeats the highest TLP its header comment states.
//!
//! `GET /api/v1/openapi.json` is the OpenAPI description of the JSON API, checked in beside
//! this file and tested against the router.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use charter_hub::{Hub, IndicatorFilter, LookupMatch, SensorFormat, TlpLevel};
use serde::{Deserialize, Serialize};

use crate::api::{Caller, JsonResult};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The OpenAPI description of the JSON API.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");

/// `GET /api/v1/openapi.json`.
pub(super) async fn openapi() -> Response {
    let mut response = (StatusCode::OK, OPENAPI).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

pub(super) fn pairs(uri: &Uri) -> ApiResult<Vec<(String, String)>> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("the query string cannot be decoded: {e}"),
            )
        })
}

pub(super) fn base_filter() -> IndicatorFilter {
    IndicatorFilter {
        api_root: charter_hub::admin::DEFAULT_API_ROOT.to_owned(),
        ..IndicatorFilter::default()
    }
}

#[derive(Serialize)]
struct LookupBody<'a> {
    results: Vec<LookupResult<'a>>,
}

#[derive(Serialize)]
struct LookupResult<'a> {
    value: &'a str,
    kind: Option<&'static str>,
    indicators: Vec<Found<'a>>,
}

#[derive(Serialize)]
struct Found<'a> {
    id: &'a str,
    name: &'a str,
    collection: &'a str,
    tlp: &'static str,
    exact: bool,
    warninglist: Option<&'a str>,
}

fn lookup_response(results: &[LookupMatch]) -> ApiResult<Response> {
    let body = LookupBody {
        results: results
            .iter()
            .map(|m| LookupResult {
                value: &m.value,
                kind: m.kind,
                indicators: m
                    .indicators
                    .iter()
                    .map(|(i, exact)| Found {
                        id: &i.id,
                        name: &i.name,
                        collection: &i.collection,
                        tlp: i.tlp.name(),
                        exact: *exact,
                        warninglist: i.warning.as_deref(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let text = serde_json::to_string(&body).map_err(|e| {
        tracing::error!(error = %e, "response serialization failed");
        ApiError::new(ErrorCode::Internal, "the response could not be written")
    })?;
    let mut response = (StatusCode::OK, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// `GET /api/v1/lookup`.
pub(super) async fn lookup_get(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    uri: Uri,
) -> JsonResult<Response> {
    let mut filter = base_filter();
    let mut values = Vec::new();
    for (name, value) in pairs(&uri)? {
        match name.as_str() {
            "value" => values.push(value),
            "collection" => filter.collections.push(value),
            _ => {}
        }
    }
    if values.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidParameter,
            "value: at least one value to look up",
        )
        .into());
    }
    let results = hub.lookup(&viewer, &filter, &values).await?;
    Ok(lookup_response(results.get())?)
}

/// The body of `POST /api/v1/lookup`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupRequest {
    values: Vec<String>,
    #[serde(default)]
    collections: Vec<String>,
}

/// `POST /api/v1/lookup`.
pub(super) async fn lookup_post(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    body: Bytes,
) -> JsonResult<Response> {
    let request: LookupRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidRequest,
            format!("the body is not {{\"values\": [...], \"collections\": [...]}}: {e}"),
        )
    })?;
    let mut filter = base_filter();
    filter.collections = request.collections;
    let results = hub.lookup(&viewer, &filter, &request.values).await?;
    Ok(lookup_response(results.get())?)
}

/// `GET /api/v1/export`.
pub(super) async fn export(
    State(hub): State<Hub>,
    Caller(viewer): Caller,
    uri: Uri,
) -> JsonResult<Response> {
    let mut filter = base_filter();
    let mut format = None;
    for (name, value) in pairs(&uri)? {
        let bad = |why: &str| ApiError::parameter(&name, &value, why);
        match name.as_str() {
            "format" => {
                format = Some(
                    SensorFormat::parse(&value)
                        .ok_or_else(|| bad("is not suricata, zeek, blocklist or csv"))?,
                );
            }
            "collection" => filter.collections.push(value.clone()),
            "type" => {
                if !matches!(value.as_str(), "ip" | "domain" | "url" | "email" | "hash") {
                    return Err(bad("is not ip, domain, url, email or hash").into());
                }
                filter.kinds.push(value.clone());
            }
            "max_tlp" => {
                filter.max_tlp =
                    Some(TlpLevel::parse(&value).ok_or_else(|| bad("is not a TLP level"))?);
            }
            "valid_at" => filter.at = Some(charter_hub::parse_timestamp("valid_at", &value)?),
            "include_warninglisted" => {
                filter.include_warninglisted = match value.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad("is not true or false").into()),
                };
            }
            _ => {}
        }
    }
    let format = format.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidParameter,
            "format: one of suricata, zeek, blocklist, csv is needed",
        )
    })?;
    let export = hub
        .sensor_export(&viewer, &filter, format, 9_000_000)
        .await?
        .into_inner();
    let mut response = (StatusCode::OK, export.text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.media_type()),
    );
    headers.insert(
        "x-charter-highest-tlp",
        HeaderValue::from_static(export.highest_tlp.map_or("none", TlpLevel::name)),
    );
    Ok(response)
}
