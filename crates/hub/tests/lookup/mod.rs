//! The lookup index: it follows writes, revocations, deletions, validity and rights from
//! one lookup to the next; it is shared only by viewers who would read the same versions;
//! its entries are bounded; lookups arriving together build an entry once.

use std::sync::Arc;

use charter_hub::admin::{NewOrg, NewUser};
use charter_hub::{
    Hub, HubConfig, IndicatorFilter, Role, Submission, Timestamp, TlpLevel, VersionFilter, Viewer,
};
use charter_store::Store;
use charter_store::sqlite::SqliteStore;
use serde_json::{Value, json};

use super::raw;

mod audiences;
mod workers;

struct Node {
    hub: Hub,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

/// A node whose pages hold two versions, so every read of the index spans pages.
async fn node(entries: usize) -> Node {
    node_with(HubConfig {
        max_page_size: 2,
        default_page_size: 2,
        lookup_cache_entries: entries,
        ..HubConfig::default()
    })
    .await
}

/// A bootstrapped node on a fresh SQLite store with `config`.
async fn node_with(config: HubConfig) -> Node {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("charter.db")).expect("store opens"));
    let hub = Hub::new(store.clone(), config);
    hub.bootstrap(Some("admin-password".into()))
        .await
        .expect("bootstrap");
    Node {
        hub,
        store,
        _dir: dir,
    }
}

fn id(n: u32) -> String {
    format!("indicator--2c7b1a5e-8c4e-4f7a-9d3b-{n:012}")
}

