//! `POST /api/v1/scan`: a log scanned against what the caller may see, plain or gzip, the
//! warning-list rule, the body limit, bad parameters and reported sightings.

use std::collections::BTreeSet;
use std::io::Write as _;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use charter_hub::WarningLists;
use serde_json::{Value, json};

use crate::util::{Node, Reply, TLP_RED, admin, basic, envelope};

fn id(n: u32) -> String {
    format!("indicator--5c7b1a5e-8c4e-4f7a-9d3b-{n:012}")
}

fn indicator(n: u32, pattern: &str) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1", "id": id(n),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("scanned thing {n}"), "pattern": pattern, "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    })
}

const ANA: Option<(&str, &str)> = Some(("ana", "ana-password"));
const EVE: Option<(&str, &str)> = Some(("eve", "eve-password"));

async fn scan(node: &Node, query: &str, who: Option<(&str, &str)>, log: Vec<u8>) -> Reply {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/scan{query}"))
        .header(header::CONTENT_TYPE, "application/octet-stream");
    if let Some((u, p)) = who {
        request = request.header(header::AUTHORIZATION, basic(u, p));
    }
    node.send(request.body(Body::from(log)).expect("request builds"))
        .await
}

/// A node where ana reads and writes the default collection and eve reads nothing; three
/// indicators everyone with read access sees, and one RED one for another organisation.
async fn node() -> Node {
    let node = Node::new().await;
    node.user("ana", "ana-password", true, true).await;
    node.user("eve", "eve-password", false, false).await;
    let lists = WarningLists::from_texts([
        r#"{"name": "public-dns-v4", "type": "string", "list": ["8.8.8.8"]}"#,
    ])
    .expect("test lists");
    node.hub.set_warninglists(lists).await.expect("lists set");
    node.add(&[
        indicator(1, "[ipv4-addr:value = '203.0.113.7']").to_string(),
        indicator(2, "[domain-name:value = 'evil.example']").to_string(),
        indicator(3, "[ipv4-addr:value = '198.51.100.99']").to_string(),
        indicator(4, "[ipv4-addr:value = '8.8.8.8']").to_string(),
    ])
    .await;
    crate::util::add_org(&node.hub, "Other Org").await;
    let mut secret = indicator(5, "[ipv4-addr:value = '192.0.2.55']");
    secret["object_marking_refs"] = json!([TLP_RED]);
    let reply = node
        .send(
            admin(Method::POST, crate::util::OBJECTS)
                .header(header::CONTENT_TYPE, crate::util::TAXII)
                .header("x-charter-recipients", "Other Org")
                .body(Body::from(envelope(&[secret.to_string()])))
                .expect("request builds"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    node
}

/// A Zeek DNS log: benign lines, with 203.0.113.7 planted on line 9, EVIL.example on line
/// 11 and the RED indicator's 192.0.2.55 on line 12.
fn dns_log() -> Vec<u8> {
    let mut text = String::from(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n\
         #fields\tts\tuid\tid.orig_h\tid.resp_h\tquery\n\
         #types\ttime\tstring\taddr\taddr\tstring\n",
    );
    let rows = [
        ("10.0.0.1", "192.0.2.1", "www.example.org"),
        ("203.0.113.7", "192.0.2.1", "mail.example.org"),
        ("10.0.0.2", "192.0.2.1", "news.example.org"),
        ("10.0.0.3", "192.0.2.1", "EVIL.example"),
        ("10.0.0.4", "192.0.2.55", "cdn.example.org"),
        ("10.0.0.5", "192.0.2.1", "docs.example.org"),
    ];
    for (i, (orig, resp, query)) in rows.iter().enumerate() {
        text.push_str(&format!(
            "{}.5\tC{i}\t{orig}\t{resp}\t{query}\n",
            1_767_225_600 + i
        ));
    }
    text.into_bytes()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("gzip write");
    encoder.finish().expect("gzip finish")
}

/// The (indicator, value, position) triples of an answer.
fn matches(body: &Value) -> BTreeSet<(String, String, u64)> {
    body["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|m| {
            (
                m["indicator"].as_str().expect("indicator").to_owned(),
                m["value"].as_str().expect("value").to_owned(),
                m["position"].as_u64().expect("position"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_zeek_log_plain_or_gzip_matches_exactly_the_planted_values() {
    let node = node().await;
    let expected: BTreeSet<(String, String, u64)> = [
        (id(1), "203.0.113.7".to_owned(), 9),
        (id(2), "EVIL.example".to_owned(), 11),
    ]
    .into_iter()
    .collect();
    for (what, log) in [("plain", dns_log()), ("gzip", gzip(&dns_log()))] {
        let reply = scan(&node, "", ANA, log).await;
        assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.text());
        let body = reply.json();
        assert_eq!(matches(&body), expected, "{what}: {body}");
        assert_eq!(body["records"], 6, "{what}");
        assert_eq!(body["values"], 18, "{what}");
        assert_eq!(body["match_count"], 2, "{what}");
        assert_eq!(body["bad_records"], 0, "{what}");
        assert_eq!(body["sightings"], Value::Null, "{what}");
        let first = &body["matches"][0];
        assert_eq!(first["name"], "scanned thing 1", "{what}");
        assert_eq!(first["tlp"], "TLP:AMBER", "{what}");
    }
    // The same values as CSV with a column mapping, and a collection named explicitly.
    let csv = b"src,name\n203.0.113.7,a\n10.0.0.9,EVIL.example\n\xff\xfe,x\n".to_vec();
    let reply = scan(
        &node,
        "?format=csv&columns=src=ip,name=domain&collection=default",
        ANA,
        csv,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    let ids: BTreeSet<String> = matches(&body).into_iter().map(|m| m.0).collect();
    assert_eq!(ids, [id(1), id(2)].into_iter().collect());
    assert_eq!(body["bad_records"], 1, "{body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
}

#[tokio::test]
async fn a_member_matches_only_the_indicators_it_may_see() {
    let node = node().await;
    let reply = scan(&node, "", EVE, dns_log()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["records"], 6);
    assert_eq!(body["matches"], json!([]), "eve reads no collection");
    // The RED indicator for another organisation is planted on line 12, unmatched by ana
    // but matched by the operator's administrator, who sees it.
    let reply = scan(&node, "", ANA, dns_log()).await;
    assert!(!reply.text().contains(&id(5)), "{}", reply.text());
    let reply = scan(
        &node,
        "",
        Some(("admin", crate::util::ADMIN_PASSWORD)),
        dns_log(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert!(
        matches(&reply.json()).contains(&(id(5), "192.0.2.55".to_owned(), 12)),
        "{}",
        reply.text()
    );
    let reply = scan(&node, "", None, dns_log()).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn warning_listed_values_match_only_when_asked_for() {
    let node = node().await;
    let log = b"8.8.8.8\n203.0.113.7\n".to_vec();
    let reply = scan(&node, "?format=plain", ANA, log.clone()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let ids: Vec<String> = matches(&reply.json()).into_iter().map(|m| m.0).collect();
    assert_eq!(ids, [id(1)]);
    let reply = scan(&node, "?format=plain&include_warninglisted=true", ANA, log).await;
    let ids: BTreeSet<String> = matches(&reply.json()).into_iter().map(|m| m.0).collect();
    assert_eq!(ids, [id(1), id(4)].into_iter().collect());
}

#[tokio::test]
async fn bad_parameters_and_oversize_bodies_are_refused() {
    let node = node().await;
    let reply = scan(&node, "?format=snort", ANA, dns_log()).await;
    let error = json_error(&reply, StatusCode::BAD_REQUEST, "invalid_parameter");
    assert!(error.contains("format: 'snort' is not auto"), "{error}");
    for query in ["?columns=src", "?format=csv", "?report=yes"] {
        let reply = scan(&node, query, ANA, dns_log()).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        let name = query[1..].split('=').next().unwrap_or_default();
        let name = if name == "format" { "columns" } else { name };
        assert!(
            reply.text().contains(&format!("{name}: ")),
            "{query}: {}",
            reply.text()
        );
    }
    let reply = scan(&node, "?format=zeek", ANA, b"not a zeek log\n".to_vec()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["bad_records"], 1, "{}", reply.text());

    let declared = charter_server::MAX_SCAN_BODY + 1;
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/scan")
        .header(header::AUTHORIZATION, basic("ana", "ana-password"))
        .header(header::CONTENT_LENGTH, declared.to_string())
        .body(Body::from("8.8.8.8\n"))
        .expect("request builds");
    let reply = node.send(request).await;
    let error = json_error(&reply, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(error.contains("the scan limit"), "{error}");
    // A body without a length that turns out too large while streaming.
    let big = vec![b'\n'; usize::try_from(declared).expect("fits")];
    let reply = scan(&node, "", ANA, big).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.text()
    );
    // Nothing was reported by any refused scan.
    assert_eq!(sightings(&node).await, Vec::<Value>::new());
}

/// Asserts a JSON API error with `status` and `code`; returns its message.
fn json_error(reply: &Reply, status: StatusCode, code: &str) -> String {
    assert_eq!(reply.status, status, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The sightings in the default collection, as ana reads them.
async fn sightings(node: &Node) -> Vec<Value> {
    let request = Request::builder()
        .method(Method::GET)
        .uri(format!("{}?match[type]=sighting", crate::util::OBJECTS))
        .header(header::AUTHORIZATION, basic("ana", "ana-password"))
        .header(header::ACCEPT, crate::util::TAXII)
        .body(Body::empty())
        .expect("request builds");
    let reply = node.send(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()["objects"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test]
async fn report_true_submits_sightings_the_reporter_can_read() {
    let node = node().await;
    let mut log = dns_log();
    // The planted address a second time, a second later.
    log.extend_from_slice(b"1767225700.5\tC9\t203.0.113.7\t192.0.2.1\tx.example.org\n");
    let reply = scan(&node, "?report=true", ANA, log).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["match_count"], 3, "{body}");
    assert_eq!(body["sightings"]["success_count"], 2, "{body}");
    assert_eq!(body["sightings"]["failure_count"], 0, "{body}");
    let mut seen: Vec<(String, u64)> = sightings(&node)
        .await
        .iter()
        .map(|s| {
            (
                s["sighting_of_ref"].as_str().unwrap_or_default().to_owned(),
                s["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(seen, [(id(1), 2), (id(2), 1)]);
    // Without report, nothing more is submitted.
    let reply = scan(&node, "", ANA, dns_log()).await;
    assert_eq!(reply.json()["sightings"], Value::Null);
    assert_eq!(sightings(&node).await.len(), 2);
}
