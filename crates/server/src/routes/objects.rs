//! Objects of a collection: Get Objects and Add Objects
//! (`/{root}/collections/{id}/objects/`), Get An Object and Delete An Object
//! (`.../objects/{object-id}/`).
//!
//! Add Objects reads the body under the API root's `max_content_length`,
//! refusing it (413) when `Content-Length` already says it is larger and
//! again while streaming when it turns out larger (a body without a length,
//! or with a false one). The envelope is parsed into one raw JSON value per
//! object, never into a tree: each object's text goes to the hub as sent and
//! is stored verbatim. A body that is not an envelope is refused whole (400)
//! and changes nothing; an envelope whose objects are partly invalid is
//! accepted (202), and the status lists each failure with its reason.
//!
//! A POST may name the organisations that may receive its TLP:RED objects
//! in the `X-Charter-Recipients` header: a comma-separated list of
//! organisation names or ids of this node (`X-Charter-Recipients: Bravo Ltd,
//! 3f2c…`). RED objects posted without it are refused, each in the status
//! `failures`; the header has no effect on other levels. An empty item, or
//! a value that is not UTF-8 text, is refused whole (400, naming the
//! header), and so is an unknown organisation (by the hub). A name that
//! itself contains a comma cannot be listed: give its id instead.
//!
//! `X-Charter-Attribution: attributed` releases a submission under the
//! submitting organisation's own identity, `anonymous` under the node's
//! pseudonym for its sector and country; without the header the
//! organisation's own setting applies (anonymous unless it opted in). Any
//! other value is refused whole (400).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use charter_hub::{Hub, ObjectFilter, Submission, VersionFilter, Viewer};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::auth::Authenticated;
use crate::body;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::media::{self, AcceptsTaxii};
use crate::params::{Endpoint, Params};
use crate::render;
use crate::routes::PathParams;

/// `GET .../objects/`: an envelope of the matching object versions.
pub(super) async fn get_objects(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams((root, collection)): PathParams<(String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    let filter = Params::from_uri(&uri)?.filter(Endpoint::Objects);
    let page = hub
        .objects(&viewer, &root, &collection, filter, true)
        .await?;
    Ok(render::envelope(&page))
}

/// `POST .../objects/`: adds an envelope's objects; answers 202 with the status.
pub(super) async fn add_objects(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams((root, collection)): PathParams<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    media::check_content_type(&headers)?;
    let submission = Submission {
        recipients: recipients(&headers)?,
        attribution: attribution(&headers)?,
    };
    // Refuse before reading a possibly large body from someone who may not write.
    if !hub
        .collection(&viewer, &root, &collection)
        .await?
        .get()
        .can_write
    {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "you may not write to this collection",
        ));
    }
    let bytes = body::read_limited(
        &headers,
        body,
        hub.config().max_content_length,
        "this API root's max_content_length",
    )
    .await?;
    let objects = parse_envelope(&bytes)?;
    // The raw values own their text; the body buffer is no longer needed
    // while the hub validates and stores.
    drop(bytes);
    let status = hub
        .add_objects(&viewer, &root, &collection, objects, &submission)
        .await?;
    render::status(&status, StatusCode::ACCEPTED)
}

/// `GET .../objects/{id}/`: an envelope of the object's matching versions
/// (the latest by default); 404 when the collection has no such object.
pub(super) async fn get_object(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams((root, collection, id)): PathParams<(String, String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    let mut filter = Params::from_uri(&uri)?.filter(Endpoint::Object);
    filter.ids = vec![id.clone()];
    let page = hub
        .objects(&viewer, &root, &collection, filter, true)
        .await?;
    if page.get().objects.is_empty() {
        ensure_object_exists(&hub, &viewer, &root, &collection, &id).await?;
    }
    Ok(render::envelope(&page))
}

/// `DELETE .../objects/{id}/`: deletes the versions `match[version]`
/// selects (all by default); 200 with an empty body.
pub(super) async fn delete_object(
    State(hub): State<Hub>,
    Authenticated(viewer): Authenticated,
    _: AcceptsTaxii,
    PathParams((root, collection, id)): PathParams<(String, String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    let versions = Params::from_uri(&uri)?.versions();
    hub.delete_object(&viewer, &root, &collection, &id, versions)
        .await?;
    Ok(StatusCode::OK.into_response())
}

/// Answers 404 unless the collection holds some version of `id`.
///
/// A filtered read that finds nothing is ambiguous: the object may be absent
/// (404) or merely filtered out (200 with an empty resource). This second,
/// unfiltered probe runs only for empty results.
pub(super) async fn ensure_object_exists(
    hub: &Hub,
    viewer: &Viewer,
    root: &str,
    collection: &str,
    id: &str,
) -> ApiResult<()> {
    let probe = ObjectFilter {
        ids: vec![id.to_owned()],
        versions: Some(VersionFilter {
            all: true,
            ..VersionFilter::default()
        }),
        limit: Some(1),
        ..ObjectFilter::default()
    };
    let page = hub.objects(viewer, root, collection, probe, false).await?;
    if page.get().objects.is_empty() {
        // The same answer whether the object is absent or outside the
        // viewer's audience, and without the id, so a refusal repeats
        // nothing about the object.
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "no such object in this collection",
        ));
    }
    Ok(())
}

