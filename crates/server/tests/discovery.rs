//! Server information: discovery, API roots and collections, as the wire
//! shows them.

use axum::body::Body;
use axum::http::{Method, StatusCode, header};
use expect_test::expect;

use crate::util::{Node, TAXII, admin, redact};

#[tokio::test]
async fn discovery_lists_api_roots_as_absolute_urls() {
    let node = Node::new().await;
    let request = admin(Method::GET, "/taxii2/")
        .header(header::HOST, "charter.example:8443")
        .body(Body::empty())
        .expect("request builds");
    let reply = node.send(request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some(TAXII));
    expect![[r#"{"title":"Charter test node","default":"http://charter.example:8443/default/","api_roots":["http://charter.example:8443/default/"]}"#]]
        .assert_eq(reply.text());
}

#[tokio::test]
async fn discovery_honours_a_forwarded_scheme_and_falls_back_to_relative_urls() {
    let node = Node::new().await;
    let request = admin(Method::GET, "/taxii2/")
        .header(header::HOST, "charter.example")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .expect("request builds");
    let reply = node.send(request).await;
    assert_eq!(
        reply.json()["api_roots"][0],
        "https://charter.example/default/"
    );

    let without_host = node.get("/taxii2/").await;
    assert_eq!(without_host.json()["default"], "/default/");
}

#[tokio::test]
async fn api_root_information() {
    let node = Node::new().await;
    let reply = node.get("/default/").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some(TAXII));
    expect![[r#"{"title":"Charter test node default API root","description":"The node's default API root","versions":["application/taxii+json;version=2.1"],"max_content_length":16384}"#]]
        .assert_eq(reply.text());
}

#[tokio::test]
async fn unknown_api_root_is_not_found() {
    let node = Node::new().await;
    node.get("/nowhere/")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    node.get("/nowhere/collections/")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    node.get("/nowhere/status/x/")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn collections_and_one_collection() {
    let node = Node::new().await;
    let id = node.collection_id().await;
    let reply = node.get("/default/collections/").await;
    assert_eq!(reply.status, StatusCode::OK);
    expect![[r#"{"collections":[{"id":"[collection-id]","title":"Default","description":"The node's default collection","alias":"default","can_read":true,"can_write":true,"media_types":["application/stix+json;version=2.1"]}]}"#]]
        .assert_eq(&redact(reply.text(), &[], &[(&id, "[collection-id]")]));

    let by_alias = node.get("/default/collections/default/").await;
    let by_id = node.get(&format!("/default/collections/{id}/")).await;
    assert_eq!(by_alias.status, StatusCode::OK);
    assert_eq!(by_alias.text(), by_id.text());
    assert_eq!(by_id.json()["id"], id.as_str());
    assert_eq!(by_id.json(), reply.json()["collections"][0]);

    node.get("/default/collections/missing/")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn collections_show_each_users_rights() {
    let node = Node::new().await;
    node.user("reader", "reader-password", true, false).await;
    node.user("stranger", "stranger-password", false, false)
        .await;

    let as_reader = node
        .send(
            axum::http::Request::get("/default/collections/")
                .header(
                    header::AUTHORIZATION,
                    crate::util::basic("reader", "reader-password"),
                )
                .body(Body::empty())
                .expect("request builds"),
        )
        .await;
    let listed = as_reader.json();
    assert_eq!(listed["collections"][0]["can_read"], true);
    assert_eq!(listed["collections"][0]["can_write"], false);

    // A user with no rights sees an empty collections resource, which the
    // specification renders as an object without the list.
    let as_stranger = node
        .send(
            axum::http::Request::get("/default/collections/")
                .header(
                    header::AUTHORIZATION,
                    crate::util::basic("stranger", "stranger-password"),
                )
                .body(Body::empty())
                .expect("request builds"),
        )
        .await;
    assert_eq!(as_stranger.status, StatusCode::OK);
    assert_eq!(as_stranger.text(), "{}");
}
