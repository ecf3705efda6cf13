//! Privacy through the hub: two forms of every object on every read path,
//! anonymous submission under the node's pseudonyms, and the review queue
//! from hold to decision.

use std::sync::Arc;

use charter_hub::admin::{NewCollection, NewOrg, NewUser};
use charter_hub::{
    Decision, ErrorKind, Hub, HubConfig, ObjectFilter, OrgRecord, Role, Submission, TlpLevel,
    VersionFilter, Viewer,
};
use charter_store::sqlite::SqliteStore;
use serde_json::{Value, json};

const VICTIM: &str = "jane.doe@victim-example.org";
const PHONE: &str = "+44 20 7946 0958";
const SENDER: &str = "payroll@evil-example.com";

struct World {
    hub: Hub,
    a_org: OrgRecord,
    a: Viewer,
    b: Viewer,
    reviewer: Viewer,
    collection: String,
    _dir: tempfile::TempDir,
}

async fn org(hub: &Hub, name: &str, sectors: &[&str], country: &str) -> OrgRecord {
    let new = NewOrg {
        name: name.into(),
        country: country.into(),
        sectors: sectors.iter().map(|s| (*s).to_owned()).collect(),
        kind: "private".into(),
        attribution: false,
    };
    hub.add_org(&Viewer::node_operator(), new)
        .await
        .expect("org")
}

async fn user(hub: &Hub, name: &str, org: Option<&str>, role: Role) -> Viewer {
    let new = NewUser {
        username: name.into(),
        password: "member-password".into(),
        org: org.map(str::to_owned),
        role,
    };
    hub.add_user(&Viewer::node_operator(), new)
        .await
        .expect("user");
    hub.authenticate(name, "member-password", None)
        .await
        .expect("signs in")
}

async fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("charter.db")).expect("store opens");
    let hub = Hub::new(Arc::new(store), HubConfig::default());
    hub.bootstrap(Some("admin-password".into()))
        .await
        .expect("bootstrap");
    let op = Viewer::node_operator();
    let a_org = org(&hub, "Alpha Grid", &["utilities", "energy"], "GB").await;
    let b_org = org(&hub, "Bravo Power", &["energy"], "GB").await;
    hub.add_community(&op, "UK energy", &[a_org.id.clone(), b_org.id.clone()])
        .await
        .expect("community");
    let collection = hub
        .add_collection(
            &op,
            NewCollection {
                title: "UK energy".into(),
                alias: Some("uk-energy".into()),
                community: Some("UK energy".into()),
                default_tlp: TlpLevel::Amber,
                ..NewCollection::default()
            },
        )
        .await
        .expect("collection")
        .id;
    let a = user(&hub, "ana", Some(&a_org.id), Role::Analyst).await;
    let b = user(&hub, "ben", Some(&b_org.id), Role::Analyst).await;
    let reviewer = user(&hub, "rita", None, Role::Reviewer).await;
    World {
        hub,
        a_org,
        a,
        b,
        reviewer,
        collection,
        _dir: dir,
    }
}

fn raw(value: &Value) -> Box<serde_json::value::RawValue> {
    serde_json::value::RawValue::from_string(value.to_string()).expect("json")
}

fn report(identity: &str) -> Value {
    json!({
        "type": "report", "spec_version": "2.1",
        "id": "report--7a1d3c55-2f0e-4c1b-9a8e-5b6c7d8e9f01",
        "created": "2026-03-01T09:00:00.000Z", "modified": "2026-03-01T09:00:00.000Z",
        "created_by_ref": identity,
        "name": "Payroll phishing against generation sites",
        "description": format!("The lure reached {VICTIM}, who called the SOC on {PHONE}."),
        "published": "2026-03-01T09:00:00Z",
        "object_refs": ["indicator--7a1d3c55-2f0e-4c1b-9a8e-5b6c7d8e9f02"]
    })
}

fn phishing_indicator(identity: &str) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": "indicator--7a1d3c55-2f0e-4c1b-9a8e-5b6c7d8e9f02",
        "created": "2026-03-01T09:00:00.000Z", "modified": "2026-03-01T09:00:00.000Z",
        "created_by_ref": identity,
        "name": "Payroll lure sender",
        "pattern": format!("[email-message:from_ref.value = '{SENDER}']"),
        "pattern_type": "stix", "valid_from": "2026-03-01T09:00:00Z"
    })
}

