//! Warning-list flags over HTTP: the TAXII status of a submission names the lists each
//! flagged indicator is on, lookups show the list, and `GET /api/v1/warnings` lists only
//! the flagged indicators the caller may read, a page at a time.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use charter_hub::WarningLists;
use serde_json::{Value, json};

use crate::util::{Node, Reply, TLP_RED, basic};

fn indicator(n: u32, pattern: &str) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--4b7b1a5e-8c4e-4f7a-9d3b-{n:012}"),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("flagged thing {n}"), "pattern": pattern, "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    })
}

fn id(n: u32) -> String {
    format!("indicator--4b7b1a5e-8c4e-4f7a-9d3b-{n:012}")
}

async fn get(node: &Node, path: &str, who: Option<(&str, &str)>) -> Reply {
    let mut request = Request::builder().method(Method::GET).uri(path);
    if let Some((u, p)) = who {
        request = request.header(header::AUTHORIZATION, basic(u, p));
    }
    node.send(request.body(Body::empty()).expect("request builds"))
        .await
}

const ANA: Option<(&str, &str)> = Some(("ana", "ana-password"));
const EVE: Option<(&str, &str)> = Some(("eve", "eve-password"));

async fn node() -> Node {
    let node = Node::new().await;
    node.user("ana", "ana-password", true, false).await;
    node.user("eve", "eve-password", false, false).await;
    let lists = WarningLists::from_texts([
        r#"{"name": "public-dns-v4", "type": "string", "list": ["8.8.8.8", "1.1.1.1"]}"#,
        r#"{"name": "rfc1918", "type": "cidr", "list": ["10.0.0.0/8"]}"#,
    ])
    .expect("test lists");
    node.hub.set_warninglists(lists).await.expect("lists set");
    node
}

#[tokio::test]
async fn the_status_lookups_and_the_listing_show_the_stored_flags() {
    let node = node().await;
    let status = node
        .add(&[
            indicator(1, "[ipv4-addr:value = '8.8.8.8']").to_string(),
            indicator(2, "[ipv4-addr:value = '203.0.113.7']").to_string(),
            indicator(
                3,
                "[ipv4-addr:value = '1.1.1.1' OR ipv4-addr:value = '10.1.1.1']",
            )
            .to_string(),
        ])
        .await;
    // A RED indicator for another organisation only.
    crate::util::add_org(&node.hub, "Other Org").await;
    let mut secret = indicator(4, "[ipv4-addr:value = '10.0.0.9']");
    secret["object_marking_refs"] = json!([TLP_RED]);
    let reply = node
        .send(
            crate::util::admin(Method::POST, crate::util::OBJECTS)
                .header(header::CONTENT_TYPE, crate::util::TAXII)
                .header("x-charter-recipients", "Other Org")
                .body(Body::from(crate::util::envelope(&[secret.to_string()])))
                .expect("request builds"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    assert_eq!(
        reply.json()["successes"][0]["message"],
        "on warning list: rfc1918"
    );
    let message = |n: u32| {
        status["successes"]
            .as_array()
            .expect("successes")
            .iter()
            .find(|d| d["id"] == id(n).as_str())
            .map(|d| d["message"].clone())
    };
    assert_eq!(message(1), Some(json!("on warning list: public-dns-v4")));
    assert_eq!(
        message(3),
        Some(json!("on warning lists: public-dns-v4, rfc1918"))
    );
    assert_eq!(message(2), Some(Value::Null), "{status}");

    let reply = get(&node, "/api/v1/lookup?value=8.8.8.8", ANA).await;
    assert_eq!(
        reply.json()["results"][0]["indicators"][0]["warninglist"],
        "public-dns-v4"
    );

    // Ana reads the collection, but the RED indicator is not for her organisation: she
    // sees neither it nor its flag.
    let reply = get(&node, "/api/v1/warnings", ANA).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "{}",
        reply.text()
    );
    let body = reply.json();
    assert_eq!(
        body,
        json!({"indicators": [
            {"id": id(1), "version": "2026-01-01T00:00:00.000Z", "name": "flagged thing 1",
             "collection": body["indicators"][0]["collection"], "tlp": "TLP:AMBER",
             "pattern": "[ipv4-addr:value = '8.8.8.8']", "lists": ["public-dns-v4"]},
            {"id": id(3), "version": "2026-01-01T00:00:00.000Z", "name": "flagged thing 3",
             "collection": body["indicators"][0]["collection"], "tlp": "TLP:AMBER",
             "pattern": "[ipv4-addr:value = '1.1.1.1' OR ipv4-addr:value = '10.1.1.1']",
             "lists": ["public-dns-v4", "rfc1918"]}
        ]})
    );
    let reply = get(&node, "/api/v1/warnings", EVE).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"indicators": []}));
    let reply = get(&node, "/api/v1/warnings?collection=default", EVE).await;
    assert!(
        matches!(reply.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        reply.text()
    );
    let reply = get(&node, "/api/v1/warnings", None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // Pages of one, for the administrator, who sees the RED one too.
    let admin = Some(("admin", crate::util::ADMIN_PASSWORD));
    let mut path = "/api/v1/warnings?limit=1".to_owned();
    let mut listed = Vec::new();
    loop {
        let body = get(&node, &path, admin).await.json();
        let page = body["indicators"].as_array().expect("a list").clone();
        assert!(page.len() <= 1, "{body}");
        listed.extend(
            page.iter()
                .map(|i| i["id"].as_str().unwrap_or_default().to_owned()),
        );
        match body["next"].as_str() {
            Some(next) => path = format!("/api/v1/warnings?limit=1&next={next}"),
            None => break,
        }
    }
    assert_eq!(listed, [id(1), id(3), id(4)]);
}

#[tokio::test]
async fn bad_listing_parameters_are_named() {
    let node = node().await;
    let reply = get(&node, "/api/v1/warnings?limit=0", ANA).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.text().contains("limit: '0' is not a positive number"),
        "{}",
        reply.text()
    );
    let reply = get(&node, "/api/v1/warnings?next=bogus", ANA).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.text().contains("next: 'bogus' is not a token"),
        "{}",
        reply.text()
    );
}
