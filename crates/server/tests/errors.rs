//! Every refusal, with its status and its TAXII error body: bad URL
//! parameters, malformed envelopes, unknown paths and methods, size limits.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use expect_test::expect;

use crate::util::{MANIFEST, Node, OBJECTS, TAXII, admin, envelope, identity, redact, test_config};

#[tokio::test]
async fn error_body_shape() {
    let node = Node::new().await;
    let reply = node.get(&format!("{OBJECTS}?limit=zero")).await;
    reply.assert_error(StatusCode::BAD_REQUEST, "invalid_parameter");
    expect![[r#"{"title":"Invalid URL parameter","description":"limit: 'zero' is not a positive integer","error_id":"[error_id]","error_code":"invalid_parameter","http_status":"400","details":{"parameter":"limit","value":"zero"}}"#]]
        .assert_eq(&redact(reply.text(), &["error_id"], &[]));
}

#[tokio::test]
async fn bad_url_parameters_are_400_naming_the_parameter() {
    let node = Node::new().await;
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=1.5", "limit"),
        ("limit=2&limit=3", "limit"),
        ("added_after=yesterday", "added_after"),
        ("added_after=2024-01-01", "added_after"),
        ("added_after=2024-01-01T00:00:00+01:00", "added_after"),
        ("match[version]=newest", "match[version]"),
        ("match[version]=first,,last", "match[version]"),
        ("match[type]=indicator,", "match[type]"),
        ("next=", "next"),
    ] {
        for base in [OBJECTS, MANIFEST] {
            let reply = node.get(&format!("{base}?{query}")).await;
            let body = reply.assert_error(StatusCode::BAD_REQUEST, "invalid_parameter");
            assert_eq!(body["details"]["parameter"], parameter, "{query}: {body}");
            assert!(
                body["description"]
                    .as_str()
                    .is_some_and(|d| d.contains(parameter)),
                "{body}"
            );
        }
    }
}

#[tokio::test]
async fn a_next_token_this_server_did_not_issue_is_400() {
    let node = Node::new().await;
    let reply = node.get(&format!("{OBJECTS}?next=forged")).await;
    let body = reply.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(
        body["description"]
            .as_str()
            .is_some_and(|d| d.contains("forged")),
        "{body}"
    );
}

#[tokio::test]
async fn malformed_envelopes_are_400_and_store_nothing() {
    let node = Node::new().await;
    for body in [
        "not json".to_owned(),
        "".to_owned(),
        r#"{"objects": "#.to_owned(),
        r#"{"more": false}"#.to_owned(),
        r#"{"objects": {}}"#.to_owned(),
        r#"{"objects": null}"#.to_owned(),
        format!(r#"[{{"objects": [{}]}}]"#, identity(1)),
        format!(r#"{{"objects": [{}, 42]}}"#, identity(1)),
        format!(r#"{{"objects": [{}, "identity"]}}"#, identity(1)),
        format!(r#"{{"objects": [{}, [{}]]}}"#, identity(1), identity(2)),
    ] {
        let reply = node.post(OBJECTS, body.clone()).await;
        let err = reply.assert_error(StatusCode::BAD_REQUEST, "malformed_envelope");
        assert!(err["description"].as_str().is_some(), "{body}");
    }
    assert_eq!(node.get(OBJECTS).await.text(), r#"{"more":false}"#);
}

#[tokio::test]
async fn an_element_that_is_not_an_object_is_named() {
    let node = Node::new().await;
    let reply = node
        .post(OBJECTS, format!(r#"{{"objects": [{}, 42]}}"#, identity(1)))
        .await;
    let body = reply.assert_error(StatusCode::BAD_REQUEST, "malformed_envelope");
    assert_eq!(body["description"], "objects[1] is not a JSON object");
}

#[tokio::test]
async fn an_empty_envelope_is_422() {
    let node = Node::new().await;
    node.post(OBJECTS, r#"{"objects": []}"#)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable");
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let node = Node::new().await;
    node.get("/")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    node.get("/taxii2")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    node.get("/default/collections/default/objects")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    node.get("/default/collections/default/nothing/")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let put = admin(Method::PUT, OBJECTS)
        .body(Body::empty())
        .expect("request builds");
    node.send(put)
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let post = admin(Method::POST, "/taxii2/")
        .body(Body::empty())
        .expect("request builds");
    node.send(post)
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    // Reads of unknown collections are 404 on every collection endpoint.
    for path in [
        "/default/collections/missing/objects/",
        "/default/collections/missing/manifest/",
        "/default/collections/missing/objects/identity--00000001-0000-4000-8000-000000000000/",
    ] {
        node.get(path)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    let post = node
        .post(
            "/default/collections/missing/objects/",
            envelope(&[identity(1)]),
        )
        .await;
    post.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn bodies_over_max_content_length_are_413() {
    let node = Node::new().await;
    let max = test_config().max_content_length;
    let big = format!(
        r#"{{"objects":[{{"type":"identity","name":"{}"}}]}}"#,
        "x".repeat(max as usize)
    );

    // Refused on the declared length, before reading.
    let declared = admin(Method::POST, OBJECTS)
        .header(header::CONTENT_TYPE, TAXII)
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))
        .expect("request builds");
    let body = node
        .send(declared)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(
        body["description"]
            .as_str()
            .is_some_and(|d| d.contains("16384")),
        "{body}"
    );

    // Refused while reading when no length is declared (the real-socket
    // variant, with chunked transfer encoding, is in `serve`)...
    let undeclared = admin(Method::POST, OBJECTS)
        .header(header::CONTENT_TYPE, TAXII)
        .body(Body::from(big.clone()))
        .expect("request builds");
    node.send(undeclared)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    // ...and when the declared length is false.
    let lying = admin(Method::POST, OBJECTS)
        .header(header::CONTENT_TYPE, TAXII)
        .header(header::CONTENT_LENGTH, "10")
        .body(Body::from(big))
        .expect("request builds");
    node.send(lying)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    // A body just under the limit is read.
    let fits = envelope(&[identity(1)]);
    assert!(fits.len() < max as usize);
    assert_eq!(node.post(OBJECTS, fits).await.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn too_many_objects_in_one_envelope_is_413() {
    let node = Node::new().await;
    let max = test_config().max_objects_per_envelope as u32;
    let objects: Vec<String> = (1..=max + 1).map(identity).collect();
    let reply = node.post(OBJECTS, envelope(&objects)).await;
    reply.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert_eq!(node.get(OBJECTS).await.text(), r#"{"more":false}"#);
}

#[tokio::test]
async fn a_content_length_that_is_not_a_number_is_400() {
    let node = Node::new().await;
    let request = admin(Method::POST, OBJECTS)
        .header(header::CONTENT_TYPE, TAXII)
        .header(header::CONTENT_LENGTH, "lots")
        .body(Body::from(envelope(&[identity(1)])))
        .expect("request builds");
    node.send(request)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}
