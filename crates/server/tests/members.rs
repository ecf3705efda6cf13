//! Members over HTTP: bearer API tokens, throttling of failed sign-ins
//! (429 with `Retry-After`), and the `X-Charter-Recipients` header that TLP:RED
//! objects need.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use charter_hub::{Role, Viewer};

use crate::access::assert_challenge;
use crate::util::{
    ADMIN_PASSWORD, Node, OBJECTS, Reply, TAXII, TEST_ORG, add_org, basic, envelope, identity,
    red_identity, stix_id,
};

async fn get_as(node: &Node, path: &str, authorization: &str) -> Reply {
    let request = Request::get(path)
        .header(header::ACCEPT, TAXII)
        .header(header::AUTHORIZATION, authorization)
        .body(Body::empty())
        .expect("request builds");
    node.send(request).await
}

async fn post_with_recipients(node: &Node, objects: &[String], recipients: Option<&str>) -> Reply {
    let mut request = Request::post(OBJECTS)
        .header(header::AUTHORIZATION, basic("admin", ADMIN_PASSWORD))
        .header(header::ACCEPT, TAXII)
        .header(header::CONTENT_TYPE, TAXII);
    if let Some(value) = recipients {
        request = request.header("X-Charter-Recipients", value);
    }
    node.send(
        request
            .body(Body::from(envelope(objects)))
            .expect("request builds"),
    )
    .await
}

#[tokio::test]
async fn a_bearer_token_works_until_it_is_revoked() {
    let node = Node::new().await;
    node.add(&[identity(1)]).await;
    node.user("ana", "ana-password", true, false).await;
    let operator = Viewer::node_operator();
    let (record, token) = node
        .hub
        .add_token(&operator, "ana", Some("siem".to_owned()), None)
        .await
        .expect("token issued");
    let bearer = format!("Bearer {token}");
    let reply = get_as(&node, OBJECTS, &bearer).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.object_ids(), [stix_id("identity", 1)]);
    // The scheme name is case-insensitive.
    let lower = get_as(&node, OBJECTS, &format!("bearer {token}")).await;
    assert_eq!(lower.status, StatusCode::OK);

    node.hub
        .revoke_token(&operator, &record.id)
        .await
        .expect("revoked");
    assert_challenge(
        &get_as(&node, OBJECTS, &bearer).await,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn unknown_tampered_and_disabled_tokens_are_refused() {
    let node = Node::new().await;
    node.user("ana", "ana-password", true, false).await;
    let operator = Viewer::node_operator();
    let (_, token) = node
        .hub
        .add_token(&operator, "ana", None, None)
        .await
        .expect("token issued");
    let tampered = format!("{}A", &token[..token.len() - 1]);
    let tampered = if tampered == token {
        format!("{}B", &token[..token.len() - 1])
    } else {
        tampered
    };
    for bad in ["c2VjcmV0".to_owned(), "charter_nope".to_owned(), tampered] {
        assert_challenge(
            &get_as(&node, "/taxii2/", &format!("Bearer {bad}")).await,
            "invalid_credentials",
        );
    }
    node.hub
        .set_user_disabled(&operator, "ana", true)
        .await
        .expect("disabled");
    assert_challenge(
        &get_as(&node, "/taxii2/", &format!("Bearer {token}")).await,
        "invalid_credentials",
    );
}

#[tokio::test]
async fn repeated_failures_are_answered_429_with_retry_after() {
    let node = Node::new().await;
    node.user("ana", "ana-password", true, false).await;
    node.user("bob", "bob-password", true, false).await;
    for _ in 0..charter_hub::ACCOUNT_LIMIT {
        assert_challenge(
            &get_as(&node, "/taxii2/", &basic("ana", "wrong-guess")).await,
            "invalid_credentials",
        );
    }
    // Locked: even the right password waits for the window to pass.
    let reply = get_as(&node, "/taxii2/", &basic("ana", "ana-password")).await;
    let body = reply.assert_error(StatusCode::TOO_MANY_REQUESTS, "too_many_requests");
    assert!(
        body["description"]
            .as_str()
            .is_some_and(|d| d.contains("try again")),
        "{body}"
    );
    let wait: u64 = reply
        .header("retry-after")
        .expect("Retry-After is sent")
        .parse()
        .expect("Retry-After is whole seconds");
    assert!(
        (1..=charter_hub::THROTTLE_WINDOW.as_secs()).contains(&wait),
        "{wait}"
    );
    // The JSON API is throttled alike, and answers in its own shape.
    let api = get_as(&node, "/api/v1/audit", &basic("ana", "ana-password")).await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.header("content-type"), Some("application/json"));
    assert!(api.header("retry-after").is_some());
    // Other accounts are not affected.
    let other = get_as(&node, "/taxii2/", &basic("bob", "bob-password")).await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn red_objects_need_the_recipients_header() {
    let node = Node::new().await;
    add_org(&node.hub, "Other Ltd").await;
    node.user("ana", "ana-password", true, false).await;
    node.member(
        "olly",
        "olly-password",
        "Other Ltd",
        Role::Analyst,
        true,
        false,
    )
    .await;

    let reply = post_with_recipients(&node, &[red_identity(1), identity(2)], None).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    let status = reply.json();
    assert_eq!(status["success_count"], 1, "{status}");
    assert_eq!(status["failures"][0]["id"], stix_id("identity", 1));
    let message = status["failures"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("X-Charter-Recipients"),
        "the failure says what to send: {message}"
    );

    let reply = post_with_recipients(&node, &[red_identity(1)], Some(TEST_ORG)).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.json()["success_count"], 1, "{}", reply.text());
    let ana = get_as(&node, OBJECTS, &basic("ana", "ana-password")).await;
    assert_eq!(
        ana.object_ids(),
        [stix_id("identity", 2), stix_id("identity", 1)],
        "the recipient sees the RED object"
    );
    let olly = get_as(&node, OBJECTS, &basic("olly", "olly-password")).await;
    assert_eq!(
        olly.object_ids(),
        [stix_id("identity", 2)],
        "another organisation does not"
    );
}

#[tokio::test]
async fn a_malformed_or_unknown_recipient_is_refused_whole() {
    let node = Node::new().await;
    for bad in ["Test Org,", ",", "Test Org,,Other", ""] {
        let reply = post_with_recipients(&node, &[red_identity(1)], Some(bad)).await;
        let body = reply.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        assert_eq!(body["details"]["header"], "X-Charter-Recipients", "{bad:?}");
        assert!(
            body["description"]
                .as_str()
                .is_some_and(|d| d.contains("X-Charter-Recipients")),
            "{body}"
        );
    }
    let reply = post_with_recipients(&node, &[red_identity(1)], Some("Test Org, Nobody Inc")).await;
    let body = reply.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(
        body["description"]
            .as_str()
            .is_some_and(|d| d.contains("Nobody Inc")),
        "{body}"
    );
    assert_eq!(
        node.get(OBJECTS).await.text(),
        r#"{"more":false}"#,
        "nothing was stored"
    );
}
