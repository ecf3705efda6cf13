//! TAXII 2.1 over a real socket: what a client sees of the running binary.
//! The server crate's in-process tests cover each route's edge cases; these
//! check the promises that only hold end to end.

use serde_json::Value;

use crate::util::{TestServer, admin, indicator};

#[tokio::test]
async fn objects_are_served_back_byte_for_byte() {
    let server = TestServer::start();
    // Unusual but valid formatting: key order, spacing, escapes, number forms.
    let raw = r#"{ "pattern_type":"stix", "type" : "indicator","spec_version":"2.1",
        "id":"indicator--1f8a3c55-2f2e-4f43-9d4c-5f8a1b2c3d4e",
        "created":"2026-01-01T00:00:00.100Z","modified":"2026-01-01T00:00:00.123456789Z",
        "name":"caf\u00e9 \"quoted\"","confidence":50,"x_score":1.50e0,
        "pattern":"[domain-name:value = 'example.com']","valid_from":"2026-01-01T00:00:00Z"}"#;
    let body = format!("{{\"objects\":[{raw}]}}");
    let resp = server
        .post_raw(server.default_objects(), admin(), body)
        .await;
    assert_eq!(resp.status(), 202);
    let status: Value = resp.json().await.expect("status json");
    assert_eq!(status["status"], "complete");
    assert_eq!(status["success_count"], 1);

    let path =
        "/default/collections/default/objects/indicator--1f8a3c55-2f2e-4f43-9d4c-5f8a1b2c3d4e/";
    let resp = server.get(path, admin()).await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("body");
    assert!(
        text.contains(raw),
        "the stored object is served verbatim: {text}"
    );

    // The version keeps its nanosecond precision.
    let versions = server.get_json(&format!("{path}versions/")).await;
    assert_eq!(
        versions["versions"],
        serde_json::json!(["2026-01-01T00:00:00.123456789Z"])
    );
}

#[tokio::test]
async fn partial_envelopes_store_the_valid_objects_and_name_each_failure() {
    let server = TestServer::start();
    let mut bad_time = indicator(2);
    bad_time["modified"] = Value::String("2025-12-31T00:00:00Z".into()); // before created
    let mut bad_pattern = indicator(3);
    bad_pattern["pattern"] = Value::String("[ipv4-addr:value = '1.2.3.4'".into());
    let not_stix = serde_json::json!({"hello": "world"});
    let objects = [
        indicator(1),
        bad_time.clone(),
        bad_pattern.clone(),
        not_stix,
        indicator(4),
    ];
    let resp = server
        .post_objects(server.default_objects(), admin(), &objects)
        .await;
    assert_eq!(resp.status(), 202);
    let status: Value = resp.json().await.expect("json");
    assert_eq!(status["total_count"], 5);
    assert_eq!(status["success_count"], 2);
    assert_eq!(status["failure_count"], 3);
    let failures = status["failures"].as_array().expect("failures");
    let find = |id: &str| {
        failures
            .iter()
            .find(|f| f["id"] == id)
            .and_then(|f| f["message"].as_str())
            .map(str::to_owned)
    };
    let m = find(bad_time["id"].as_str().expect("id")).expect("bad time listed");
    assert!(m.contains("modified"), "{m}");
    let m = find(bad_pattern["id"].as_str().expect("id")).expect("bad pattern listed");
    assert!(m.contains("pattern"), "{m}");

    // The status resource says the same, later.
    let id = status["id"].as_str().expect("status id");
    let again = server.get_json(&format!("/default/status/{id}/")).await;
    assert_eq!(again["failure_count"], 3);

    let envelope = server.get_json(server.default_objects()).await;
    let ids: Vec<&str> = envelope["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
}

#[tokio::test]
async fn pagination_with_next_sees_every_object_exactly_once() {
    let server = TestServer::start();
    let all: Vec<Value> = (0..2_500).map(indicator).collect();
    for chunk in all.chunks(500) {
        let resp = server
            .post_objects(server.default_objects(), admin(), chunk)
            .await;
        assert_eq!(resp.status(), 202);
    }
    let mut seen = std::collections::HashSet::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("{}?limit=700", server.default_objects());
        if let Some(n) = &next {
            path.push_str(&format!("&next={n}"));
        }
        let resp = server.get(&path, admin()).await;
        assert_eq!(resp.status(), 200);
        assert!(resp.headers().contains_key("x-taxii-date-added-first"));
        assert!(resp.headers().contains_key("x-taxii-date-added-last"));
        let body: Value = resp.json().await.expect("json");
        for o in body["objects"].as_array().expect("objects") {
            assert!(
                seen.insert(o["id"].as_str().expect("id").to_owned()),
                "duplicate {}",
                o["id"]
            );
        }
        pages += 1;
        if body["more"] == true {
            next = Some(body["next"].as_str().expect("next when more").to_owned());
        } else {
            break;
        }
    }
    assert_eq!(seen.len(), 2_500);
    assert_eq!(pages, 4);
}

#[tokio::test]
async fn credentials_are_required_everywhere() {
    let server = TestServer::start();
    for path in [
        "/taxii2/",
        "/default/",
        "/default/collections/",
        server.default_objects(),
    ] {
        let resp = server.get(path, ("admin", "wrong")).await;
        assert_eq!(resp.status(), 401, "{path}");
        assert!(resp.headers().contains_key("www-authenticate"), "{path}");
        let body: Value = resp.json().await.expect("a TAXII error body");
        assert!(body["title"].is_string(), "{path}: {body}");
    }
}