fn site_note(identity: &str) -> Value {
    json!({
        "type": "note", "spec_version": "2.1",
        "id": "note--7a1d3c55-2f0e-4c1b-9a8e-5b6c7d8e9f03",
        "created": "2026-03-01T09:00:00.000Z", "modified": "2026-03-01T09:00:00.000Z",
        "created_by_ref": identity,
        "content": "Jane Doe works at the substation at SW1A 1AA.",
        "object_refs": ["report--7a1d3c55-2f0e-4c1b-9a8e-5b6c7d8e9f01"]
    })
}

/// Every object text `viewer` can get through every read path of the hub:
/// objects (latest and every version), each object by id, manifests and
/// version lists (metadata), paging one at a time.
async fn everything_read(w: &World, viewer: &Viewer) -> Vec<String> {
    let mut out = Vec::new();
    for with_raw in [true, false] {
        for versions in [
            VersionFilter::last(),
            VersionFilter {
                all: true,
                ..Default::default()
            },
        ] {
            let mut next = None;
            loop {
                let filter = ObjectFilter {
                    versions: Some(versions.clone()),
                    limit: Some(1),
                    next: next.clone(),
                    ..ObjectFilter::default()
                };
                let page = w
                    .hub
                    .objects(viewer, "default", &w.collection, filter, with_raw)
                    .await
                    .expect("read")
                    .into_inner();
                for o in &page.objects {
                    out.push(format!("{} {} {}", o.id, o.version, o.raw));
                    let by_id = ObjectFilter {
                        ids: vec![o.id.clone()],
                        versions: Some(VersionFilter {
                            all: true,
                            ..Default::default()
                        }),
                        ..ObjectFilter::default()
                    };
                    let one = w
                        .hub
                        .objects(viewer, "default", &w.collection, by_id, true)
                        .await
                        .expect("object")
                        .into_inner();
                    out.extend(one.objects.into_iter().map(|o| o.raw));
                }
                match page.next {
                    Some(n) => next = Some(n),
                    None => break,
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn members_see_the_released_form_and_the_submitter_its_own() {
    let w = world().await;
    let identity = w.a_org.identity_id.clone();
    let envelope = vec![
        raw(&report(&identity)),
        raw(&phishing_indicator(&identity)),
        raw(&site_note(&identity)),
    ];
    let status = w
        .hub
        .add_objects(
            &w.a,
            "default",
            "uk-energy",
            envelope,
            &Submission::default(),
        )
        .await
        .expect("submitted")
        .into_inner();
    assert_eq!(status.successes.len(), 1, "{status:?}");
    assert_eq!(
        status.pendings.len(),
        2,
        "the indicator and the note are held"
    );
    assert_eq!(status.status, "pending");

    // B: the released form only, nothing of the original on any path.
    let seen_by_b = everything_read(&w, &w.b).await;
    let joined = seen_by_b.join("\n");
    assert!(joined.contains("[REDACTED:email]") && joined.contains("[REDACTED:phone]"));
    for secret in [VICTIM, PHONE, SENDER, "Jane Doe", identity.as_str()] {
        assert!(!joined.contains(secret), "{secret} reached B: {joined}");
    }
    assert!(
        seen_by_b
            .iter()
            .all(|t| !t.starts_with("indicator--") && !t.contains(r#""type":"indicator""#)),
        "held objects are in no read"
    );
    let released: Value = seen_by_b
        .iter()
        .filter_map(|t| serde_json::from_str::<Value>(t).ok())
        .find(|v| v["type"] == "report")
        .expect("B reads the report");
    let pseudonym = released["created_by_ref"]
        .as_str()
        .expect("a ref")
        .to_owned();
    assert!(pseudonym.starts_with("identity--"));
    assert!(
        seen_by_b
            .iter()
            .any(|t| t.contains(&pseudonym) && t.contains("\"identity\"")),
        "the pseudonym's identity object is published where the report is"
    );
    let published: Value = seen_by_b
        .iter()
        .filter_map(|t| serde_json::from_str::<Value>(t).ok())
        .find(|v| v["id"] == pseudonym.as_str())
        .expect("pseudonym identity");
    assert_eq!(published["sectors"], json!(["energy"]));
    assert!(published["name"].as_str().is_some_and(|n| n.contains("GB")));

    // A: the report as submitted.
    let seen_by_a = everything_read(&w, &w.a).await.join("\n");
    assert!(seen_by_a.contains(VICTIM) && seen_by_a.contains(&identity));
    assert!(!seen_by_a.contains("[REDACTED:email]"));

    // The queue: A sees its own held objects, B nothing, the reviewer all.
    let for_a = w
        .hub
        .reviews(&w.a, true)
        .await
        .expect("A's queue")
        .into_inner();
    assert_eq!(for_a.len(), 2);
    assert!(for_a.iter().all(|r| r.state == "held"));
    let indicator = for_a
        .iter()
        .find(|r| r.object_id.starts_with("indicator--"))
        .expect("held indicator");
    assert!(indicator.original.contains(SENDER));
    assert_eq!(indicator.findings[0]["class"], "indicator-value");
    assert_eq!(indicator.findings[0]["action"], "review");
    let for_b = w
        .hub
        .reviews(&w.b, false)
        .await
        .expect("B's queue")
        .into_inner();
    assert!(for_b.is_empty(), "B sees nothing of A's queue");
    let err = w.hub.review(&w.b, &indicator.id).await.expect_err("hidden");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = w
        .hub
        .decide_review(&w.a, &indicator.id, Decision::Approve, None)
        .await
        .expect_err("submitters do not decide");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let all = w
        .hub
        .reviews(&w.reviewer, true)
        .await
        .expect("queue")
        .into_inner();
    assert_eq!(all.len(), 2);
    let err = w
        .hub
        .objects(
            &w.reviewer,
            "default",
            "uk-energy",
            ObjectFilter::default(),
            true,
        )
        .await
        .expect_err("reviewers read no collection");
    assert_eq!(err.kind(), ErrorKind::NotFound, "not even its existence");

    // Approval releases the indicator: B sees the approved form (the sender
    // is the attacker's, so it stays), under the pseudonym.
    let approved = w
        .hub
        .decide_review(
            &w.reviewer,
            &indicator.id,
            Decision::Approve,
            Some("attacker address".into()),
        )
        .await
        .expect("approved")
        .into_inner();
    assert_eq!(approved.state, "approved");
    let after = everything_read(&w, &w.b).await.join("\n");
    assert!(after.contains(SENDER), "the approved indicator reaches B");
    assert!(!after.contains(identity.as_str()));
    assert!(!after.contains(VICTIM));

    // The note goes out redacted further; nothing of it reaches B before.
    let note = all
        .iter()
        .find(|r| r.object_id.starts_with("note--"))
        .expect("held note");
    let redacted = w
        .hub
        .decide_review(
            &w.reviewer,
            &note.id,
            Decision::Redact(vec!["Jane Doe".into()]),
            None,
        )
        .await
        .expect("redacted")
        .into_inner();
    assert!(redacted.released.contains("[REDACTED:uk-postcode]"));
    let after = everything_read(&w, &w.b).await.join("\n");
    assert!(after.contains("[REDACTED] works at the substation at [REDACTED:uk-postcode]"));
    assert!(!after.contains("Jane Doe") && !after.contains("SW1A 1AA"));
    let seen_by_a = everything_read(&w, &w.a).await.join("\n");
    assert!(seen_by_a.contains("SW1A 1AA"), "A keeps its own form");

    let err = w
        .hub
        .decide_review(&w.reviewer, &note.id, Decision::Reject, None)
        .await
        .expect_err("decided once");
    assert_eq!(err.kind(), ErrorKind::Conflict);

    // The status resolved; the release record verifies and holds no PII.
    let status = w
        .hub
        .status(&w.a, "default", &status.id)
        .await
        .expect("status")
        .into_inner();
    assert_eq!(status.status, "complete");
    assert_eq!(status.successes.len(), 3);
    let op = Viewer::node_operator();
    let report = w.hub.verify_audit(&op).await.expect("verify");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let entries = w
        .hub
        .audit_entries(&op, None, 10_000)
        .await
        .expect("entries")
        .into_inner();
    let text: String = entries.iter().map(|e| e.detail.clone()).collect();
    assert_eq!(entries.iter().filter(|e| e.action == "review").count(), 2);
    for secret in [VICTIM, PHONE, "Jane Doe", "SW1A 1AA"] {
        assert!(!text.contains(secret), "the release record names {secret}");
    }
}

#[tokio::test]
async fn rejected_objects_never_reach_anyone_else() {
    let w = world().await;
    let identity = w.a_org.identity_id.clone();
    let status = w
        .hub
        .add_objects(
            &w.a,
            "default",
            "uk-energy",
            vec![raw(&site_note(&identity))],
            &Submission::default(),
        )
        .await
        .expect("submitted")
        .into_inner();
    let queue = w
        .hub
        .reviews(&w.reviewer, true)
        .await
        .expect("queue")
        .into_inner();
    let rejected = w
        .hub
        .decide_review(
            &w.reviewer,
            &queue[0].id,
            Decision::Reject,
            Some("names a member of staff".into()),
        )
        .await
        .expect("rejected")
        .into_inner();
    assert_eq!(rejected.state, "rejected");
    assert!(everything_read(&w, &w.b).await.is_empty());
    let status = w
        .hub
        .status(&w.a, "default", &status.id)
        .await
        .expect("status")
        .into_inner();
    assert_eq!(status.failures.len(), 1);
    assert_eq!(
        status.failures[0].message.as_deref(),
        Some("rejected in privacy review: names a member of staff")
    );
    assert!(
        w.hub
            .reviews(&w.a, true)
            .await
            .expect("queue")
            .into_inner()
            .is_empty()
    );
    assert_eq!(
        w.hub
            .reviews(&w.a, false)
            .await
            .expect("queue")
            .into_inner()
            .len(),
        1
    );
}

#[tokio::test]
async fn attribution_per_organisation_and_per_submission() {
    let w = world().await;
    let identity = w.a_org.identity_id.clone();
    let clean = |n: u32| {
        json!({
            "type": "indicator", "spec_version": "2.1",
            "id": format!("indicator--7a1d3c55-2f0e-4c1b-9a8e-{n:012}"),
            "created": "2026-03-01T09:00:00.000Z", "modified": "2026-03-01T09:00:00.000Z",
            "created_by_ref": identity,
            "pattern": "[ipv4-addr:value = '203.0.113.9']", "pattern_type": "stix",
            "valid_from": "2026-03-01T09:00:00Z"
        })
    };
    let read_by_b = |id: String| {
        let hub = w.hub.clone();
        let b = w.b.clone();
        let collection = w.collection.clone();
        async move {
            let filter = ObjectFilter {
                ids: vec![id],
                ..ObjectFilter::default()
            };
            let page = hub
                .objects(&b, "default", &collection, filter, true)
                .await
                .expect("read")
                .into_inner();
            let value: Value = serde_json::from_str(&page.objects[0].raw).expect("json");
            value["created_by_ref"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let submit = |n: u32, attribution: Option<bool>| {
        let (hub, a) = (w.hub.clone(), w.a.clone());
        async move {
            let submission = Submission {
                attribution,
                ..Submission::default()
            };
            hub.add_objects(
                &a,
                "default",
                "uk-energy",
                vec![raw(&clean(n))],
                &submission,
            )
            .await
            .expect("submitted");
            clean(n)["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    let id = submit(1, Some(true)).await;
    assert_eq!(read_by_b(id).await, identity, "attributed this once");

    w.hub
        .set_org_attribution(&Viewer::node_operator(), &w.a_org.id, true)
        .await
        .expect("opt in");
    let id = submit(2, None).await;
    assert_eq!(
        read_by_b(id).await,
        identity,
        "by the organisation's choice"
    );

    let id = submit(3, Some(false)).await;
    let pseudonym = read_by_b(id).await;
    assert_ne!(pseudonym, identity, "anonymous this once");
    assert!(pseudonym.starts_with("identity--"));
    let anonymous = Submission {
        attribution: Some(false),
        ..Submission::default()
    };

    // Sharing the organisation's own identity anonymously would name it.
    let own = json!({
        "type": "identity", "spec_version": "2.1", "id": identity,
        "created": "2026-03-01T09:00:00.000Z", "modified": "2026-03-01T09:00:00.000Z",
        "name": "Alpha Grid", "identity_class": "organization"
    });
    let status = w
        .hub
        .add_objects(&w.a, "default", "uk-energy", vec![raw(&own)], &anonymous)
        .await
        .expect("status")
        .into_inner();
    assert_eq!(status.failures.len(), 1);
    assert!(
        status.failures[0]
            .message
            .as_deref()
            .is_some_and(|m| m.contains("attribution")),
        "{status:?}"
    );
}
