//! The one error table of the TAXII edge.
//!
//! Every failure a client can see is an [`ErrorCode`]; one exhaustive match
//! gives each its HTTP status, its stable `error_code` string and its title,
//! and [`ApiError`] renders the TAXII 2.1 error message resource (section 3.6.1):
//!
//! ```json
//! {"title": "...", "description": "...", "error_id": "<uuid>",
//!  "error_code": "invalid_parameter", "http_status": "400",
//!  "details": {"parameter": "limit", "value": "0"}}
//! ```
//!
//! `error_id` names this occurrence and is logged with it, so an operator can
//! find the server-side record of a client's report. `external_details` is
//! left out: the node has no public page per error to point at.
//!
//! The JSON API (`/api/v1/...`) answers the same codes, from the same table,
//! in its own shape and as `application/json`:
//!
//! ```json
//! {"error": {"code": "forbidden", "message": "..."}}
//! ```
//!
//! Hub errors convert with `From`, so handlers use `?`. The description a
//! client sees is the hub's message, which the hub guarantees is safe to show;
//! internal causes were already logged where they happened and never reach
//! the response. Every 401 carries both challenges (`Basic` and `Bearer`),
//! and every 429 a `Retry-After` header in whole seconds.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_hub::ErrorKind;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::media::TAXII_MEDIA_TYPE;

/// The `WWW-Authenticate` challenges sent with every 401: HTTP Basic
/// (RFC 7617) first, as TAXII clients expect, then bearer tokens (RFC 6750).
const CHALLENGES: [&str; 2] = [r#"Basic realm="Charter""#, r#"Bearer realm="Charter""#];
/// The media type of JSON API bodies.
const JSON_MEDIA_TYPE: &str = "application/json";

/// Every failure the TAXII edge reports, each with one status and one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// A URL parameter (`limit`, `added_after`, `match[...]`, `next`) is malformed.
    InvalidParameter,
    /// The request is well formed but the hub refused its content (for
    /// example a `next` token this server did not issue, or an unknown
    /// recipient), or a header such as `X-Charter-Recipients` is malformed.
    InvalidRequest,
    /// The POST body is not a TAXII envelope: not JSON, no `objects` array,
    /// or an element of `objects` that is not a JSON object.
    MalformedEnvelope,
    /// No credentials, or an `Authorization` header that is neither HTTP
    /// Basic nor a bearer token.
    AuthenticationRequired,
    /// The credentials do not name an enabled user with that password, or
    /// the token is unknown, expired or revoked.
    InvalidCredentials,
    /// The user is known but may not do this.
    Forbidden,
    /// The API root, collection, object, status or path does not exist, or is
    /// not visible to this user.
    NotFound,
    /// The path exists but not for this HTTP method.
    MethodNotAllowed,
    /// The `Accept` header admits no TAXII 2.1 response.
    NotAcceptable,
    /// The request conflicts with existing state.
    Conflict,
    /// The body exceeds `max_content_length`, or the envelope carries more
    /// objects than the node accepts.
    PayloadTooLarge,
    /// The POST `Content-Type` is not `application/taxii+json;version=2.1`.
    UnsupportedMediaType,
    /// The envelope is well formed but carries nothing to process.
    Unprocessable,
    /// Too many failed sign-ins for the account or the client address; the
    /// `Retry-After` header says when to try again.
    TooManyRequests,
    /// A failure inside the node; its cause is in the log, not the response.
    Internal,
}

