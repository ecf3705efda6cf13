//! Rendering released hub values as TAXII 2.1 resources.
//!
//! Every renderer takes a [`Released`] value, so nothing reaches a response
//! without the hub's release check. The envelope is written by hand around
//! each object's stored JSON text: objects are served verbatim, byte for
//! byte as submitted, and a page of a thousand objects costs a few string
//! copies rather than a parse and a re-serialization. The small resources
//! (collections, manifests, statuses) go through serde.
//!
//! Following the specification, optional lists are left out when empty
//! (`objects`, `versions`, `collections`, `successes`, ...), `next` appears
//! only when more results remain, and `more` is always present on paged
//! resources so clients need no default.

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_hub::{ApiRoot, CollectionInfo, ObjectPage, Released, Status, StatusDetail};
use serde::Serialize;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::media::TAXII_MEDIA_TYPE;

/// The header naming the `date_added` of the first object of a page.
const DATE_ADDED_FIRST: &str = "x-taxii-date-added-first";
/// The header naming the `date_added` of the last object of a page.
const DATE_ADDED_LAST: &str = "x-taxii-date-added-last";

/// A response with a TAXII body.
pub(crate) fn taxii(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    response
}

/// A 200 response for a page, with the `X-TAXII-Date-Added-First`/`-Last`
/// headers when the page is not empty.
fn page_response(page: &ObjectPage, body: String) -> Response {
    let mut response = taxii(StatusCode::OK, body);
    let headers = response.headers_mut();
    for (name, ts) in [
        (DATE_ADDED_FIRST, page.date_added_first()),
        (DATE_ADDED_LAST, page.date_added_last()),
    ] {
        if let Some(value) = ts.and_then(|t| HeaderValue::from_str(t.as_str()).ok()) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    response
}

/// The envelope resource (Get Objects, Get An Object), objects verbatim.
pub(crate) fn envelope(page: &Released<ObjectPage>) -> Response {
    let page = page.get();
    let objects_len: usize = page.objects.iter().map(|o| o.raw.len() + 1).sum();
    let mut out =
        String::with_capacity(64 + objects_len + page.next.as_ref().map_or(0, String::len));
    out.push_str(if page.next.is_some() {
        "{\"more\":true"
    } else {
        "{\"more\":false"
    });
    if let Some(next) = &page.next {
        out.push_str(",\"next\":");
        push_json_string(&mut out, next);
    }
    if !page.objects.is_empty() {
        out.push_str(",\"objects\":[");
        for (i, object) in page.objects.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&object.raw);
        }
        out.push(']');
    }
    out.push('}');
    page_response(page, out)
}

/// The manifest resource (Get Object Manifests).
pub(crate) fn manifest(page: &Released<ObjectPage>) -> ApiResult<Response> {
    #[derive(Serialize)]
    struct Record<'a> {
        id: &'a str,
        date_added: &'a str,
        version: &'a str,
        media_type: &'a str,
    }
    #[derive(Serialize)]
    struct Manifest<'a> {
        more: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<&'a str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        objects: Vec<Record<'a>>,
    }
    let page = page.get();
    let body = Manifest {
        more: page.next.is_some(),
        next: page.next.as_deref(),
        objects: page
            .objects
            .iter()
            .map(|o| Record {
                id: &o.id,
                date_added: o.date_added.as_str(),
                version: &o.version,
                media_type: o.media_type,
            })
            .collect(),
    };
    Ok(page_response(page, to_json(&body)?))
}

/// The versions resource (Get Object Versions).
pub(crate) fn versions(page: &Released<ObjectPage>) -> ApiResult<Response> {
    #[derive(Serialize)]
    struct Versions<'a> {
        more: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<&'a str>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        versions: Vec<&'a str>,
    }
    let page = page.get();
    let body = Versions {
        more: page.next.is_some(),
        next: page.next.as_deref(),
        versions: page.objects.iter().map(|o| o.version.as_str()).collect(),
    };
    Ok(page_response(page, to_json(&body)?))
}

/// The status resource, answered with `code` (202 after a POST, 200 on Get Status).
pub(crate) fn status(status: &Released<Status>, code: StatusCode) -> ApiResult<Response> {
    Ok(taxii(code, to_json(&StatusBody::new(status))?))
}

/// A status resource as serialized, alone or inside another answer (a scan's sightings).
#[derive(Serialize)]
pub(crate) struct StatusBody<'a> {
    id: &'a str,
    status: &'a str,
    request_timestamp: &'a str,
    total_count: usize,
    success_count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    successes: Vec<StatusDetailBody<'a>>,
    failure_count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    failures: Vec<StatusDetailBody<'a>>,
    pending_count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pendings: Vec<StatusDetailBody<'a>>,
}

