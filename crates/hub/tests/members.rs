//! Members, tokens, throttling and the release record through the hub.

use std::sync::Arc;
use std::time::Duration;

use charter_hub::admin::{NewCollection, NewOrg, NewUser};
use charter_hub::{ErrorKind, Hub, HubConfig, ObjectFilter, Role, Submission, TlpLevel, Viewer};
use charter_store::sqlite::SqliteStore;
use serde_json::value::RawValue;

struct Node {
    hub: Hub,
    dir: tempfile::TempDir,
}

async fn node() -> Node {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("charter.db")).expect("store opens");
    let hub = Hub::new(Arc::new(store), HubConfig::default());
    hub.bootstrap(Some("admin-password".into()))
        .await
        .expect("bootstrap");
    Node { hub, dir }
}

async fn org(hub: &Hub, name: &str) -> String {
    let new = NewOrg {
        name: name.into(),
        country: "GB".into(),
        sectors: vec!["energy".into()],
        kind: "private".into(),
        attribution: false,
    };
    hub.add_org(&Viewer::node_operator(), new)
        .await
        .expect("org")
        .id
}

async fn user(hub: &Hub, name: &str, org: &str, role: Role) -> Viewer {
    let new = NewUser {
        username: name.into(),
        password: "member-password".into(),
        org: Some(org.into()),
        role,
    };
    hub.add_user(&Viewer::node_operator(), new)
        .await
        .expect("user");
    hub.authenticate(name, "member-password", None)
        .await
        .expect("signs in")
}

fn indicator(n: u32, marking: Option<&str>) -> Box<RawValue> {
    let mut o = serde_json::json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--5d3e2f1a-0b9c-4d8e-8f7a-{n:012}"),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "pattern": "[domain-name:value = 'evil.example']", "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    });
    if let Some(m) = marking {
        o["object_marking_refs"] = serde_json::json!([m]);
    }
    RawValue::from_string(o.to_string()).expect("json")
}

#[tokio::test]
async fn tokens_work_until_revoked_or_expired() {
    let n = node().await;
    let op = Viewer::node_operator();
    let o = org(&n.hub, "Grid plc").await;
    user(&n.hub, "ana", &o, Role::Analyst).await;
    let (record, token) = n
        .hub
        .add_token(&op, "ana", Some("siem".into()), None)
        .await
        .expect("token");
    assert!(token.starts_with(charter_hub::TOKEN_PREFIX) && token.contains(&record.id));
    assert_eq!(
        n.hub
            .authenticate_token(&token, None)
            .await
            .expect("valid")
            .username(),
        "ana"
    );
    let listed = n.hub.tokens(&op, Some("ana")).await.expect("list");
    assert!(
        listed.iter().all(|t| !t.secret_hash.contains(&token)),
        "only a hash is kept"
    );
    n.hub.revoke_token(&op, &record.id).await.expect("revoked");
    let err = n
        .hub
        .authenticate_token(&token, None)
        .await
        .expect_err("revoked tokens are refused at once");
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);

    let (_, short) = n
        .hub
        .add_token(&op, "ana", None, Some(Duration::from_micros(1)))
        .await
        .expect("token");
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        n.hub
            .authenticate_token(&short, None)
            .await
            .expect_err("expired")
            .kind(),
        ErrorKind::Unauthenticated
    );
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert!(n.hub.authenticate_token(&tampered, None).await.is_err());
    assert!(
        n.hub
            .authenticate_token("charter_nope", None)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account() {
    let n = node().await;
    let o = org(&n.hub, "Water Co").await;
    user(&n.hub, "bob", &o, Role::Reader).await;
    let from = Some("203.0.113.9".parse().expect("ip"));
    for _ in 0..charter_hub::ACCOUNT_LIMIT {
        let e = n
            .hub
            .authenticate("bob", "guess-guess", from)
            .await
            .expect_err("wrong");
        assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    }
    let e = n
        .hub
        .authenticate("bob", "member-password", from)
        .await
        .expect_err("locked even with the right password");
    assert_eq!(e.kind(), ErrorKind::Throttled);
    assert!(
        e.retry_after()
            .is_some_and(|d| d <= charter_hub::THROTTLE_WINDOW)
    );
}

#[tokio::test]
async fn org_admins_manage_their_own_organisation_only() {
    let n = node().await;
    let a = org(&n.hub, "Alpha").await;
    let b = org(&n.hub, "Bravo").await;
    let admin_a = user(&n.hub, "alpha-admin", &a, Role::OrgAdmin).await;
    let mine = NewUser {
        username: "alpha-1".into(),
        password: "member-password".into(),
        org: Some(a.clone()),
        role: Role::Analyst,
    };
    n.hub.add_user(&admin_a, mine).await.expect("own org");
    let theirs = NewUser {
        username: "bravo-1".into(),
        password: "member-password".into(),
        org: Some(b),
        role: Role::Analyst,
    };
    assert_eq!(
        n.hub
            .add_user(&admin_a, theirs)
            .await
            .expect_err("other org")
            .kind(),
        ErrorKind::Forbidden
    );
    let boss = NewUser {
        username: "alpha-root".into(),
        password: "member-password".into(),
        org: Some(a),
        role: Role::NodeAdmin,
    };
    assert_eq!(
        n.hub
            .add_user(&admin_a, boss)
            .await
            .expect_err("no escalation")
            .kind(),
        ErrorKind::Forbidden
    );
    let names: Vec<String> = n
        .hub
        .users(&admin_a)
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["alpha-1", "alpha-admin"]);
}