fn ind(n: u32, modified: &str, pattern: &str, extra: Value) -> Value {
    let mut v = json!({
        "type": "indicator", "spec_version": "2.1", "id": id(n),
        "created": "2026-01-01T00:00:00.000Z", "modified": modified,
        "name": format!("indicator {n}"),
        "pattern": pattern, "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    });
    if let (Some(m), Value::Object(e)) = (v.as_object_mut(), extra) {
        m.extend(e);
    }
    v
}

fn ip(n: u32, modified: &str, address: &str) -> Value {
    ind(
        n,
        modified,
        &format!("[ipv4-addr:value = '{address}']"),
        json!({}),
    )
}

async fn add(hub: &Hub, by: &Viewer, collection: &str, objects: Vec<Value>, to: &[&str]) {
    let status = hub
        .add_objects(
            by,
            "default",
            collection,
            objects.into_iter().map(raw).collect(),
            &Submission {
                recipients: to.iter().map(|s| (*s).to_owned()).collect(),
                attribution: None,
            },
        )
        .await
        .expect("added")
        .into_inner();
    assert!(status.failures.is_empty(), "{:?}", status.failures);
}

fn filter() -> IndicatorFilter {
    IndicatorFilter {
        api_root: "default".into(),
        ..IndicatorFilter::default()
    }
}

/// Per value, the (indicator number, version) pairs that matched.
async fn look_with(
    hub: &Hub,
    viewer: &Viewer,
    filter: &IndicatorFilter,
    values: &[&str],
) -> Vec<Vec<(u32, String)>> {
    let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    hub.lookup(viewer, filter, &values)
        .await
        .expect("lookup")
        .into_inner()
        .into_iter()
        .map(|m| {
            let mut found: Vec<(u32, String)> = m
                .indicators
                .iter()
                .map(|(i, _)| (i.id[35..].parse().expect("number"), i.version.clone()))
                .collect();
            found.sort();
            found
        })
        .collect()
}

async fn look(hub: &Hub, viewer: &Viewer, values: &[&str]) -> Vec<Vec<(u32, String)>> {
    look_with(hub, viewer, &filter(), values).await
}

fn found(n: u32, version: &str) -> Vec<(u32, String)> {
    vec![(n, version.to_owned())]
}

const V1: &str = "2026-01-02T00:00:00.000Z";
const V2: &str = "2026-01-03T00:00:00.000Z";
const V3: &str = "2026-01-04T00:00:00.000Z";

/// Adds an organisation and one user of it with `role`; returns the organisation's id.
async fn member(hub: &Hub, user: &str, org: &str, role: Role) -> String {
    let op = Viewer::node_operator();
    let org = match hub
        .orgs(&op)
        .await
        .expect("orgs")
        .into_iter()
        .find(|o| o.name == org)
    {
        Some(o) => o,
        None => hub
            .add_org(
                &op,
                NewOrg {
                    name: org.into(),
                    country: "GB".into(),
                    sectors: vec![],
                    kind: "private".into(),
                    attribution: false,
                },
            )
            .await
            .expect("org added"),
    };
    hub.add_user(
        &op,
        NewUser {
            username: user.into(),
            password: "member-password".into(),
            org: Some(org.id.clone()),
            role,
        },
    )
    .await
    .expect("user added");
    org.id
}

async fn viewer(hub: &Hub, user: &str) -> Viewer {
    hub.viewer_as(&Viewer::node_operator(), user)
        .await
        .expect("viewer")
}

#[tokio::test]
async fn arrivals_revocations_and_new_patterns_reach_the_next_lookup() {
    let n = node(4).await;
    let hub = &n.hub;
    let op = Viewer::node_operator();
    member(hub, "ana", "Grid plc", Role::Analyst).await;
    hub.grant(&op, "ana", "default", "default", true, false)
        .await
        .expect("granted");
    let ana = viewer(hub, "ana").await;
    let values = ["203.0.113.1", "203.0.113.2", "198.51.100.9"];
    let (a, b, c) = ("203.0.113.1", "203.0.113.2", "198.51.100.9");

    add(
        hub,
        &op,
        "default",
        vec![ip(1, V1, a), ip(9, V1, "192.0.2.99")],
        &[],
    )
    .await;
    assert_eq!(
        look(hub, &ana, &values).await,
        [found(1, V1), vec![], vec![]]
    );
    let built = hub.lookup_cache_stats().builds;

    // Arrivals, over several pages of the poll.
    add(
        hub,
        &op,
        "default",
        vec![ip(2, V1, b), ip(3, V1, "192.0.2.3"), ip(4, V1, "192.0.2.4")],
        &[],
    )
    .await;
    assert_eq!(
        look(hub, &ana, &values).await,
        [found(1, V1), found(2, V1), vec![]]
    );

    // A revocation is a newer version; a newer version with another pattern moves the
    // indicator from the old value to the new one.
    let mut revoked = ip(1, V2, a);
    revoked["revoked"] = true.into();
    add(hub, &op, "default", vec![revoked, ip(2, V2, c)], &[]).await;
    assert_eq!(
        look(hub, &ana, &values).await,
        [vec![], vec![], found(2, V2)]
    );

    // An older version arriving late changes nothing: the latest version decides.
    add(
        hub,
        &op,
        "default",
        vec![ip(2, "2026-01-02T12:00:00.000Z", b)],
        &[],
    )
    .await;
    assert_eq!(
        look(hub, &ana, &values).await,
        [vec![], vec![], found(2, V2)]
    );

    // A newer version that is not a STIX pattern takes the indicator out too.
    let mut other = ip(2, V3, c);
    other["pattern_type"] = "sigma".into();
    other["pattern"] = "title: x".into();
    add(hub, &op, "default", vec![other], &[]).await;
    assert_eq!(look(hub, &ana, &values).await, [vec![], vec![], vec![]]);

    let stats = hub.lookup_cache_stats();
    assert_eq!(stats.builds, built, "every later lookup polled: {stats:?}");
    assert!(stats.polls >= 4, "{stats:?}");
    assert_eq!(stats.indicators, 3, "3, 4 and 9 remain filed: {stats:?}");
}

#[tokio::test]
async fn validity_and_filters_are_decided_at_the_lookup() {
    let n = node(4).await;
    let hub = &n.hub;
    let op = Viewer::node_operator();
    let mut until = ip(1, V1, "203.0.113.1");
    until["valid_until"] = "2030-01-01T00:00:00Z".into();
    let mut red = ind(
        2,
        V1,
        "[domain-name:value = 'evil.example']",
        json!({"object_marking_refs": [TlpLevel::Red.marking_id()]}),
    );
    red["valid_from"] = "2028-01-01T00:00:00Z".into();
    let org = member(hub, "ana", "Grid plc", Role::Analyst).await;
    hub.grant(&op, "ana", "default", "default", true, false)
        .await
        .expect("granted");
    add(hub, &op, "default", vec![until], &[]).await;
    add(hub, &op, "default", vec![red], &[&org]).await;
    let ana = viewer(hub, "ana").await;
    let values = ["203.0.113.1", "EVIL.example"];
    let at = |t: &str| IndicatorFilter {
        at: Some(Timestamp::parse(t).expect("timestamp")),
        ..filter()
    };

    let before = look_with(hub, &ana, &at("2027-06-01T00:00:00Z"), &values).await;
    assert_eq!(before, [found(1, V1), vec![]], "2 not valid yet");
    let both = look_with(hub, &ana, &at("2029-06-01T00:00:00Z"), &values).await;
    assert_eq!(both, [found(1, V1), found(2, V1)]);
    // Past valid_until, with no write in between.
    let after = look_with(hub, &ana, &at("2030-01-01T00:00:00Z"), &values).await;
    assert_eq!(after, [vec![], found(2, V1)]);

    let amber = IndicatorFilter {
        max_tlp: Some(TlpLevel::Amber),
        ..at("2029-06-01T00:00:00Z")
    };
    assert_eq!(
        look_with(hub, &ana, &amber, &values).await,
        [found(1, V1), vec![]]
    );
    let domains = IndicatorFilter {
        kinds: vec!["domain".into()],
        ..at("2029-06-01T00:00:00Z")
    };
    assert_eq!(
        look_with(hub, &ana, &domains, &values).await,
        [vec![], found(2, V1)]
    );
    let stats = hub.lookup_cache_stats();
    assert_eq!((stats.entries, stats.builds), (1, 1), "{stats:?}");
}

#[tokio::test]
async fn deletions_reach_the_next_lookup() {
    let n = node(4).await;
    let hub = &n.hub;
    let op = Viewer::node_operator();
    let a = "203.0.113.1";
    add(hub, &op, "default", vec![ip(1, V1, a), ip(2, V1, a)], &[]).await;
    add(hub, &op, "default", vec![ip(1, V2, a)], &[]).await;
    assert_eq!(
        look(hub, &op, &[a]).await,
        [vec![(1, V2.to_owned()), (2, V1.to_owned())]]
    );
    // Deleting the latest version of 1 brings back the one before it; deleting 2 takes it.
    hub.delete_object(
        &op,
        "default",
        "default",
        &id(1),
        Some(VersionFilter {
            last: true,
            ..VersionFilter::default()
        }),
    )
    .await
    .expect("deleted");
    hub.delete_object(&op, "default", "default", &id(2), None)
        .await
        .expect("deleted");
    assert_eq!(look(hub, &op, &[a]).await, [found(1, V1)]);
}

#[tokio::test]
async fn the_least_recently_used_entry_makes_room() {
    let n = node(2).await;
    let hub = &n.hub;
    let op = Viewer::node_operator();
    add(hub, &op, "default", vec![ip(1, V1, "203.0.113.1")], &[]).await;
    let mut viewers = Vec::new();
    for name in ["ana", "ben", "cy"] {
        member(hub, name, &format!("{name} ltd"), Role::Analyst).await;
        hub.grant(&op, name, "default", "default", true, false)
            .await
            .expect("granted");
        viewers.push(viewer(hub, name).await);
    }
    for v in &viewers {
        assert_eq!(look(hub, v, &["203.0.113.1"]).await, [found(1, V1)]);
    }
    let stats = hub.lookup_cache_stats();
    assert_eq!((stats.entries, stats.evictions, stats.builds), (2, 1, 3));
    // Ben's entry was used last but one and stays; Ana's was dropped, and is built again.
    assert_eq!(
        look(hub, &viewers[1], &["203.0.113.1"]).await,
        [found(1, V1)]
    );
    assert_eq!(hub.lookup_cache_stats().builds, 3);
    add(hub, &op, "default", vec![ip(2, V1, "203.0.113.1")], &[]).await;
    let both = [vec![(1, V1.to_owned()), (2, V1.to_owned())]];
    assert_eq!(look(hub, &viewers[0], &["203.0.113.1"]).await, both);
    let stats = hub.lookup_cache_stats();
    assert_eq!((stats.entries, stats.evictions, stats.builds), (2, 2, 4));
    assert_eq!(look(hub, &viewers[1], &["203.0.113.1"]).await, both);
    assert_eq!(hub.lookup_cache_stats().builds, 4, "Ben's entry was kept");

    // Without entries, every lookup reads everything and answers the same.
    let n = node(0).await;
    add(&n.hub, &op, "default", vec![ip(1, V1, "203.0.113.1")], &[]).await;
    for _ in 0..2 {
        assert_eq!(look(&n.hub, &op, &["203.0.113.1"]).await, [found(1, V1)]);
    }
    let stats = n.hub.lookup_cache_stats();
    assert_eq!((stats.entries, stats.builds), (0, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_arriving_together_build_an_entry_once() {
    let n = node(4).await;
    let op = Viewer::node_operator();
    let batch = (0..40)
        .map(|i| ip(i, V1, &format!("198.51.100.{i}")))
        .collect();
    add(&n.hub, &op, "default", batch, &[]).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let hub = n.hub.clone();
            let op = op.clone();
            tokio::spawn(async move {
                let values = vec![format!("198.51.100.{i}")];
                hub.lookup(&op, &filter(), &values)
                    .await
                    .expect("lookup")
                    .into_inner()
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let answer = task.await.expect("task");
        assert_eq!(answer[0].indicators.len(), 1, "value {i}");
    }
    let stats = n.hub.lookup_cache_stats();
    assert_eq!((stats.entries, stats.builds), (1, 1), "{stats:?}");
}
