//! The JSON API under `/api/v1/`: what machine clients and oversight tools
//! use beyond TAXII.
//!
//! It authenticates exactly as TAXII does (HTTP Basic or a bearer token,
//! throttled alike) but records its callers as acting through the API
//! channel, and answers in plain JSON: bodies are `application/json`, and
//! errors come from the one [`crate::ErrorCode`] table in the shape
//! `{"error": {"code": "...", "message": "..."}}`. Unknown paths and
//! methods under `/api/v1/` are answered the same way, not as TAXII errors.
//!
//! | path | method | who |
//! | --- | --- | --- |
//! | `/api/v1/audit?after=SEQ&limit=N` | GET | auditors, node administrators |
//! | `/api/v1/audit/verify` | GET | auditors, node administrators |
//! | `/api/v1/reviews?state=held\|all` | GET | reviewers, node administrators; members for their organisation's submissions |
//! | `/api/v1/reviews/{id}` | GET | as above |
//! | `/api/v1/reviews/{id}/decision` | POST | reviewers, node administrators |
//! | `/api/v1/lookup?value=V` | GET, POST | any member (sees only what it may read) |
//! | `/api/v1/export?format=F` | GET | any member (exports only what it may read) |
//! | `/api/v1/scan?format=F` | POST | any member (matches only what it may read; `report=true` needs write access to the sightings' collection) |
//! | `/api/v1/warnings?limit=N&next=T` | GET | any member (lists only the flagged indicators it may read) |
//! | `/api/v1/openapi.json` | GET | anyone |

mod audit;
mod intel;
mod reviews;
pub(crate) mod scan;
mod warnings;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use charter_hub::{Channel, Hub, Viewer};
use serde::Serialize;

use crate::auth;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The prefix every JSON API path starts with.
pub(crate) const PREFIX: &str = "/api/v1";

/// The JSON API's routes, to be nested under [`PREFIX`].
pub(crate) fn routes() -> Router<Hub> {
    Router::new()
        .route("/audit", get(audit::entries))
        .route("/audit/verify", get(audit::verify))
        .route("/reviews", get(reviews::list))
        .route("/reviews/{id}", get(reviews::one))
        .route("/reviews/{id}/decision", post(reviews::decide))
        .route("/lookup", get(intel::lookup_get).post(intel::lookup_post))
        .route("/export", get(intel::export))
        .route("/scan", post(scan::scan))
        .route("/warnings", get(warnings::list))
        .route("/openapi.json", get(intel::openapi))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> JsonError {
    JsonError(ApiError::new(
        ErrorCode::NotFound,
        "no JSON API resource at this path",
    ))
}

async fn method_not_allowed() -> JsonError {
    JsonError(ApiError::new(
        ErrorCode::MethodNotAllowed,
        "this resource does not support that HTTP method",
    ))
}

/// An error answered in the JSON API's shape.
#[derive(Debug)]
pub(crate) struct JsonError(pub(crate) ApiError);

impl From<ApiError> for JsonError {
    fn from(err: ApiError) -> JsonError {
        JsonError(err)
    }
}

impl From<charter_hub::Error> for JsonError {
    fn from(err: charter_hub::Error) -> JsonError {
        JsonError(err.into())
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        self.0.into_json_response()
    }
}

/// The result type of JSON API handlers.
pub(crate) type JsonResult<T> = Result<T, JsonError>;

/// The authenticated principal of a JSON API request, recorded as acting
/// through the API.
pub(crate) struct Caller(pub(crate) Viewer);

impl FromRequestParts<Hub> for Caller {
    type Rejection = JsonError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> JsonResult<Caller> {
        let viewer = auth::authenticate(parts, hub).await?;
        Ok(Caller(viewer.via(Channel::Api)))
    }
}

/// A 200 response with a JSON body.
pub(crate) fn json<T: Serialize>(body: &T) -> ApiResult<Response> {
    let text = serde_json::to_string(body).map_err(|e| {
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
