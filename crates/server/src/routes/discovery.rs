//! Server discovery (`/taxii2/`) and API root information (`/{root}/`).
//!
//! Discovery lists the API roots as absolute URLs built from the request's
//! own authority (the `Host` header, or the URI's authority under HTTP/2),
//! so a client reaches them under the name it used. The scheme is the URI's,
//! else `X-Forwarded-Proto` when a proxy terminating TLS sets it to `http`
//! or `https`, else `http`. When no usable authority is present the URLs are
//! relative (`/default/`), which TAXII 2.1 also allows.

use axum::extract::State;
use axum::http::uri::Authority;
use axum::http::{HeaderMap, Uri, header};
use axum::response::Response;
use charter_hub::Hub;
use charter_hub::admin::DEFAULT_API_ROOT;

use crate::auth::Authenticated;
use crate::error::ApiResult;
use crate::media::AcceptsTaxii;
use crate::render::{self, DiscoveryInfo};
use crate::routes::PathParams;

/// `GET /taxii2/`: the discovery resource.
pub(super) async fn discovery(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let roots = hub.api_roots(&viewer).await?;
    let default = roots
        .get()
        .iter()
        .find(|r| r.name == DEFAULT_API_ROOT)
        .or_else(|| roots.get().first())
        .map(|r| r.name.clone());
    let base = base_url(&uri, &headers);
    let info = DiscoveryInfo {
        title: &hub.config().title,
        description: hub.config().description.as_deref(),
        contact: hub.config().contact.as_deref(),
        base: &base,
        default: default.as_deref(),
    };
    render::discovery(&roots, info)
}

/// `GET /{root}/`: the API root resource.
pub(super) async fn api_root(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams(root): PathParams<String>,
) -> ApiResult<Response> {
    let root = hub.api_root(&viewer, &root).await?;
    render::api_root(&root)
}

/// The prefix API root URLs are built on: `scheme://authority/`, or `/`.
fn base_url(uri: &Uri, headers: &HeaderMap) -> String {
    let authority = uri.authority().cloned().or_else(|| {
        let host = headers.get(header::HOST)?.to_str().ok()?;
        host.trim().parse::<Authority>().ok()
    });
    // Credentials in an authority (`user@host`) are never echoed back.
    let Some(authority) = authority.filter(|a| !a.as_str().contains('@')) else {
        return "/".to_owned();
    };
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| v == "http" || v == "https");
    let scheme = uri
        .scheme_str()
        .map(str::to_owned)
        .or(forwarded)
        .unwrap_or_else(|| "http".to_owned());
    format!("{scheme}://{authority}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(uri: &str, host: Option<&str>, proto: Option<&str>) -> String {
        let mut headers = HeaderMap::new();
        if let Some(host) = host {
            headers.insert(header::HOST, host.parse().expect("test header is valid"));
        }
        if let Some(proto) = proto {
            headers.insert(
                "x-forwarded-proto",
                proto.parse().expect("test header is valid"),
            );
        }
        base_url(&uri.parse().expect("test URI is valid"), &headers)
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base("/taxii2/", Some("node.example:8443"), None),
            "http://node.example:8443/"
        );
        assert_eq!(
            base("/taxii2/", Some("node.example"), Some("HTTPS")),
            "https://node.example/"
        );
        assert_eq!(
            base("/taxii2/", Some("node.example"), Some("gopher")),
            "http://node.example/"
        );
        assert_eq!(
            base("https://h2.example/taxii2/", None, None),
            "https://h2.example/"
        );
        assert_eq!(base("/taxii2/", None, None), "/");
        assert_eq!(base("/taxii2/", Some("bad host/x"), None), "/");
        assert_eq!(base("/taxii2/", Some("user@node.example"), None), "/");
    }
}
