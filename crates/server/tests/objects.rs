//! Objects: adding envelopes (whole and partly invalid), reading them back
//! verbatim, one object, its versions, the manifest, deletion and status.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use expect_test::expect;

use crate::util::{
    MANIFEST, Node, OBJECTS, TAXII, admin, attack_pattern, envelope, identity, identity_at, redact,
    stix_id,
};

#[tokio::test]
async fn add_objects_answers_202_with_a_complete_status() {
    let node = Node::new().await;
    let reply = node
        .post(OBJECTS, envelope(&[identity(1), attack_pattern(2)]))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.header("content-type"), Some(TAXII));
    let status = reply.json();
    let status_id = status["id"].as_str().expect("status has an id").to_owned();
    expect![[r#"{"id":"[status-id]","status":"complete","request_timestamp":"[request_timestamp]","total_count":2,"success_count":2,"successes":[{"id":"identity--00000001-0000-4000-8000-000000000000","version":"2024-01-01T00:00:00.000Z"},{"id":"attack-pattern--00000002-0000-4000-8000-000000000000","version":"2024-02-01T00:00:00.000Z"}],"failure_count":0,"pending_count":0}"#]]
        .assert_eq(&redact(reply.text(), &["request_timestamp"], &[(&status_id, "[status-id]")]));
    // The request timestamp has microsecond precision.
    let ts = status["request_timestamp"].as_str().expect("timestamp");
    assert_eq!(ts.len(), "2024-01-01T00:00:00.000000Z".len(), "{ts}");

    // The status resource reads back the same.
    let again = node.get(&format!("/default/status/{status_id}/")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json(), status);
}

#[tokio::test]
async fn a_partly_invalid_envelope_stores_the_valid_objects_and_lists_each_failure() {
    let node = Node::new().await;
    let missing_name = format!(
        r#"{{"type":"identity","spec_version":"2.1","id":"{}","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z"}}"#,
        stix_id("identity", 7)
    );
    let no_id = r#"{"type":"identity","name":"nobody"}"#.to_owned();
    let reply = node
        .post(
            OBJECTS,
            envelope(&[identity(1), missing_name, no_id, identity(2)]),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
    let status = reply.json();
    assert_eq!(status["status"], "complete");
    assert_eq!(status["total_count"], 4);
    assert_eq!(status["success_count"], 2);
    assert_eq!(status["failure_count"], 2);
    assert_eq!(status["pending_count"], 0);
    let failures = status["failures"].as_array().expect("failures listed");
    assert_eq!(failures.len(), 2);
    assert_eq!(failures[0]["id"], stix_id("identity", 7));
    assert!(
        failures
            .iter()
            .all(|f| f["message"].as_str().is_some_and(|m| !m.is_empty())),
        "{status}"
    );
    assert!(
        failures[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("name")),
        "{status}"
    );

    let stored = node.get(OBJECTS).await;
    assert_eq!(
        stored.object_ids(),
        [stix_id("identity", 1), stix_id("identity", 2)]
    );
}

#[tokio::test]
async fn objects_are_served_verbatim_in_an_envelope() {
    let node = Node::new().await;
    // Unusual spacing, key order and escapes must survive byte for byte.
    let odd = format!(
        r#"{{ "name" : "Caf\u00e9 \"Ops\"",  "type":"identity","id":"{}","spec_version":"2.1","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","x_note":[1, 2.50, {{}}] }}"#,
        stix_id("identity", 9)
    );
    node.add(&[odd.clone(), attack_pattern(3)]).await;
    let reply = node.get(OBJECTS).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some(TAXII));
    assert_eq!(
        reply.text(),
        format!(
            r#"{{"more":false,"objects":[{odd},{}]}}"#,
            attack_pattern(3)
        )
    );
    expect![[r#"{"more":false,"objects":[{ "name" : "Caf\u00e9 \"Ops\"",  "type":"identity","id":"identity--00000009-0000-4000-8000-000000000000","spec_version":"2.1","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","x_note":[1, 2.50, {}] },{"type":"attack-pattern","spec_version":"2.1","id":"attack-pattern--00000003-0000-4000-8000-000000000000","created":"2024-02-01T00:00:00.000Z","modified":"2024-02-01T00:00:00.000Z","name":"Technique 3"}]}"#]]
        .assert_eq(reply.text());
}

#[tokio::test]
async fn an_empty_collection_answers_an_envelope_without_objects() {
    let node = Node::new().await;
    let reply = node.get(OBJECTS).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.text(), r#"{"more":false}"#);
    assert_eq!(reply.header("x-taxii-date-added-first"), None);
    assert_eq!(reply.header("x-taxii-date-added-last"), None);
    assert_eq!(node.get(MANIFEST).await.text(), r#"{"more":false}"#);
}

#[tokio::test]
async fn get_an_object_returns_its_latest_version_by_default() {
    let node = Node::new().await;
    let v1 = identity_at(1, "2024-01-01T00:00:00.000Z");
    let v2 = identity_at(1, "2024-03-01T00:00:00.000Z");
    node.add(&[v1.clone(), v2.clone(), identity(2)]).await;
    let path = format!("{OBJECTS}{}/", stix_id("identity", 1));

    let latest = node.get(&path).await;
    assert_eq!(latest.status, StatusCode::OK);
    assert_eq!(
        latest.text(),
        format!(r#"{{"more":false,"objects":[{v2}]}}"#)
    );
    assert!(latest.header("x-taxii-date-added-first").is_some());

    let all = node.get(&format!("{path}?match[version]=all")).await;
    assert_eq!(
        all.text(),
        format!(r#"{{"more":false,"objects":[{v1},{v2}]}}"#)
    );
    let first = node.get(&format!("{path}?match[version]=first")).await;
    assert_eq!(
        first.text(),
        format!(r#"{{"more":false,"objects":[{v1}]}}"#)
    );

    // Present but filtered out: an empty envelope, not 404.
    let filtered = node.get(&format!("{path}?match[spec_version]=2.0")).await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert_eq!(filtered.text(), r#"{"more":false}"#);

    let missing = node
        .get(&format!("{OBJECTS}{}/", stix_id("identity", 99)))
        .await;
    missing.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn object_versions_lists_every_version() {
    let node = Node::new().await;
    let stamps = [
        "2024-01-01T00:00:00.000Z",
        "2024-02-01T00:00:00.000Z",
        "2024-03-01T00:00:00.000Z",
    ];
    node.add(&stamps.iter().map(|m| identity_at(1, m)).collect::<Vec<_>>())
        .await;
    let path = format!("{OBJECTS}{}/versions/", stix_id("identity", 1));

    let reply = node.get(&path).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some(TAXII));
    expect![[r#"{"more":false,"versions":["2024-01-01T00:00:00.000Z","2024-02-01T00:00:00.000Z","2024-03-01T00:00:00.000Z"]}"#]]
        .assert_eq(reply.text());
    assert!(reply.header("x-taxii-date-added-first").is_some());
    assert!(reply.header("x-taxii-date-added-last").is_some());

    // match[version] does not apply to this endpoint; it is ignored.
    let ignored = node.get(&format!("{path}?match[version]=first")).await;
    assert_eq!(ignored.json()["versions"].as_array().map(Vec::len), Some(3));

    let paged = node.get(&format!("{path}?limit=2")).await.json();
    assert_eq!(paged["more"], true);
    assert_eq!(paged["versions"], serde_json::json!(&stamps[..2]));
    let next = paged["next"].as_str().expect("a next token");
    let rest = node
        .get(&format!("{path}?limit=2&next={next}"))
        .await
        .json();
    assert_eq!(rest["more"], false);
    assert_eq!(rest["versions"], serde_json::json!(&stamps[2..]));

    let missing = node
        .get(&format!("{OBJECTS}{}/versions/", stix_id("identity", 5)))
        .await;
    missing.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn manifest_records_describe_each_version() {
    let node = Node::new().await;
    node.add(&[identity(1), attack_pattern(2)]).await;
    let reply = node.get(MANIFEST).await;
    assert_eq!(reply.status, StatusCode::OK);
    expect![[r#"{"more":false,"objects":[{"id":"identity--00000001-0000-4000-8000-000000000000","date_added":"[date_added]","version":"2024-01-01T00:00:00.000Z","media_type":"application/stix+json;version=2.1"},{"id":"attack-pattern--00000002-0000-4000-8000-000000000000","date_added":"[date_added]","version":"2024-02-01T00:00:00.000Z","media_type":"application/stix+json;version=2.1"}]}"#]]
        .assert_eq(&redact(reply.text(), &["date_added"], &[]));

    let body = reply.json();
    let first = body["objects"][0]["date_added"]
        .as_str()
        .expect("date_added");
    let last = body["objects"][1]["date_added"]
        .as_str()
        .expect("date_added");
    assert_eq!(
        first.len(),
        "2024-01-01T00:00:00.000000Z".len(),
        "microsecond precision: {first}"
    );
    assert!(first < last, "date_added increases: {first} {last}");
    assert_eq!(reply.header("x-taxii-date-added-first"), Some(first));
    assert_eq!(reply.header("x-taxii-date-added-last"), Some(last));

    // The objects endpoint carries the same headers for the same page.
    let objects = node.get(OBJECTS).await;
    assert_eq!(objects.header("x-taxii-date-added-first"), Some(first));
    assert_eq!(objects.header("x-taxii-date-added-last"), Some(last));
}

#[tokio::test]
async fn delete_an_object_removes_the_selected_versions() {
    let node = Node::new().await;
    let v1 = identity_at(1, "2024-01-01T00:00:00.000Z");
    let v2 = identity_at(1, "2024-03-01T00:00:00.000Z");
    node.add(&[v1, v2.clone(), identity(2)]).await;
    let path = format!("{OBJECTS}{}/", stix_id("identity", 1));
    let delete = |query: &str| {
        admin(Method::DELETE, &format!("{path}{query}"))
            .body(Body::empty())
            .expect("request builds")
    };

    let first = node.send(delete("?match[version]=first")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert!(first.body.is_empty());
    let left = node.get(&format!("{path}?match[version]=all")).await;
    assert_eq!(left.text(), format!(r#"{{"more":false,"objects":[{v2}]}}"#));

    let rest = node.send(delete("")).await;
    assert_eq!(rest.status, StatusCode::OK);
    node.get(&path)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    node.send(delete(""))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    // The other object is untouched.
    assert_eq!(
        node.get(OBJECTS).await.object_ids(),
        [stix_id("identity", 2)]
    );
}

#[tokio::test]
async fn reposting_a_version_is_idempotent() {
    let node = Node::new().await;
    node.add(&[identity(1)]).await;
    let again = node.add(&[identity(1)]).await;
    assert_eq!(again["success_count"], 1);
    let reply = node
        .get(&format!("{OBJECTS}{}/versions/", stix_id("identity", 1)))
        .await;
    assert_eq!(reply.json()["versions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn unknown_status_is_not_found() {
    let node = Node::new().await;
    node.get("/default/status/2d086da7-4bdc-4f91-900e-d77486753710/")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}
