//! The hub over a real SQLite store: the one door's rules for writes,
//! reads, credentials and the release record, without HTTP in the way.

mod handling;
mod intel;
mod lookup;
mod members;
mod privacy;
mod warnings;

use std::sync::Arc;

use charter_hub::admin::{NewOrg, NewUser};
use charter_hub::{ErrorKind, Hub, HubConfig, ObjectFilter, Role, Submission, Viewer};
use charter_store::sqlite::SqliteStore;
use serde_json::value::RawValue;

struct Fixture {
    hub: Hub,
    _dir: tempfile::TempDir,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("charter.db")).expect("store opens");
    let hub = Hub::new(Arc::new(store), HubConfig::default());
    hub.bootstrap(Some("admin-password".into()))
        .await
        .expect("bootstrap");
    Fixture { hub, _dir: dir }
}

fn raw(json: serde_json::Value) -> Box<RawValue> {
    RawValue::from_string(json.to_string()).expect("valid JSON")
}

fn indicator(n: u32, modified: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--0b7b1a5e-8c4e-4f7a-9d3b-{n:012}"),
        "created": "2026-01-01T00:00:00.000Z", "modified": modified,
        "pattern": "[ipv4-addr:value = '203.0.113.7']", "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    })
}

async fn analyst(hub: &Hub, name: &str, read: bool, write: bool) -> Viewer {
    let op = Viewer::node_operator();
    let org = hub
        .add_org(
            &op,
            NewOrg {
                name: format!("{name} ltd"),
                country: "GB".into(),
                sectors: vec![],
                kind: "private".into(),
                attribution: false,
            },
        )
        .await
        .expect("org added");
    let user = NewUser {
        username: name.into(),
        password: "analyst-password".into(),
        org: Some(org.id),
        role: Role::Analyst,
    };
    hub.add_user(&op, user).await.expect("user added");
    hub.grant(&op, name, "default", "default", read, write)
        .await
        .expect("granted");
    hub.authenticate(name, "analyst-password", None)
        .await
        .expect("authenticates")
}

#[tokio::test]
async fn a_version_is_stored_once_and_never_overwritten() {
    let f = fixture().await;
    let op = Viewer::node_operator();
    let v1 = indicator(1, "2026-01-02T00:00:00.000Z");
    let mut v1_changed = v1.clone();
    v1_changed["name"] = serde_json::Value::String("rewritten".into());
    let v2 = indicator(1, "2026-01-03T00:00:00.000Z");
    for batch in [vec![v1.clone()], vec![v1_changed], vec![v2]] {
        let status = f
            .hub
            .add_objects(
                &op,
                "default",
                "default",
                batch.into_iter().map(raw).collect(),
                &Submission::default(),
            )
            .await;
        assert!(status.expect("accepted").get().failures.is_empty());
    }
    let filter = ObjectFilter {
        versions: Some(charter_hub::VersionFilter {
            all: true,
            ..Default::default()
        }),
        ..Default::default()
    };
    let page = f
        .hub
        .objects(&op, "default", "default", filter, true)
        .await
        .expect("read")
        .into_inner();
    assert_eq!(
        page.objects.len(),
        2,
        "two versions, the re-post of the first changed nothing"
    );
    let first: serde_json::Value = serde_json::from_str(&page.objects[0].raw).expect("json");
    assert_eq!(first, v1, "the first version is as first submitted");
}

#[tokio::test]
async fn rights_are_checked_on_every_read_and_write() {
    let f = fixture().await;
    let reader = analyst(&f.hub, "reader", true, false).await;
    let writer = analyst(&f.hub, "writer", false, true).await;
    let nobody = analyst(&f.hub, "nobody", false, false).await;
    let objects = || vec![raw(indicator(2, "2026-01-02T00:00:00.000Z"))];

    let err = f
        .hub
        .add_objects(
            &reader,
            "default",
            "default",
            objects(),
            &Submission::default(),
        )
        .await
        .expect_err("read-only");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let status = f
        .hub
        .add_objects(
            &writer,
            "default",
            "default",
            objects(),
            &Submission::default(),
        )
        .await
        .expect("writer writes");
    assert_eq!(status.get().successes.len(), 1);

    let err = f
        .hub
        .objects(&writer, "default", "default", ObjectFilter::default(), true)
        .await
        .expect_err("write-only");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let err = f
        .hub
        .objects(&nobody, "default", "default", ObjectFilter::default(), true)
        .await
        .expect_err("no rights");
    assert_eq!(
        err.kind(),
        ErrorKind::NotFound,
        "a collection without rights is not revealed"
    );
    assert!(
        f.hub
            .collections(&nobody, "default")
            .await
            .expect("list")
            .get()
            .is_empty()
    );
    let page = f
        .hub
        .objects(&reader, "default", "default", ObjectFilter::default(), true)
        .await
        .expect("reads");
    assert_eq!(page.get().objects.len(), 1);

    // A status is visible to its owner and to administrators only.
    let id = status.get().id.clone();
    assert!(f.hub.status(&writer, "default", &id).await.is_ok());
    assert_eq!(
        f.hub
            .status(&reader, "default", &id)
            .await
            .expect_err("not the owner")
            .kind(),
        ErrorKind::NotFound
    );
}

