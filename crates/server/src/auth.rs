//! Authentication: HTTP Basic passwords and bearer API tokens, read from the
//! `Authorization` header of every request.
//!
//! Every route, discovery included, requires credentials: the node's API
//! roots and collections are themselves information about who shares with
//! whom. Two schemes are accepted:
//!
//! - `Basic` (RFC 7617), a user's name and password, checked by
//!   [`charter_hub::Hub::authenticate`];
//! - `Bearer` (RFC 6750) with an API token `charter_<id>_<secret>` issued by
//!   `charter token add`, checked by [`charter_hub::Hub::authenticate_token`].
//!
//! The header comes from the network, so parsing never panics: a missing
//! header, another scheme, bad base64, text that is not UTF-8, a Basic
//! value without `:` or an empty token all end in 401 with both challenges.
//! The hub caches verified secrets (argon2 runs once per credential, not
//! once per request) and throttles repeated failures per account and per
//! client address; the address is the TCP peer's, which `serve` records
//! with each connection (in-process callers have none, and are throttled
//! per account only).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine as _;
use charter_hub::{Channel, Hub, Viewer};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// The authenticated principal of a TAXII request, recorded as acting
/// through TAXII.
pub(crate) struct Authenticated(pub(crate) Viewer);

impl FromRequestParts<Hub> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> ApiResult<Authenticated> {
        let viewer = authenticate(parts, hub).await?;
        Ok(Authenticated(viewer.via(Channel::Taxii)))
    }
}

/// The credentials a request presents.
#[derive(Debug, PartialEq, Eq)]
enum Credentials {
    /// HTTP Basic: a user's name and password.
    Basic { username: String, password: String },
    /// A bearer API token.
    Bearer(String),
}

/// Checks the request's credentials with the hub and returns its principal.
pub(crate) async fn authenticate(parts: &Parts, hub: &Hub) -> ApiResult<Viewer> {
    let from = peer_address(parts);
    let viewer = match credentials(&parts.headers)? {
        Credentials::Basic { username, password } => {
            hub.authenticate(&username, &password, from).await?
        }
        Credentials::Bearer(token) => hub.authenticate_token(&token, from).await?,
    };
    Ok(viewer)
}

/// The TCP peer's address, when the server recorded it for the connection.
fn peer_address(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

/// The credentials of an `Authorization` header.
fn credentials(headers: &HeaderMap) -> ApiResult<Credentials> {
    let required = |why: &str| ApiError::new(ErrorCode::AuthenticationRequired, why.to_owned());
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(required(
            "this server requires HTTP Basic credentials or a bearer API token",
        ));
    };
    let text = value
        .to_str()
        .map_err(|_| required("the Authorization header is not visible ASCII"))?
        .trim();
    let (scheme, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        if rest.is_empty() || rest.contains(char::is_whitespace) {
            return Err(required("the Bearer credentials must be one API token"));
        }
        return Ok(Credentials::Bearer(rest.to_owned()));
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(required(
            "the Authorization header must use the Basic or Bearer scheme",
        ));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest)
        .map_err(|_| required("the Basic credentials are not valid base64"))?;
    let decoded = String::from_utf8(decoded)
        .map_err(|_| required("the Basic credentials are not UTF-8 text"))?;
    let Some((username, password)) = decoded.split_once(':') else {
        return Err(required("the Basic credentials must be username:password"));
    };
    Ok(Credentials::Basic {
        username: username.to_owned(),
        password: password.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<Credentials, ErrorCode> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            value.parse().expect("test header is valid"),
        );
        credentials(&headers).map_err(|e| e.code())
    }

    fn basic(username: &str, password: &str) -> Credentials {
        Credentials::Basic {
            username: username.to_owned(),
            password: password.to_owned(),
        }
    }

    #[test]
    fn parses_basic_credentials() {
        // "alice:pa:ss" — only the first colon separates.
        assert_eq!(parse("Basic YWxpY2U6cGE6c3M="), Ok(basic("alice", "pa:ss")));
        assert_eq!(
            parse("basic   YWxpY2U6cGE6c3M=  "),
            Ok(basic("alice", "pa:ss"))
        );
    }

    #[test]
    fn parses_bearer_tokens() {
        assert_eq!(
            parse("Bearer charter_abc_s3-cr_et"),
            Ok(Credentials::Bearer("charter_abc_s3-cr_et".to_owned()))
        );
        assert_eq!(
            parse("bearer   charter_abc_x  "),
            Ok(Credentials::Bearer("charter_abc_x".to_owned()))
        );
    }

    #[test]
    fn refuses_malformed_headers() {
        for bad in [
            "Basic",
            "Basic !!!",
            "Basic YWxpY2U=",
            "Basic /w==",
            "Bearer",
            "Bearer two tokens",
            "Digest username=\"alice\"",
            "",
        ] {
            assert_eq!(
                parse(bad),
                Err(ErrorCode::AuthenticationRequired),
                "{bad:?}"
            );
        }
        assert_eq!(
            credentials(&HeaderMap::new()).map_err(|e| e.code()),
            Err(ErrorCode::AuthenticationRequired)
        );
    }
}