impl ErrorCode {
    /// The table: HTTP status, stable `error_code`, and title. Kept as one
    /// aligned table (hence `rustfmt::skip`) so a reader sees every case at once.
    #[rustfmt::skip]
    fn entry(self) -> (StatusCode, &'static str, &'static str) {
        use ErrorCode as E;
        use StatusCode as S;
        match self {
            E::InvalidParameter       => (S::BAD_REQUEST,            "invalid_parameter",       "Invalid URL parameter"),
            E::InvalidRequest         => (S::BAD_REQUEST,            "invalid_request",         "Invalid request"),
            E::MalformedEnvelope      => (S::BAD_REQUEST,            "malformed_envelope",      "Malformed envelope"),
            E::AuthenticationRequired => (S::UNAUTHORIZED,           "authentication_required", "Authentication required"),
            E::InvalidCredentials     => (S::UNAUTHORIZED,           "invalid_credentials",     "Invalid credentials"),
            E::Forbidden              => (S::FORBIDDEN,              "forbidden",               "Forbidden"),
            E::NotFound               => (S::NOT_FOUND,              "not_found",               "Not found"),
            E::MethodNotAllowed       => (S::METHOD_NOT_ALLOWED,     "method_not_allowed",      "Method not allowed"),
            E::NotAcceptable          => (S::NOT_ACCEPTABLE,         "not_acceptable",          "Not acceptable"),
            E::Conflict               => (S::CONFLICT,               "conflict",                "Conflict"),
            E::PayloadTooLarge        => (S::PAYLOAD_TOO_LARGE,      "payload_too_large",       "Request too large"),
            E::UnsupportedMediaType   => (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",  "Unsupported media type"),
            E::Unprocessable          => (S::UNPROCESSABLE_ENTITY,   "unprocessable",           "Unprocessable request"),
            E::TooManyRequests        => (S::TOO_MANY_REQUESTS,      "too_many_requests",       "Too many requests"),
            E::Internal               => (S::INTERNAL_SERVER_ERROR,  "internal_error",          "Internal error"),
        }
    }

    /// The HTTP status this code is answered with.
    pub fn status(self) -> StatusCode {
        self.entry().0
    }

    /// The stable machine-readable code sent as `error_code`.
    pub fn code(self) -> &'static str {
        self.entry().1
    }

    /// The short human-readable title sent as `title`.
    pub fn title(self) -> &'static str {
        self.entry().2
    }
}

/// A failure on its way to the client: a code, a description safe to show,
/// and optional structured details (such as the offending parameter).
#[derive(Debug)]
pub(crate) struct ApiError {
    code: ErrorCode,
    description: String,
    details: Option<Map<String, Value>>,
    retry_after: Option<Duration>,
}

/// The result type of handlers.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error of `code` whose `description` is safe to show the client.
    pub(crate) fn new(code: ErrorCode, description: impl Into<String>) -> ApiError {
        ApiError {
            code,
            description: description.into(),
            details: None,
            retry_after: None,
        }
    }

    /// A malformed request header, naming it.
    pub(crate) fn header(name: &str, problem: impl std::fmt::Display) -> ApiError {
        let mut details = Map::new();
        details.insert("header".to_owned(), Value::String(name.to_owned()));
        ApiError {
            code: ErrorCode::InvalidRequest,
            description: format!("the {name} header {problem}"),
            details: Some(details),
            retry_after: None,
        }
    }

    /// A malformed URL parameter, naming it and quoting its value.
    pub(crate) fn parameter(name: &str, value: &str, problem: impl std::fmt::Display) -> ApiError {
        ApiError::parameter_described(name, value, format!("{name}: '{value}' {problem}"))
    }

    /// A malformed URL parameter with a description written elsewhere (the
    /// hub's shared filter parsers), which already names it.
    pub(crate) fn parameter_described(name: &str, value: &str, description: String) -> ApiError {
        let mut details = Map::new();
        details.insert("parameter".to_owned(), Value::String(name.to_owned()));
        details.insert("value".to_owned(), Value::String(value.to_owned()));
        ApiError {
            code: ErrorCode::InvalidParameter,
            description,
            details: Some(details),
            retry_after: None,
        }
    }

    /// The code of this error (for unit tests; responses use `into_response`).
    #[cfg(test)]
    pub(crate) fn code(&self) -> ErrorCode {
        self.code
    }
}

impl From<charter_hub::Error> for ApiError {
    fn from(err: charter_hub::Error) -> ApiError {
        let code = match err.kind() {
            ErrorKind::Unauthenticated => ErrorCode::InvalidCredentials,
            ErrorKind::Forbidden => ErrorCode::Forbidden,
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::InvalidInput => ErrorCode::InvalidRequest,
            ErrorKind::TooLarge => ErrorCode::PayloadTooLarge,
            ErrorKind::Conflict => ErrorCode::Conflict,
            ErrorKind::Throttled => ErrorCode::TooManyRequests,
            ErrorKind::Internal => ErrorCode::Internal,
            // A kind added to the hub after this table was written: answer
            // 500 rather than guess, and log it so the table gets an entry.
            other => {
                tracing::error!(kind = ?other, error = %err, "hub error kind not in the error table");
                return ApiError::new(ErrorCode::Internal, "internal error");
            }
        };
        let mut error = ApiError::new(code, err.message());
        error.retry_after = err.retry_after();
        error
    }
}

