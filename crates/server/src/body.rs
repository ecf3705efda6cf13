//! Request bodies read whole under a size limit: refused (413) when `Content-Length`
//! already says the body is larger, and again while streaming when it turns out larger
//! (a body without a length, or with a false one).

use axum::body::Body;
use axum::http::{HeaderMap, header};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// Reads a request body of at most `max` bytes; `limit` names the limit in the 413
/// message ("this API root's max_content_length").
pub(crate) async fn read_limited(
    headers: &HeaderMap,
    body: Body,
    max: u64,
    limit: &str,
) -> ApiResult<Bytes> {
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the request body exceeds {limit} of {max} bytes"),
        )
    };
    if let Some(value) = headers.get(header::CONTENT_LENGTH) {
        let declared = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidRequest,
                    "the Content-Length header is not a number",
                )
            })?;
        if declared > max {
            return Err(too_large());
        }
    }
    let cap = usize::try_from(max).unwrap_or(usize::MAX);
    match Limited::new(body, cap).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Err(e) => {
            tracing::info!(error = %e, "request body could not be read");
            Err(ApiError::new(
                ErrorCode::InvalidRequest,
                "the request body could not be read",
            ))
        }
    }
}