/// The header naming the recipients of TLP:RED objects.
const RECIPIENTS_HEADER: &str = "X-Charter-Recipients";

/// The header that chooses attribution for one submission.
const ATTRIBUTION_HEADER: &str = "X-Charter-Attribution";

/// The submission's choice of attribution, if it makes one.
fn attribution(headers: &HeaderMap) -> ApiResult<Option<bool>> {
    let mut values = headers.get_all(ATTRIBUTION_HEADER).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::header(
            ATTRIBUTION_HEADER,
            "is given more than once",
        ));
    }
    match value.as_bytes() {
        b"attributed" => Ok(Some(true)),
        b"anonymous" => Ok(Some(false)),
        _ => Err(ApiError::header(
            ATTRIBUTION_HEADER,
            "must be 'attributed' or 'anonymous'",
        )),
    }
}

/// The organisations (names or ids) listed in every `X-Charter-Recipients`
/// header of the request, in order.
fn recipients(headers: &HeaderMap) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    for value in headers.get_all(RECIPIENTS_HEADER) {
        // Organisation names need not be ASCII; header bytes are read as
        // UTF-8 rather than refused for it.
        let text = std::str::from_utf8(value.as_bytes())
            .map_err(|_| ApiError::header(RECIPIENTS_HEADER, "is not UTF-8 text"))?;
        for item in text.split(',') {
            let item = item.trim();
            if item.is_empty() {
                return Err(ApiError::header(
                    RECIPIENTS_HEADER,
                    "has an empty item; list organisation names or ids separated by commas",
                ));
            }
            out.push(item.to_owned());
        }
    }
    Ok(out)
}

/// A TAXII envelope as posted: only `objects` matters; `more` and `next`
/// (meaningful in responses) are ignored.
#[derive(Deserialize)]
struct Envelope {
    objects: Vec<Box<RawValue>>,
}

/// Splits an envelope into its objects' raw JSON, or refuses it whole.
fn parse_envelope(body: &[u8]) -> ApiResult<Vec<Box<RawValue>>> {
    let malformed = |why: String| ApiError::new(ErrorCode::MalformedEnvelope, why);
    // serde would also read a struct from a JSON array; an envelope is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(malformed(
            "the body must be a JSON object with an \"objects\" array".to_owned(),
        ));
    }
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("the body is not a TAXII envelope: {e}")))?;
    if let Some(i) = envelope
        .objects
        .iter()
        .position(|raw| !raw.get().starts_with('{'))
    {
        return Err(malformed(format!("objects[{i}] is not a JSON object")));
    }
    if envelope.objects.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Unprocessable,
            "the envelope carries no objects",
        ));
    }
    Ok(envelope.objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> Result<usize, ErrorCode> {
        parse_envelope(body.as_bytes())
            .map(|o| o.len())
            .map_err(|e| e.code())
    }

    #[test]
    fn envelopes() {
        assert_eq!(
            code(r#" {"objects": [{"a": 1}, {}], "more": false}"#),
            Ok(2)
        );
        assert_eq!(code(r#"[[{"a": 1}]]"#), Err(ErrorCode::MalformedEnvelope));
        assert_eq!(
            code(r#"{"objects": {"a": 1}}"#),
            Err(ErrorCode::MalformedEnvelope)
        );
        assert_eq!(
            code(r#"{"objects": [{"a": 1}, 3]}"#),
            Err(ErrorCode::MalformedEnvelope)
        );
        assert_eq!(
            code(r#"{"type": "bundle"}"#),
            Err(ErrorCode::MalformedEnvelope)
        );
        assert_eq!(
            code(r#"{"objects": [{"a": 1}"#),
            Err(ErrorCode::MalformedEnvelope)
        );
        assert_eq!(code("not json"), Err(ErrorCode::MalformedEnvelope));
        assert_eq!(code(r#"{"objects": []}"#), Err(ErrorCode::Unprocessable));
    }

    fn listed(values: &[&[u8]]) -> Result<Vec<String>, ErrorCode> {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(
                RECIPIENTS_HEADER,
                axum::http::HeaderValue::from_bytes(v).expect("test header is valid"),
            );
        }
        recipients(&headers).map_err(|e| e.code())
    }

    #[test]
    fn recipients_are_comma_separated_over_every_header() {
        assert_eq!(listed(&[]), Ok(vec![]));
        assert_eq!(
            listed(&[b"Bravo Ltd, 3f2c", b"Caf\xc3\xa9 SA"]),
            Ok(vec!["Bravo Ltd".into(), "3f2c".into(), "Café SA".into()])
        );
        for bad in [&b""[..], b"Bravo,", b"a,,b", b" , ", b"\xff"] {
            assert_eq!(listed(&[bad]), Err(ErrorCode::InvalidRequest), "{bad:?}");
        }
    }

    #[test]
    fn raw_objects_keep_their_text() {
        let objects =
            parse_envelope(br#"{"objects":[ {"b" : 2,"a":"\u00e9"} ]}"#).expect("valid envelope");
        assert_eq!(objects[0].get(), r#"{"b" : 2,"a":"\u00e9"}"#);
    }
}
