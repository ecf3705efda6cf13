//! Privacy through the real binary: organisation A posts an envelope with
//! personal data over TAXII; B gets only the released form on every TAXII
//! path and in a CLI export; A gets its own form; a reviewer approves the
//! held indicator through the JSON API and another held object is rejected
//! with `charter review`; afterwards B sees the approved form and still
//! nothing of the originals.

use serde_json::{Value, json};

use crate::util::{TestServer, charter_json, charter_ok};

const PASSWORD: (&str, &str) = ("CHARTER_USER_PASSWORD", "member-password");
const VICTIM: &str = "jane.doe@victim-example.org";
const CARD: &str = "4111 1111 1111 1111";
const SENDER: &str = "payroll@evil-example.com";
const OBJECTS: &str = "/default/collections/uk-energy/objects/";

fn envelope(identity: &str) -> Vec<Value> {
    vec![
        json!({
            "type": "report", "spec_version": "2.1",
            "id": "report--0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5",
            "created": "2026-04-01T08:00:00.000Z", "modified": "2026-04-01T08:00:00.000Z",
            "created_by_ref": identity, "name": "Card skimming at a depot",
            "description": format!("The victim {VICTIM} reported card {CARD} was used."),
            "published": "2026-04-01T08:00:00Z",
            "object_refs": ["indicator--0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d6"]
        }),
        json!({
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d6",
            "created": "2026-04-01T08:00:00.000Z", "modified": "2026-04-01T08:00:00.000Z",
            "created_by_ref": identity,
            "pattern": format!("[email-message:from_ref.value = '{SENDER}']"),
            "pattern_type": "stix", "valid_from": "2026-04-01T08:00:00Z"
        }),
        json!({
            "type": "email-addr", "spec_version": "2.1",
            "id": "email-addr--6f5e1a0e-1b1f-5a4e-9c1d-7b9a3c2d1e0f",
            "value": VICTIM
        }),
    ]
}

/// Every text B (or anyone) can read of the collection over TAXII.
async fn every_path(server: &TestServer, user: (&str, &str)) -> String {
    let mut texts = Vec::new();
    for path in [
        format!("{OBJECTS}?match[version]=all"),
        format!("{OBJECTS}?limit=1"),
        "/default/collections/uk-energy/manifest/".to_owned(),
    ] {
        let resp = server.get(&path, user).await;
        assert_eq!(resp.status(), 200, "GET {path}");
        texts.push(resp.text().await.expect("body"));
    }
    let listed: Value = serde_json::from_str(&texts[0]).expect("envelope");
    for object in listed["objects"].as_array().into_iter().flatten() {
        let id = object["id"].as_str().expect("id");
        for suffix in ["", "versions/"] {
            let resp = server.get(&format!("{OBJECTS}{id}/{suffix}"), user).await;
            assert_eq!(resp.status(), 200);
            texts.push(resp.text().await.expect("body"));
        }
    }
    texts.join("\n")
}

