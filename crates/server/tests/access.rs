//! Authentication and rights: credentials on every route, the challenges on
//! every 401, and what readers, writers and strangers may do. Bearer tokens,
//! throttling and TLP recipients are in `members`.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use charter_hub::Viewer;

use crate::util::{
    ADMIN_PASSWORD, Node, OBJECTS, Reply, TAXII, basic, envelope, identity, stix_id,
};

const ROUTES: [&str; 8] = [
    "/taxii2/",
    "/default/",
    "/default/collections/",
    "/default/collections/default/",
    "/default/collections/default/manifest/",
    OBJECTS,
    "/default/collections/default/objects/identity--00000001-0000-4000-8000-000000000000/",
    "/default/collections/default/objects/identity--00000001-0000-4000-8000-000000000000/versions/",
];

async fn get_with(node: &Node, path: &str, authorization: Option<&str>) -> Reply {
    let mut builder = Request::get(path).header(header::ACCEPT, TAXII);
    if let Some(value) = authorization {
        builder = builder.header(header::AUTHORIZATION, value);
    }
    node.send(builder.body(Body::empty()).expect("request builds"))
        .await
}

async fn post_as(node: &Node, user: &str, password: &str, n: u32) -> Reply {
    let request = Request::post(OBJECTS)
        .header(header::AUTHORIZATION, basic(user, password))
        .header(header::ACCEPT, TAXII)
        .header(header::CONTENT_TYPE, TAXII)
        .body(Body::from(envelope(&[identity(n)])))
        .expect("request builds");
    node.send(request).await
}

/// Asserts a 401 with a TAXII body of `code` and both challenges, Basic first.
pub fn assert_challenge(reply: &Reply, code: &str) {
    reply.assert_error(StatusCode::UNAUTHORIZED, code);
    let challenges: Vec<&str> = reply
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|v| v.to_str().expect("challenge is text"))
        .collect();
    assert_eq!(
        challenges,
        [r#"Basic realm="Charter""#, r#"Bearer realm="Charter""#]
    );
}

#[tokio::test]
async fn every_route_requires_credentials() {
    let node = Node::new().await;
    for path in ROUTES
        .iter()
        .copied()
        .chain(["/default/status/00000000-0000-4000-8000-000000000000/"])
    {
        assert_challenge(
            &get_with(&node, path, None).await,
            "authentication_required",
        );
    }
    let post = Request::post(OBJECTS)
        .header(header::CONTENT_TYPE, TAXII)
        .body(Body::from(envelope(&[identity(1)])))
        .expect("request builds");
    assert_challenge(&node.send(post).await, "authentication_required");
    assert_eq!(
        node.get(OBJECTS).await.text(),
        r#"{"more":false}"#,
        "nothing was stored"
    );
}

#[tokio::test]
async fn malformed_authorization_headers_are_401() {
    let node = Node::new().await;
    for value in [
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic YWRtaW4=", // "admin": no colon
        "Basic /w==",     // not UTF-8
        "Bearer",
        "Bearer two tokens",
        "Digest username=\"admin\"",
        "YWRtaW46Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5", // no scheme
    ] {
        assert_challenge(
            &get_with(&node, "/taxii2/", Some(value)).await,
            "authentication_required",
        );
    }
}

#[tokio::test]
async fn wrong_credentials_are_401() {
    let node = Node::new().await;
    for (user, password) in [
        ("admin", "wrong-password"),
        ("nobody", ADMIN_PASSWORD),
        ("", ""),
        ("admin", ""),
    ] {
        let reply = get_with(&node, "/taxii2/", Some(&basic(user, password))).await;
        assert_challenge(&reply, "invalid_credentials");
    }
    // The scheme name is case-insensitive and the right password works.
    let lower = format!(
        "basic {}",
        &basic("admin", ADMIN_PASSWORD)["Basic ".len()..]
    );
    assert_eq!(
        get_with(&node, "/taxii2/", Some(&lower)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_disabled_user_is_refused() {
    let node = Node::new().await;
    node.user("alice", "alice-password", true, true).await;
    assert_eq!(
        get_with(&node, OBJECTS, Some(&basic("alice", "alice-password")))
            .await
            .status,
        StatusCode::OK
    );
    node.hub
        .set_user_disabled(&Viewer::node_operator(), "alice", true)
        .await
        .expect("disabled");
    assert_challenge(
        &get_with(&node, OBJECTS, Some(&basic("alice", "alice-password"))).await,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn a_reader_may_read_but_not_write() {
    let node = Node::new().await;
    node.add(&[identity(1)]).await;
    node.user("reader", "reader-password", true, false).await;
    let auth = basic("reader", "reader-password");
    for path in ROUTES {
        let reply = get_with(&node, path, Some(&auth)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
    }
    post_as(&node, "reader", "reader-password", 2)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let delete = Request::delete(format!("{OBJECTS}{}/", stix_id("identity", 1)))
        .header(header::AUTHORIZATION, &auth)
        .body(Body::empty())
        .expect("request builds");
    node.send(delete)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        node.get(OBJECTS).await.object_ids(),
        [stix_id("identity", 1)]
    );
}

#[tokio::test]
async fn a_writer_may_write_but_not_read() {
    let node = Node::new().await;
    node.user("writer", "writer-password", false, true).await;
    let reply = post_as(&node, "writer", "writer-password", 1).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    let status_id = reply.json()["id"].as_str().expect("status id").to_owned();

    let auth = basic("writer", "writer-password");
    // The writer sees the collection and its own status...
    let collection = get_with(&node, "/default/collections/default/", Some(&auth))
        .await
        .json();
    assert_eq!(
        (
            collection["can_read"].as_bool(),
            collection["can_write"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let status = get_with(&node, &format!("/default/status/{status_id}/"), Some(&auth)).await;
    assert_eq!(status.status, StatusCode::OK);
    // ...but may not read objects.
    for path in &ROUTES[4..] {
        get_with(&node, path, Some(&auth))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

#[tokio::test]
async fn a_user_without_rights_does_not_see_the_collection() {
    let node = Node::new().await;
    node.user("stranger", "stranger-password", false, false)
        .await;
    let auth = basic("stranger", "stranger-password");
    for path in &ROUTES[3..] {
        get_with(&node, path, Some(&auth))
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    post_as(&node, "stranger", "stranger-password", 1)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // Server information stays readable to any authenticated user.
    assert_eq!(
        get_with(&node, "/taxii2/", Some(&auth)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get_with(&node, "/default/", Some(&auth)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_status_is_visible_only_to_its_owner_and_administrators() {
    let node = Node::new().await;
    node.user("writer", "writer-password", true, true).await;
    node.user("other", "other-password", true, true).await;
    let reply = post_as(&node, "writer", "writer-password", 1).await;
    let path = format!(
        "/default/status/{}/",
        reply.json()["id"].as_str().expect("status id")
    );
    assert_eq!(
        get_with(&node, &path, Some(&basic("writer", "writer-password")))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        node.get(&path).await.status,
        StatusCode::OK,
        "administrators see every status"
    );
    get_with(&node, &path, Some(&basic("other", "other-password")))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn delete_needs_credentials() {
    let node = Node::new().await;
    node.add(&[identity(1)]).await;
    let request = Request::builder()
        .method(Method::DELETE)
        .uri(format!("{OBJECTS}{}/", stix_id("identity", 1)))
        .body(Body::empty())
        .expect("request builds");
    assert_challenge(&node.send(request).await, "authentication_required");
    assert_eq!(node.get(OBJECTS).await.object_ids().len(), 1);
}
