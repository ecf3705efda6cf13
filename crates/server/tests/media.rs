//! Content negotiation: which `Accept` headers get a TAXII 2.1 answer (and
//! which get 406), and which POST `Content-Type`s are read (415 otherwise).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use crate::util::{ADMIN_PASSWORD, Node, OBJECTS, TAXII, admin, basic, envelope, identity};

fn get_accepting(path: &str, accept: Option<&str>) -> Request<Body> {
    let mut builder =
        Request::get(path).header(header::AUTHORIZATION, basic("admin", ADMIN_PASSWORD));
    if let Some(accept) = accept {
        builder = builder.header(header::ACCEPT, accept);
    }
    builder.body(Body::empty()).expect("request builds")
}

#[tokio::test]
async fn accept_headers_that_admit_taxii_2_1() {
    let node = Node::new().await;
    for accept in [
        None,
        Some("application/taxii+json;version=2.1"),
        Some("application/taxii+json"),
        Some("application/taxii+json; version=2.1"),
        Some("*/*"),
        Some("application/*"),
        Some("text/html, application/taxii+json;version=2.1;q=0.9"),
        Some("application/json, */*;q=0.1"),
    ] {
        for path in ["/taxii2/", "/default/", OBJECTS] {
            let reply = node.send(get_accepting(path, accept)).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{accept:?} on {path}: {}",
                reply.text()
            );
            assert_eq!(reply.header("content-type"), Some(TAXII), "{accept:?}");
        }
    }
}

#[tokio::test]
async fn accept_headers_that_do_not_are_406() {
    let node = Node::new().await;
    for accept in [
        "application/json",
        "application/stix+json;version=2.1",
        "application/taxii+json;version=2.0",
        "application/vnd.oasis.taxii+json; version=2.0",
        "text/html",
        "application/taxii+json;version=2.1;q=0",
    ] {
        for path in [
            "/taxii2/",
            "/default/collections/",
            OBJECTS,
            "/default/status/x/",
        ] {
            let reply = node.send(get_accepting(path, Some(accept))).await;
            reply.assert_error(StatusCode::NOT_ACCEPTABLE, "not_acceptable");
        }
    }
}

#[tokio::test]
async fn post_content_types() {
    let node = Node::new().await;
    let post = |content_type: Option<&str>, n: u32| {
        let mut builder = admin(Method::POST, OBJECTS);
        if let Some(ct) = content_type {
            builder = builder.header(header::CONTENT_TYPE, ct);
        }
        builder
            .body(Body::from(envelope(&[identity(n)])))
            .expect("request builds")
    };
    for (n, ok) in [
        "application/taxii+json;version=2.1",
        "application/taxii+json; version=2.1; charset=utf-8",
        "application/taxii+json",
    ]
    .into_iter()
    .enumerate()
    {
        let reply = node.send(post(Some(ok), n as u32 + 1)).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{ok}: {}", reply.text());
    }
    for bad in [
        Some("application/json"),
        Some("application/stix+json;version=2.1"),
        Some("application/taxii+json;version=2.0"),
        Some("text/plain"),
        None,
    ] {
        node.send(post(bad, 50))
            .await
            .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
    // Only the three accepted posts were stored.
    assert_eq!(node.get(OBJECTS).await.object_ids().len(), 3);
}