async fn api(
    server: &TestServer,
    user: (&str, &str),
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let client = reqwest::Client::new();
    let request = match body {
        Some(b) => client.post(server.url(path)).json(&b),
        None => client.get(server.url(path)),
    };
    let resp = request
        .basic_auth(user.0, Some(user.1))
        .send()
        .await
        .expect("request sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("JSON body"))
}

#[tokio::test]
async fn two_forms_over_taxii_the_json_api_and_the_cli() {
    let server = TestServer::start();
    let data = server.data.clone();
    for org in ["Alpha Grid", "Bravo Power"] {
        charter_ok(
            &data,
            &["org", "add", org, "--country", "GB", "--sector", "energy"],
            &[],
        );
    }
    charter_ok(
        &data,
        &[
            "community",
            "add",
            "UK energy",
            "--member",
            "Alpha Grid",
            "--member",
            "Bravo Power",
        ],
        &[],
    );
    charter_ok(
        &data,
        &[
            "collection",
            "add",
            "--title",
            "UK energy",
            "--alias",
            "uk-energy",
            "--community",
            "UK energy",
        ],
        &[],
    );
    charter_ok(
        &data,
        &["user", "add", "ana", "--org", "Alpha Grid"],
        &[PASSWORD],
    );
    charter_ok(
        &data,
        &["user", "add", "ben", "--org", "Bravo Power"],
        &[PASSWORD],
    );
    charter_ok(
        &data,
        &["user", "add", "rita", "--role", "reviewer"],
        &[PASSWORD],
    );
    let orgs = charter_json(&data, &["org", "list"]);
    let alpha = orgs
        .as_array()
        .and_then(|l| l.iter().find(|o| o["name"] == "Alpha Grid"))
        .expect("Alpha listed");
    assert_eq!(alpha["attribution"], false, "anonymous by default");
    let identity = alpha["identity_id"].as_str().expect("identity").to_owned();
    let (ana, ben, rita) = (
        ("ana", PASSWORD.1),
        ("ben", PASSWORD.1),
        ("rita", PASSWORD.1),
    );

    let resp = server
        .post_objects(OBJECTS, ana, &envelope(&identity))
        .await;
    assert_eq!(resp.status(), 202);
    let status: Value = resp.json().await.expect("status");
    assert_eq!(status["status"], "pending", "{status}");
    assert_eq!(status["success_count"], 1);
    assert_eq!(
        status["pending_count"], 2,
        "the indicator and the victim's address are held"
    );

    let seen_by_b = every_path(&server, ben).await;
    assert!(
        seen_by_b.contains("[REDACTED:email]") && seen_by_b.contains("[REDACTED:payment-card]")
    );
    for secret in [
        VICTIM,
        CARD,
        SENDER,
        identity.as_str(),
        "email-addr--6f5e1a0e",
    ] {
        assert!(
            !seen_by_b.contains(secret),
            "{secret} reached B:\n{seen_by_b}"
        );
    }
    let exported = charter_ok(
        &data,
        &["export", "--collection", "uk-energy", "--as", "ben"],
        &[],
    );
    assert!(exported.contains("[REDACTED:email]"));
    for secret in [VICTIM, CARD, identity.as_str()] {
        assert!(!exported.contains(secret), "{secret} in B's export");
    }
    let seen_by_a = every_path(&server, ana).await;
    assert!(
        seen_by_a.contains(VICTIM) && seen_by_a.contains(&identity),
        "A reads its own form"
    );

    // The queue through the JSON API.
    let (code, mine) = api(&server, ana, "/api/v1/reviews", None).await;
    assert_eq!(code, 200);
    assert_eq!(mine["reviews"].as_array().map(Vec::len), Some(2));
    let (code, none) = api(&server, ben, "/api/v1/reviews", None).await;
    assert_eq!(code, 200);
    assert_eq!(none["reviews"], json!([]), "B sees nothing of A's queue");
    let (_, queue) = api(&server, rita, "/api/v1/reviews", None).await;
    let reviews = queue["reviews"].as_array().expect("list").clone();
    let held = |kind: &str| {
        reviews
            .iter()
            .find(|r| r["object_id"].as_str().is_some_and(|i| i.starts_with(kind)))
            .unwrap_or_else(|| panic!("no held {kind} in {queue}"))
    };
    let indicator = held("indicator--");
    assert_eq!(indicator["state"], "held");
    assert_eq!(
        indicator["original"]["pattern"],
        format!("[email-message:from_ref.value = '{SENDER}']")
    );
    let id = indicator["id"].as_str().expect("review id");
    let (code, _) = api(&server, ben, &format!("/api/v1/reviews/{id}"), None).await;
    assert_eq!(code, 404);
    let (code, refused) = api(
        &server,
        ana,
        &format!("/api/v1/reviews/{id}/decision"),
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(code, 403, "{refused}");
    let (code, bad) = api(
        &server,
        rita,
        &format!("/api/v1/reviews/{id}/decision"),
        Some(json!({"decision": "maybe"})),
    )
    .await;
    assert_eq!(code, 400);
    assert!(
        bad["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("maybe")),
        "{bad}"
    );
    let (code, approved) = api(
        &server,
        rita,
        &format!("/api/v1/reviews/{id}/decision"),
        Some(json!({"decision": "approve", "note": "the sender is the attacker's"})),
    )
    .await;
    assert_eq!(code, 200, "{approved}");
    assert_eq!(approved["state"], "approved");

    // The victim's address is rejected from the command line.
    let address = held("email-addr--")["id"]
        .as_str()
        .expect("review id")
        .to_owned();
    charter_ok(
        &data,
        &["review", "reject", &address, "--note", "a victim's address"],
        &[],
    );
    let decided = charter_json(&data, &["review", "list", "--all"]);
    assert_eq!(decided.as_array().map(Vec::len), Some(2));
    assert!(
        charter_json(&data, &["review", "list"])
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    let seen_by_b = every_path(&server, ben).await;
    assert!(
        seen_by_b.contains(SENDER),
        "the approved indicator reaches B"
    );
    for secret in [VICTIM, CARD, identity.as_str()] {
        assert!(
            !seen_by_b.contains(secret),
            "{secret} reached B after review"
        );
    }
    let path = format!("/default/status/{}/", status["id"].as_str().expect("id"));
    let resp = server.get(&path, ana).await;
    let status: Value = resp.json().await.expect("status");
    assert_eq!(status["status"], "complete", "{status}");
    assert_eq!(status["success_count"], 2);
    assert_eq!(status["failure_count"], 1);
    assert_eq!(
        status["failures"][0]["message"],
        "rejected in privacy review: a victim's address"
    );

    let verified = charter_ok(&data, &["audit", "verify"], &[]);
    assert!(verified.contains("intact"), "{verified}");
}