#[tokio::test]
async fn red_needs_recipients_and_amber_may_not_cross_communities() {
    let n = node().await;
    let op = Viewer::node_operator();
    let a = org(&n.hub, "Alpha").await;
    let b = org(&n.hub, "Bravo").await;
    let c = org(&n.hub, "Charlie").await;
    let energy = n
        .hub
        .add_community(&op, "UK energy", &[a.clone(), b.clone()])
        .await
        .expect("community");
    let wide = n
        .hub
        .add_community(&op, "Trilateral", &[a.clone(), b.clone(), c.clone()])
        .await
        .expect("community");
    let coll = |title: &str, community: &str| NewCollection {
        title: title.into(),
        alias: Some(title.into()),
        community: Some(community.into()),
        ..NewCollection::default()
    };
    n.hub
        .add_collection(&op, coll("energy", &energy.id))
        .await
        .expect("collection");
    n.hub
        .add_collection(&op, coll("trilateral", &wide.id))
        .await
        .expect("collection");
    let ana = user(&n.hub, "ana", &a, Role::Analyst).await;
    let bob = user(&n.hub, "bob", &b, Role::Analyst).await;
    let cat = user(&n.hub, "cat", &c, Role::Reader).await;

    let red = charter_stix::tlp::TLP_V2_RED;
    let s = n
        .hub
        .add_objects(
            &ana,
            "default",
            "energy",
            vec![indicator(1, Some(red))],
            &Submission::default(),
        )
        .await
        .expect("processed")
        .into_inner();
    assert!(
        s.failures[0]
            .message
            .as_deref()
            .is_some_and(|m| m.contains("recipients")),
        "{:?}",
        s.failures
    );
    let to_bob = Submission {
        recipients: vec!["Bravo".into()],
        attribution: None,
    };
    let s = n
        .hub
        .add_objects(
            &ana,
            "default",
            "energy",
            vec![indicator(1, Some(red))],
            &to_bob,
        )
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(s.successes.len(), 1);
    let unknown = Submission {
        recipients: vec!["Nobody Inc".into()],
        attribution: None,
    };
    let err = n
        .hub
        .add_objects(
            &ana,
            "default",
            "energy",
            vec![indicator(9, Some(red))],
            &unknown,
        )
        .await
        .expect_err("unknown");
    assert!(err.message().contains("Nobody Inc"));

    // AMBER by default in "energy"; re-posting into the wider community is refused.
    let s = n
        .hub
        .add_objects(
            &ana,
            "default",
            "energy",
            vec![indicator(2, None)],
            &Submission::default(),
        )
        .await
        .expect("ok")
        .into_inner();
    assert_eq!(s.successes.len(), 1);
    let s = n
        .hub
        .add_objects(
            &bob,
            "default",
            "trilateral",
            vec![indicator(2, None)],
            &Submission::default(),
        )
        .await
        .expect("processed")
        .into_inner();
    assert!(
        s.failures[0]
            .message
            .as_deref()
            .is_some_and(|m| m.contains("widen")),
        "{:?}",
        s.failures
    );

    // Cat is in the trilateral community only: sees nothing of either.
    let page = n
        .hub
        .objects(&cat, "default", "trilateral", ObjectFilter::default(), true)
        .await
        .expect("reads");
    assert!(page.get().objects.is_empty());
    assert_eq!(
        n.hub
            .objects(&cat, "default", "energy", ObjectFilter::default(), true)
            .await
            .expect_err("not a member")
            .kind(),
        ErrorKind::NotFound
    );
    let page = n
        .hub
        .objects(&bob, "default", "energy", ObjectFilter::default(), true)
        .await
        .expect("member");
    assert_eq!(
        page.get().objects.len(),
        2,
        "bob sees the RED object addressed to him and the AMBER one"
    );
    assert!(page.get().objects.iter().any(|o| o.tlp == TlpLevel::Red));
}