#[tokio::test]
async fn disabled_users_and_changed_credentials_are_refused_at_once() {
    let f = fixture().await;
    let op = Viewer::node_operator();
    analyst(&f.hub, "ana", true, false).await;
    // Cached now; still refused the moment the account is disabled.
    f.hub
        .authenticate("ana", "analyst-password", None)
        .await
        .expect("ok");
    f.hub
        .set_user_disabled(&op, "ana", true)
        .await
        .expect("disabled");
    let err = f
        .hub
        .authenticate("ana", "analyst-password", None)
        .await
        .expect_err("disabled");
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    f.hub
        .set_user_disabled(&op, "ana", false)
        .await
        .expect("enabled");
    assert!(
        f.hub
            .authenticate("ana", "analyst-password", None)
            .await
            .is_ok()
    );
    for (user, password) in [
        ("ana", "wrong-password"),
        ("ghost", "analyst-password"),
        ("ana", ""),
    ] {
        let err = f
            .hub
            .authenticate(user, password, None)
            .await
            .expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::Unauthenticated);
        assert_eq!(
            err.message(),
            "invalid username or password",
            "does not reveal which part was wrong"
        );
    }
}

#[tokio::test]
async fn bad_objects_are_reported_one_by_one_and_change_nothing() {
    let f = fixture().await;
    let op = Viewer::node_operator();
    let mut bad = indicator(3, "2026-01-02T00:00:00.000Z");
    bad["pattern"] = serde_json::Value::String("[ipv4-addr:value = ]".into());
    let batch = vec![
        raw(bad),
        raw(serde_json::json!([1, 2])),
        raw(indicator(4, "2026-01-02T00:00:00.000Z")),
    ];
    let status = f
        .hub
        .add_objects(&op, "default", "default", batch, &Submission::default())
        .await
        .expect("envelope processed")
        .into_inner();
    assert_eq!(status.successes.len(), 1);
    assert_eq!(status.failures.len(), 2);
    assert!(
        status
            .failures
            .iter()
            .all(|d| d.message.as_deref().is_some_and(|m| !m.is_empty()))
    );
    let page = f
        .hub
        .objects(&op, "default", "default", ObjectFilter::default(), false)
        .await
        .expect("read");
    assert_eq!(
        page.get().objects.len(),
        1,
        "only the valid object was stored"
    );

    let err = f
        .hub
        .objects(
            &op,
            "default",
            "default",
            ObjectFilter {
                next: Some("bogus".into()),
                ..Default::default()
            },
            true,
        )
        .await
        .expect_err("bad cursor");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn envelopes_over_the_limit_are_refused_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("charter.db")).expect("store opens");
    let hub = Hub::new(
        Arc::new(store),
        HubConfig {
            max_objects_per_envelope: 2,
            ..HubConfig::default()
        },
    );
    hub.bootstrap(Some("admin-password".into()))
        .await
        .expect("bootstrap");
    let op = Viewer::node_operator();
    let batch = (10..13)
        .map(|n| raw(indicator(n, "2026-01-02T00:00:00.000Z")))
        .collect();
    let err = hub
        .add_objects(&op, "default", "default", batch, &Submission::default())
        .await
        .expect_err("three is over two");
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    let page = hub
        .objects(&op, "default", "default", ObjectFilter::default(), false)
        .await
        .expect("read");
    assert!(page.get().objects.is_empty());
}

#[tokio::test]
async fn a_deletion_is_recorded_with_it_and_one_of_nothing_is_not() {
    let f = fixture().await;
    let op = Viewer::node_operator();
    let versions = ["2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"];
    for modified in versions {
        let batch = vec![raw(indicator(1, modified))];
        f.hub
            .add_objects(&op, "default", "default", batch, &Submission::default())
            .await
            .expect("accepted");
    }
    let entries = || async {
        f.hub
            .audit_entries(&op, None, 1_000)
            .await
            .expect("entries")
            .into_inner()
    };
    let before = entries().await;
    let id = indicator(1, versions[0])["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let err = f
        .hub
        .delete_object(&op, "default", "default", "indicator--nothing", None)
        .await
        .expect_err("nothing to delete");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(
        entries().await,
        before,
        "a deletion of nothing is not recorded"
    );

    f.hub
        .delete_object(&op, "default", "default", &id, None)
        .await
        .expect("deleted");
    let after = entries().await;
    assert_eq!(
        after.len(),
        before.len() + 1,
        "one entry, with the deletion"
    );
    let entry = after.last().expect("an entry");
    let collection = f
        .hub
        .collection(&op, "default", "default")
        .await
        .expect("the collection")
        .into_inner()
        .record
        .id;
    assert_eq!(
        (
            entry.action.as_str(),
            entry.actor.as_str(),
            entry.channel.as_str()
        ),
        ("delete", op.username(), op.channel().as_str())
    );
    assert_eq!(
        entry.detail,
        format!(r#"{{"collection":"{collection}","id":"{id}","removed":2}}"#)
    );
    let report = f.hub.verify_audit(&op).await.expect("verified");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.head, Some((entry.seq, entry.hash.clone())));

    let err = f
        .hub
        .delete_object(&op, "default", "default", &id, None)
        .await
        .expect_err("already deleted");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(entries().await, after);
}
