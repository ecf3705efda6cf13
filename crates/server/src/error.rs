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
//! Hub errors convert with `From`, so handlers use `?`. The description a
//! client sees is the hub's message, which the hub guarantees is safe to show;
//! internal causes were already logged where they happened and never reach
//! the response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_hub::ErrorKind;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::media::TAXII_MEDIA_TYPE;

/// The `WWW-Authenticate` challenge sent with every 401 (RFC 7617).
const BASIC_CHALLENGE: &str = r#"Basic realm="Charter""#;

/// Every failure the TAXII edge reports, each with one status and one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// A URL parameter (`limit`, `added_after`, `match[...]`, `next`) is malformed.
    InvalidParameter,
    /// The request is well formed but the hub refused its content (for
    /// example a `next` token this server did not issue).
    InvalidRequest,
    /// The POST body is not a TAXII envelope: not JSON, no `objects` array,
    /// or an element of `objects` that is not a JSON object.
    MalformedEnvelope,
    /// No credentials, or an `Authorization` header that is not HTTP Basic.
    AuthenticationRequired,
    /// The credentials do not name an enabled user with that password.
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
            ErrorKind::Internal => ErrorCode::Internal,
            // A kind added to the hub after this table was written: answer
            // 500 rather than guess, and log it so the table gets an entry.
            other => {
                tracing::error!(kind = ?other, error = %err, "hub error kind not in the error table");
                return ApiError::new(ErrorCode::Internal, "internal error");
            }
        };
        ApiError::new(code, err.message())
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
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
        let mut response = (status, text).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(TAXII_MEDIA_TYPE),
        );
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(BASIC_CHALLENGE),
            );
        }
        response
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
}
