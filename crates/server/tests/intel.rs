//! Lookups and sensor exports over the JSON API: what each principal gets, the limits, and
//! the OpenAPI description checked against the router.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::util::{Node, Reply, basic};

fn indicator(n: u32, pattern: &str) -> String {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--2b7b1a5e-8c4e-4f7a-9d3b-{n:012}"),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("bad thing {n}"), "pattern": pattern, "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    })
    .to_string()
}

async fn call(
    node: &Node,
    method: Method,
    path: &str,
    who: Option<(&str, &str)>,
    body: Option<String>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    if let Some((u, p)) = who {
        request = request.header(header::AUTHORIZATION, basic(u, p));
    }
    let body = match body {
        Some(b) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(b)
        }
        None => Body::empty(),
    };
    node.send(request.body(body).expect("request builds")).await
}

async fn node() -> Node {
    let node = Node::new().await;
    node.user("ana", "ana-password", true, false).await;
    node.user("eve", "eve-password", false, false).await;
    node.add(&[
        indicator(1, "[ipv4-addr:value = '203.0.113.7']"),
        indicator(2, "[domain-name:value = 'Evil.Example']"),
    ])
    .await;
    node
}

const ANA: Option<(&str, &str)> = Some(("ana", "ana-password"));
const EVE: Option<(&str, &str)> = Some(("eve", "eve-password"));

#[tokio::test]
async fn lookups_answer_only_what_the_caller_may_see() {
    let node = node().await;
    let reply = call(
        &node,
        Method::GET,
        "/api/v1/lookup?value=203.0.113.7&value=EVIL.example",
        ANA,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body: Value = reply.json();
    assert_eq!(body["results"][0]["kind"], "ip");
    assert_eq!(
        body["results"][0]["indicators"][0]["id"],
        "indicator--2b7b1a5e-8c4e-4f7a-9d3b-000000000001"
    );
    assert_eq!(body["results"][0]["indicators"][0]["tlp"], "TLP:AMBER");
    assert_eq!(body["results"][0]["indicators"][0]["exact"], true);
    assert_eq!(
        body["results"][1]["indicators"][0]["name"], "bad thing 2",
        "domain names match without regard to case"
    );

    let reply = call(
        &node,
        Method::GET,
        "/api/v1/lookup?value=203.0.113.7",
        EVE,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["results"][0]["indicators"], json!([]));

    let post = json!({"values": ["198.51.100.1", "203.0.113.7"]}).to_string();
    let reply = call(
        &node,
        Method::POST,
        "/api/v1/lookup",
        ANA,
        Some(post.clone()),
    )
    .await;
    let body: Value = reply.json();
    assert_eq!(body["results"][0]["indicators"], json!([]));
    assert_eq!(
        body["results"][1]["indicators"].as_array().map(Vec::len),
        Some(1)
    );
    let reply = call(&node, Method::POST, "/api/v1/lookup", EVE, Some(post)).await;
    assert_eq!(reply.json()["results"][1]["indicators"], json!([]));
}

#[tokio::test]
async fn lookup_limits_and_bad_requests() {
    let node = node().await;
    let many = json!({"values": vec!["203.0.113.7"; 10_001]}).to_string();
    let reply = call(&node, Method::POST, "/api/v1/lookup", ANA, Some(many)).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
    let reply = call(
        &node,
        Method::POST,
        "/api/v1/lookup",
        ANA,
        Some("{\"value\": 1}".into()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text().contains("the body is not"), "{}", reply.text());
    let reply = call(&node, Method::GET, "/api/v1/lookup", ANA, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = call(
        &node,
        Method::GET,
        "/api/v1/lookup?value=203.0.113.7",
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn exports_state_their_tlp_and_hold_only_visible_indicators() {
    let node = node().await;
    let reply = call(&node, Method::GET, "/api/v1/export?format=zeek", ANA, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.headers["x-charter-highest-tlp"], "TLP:AMBER");
    let text = reply.text();
    assert!(
        text.contains("# Highest TLP of the contents: TLP:AMBER"),
        "{text}"
    );
    assert!(text.contains("203.0.113.7\tIntel::ADDR\t"));
    assert!(text.contains("evil.example\tIntel::DOMAIN\t"));
    let reply = call(
        &node,
        Method::GET,
        "/api/v1/export?format=blocklist&type=domain",
        ANA,
        None,
    )
    .await;
    let body: Vec<String> = reply
        .text()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    assert_eq!(body, ["evil.example"]);
    let reply = call(
        &node,
        Method::GET,
        "/api/v1/export?format=suricata",
        EVE,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(!reply.text().contains("alert"), "{}", reply.text());
    let reply = call(&node, Method::GET, "/api/v1/export?format=snort", ANA, None).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.text().contains("format: 'snort' is not suricata"),
        "{}",
        reply.text()
    );
}

#[tokio::test]
async fn the_openapi_description_matches_the_router() {
    let node = Node::new().await;
    let reply = call(&node, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc: Value = reply.json();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.contains_key("/lookup") && paths.contains_key("/export"));
    assert!(paths.contains_key("/warnings"));
    assert!(paths.contains_key("/reviews") && paths.contains_key("/reviews/{id}/decision"));
    for (path, item) in paths {
        for method in item.as_object().expect("path item").keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
            let reply = call(
                &node,
                m.clone(),
                &format!("/api/v1{path}"),
                None,
                Some("{}".into()),
            )
            .await;
            // A routed path may still answer 404 for a resource that does
            // not exist (`/reviews/{id}`); only the fallback's answer means
            // the path is not routed.
            let unrouted = match reply.status {
                StatusCode::METHOD_NOT_ALLOWED => true,
                StatusCode::NOT_FOUND => reply.json()["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("no JSON API resource")),
                _ => false,
            };
            assert!(
                !unrouted,
                "{method} {path} is documented but not routed: {}",
                reply.status
            );
        }
    }
}
