//! Lookups as the viewer's rights, audience and organisation decide: rights checked on
//! every lookup, entries shared only by viewers who would read the same versions, and each
//! organisation's own submissions in the form it submitted them.

use charter_hub::admin::NewCollection;
use charter_hub::{IndicatorFilter, Role, TlpLevel, Viewer};
use serde_json::json;

use super::{V1, add, filter, found, ip, look, member, node, viewer};

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
