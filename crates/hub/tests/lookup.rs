//! The lookup index: it follows writes, revocations, deletions, validity and rights from
//! one lookup to the next; it is shared only by viewers who would read the same versions;
//! its entries are bounded; lookups arriving together build an entry once.

use std::sync::Arc;

use charter_hub::admin::{NewCollection, NewOrg, NewUser};
use charter_hub::{
    Hub, HubConfig, IndicatorFilter, Role, Submission, Timestamp, TlpLevel, VersionFilter, Viewer,
};
use charter_store::Store;
use charter_store::sqlite::SqliteStore;
use serde_json::{Value, json};

use super::raw;

struct Node {
    hub: Hub,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

/// A node whose pages hold two versions, so every read of the index spans pages.
async fn node(entries: usize) -> Node {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("charter.db")).expect("store opens"));
    let config = HubConfig {
        max_page_size: 2,
        default_page_size: 2,
        lookup_cache_entries: entries,
        ..HubConfig::default()
    };
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
async fn rights_are_checked_on_every_lookup() {
    let n = node(8).await;
    let hub = &n.hub;
    let op = Viewer::node_operator();
    let grid = member(hub, "ana", "Grid plc", Role::Analyst).await;
    member(hub, "ben", "Grid plc", Role::Analyst).await;
    member(hub, "cy", "Water plc", Role::Analyst).await;
    let community = hub
        .add_community(&op, "energy", std::slice::from_ref(&grid))
        .await
        .expect("community");
    let shared = hub
        .add_collection(
            &op,
            NewCollection {
                title: "energy".into(),
                community: Some(community.id.clone()),
                ..NewCollection::default()
            },
        )
        .await
        .expect("collection");
    add(hub, &op, &shared.id, vec![ip(1, V1, "203.0.113.1")], &[]).await;
    add(hub, &op, "default", vec![ip(2, V1, "203.0.113.2")], &[]).await;
    hub.grant(&op, "cy", "default", "default", true, false)
        .await
        .expect("granted");
    let values = ["203.0.113.1", "203.0.113.2"];

    let ana = viewer(hub, "ana").await;
    assert_eq!(look(hub, &ana, &values).await, [found(1, V1), vec![]]);
    let cy = viewer(hub, "cy").await;
    assert_eq!(look(hub, &cy, &values).await, [vec![], found(2, V1)]);

    // Grid plc leaves the community: its members lose the collection.
    hub.set_community_member(&op, &community.id, &grid, false)
        .await
        .expect("removed");
    let ana = viewer(hub, "ana").await;
    assert_eq!(look(hub, &ana, &values).await, [vec![], vec![]]);

    // Cy's explicit right is taken away.
    hub.grant(&op, "cy", "default", "default", false, false)
        .await
        .expect("revoked");
    let cy = viewer(hub, "cy").await;
    assert_eq!(look(hub, &cy, &values).await, [vec![], vec![]]);

    // Ben reads with the keys Ana read with before, so he shares her entry, until his role
    // no longer reads at all: the entry forgets the collection at once.
    hub.set_community_member(&op, &community.id, &grid, true)
        .await
        .expect("added");
    let ben = viewer(hub, "ben").await;
    let entries = hub.lookup_cache_stats().entries;
    assert_eq!(look(hub, &ben, &values).await, [found(1, V1), vec![]]);
    assert_eq!(hub.lookup_cache_stats().entries, entries, "shared");
    let mut user = n.store.user("ben").await.expect("read").expect("ben");
    user.role = Role::Auditor;
    n.store.put_user(user).await.expect("role changed");
    let ben = viewer(hub, "ben").await;
    assert_eq!(look(hub, &ben, &values).await, [vec![], vec![]]);
    let ana = viewer(hub, "ana").await;
    let builds = hub.lookup_cache_stats().builds;
    assert_eq!(look(hub, &ana, &values).await, [found(1, V1), vec![]]);
    assert_eq!(hub.lookup_cache_stats().builds, builds + 1, "read again");

    // A named collection the viewer may not read is refused, as for a scan.
    let cy = viewer(hub, "cy").await;
    let named = IndicatorFilter {
        collections: vec![shared.id.clone()],
        ..filter()
    };
    let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
    assert!(hub.lookup(&cy, &named, &values).await.is_err());
}