/// The TAXII 2.1 error message resource as sent on the wire.
#[derive(Serialize)]
struct ErrorBody<'a> {
    title: &'static str,
    description: &'a str,
    error_id: &'a str,
    error_code: &'static str,
    http_status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a Map<String, Value>>,
}

impl ApiError {
    /// Logs the failure under a fresh `error_id` and returns the id and the
    /// table entry.
    fn log(&self) -> (String, (StatusCode, &'static str, &'static str)) {
        let (status, code, title) = self.code.entry();
        let error_id = uuid::Uuid::new_v4().to_string();
        if status.is_server_error() {
            tracing::error!(
                %error_id,
                error_code = code,
                description = %self.description,
                "request failed"
            );
        } else {
            tracing::info!(
                %error_id,
                error_code = code,
                status = status.as_u16(),
                description = %self.description,
                "request refused"
            );
        }
        (error_id, (status, code, title))
    }

    /// The response with `body` as `media_type`, and the headers its status
    /// calls for (the challenges on 401, `Retry-After` on 429).
    fn respond(&self, status: StatusCode, media_type: &'static str, body: String) -> Response {
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
        add_status_headers(headers, status, self.retry_after);
        response
    }

    /// The response in the JSON API's shape:
    /// `{"error": {"code": "...", "message": "..."}}` as `application/json`.
    pub(crate) fn into_json_response(self) -> Response {
        let (_, (status, code, _)) = self.log();
        let body = serde_json::json!({
            "error": { "code": code, "message": self.description }
        });
        self.respond(status, JSON_MEDIA_TYPE, body.to_string())
    }
}

/// Adds the challenges to a 401 and `Retry-After` to a 429.
fn add_status_headers(headers: &mut HeaderMap, status: StatusCode, retry_after: Option<Duration>) {
    if status == StatusCode::UNAUTHORIZED {
        for challenge in CHALLENGES {
            headers.append(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        let wait = retry_after.unwrap_or(Duration::from_secs(1));
        // Whole seconds, rounded up, so a client that waits as told is not
        // refused again for the fraction left over.
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (error_id, (status, code, title)) = self.log();
        let body = ErrorBody {
            title,
            description: &self.description,
            error_id: &error_id,
            error_code: code,
            http_status: status.as_str(),
            details: self.details.as_ref(),
        };
        let text = serde_json::to_string(&body).unwrap_or_else(|_| {
            // Serializing strings and a map of strings cannot fail; this
            // fallback keeps the response well formed regardless.
            format!(
                r#"{{"title":"{title}","http_status":"{}"}}"#,
                status.as_str()
            )
        });
        self.respond(status, TAXII_MEDIA_TYPE, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_a_client_or_server_error_with_a_distinct_code() {
        use ErrorCode as E;
        let all = [
            E::InvalidParameter,
            E::InvalidRequest,
            E::MalformedEnvelope,
            E::AuthenticationRequired,
            E::InvalidCredentials,
            E::Forbidden,
            E::NotFound,
            E::MethodNotAllowed,
            E::NotAcceptable,
            E::Conflict,
            E::PayloadTooLarge,
            E::UnsupportedMediaType,
            E::Unprocessable,
            E::TooManyRequests,
            E::Internal,
        ];
        let mut codes: Vec<&str> = all.iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert!(
            all.iter()
                .all(|c| c.status().is_client_error() || c.status().is_server_error())
        );
    }

    #[test]
    fn throttled_errors_carry_retry_after_in_whole_seconds() {
        let hub_error = charter_hub::Error::throttled(Duration::from_millis(2_500));
        let response = ApiError::from(hub_error).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            response.headers().get(header::RETRY_AFTER),
            Some(&HeaderValue::from_static("3"))
        );
    }

    #[test]
    fn unauthorized_answers_offer_both_schemes() {
        let response = ApiError::new(ErrorCode::InvalidCredentials, "no").into_json_response();
        let challenges: Vec<_> = response
            .headers()
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        assert_eq!(challenges, CHALLENGES);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE),
            Some(&HeaderValue::from_static(JSON_MEDIA_TYPE))
        );
    }
}