/// One object of a status resource.
#[derive(Serialize)]
struct StatusDetailBody<'a> {
    id: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

impl<'a> StatusBody<'a> {
    /// The body of a released status.
    pub(crate) fn new(status: &'a Released<Status>) -> StatusBody<'a> {
        fn details(list: &[StatusDetail]) -> Vec<StatusDetailBody<'_>> {
            list.iter()
                .map(|d| StatusDetailBody {
                    id: &d.id,
                    version: &d.version,
                    message: d.message.as_deref(),
                })
                .collect()
        }
        let s = status.get();
        StatusBody {
            id: &s.id,
            status: s.status,
            request_timestamp: s.request_timestamp.as_str(),
            total_count: s.total_count(),
            success_count: s.successes.len(),
            successes: details(&s.successes),
            failure_count: s.failures.len(),
            failures: details(&s.failures),
            pending_count: s.pendings.len(),
            pendings: details(&s.pendings),
        }
    }
}

/// The collection resource as serialized, alone or in a list.
#[derive(Serialize)]
struct CollectionBody<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alias: Option<&'a str>,
    can_read: bool,
    can_write: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    media_types: &'a [String],
}

impl<'a> CollectionBody<'a> {
    fn new(info: &'a CollectionInfo) -> CollectionBody<'a> {
        let r = &info.record;
        CollectionBody {
            id: &r.id,
            title: &r.title,
            description: r.description.as_deref(),
            alias: r.alias.as_deref(),
            can_read: info.can_read,
            can_write: info.can_write,
            media_types: &r.media_types,
        }
    }
}

/// The collection resource (Get A Collection).
pub(crate) fn collection(info: &Released<CollectionInfo>) -> ApiResult<Response> {
    Ok(taxii(
        StatusCode::OK,
        to_json(&CollectionBody::new(info.get()))?,
    ))
}

/// The collections resource (Get Collections).
pub(crate) fn collections(list: &Released<Vec<CollectionInfo>>) -> ApiResult<Response> {
    #[derive(Serialize)]
    struct Body<'a> {
        #[serde(skip_serializing_if = "Vec::is_empty")]
        collections: Vec<CollectionBody<'a>>,
    }
    let body = Body {
        collections: list.get().iter().map(CollectionBody::new).collect(),
    };
    Ok(taxii(StatusCode::OK, to_json(&body)?))
}

/// The API root resource (Get API Root Information).
pub(crate) fn api_root(root: &Released<ApiRoot>) -> ApiResult<Response> {
    #[derive(Serialize)]
    struct Body<'a> {
        title: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        versions: [&'static str; 1],
        max_content_length: u64,
    }
    let r = root.get();
    let body = Body {
        title: &r.title,
        description: r.description.as_deref(),
        versions: [TAXII_MEDIA_TYPE],
        max_content_length: r.max_content_length,
    };
    Ok(taxii(StatusCode::OK, to_json(&body)?))
}

/// What the discovery resource says beyond the list of roots.
pub(crate) struct DiscoveryInfo<'a> {
    /// The node's title.
    pub(crate) title: &'a str,
    /// The node's description, if configured.
    pub(crate) description: Option<&'a str>,
    /// How to reach the node's operators, if configured.
    pub(crate) contact: Option<&'a str>,
    /// The URL prefix API root URLs are built on (`https://host/`, or `/`).
    pub(crate) base: &'a str,
    /// The name of the default API root, when the node has one.
    pub(crate) default: Option<&'a str>,
}

/// The discovery resource (Server Discovery), with API roots as URLs.
pub(crate) fn discovery(
    roots: &Released<Vec<ApiRoot>>,
    info: DiscoveryInfo<'_>,
) -> ApiResult<Response> {
    #[derive(Serialize)]
    struct Body<'a> {
        title: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        contact: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        default: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        api_roots: Vec<String>,
    }
    let url = |name: &str| format!("{}{}/", info.base, name);
    let body = Body {
        title: info.title,
        description: info.description,
        contact: info.contact,
        default: info.default.map(url),
        api_roots: roots.get().iter().map(|r| url(&r.name)).collect(),
    };
    Ok(taxii(StatusCode::OK, to_json(&body)?))
}

fn to_json<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(|e| {
        tracing::error!(error = %e, "response serialization failed");
        ApiError::new(ErrorCode::Internal, "the response could not be written")
    })
}

/// Appends `text` as a JSON string literal.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        let mut out = String::new();
        push_json_string(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
        let parsed: String = serde_json::from_str(&out).expect("escaped text is JSON");
        assert_eq!(parsed, "a\"b\\c\nd\u{1}é");
    }
}