#[tokio::test]
async fn the_release_record_links_every_act_and_names_tampering() {
    let n = node().await;
    let op = Viewer::node_operator();
    let a = org(&n.hub, "Alpha").await;
    user(&n.hub, "ana", &a, Role::Analyst).await;
    n.hub
        .grant(&op, "ana", "default", "default", true, true)
        .await
        .expect("grant");
    // A viewer holds the rights of the moment it signed in: sign in again.
    let ana = n
        .hub
        .authenticate("ana", "member-password", None)
        .await
        .expect("signs in");
    n.hub
        .add_objects(
            &op,
            "default",
            "default",
            vec![indicator(1, None), indicator(2, None)],
            &Submission::default(),
        )
        .await
        .expect("write");
    n.hub
        .objects(&ana, "default", "default", ObjectFilter::default(), true)
        .await
        .expect("read");
    let report = n.hub.verify_audit(&op).await.expect("verify");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(
        report.entries >= 5,
        "bootstrap, org, user, grant, write, release: {}",
        report.entries
    );
    let entries = n
        .hub
        .audit_entries(&op, None, 100)
        .await
        .expect("entries")
        .into_inner();
    let release = entries
        .iter()
        .rev()
        .find(|e| e.action == "release")
        .expect("the read was recorded");
    assert_eq!(release.actor, "ana");
    assert!(
        release
            .detail
            .contains("indicator--5d3e2f1a-0b9c-4d8e-8f7a-000000000001"),
        "{}",
        release.detail
    );
    assert!(
        !release.detail.contains("evil.example"),
        "the record holds ids and versions, not content"
    );
    let auditor = NewUser {
        username: "oversight".into(),
        password: "member-password".into(),
        org: None,
        role: Role::Auditor,
    };
    n.hub.add_user(&op, auditor).await.expect("auditor");
    let auditor = n
        .hub
        .authenticate("oversight", "member-password", None)
        .await
        .expect("signs in");
    assert!(n.hub.audit_entries(&auditor, None, 10).await.is_ok());
    assert_eq!(
        n.hub
            .audit_entries(&ana, None, 10)
            .await
            .expect_err("not an auditor")
            .kind(),
        ErrorKind::Forbidden
    );
    assert_eq!(
        n.hub
            .objects(
                &auditor,
                "default",
                "default",
                ObjectFilter::default(),
                true
            )
            .await
            .expect_err("no content")
            .kind(),
        ErrorKind::NotFound
    );

    // Edit one entry behind the hub's back: verification names it.
    drop(n.hub);
    let path = n.dir.path().join("charter.db");
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 3", [])
        .expect("tamper");
    drop(conn);
    let hub = Hub::new(
        Arc::new(SqliteStore::open(&path).expect("reopen")),
        HubConfig::default(),
    );
    let report = hub.verify_audit(&op).await.expect("verify");
    assert!(
        report.problems.iter().any(|p| p.seq == 3),
        "{:?}",
        report.problems
    );
}
