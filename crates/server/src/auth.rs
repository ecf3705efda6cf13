//! HTTP Basic authentication: the extractor every TAXII handler starts with.
//!
//! Every route, discovery included, requires credentials: the node's API
//! roots and collections are themselves information about who shares with
//! whom. The `Authorization` header comes from the network, so parsing never
//! panics: a missing header, another scheme, bad base64, text that is not
//! UTF-8 or has no `:` all end in 401 with the Basic challenge. The password
//! check itself is the hub's ([`charter_hub::Hub::authenticate`]), which
//! caches verified credentials so argon2 runs once per credential, not once
//! per request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use charter_hub::{Hub, Viewer};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// The authenticated principal of a request.
pub(crate) struct Authenticated(pub(crate) Viewer);

impl FromRequestParts<Hub> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> ApiResult<Authenticated> {
        let (username, password) = basic_credentials(&parts.headers)?;
        let viewer = hub.authenticate(&username, &password).await?;
        Ok(Authenticated(viewer))
    }
}

/// The username and password of an HTTP Basic `Authorization` header.
fn basic_credentials(headers: &HeaderMap) -> ApiResult<(String, String)> {
    let required = |why: &str| ApiError::new(ErrorCode::AuthenticationRequired, why.to_owned());
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(required("this server requires HTTP Basic credentials"));
    };
    let text = value
        .to_str()
        .map_err(|_| required("the Authorization header is not visible ASCII"))?
        .trim();
    let (scheme, encoded) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(required(
            "the Authorization header must use the Basic scheme",
        ));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| required("the Basic credentials are not valid base64"))?;
    let decoded = String::from_utf8(decoded)
        .map_err(|_| required("the Basic credentials are not UTF-8 text"))?;
    let Some((username, password)) = decoded.split_once(':') else {
        return Err(required("the Basic credentials must be username:password"));
    };
    Ok((username.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<(String, String), ErrorCode> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            value.parse().expect("test header is valid"),
        );
        basic_credentials(&headers).map_err(|e| e.code())
    }

    #[test]
    fn parses_basic_credentials() {
        // "alice:pa:ss" — only the first colon separates.
        assert_eq!(
            parse("Basic YWxpY2U6cGE6c3M="),
            Ok(("alice".to_owned(), "pa:ss".to_owned()))
        );
        assert_eq!(
            parse("basic   YWxpY2U6cGE6c3M=  "),
            Ok(("alice".to_owned(), "pa:ss".to_owned()))
        );
    }

    #[test]
    fn refuses_malformed_headers() {
        for bad in [
            "Basic",
            "Basic !!!",
            "Bearer YWxpY2U6cGFzcw==",
            "Basic YWxpY2U=",
            "Basic /w==",
            "",
        ] {
            assert_eq!(
                parse(bad),
                Err(ErrorCode::AuthenticationRequired),
                "{bad:?}"
            );
        }
        assert_eq!(
            basic_credentials(&HeaderMap::new()).map_err(|e| e.code()),
            Err(ErrorCode::AuthenticationRequired)
        );
    }
}
