//! Media types: what a request must accept and what a POST must carry.
//!
//! TAXII 2.1 answers every endpoint with `application/taxii+json;version=2.1`
//! (objects travel inside the TAXII envelope, not as bare STIX). So the
//! `Accept` check asks one question: does the header admit that type?
//! It does when it names `application/taxii+json` with `version=2.1` or with
//! no version (the IANA registration makes the parameter optional and the
//! specification lets a server pick its latest version then), or a wildcard
//! (`*/*`, `application/*`), and the range is not refused with `q=0`. A
//! missing or blank `Accept` admits anything (RFC 9110 §12.5.1). Anything
//! else is 406.
//!
//! A POST body must be `application/taxii+json`, with `version=2.1` or no
//! version, else 415. Type names and parameter names are compared without
//! regard to case, whitespace around `;` is ignored, and parameters other
//! than `version` and `q` (such as `charset`) are tolerated.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// The media type of every TAXII 2.1 response body.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// The TAXII type without parameters.
const TAXII_ESSENCE: &str = "application/taxii+json";
/// The only TAXII version this server speaks.
const TAXII_VERSION: &str = "2.1";

/// An extractor that refuses (406) requests whose `Accept` header admits no
/// TAXII 2.1 response.
pub(crate) struct AcceptsTaxii;

impl<S: Send + Sync> FromRequestParts<S> for AcceptsTaxii {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> ApiResult<AcceptsTaxii> {
        check_accept(&parts.headers).map(|()| AcceptsTaxii)
    }
}

/// Checks that the `Accept` header admits `application/taxii+json;version=2.1`.
pub(crate) fn check_accept(headers: &HeaderMap) -> ApiResult<()> {
    let mut ranges = 0usize;
    for value in headers.get_all(header::ACCEPT) {
        // A header that is not visible ASCII names no range we could match.
        let Ok(text) = value.to_str() else {
            ranges += 1;
            continue;
        };
        for range in text.split(',').filter(|r| !r.trim().is_empty()) {
            ranges += 1;
            if admits_taxii(range) {
                return Ok(());
            }
        }
    }
    if ranges == 0 {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::NotAcceptable,
        format!(
            "this server answers only with {TAXII_MEDIA_TYPE}; the Accept header does not admit it"
        ),
    ))
}

/// Checks that a POST body is declared as TAXII 2.1.
pub(crate) fn check_content_type(headers: &HeaderMap) -> ApiResult<()> {
    let refuse = |what: &str| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("the request body must be {TAXII_MEDIA_TYPE}; {what}"),
        )
    };
    let mut values = headers.get_all(header::CONTENT_TYPE).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(refuse("give exactly one Content-Type header"));
    };
    let Some(media) = value.to_str().ok().and_then(MediaType::parse) else {
        return Err(refuse("the Content-Type header is not a media type"));
    };
    if media.essence != TAXII_ESSENCE {
        return Err(refuse(&format!("got {}", media.essence)));
    }
    match media.param("version") {
        None | Some(TAXII_VERSION) => Ok(()),
        Some(other) => Err(refuse(&format!("TAXII version {other} is not supported"))),
    }
}

/// Whether one `Accept` media range admits the TAXII 2.1 type.
fn admits_taxii(range: &str) -> bool {
    let Some(media) = MediaType::parse(range) else {
        return false;
    };
    let refused = media
        .param("q")
        .is_some_and(|q| q.parse::<f32>().map_or(true, |q| q <= 0.0));
    if refused {
        return false;
    }
    match media.essence.as_str() {
        "*/*" | "application/*" => true,
        TAXII_ESSENCE => matches!(media.param("version"), None | Some(TAXII_VERSION)),
        _ => false,
    }
}

/// A media type or range: `type/subtype` in lower case and its parameters
/// (names in lower case, values unquoted).
struct MediaType {
    essence: String,
    params: Vec<(String, String)>,
}

impl MediaType {
    fn parse(text: &str) -> Option<MediaType> {
        let mut parts = text.split(';');
        let essence = parts.next()?.trim().to_ascii_lowercase();
        let (kind, subtype) = essence.split_once('/')?;
        if kind.is_empty() || subtype.is_empty() || essence.contains(char::is_whitespace) {
            return None;
        }
        let mut params = Vec::new();
        for part in parts {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let (name, value) = part.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            params.push((name.trim().to_ascii_lowercase(), value.to_owned()));
        }
        Some(MediaType { essence, params })
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_ranges() {
        for ok in [
            "application/taxii+json;version=2.1",
            "application/taxii+json",
            "Application/TAXII+JSON ; Version=\"2.1\"",
            "*/*",
            "application/*",
            "text/html, application/taxii+json;version=2.1;q=0.5",
            "application/taxii+json;version=2.1;charset=utf-8",
        ] {
            assert!(text_admits(ok), "{ok} should be admitted");
        }
        for refused in [
            "application/json",
            "application/stix+json;version=2.1",
            "application/taxii+json;version=2.0",
            "application/taxii+json;version=2.1;q=0",
            "text/*",
            "application",
            "/",
        ] {
            assert!(!text_admits(refused), "{refused} should be refused");
        }
    }

    fn text_admits(text: &str) -> bool {
        text.split(',').any(admits_taxii)
    }

    #[test]
    fn content_types() {
        let check = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::CONTENT_TYPE,
                value.parse().expect("test header is valid"),
            );
            check_content_type(&headers).is_ok()
        };
        assert!(check("application/taxii+json;version=2.1"));
        assert!(check("application/taxii+json; version=2.1; charset=utf-8"));
        assert!(check("application/taxii+json"));
        assert!(!check("application/taxii+json;version=2.0"));
        assert!(!check("application/json"));
        assert!(!check("application/stix+json;version=2.1"));
        assert!(check_content_type(&HeaderMap::new()).is_err());
    }
}
