//! The JSON API's release record: entries page by page, the chain check,
//! who may read them, and errors in the API's own JSON shape.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use charter_hub::{Role, Viewer};
use expect_test::expect;
use serde_json::Value;

use crate::util::{Node, OBJECTS, Reply, TAXII, basic, identity, redact};

const AUDITOR: (&str, &str) = ("oversight", "oversight-password");

async fn api(node: &Node, method: Method, path: &str, authorization: Option<&str>) -> Reply {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    node.send(request.body(Body::empty()).expect("request builds"))
        .await
}

async fn as_auditor(node: &Node, path: &str) -> Reply {
    api(node, Method::GET, path, Some(&basic(AUDITOR.0, AUDITOR.1))).await
}

/// A node with an auditor, an analyst who read the default collection over
/// TAXII, and a few objects.
async fn node_with_history() -> Node {
    let node = Node::new().await;
    node.member(AUDITOR.0, AUDITOR.1, "", Role::Auditor, false, false)
        .await;
    node.user("ana", "ana-password", true, false).await;
    node.add(&[identity(1), identity(2)]).await;
    let read = Request::get(OBJECTS)
        .header(header::ACCEPT, TAXII)
        .header(header::AUTHORIZATION, basic("ana", "ana-password"))
        .body(Body::empty())
        .expect("request builds");
    assert_eq!(node.send(read).await.status, StatusCode::OK);
    node
}

/// Asserts a JSON API error: status, `application/json`, and the code.
fn assert_json_error(reply: &Reply, status: StatusCode, code: &str) -> Value {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let body = reply.json();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body
}

/// Every entry, read as the auditor in pages of `limit` following `next`.
async fn all_entries(node: &Node, limit: usize) -> Vec<Value> {
    let mut entries: Vec<Value> = Vec::new();
    let mut path = format!("/api/v1/audit?limit={limit}");
    loop {
        let page = as_auditor(node, &path).await.json();
        let items = page["entries"].as_array().expect("entries");
        assert!(!items.is_empty() && items.len() <= limit, "{page}");
        entries.extend(items.iter().cloned());
        match page["next"].as_i64() {
            Some(after) => path = format!("/api/v1/audit?limit={limit}&after={after}"),
            None => break,
        }
    }
    entries
}

#[tokio::test]
async fn an_auditor_reads_every_entry_in_order() {
    let node = node_with_history().await;
    let reply = as_auditor(&node, "/api/v1/audit?limit=1").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("application/json"));
    let first = reply.json()["entries"][0].to_string();
    expect![[r#"{"action":"admin","actor":"node-operator","at":"[at]","channel":"cli","detail":{"op":"node.bootstrap"},"hash":"[hash]","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1}"#]]
        .assert_eq(&redact(&first, &["at", "hash"], &[]));
    assert_eq!(reply.json()["next"], 1);

    // Page through with `next`: every entry once, in seq order, each linked
    // to the one before.
    let entries = all_entries(&node, 2).await;
    let seqs: Vec<i64> = entries.iter().filter_map(|e| e["seq"].as_i64()).collect();
    assert_eq!(seqs, (1..=entries.len() as i64).collect::<Vec<_>>());
    for pair in entries.windows(2) {
        assert_eq!(pair[1]["prev_hash"], pair[0]["hash"]);
    }
    for e in &entries {
        let at = e["at"].as_str().expect("at");
        assert_eq!(at.len(), "2026-01-01T00:00:00.000000Z".len(), "{at}");
        assert!(e["detail"].is_object(), "{e}");
    }
    // Ana's TAXII read is recorded as a release through TAXII, by id only.
    let release = entries
        .iter()
        .rev()
        .find(|e| e["action"] == "release" && e["actor"] == "ana")
        .expect("the read was recorded");
    assert_eq!(release["channel"], "taxii");
    assert!(
        release["detail"].to_string().contains("identity--00000001"),
        "{release}"
    );
    assert!(
        !release["detail"].to_string().contains("Organisation 1"),
        "{release}"
    );

    let last = entries.last().expect("entries")["seq"]
        .as_i64()
        .expect("seq");
    let rest = as_auditor(&node, &format!("/api/v1/audit?after={last}"))
        .await
        .json();
    assert_eq!(rest, serde_json::json!({"entries": [], "next": null}));
}

#[tokio::test]
async fn the_chain_check_reports_an_intact_record() {
    let node = node_with_history().await;
    let entries = all_entries(&node, 5).await;
    let reply = as_auditor(&node, "/api/v1/audit/verify").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let report = reply.json();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["entries"].as_u64(), Some(entries.len() as u64));
    let tail = entries.last().expect("entries");
    assert_eq!(report["head"]["seq"], tail["seq"]);
    assert_eq!(report["head"]["hash"], tail["hash"]);
    assert_eq!(report["head"]["hash"].as_str().map(str::len), Some(64));
}

#[tokio::test]
async fn a_bearer_token_and_node_administrators_may_read_the_record() {
    let node = node_with_history().await;
    let (_, token) = node
        .hub
        .add_token(&Viewer::node_operator(), AUDITOR.0, None, None)
        .await
        .expect("token issued");
    let reply = api(
        &node,
        Method::GET,
        "/api/v1/audit/verify",
        Some(&format!("Bearer {token}")),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let admin = node.get("/api/v1/audit?limit=1").await;
    assert_eq!(admin.status, StatusCode::OK, "{}", admin.text());
}

#[tokio::test]
async fn others_are_refused_in_the_json_shape() {
    let node = node_with_history().await;
    let analyst = basic("ana", "ana-password");
    for path in ["/api/v1/audit", "/api/v1/audit/verify"] {
        let reply = api(&node, Method::GET, path, Some(&analyst)).await;
        assert_json_error(&reply, StatusCode::FORBIDDEN, "forbidden");

        let reply = api(&node, Method::GET, path, None).await;
        assert_json_error(&reply, StatusCode::UNAUTHORIZED, "authentication_required");
        assert_eq!(
            reply.header("www-authenticate"),
            Some(r#"Basic realm="Charter""#)
        );

        let wrong = basic(AUDITOR.0, "wrong-password");
        let reply = api(&node, Method::GET, path, Some(&wrong)).await;
        assert_json_error(&reply, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
}

#[tokio::test]
async fn bad_parameters_paths_and_methods_are_json_errors() {
    let node = node_with_history().await;
    for query in ["?limit=0", "?limit=many", "?after=-3", "?after=1&after=2"] {
        let reply = as_auditor(&node, &format!("/api/v1/audit{query}")).await;
        let body = assert_json_error(&reply, StatusCode::BAD_REQUEST, "invalid_parameter");
        let name = if query.contains("limit") {
            "limit"
        } else {
            "after"
        };
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(name)),
            "{body}"
        );
    }
    let reply = as_auditor(&node, "/api/v1/nothing-here").await;
    assert_json_error(&reply, StatusCode::NOT_FOUND, "not_found");
    let auth = basic(AUDITOR.0, AUDITOR.1);
    let reply = api(&node, Method::POST, "/api/v1/audit", Some(&auth)).await;
    assert_json_error(&reply, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    // A large limit is clamped to the node's page size, not refused.
    let reply = as_auditor(&node, "/api/v1/audit?limit=100000").await;
    assert_eq!(reply.status, StatusCode::OK);
    let max = crate::util::test_config().max_page_size;
    assert_eq!(reply.json()["entries"].as_array().map(Vec::len), Some(max));
}