#[tokio::test]
async fn audiences_share_entries_never_restricted_indicators() {
    let n = node(8).await;
    let hub = &n.hub;
    let op = Viewer::node_operator();
    let grid = member(hub, "ana", "Grid plc", Role::Analyst).await;
    member(hub, "ben", "Grid plc", Role::Reader).await;
    let water = member(hub, "cy", "Water plc", Role::Analyst).await;
    let community = hub
        .add_community(&op, "utilities", &[grid.clone(), water.clone()])
        .await
        .expect("community");
    let shared = hub
        .add_collection(
            &op,
            NewCollection {
                title: "utilities".into(),
                community: Some(community.id.clone()),
                ..NewCollection::default()
            },
        )
        .await
        .expect("collection");
    let marked = |n: u32, tlp: TlpLevel| {
        let mut v = ip(n, V1, "203.0.113.1");
        v["object_marking_refs"] = json!([tlp.marking_id()]);
        v
    };
    let ana = viewer(hub, "ana").await;
    let cy = viewer(hub, "cy").await;
    // Amber to the community, red to Grid plc, red to Water plc, and one Cy submits red to
    // Water plc alone.
    add(hub, &op, &shared.id, vec![marked(1, TlpLevel::Amber)], &[]).await;
    add(
        hub,
        &op,
        &shared.id,
        vec![marked(2, TlpLevel::Red)],
        &[&grid],
    )
    .await;
    add(
        hub,
        &op,
        &shared.id,
        vec![marked(3, TlpLevel::Red)],
        &[&water],
    )
    .await;
    let value = ["203.0.113.1"];
    let ids = |r: Vec<Vec<(u32, String)>>| r[0].iter().map(|(n, _)| *n).collect::<Vec<_>>();
    assert_eq!(ids(look(hub, &ana, &value).await), [1, 2]);
    assert_eq!(ids(look(hub, &cy, &value).await), [1, 3]);
    add(
        hub,
        &cy,
        &shared.id,
        vec![marked(4, TlpLevel::Red)],
        &[&water],
    )
    .await;
    assert_eq!(ids(look(hub, &ana, &value).await), [1, 2]);
    assert_eq!(ids(look(hub, &cy, &value).await), [1, 3, 4]);
    // Ben, of Grid plc with the same keys, shares Ana's entry.
    let ben = viewer(hub, "ben").await;
    assert_eq!(ids(look(hub, &ben, &value).await), [1, 2]);
    assert_eq!(hub.lookup_cache_stats().entries, 2);
    // The node operator reads unfiltered, in an entry of its own.
    assert_eq!(ids(look(hub, &op, &value).await), [1, 2, 3, 4]);
    assert_eq!(ids(look(hub, &ana, &value).await), [1, 2]);
    assert_eq!(hub.lookup_cache_stats().entries, 3);
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

#[tokio::test]
async fn each_organisation_finds_its_own_submissions_as_submitted() {
    let n = node(8).await;
    let hub = &n.hub;
    let op = Viewer::node_operator();
    let grid = member(hub, "ana", "Grid plc", Role::Analyst).await;
    let water = member(hub, "cy", "Water plc", Role::Analyst).await;
    let community = hub
        .add_community(&op, "utilities", &[grid, water])
        .await
        .expect("community");
    let shared = hub
        .add_collection(
            &op,
            NewCollection {
                title: "utilities".into(),
                community: Some(community.id.clone()),
                ..NewCollection::default()
            },
        )
        .await
        .expect("collection");
    let ana = viewer(hub, "ana").await;
    let cy = viewer(hub, "cy").await;
    let named = |n: u32, who: &str| {
        let mut v = ip(n, V1, "203.0.113.1");
        v["name"] = format!("lure sent to {who}@victim.example").into();
        v
    };
    add(hub, &ana, &shared.id, vec![named(1, "alice")], &[]).await;
    add(hub, &cy, &shared.id, vec![named(2, "carol")], &[]).await;
    let names = |viewer: Viewer| async move {
        let values = vec!["203.0.113.1".to_owned()];
        let answer = hub
            .lookup(&viewer, &filter(), &values)
            .await
            .expect("lookup")
            .into_inner();
        let mut names: Vec<String> = answer[0]
            .indicators
            .iter()
            .map(|(i, _)| i.name.clone())
            .collect();
        names.sort();
        names
    };
    // Cy reads first, so the released form of 1 is shared when Ana reads; and the
    // other way round for 2.
    let cy_sees = names(cy.clone()).await;
    assert_eq!(
        cy_sees,
        [
            "lure sent to [REDACTED:email]",
            "lure sent to carol@victim.example"
        ]
    );
    let ana_sees = names(ana.clone()).await;
    assert_eq!(
        ana_sees,
        [
            "lure sent to [REDACTED:email]",
            "lure sent to alice@victim.example"
        ]
    );
    assert_eq!(names(cy).await, cy_sees);
    assert_eq!(names(ana).await, ana_sees);
}
