//! The URL filters of Get Objects and Get Object Manifests: `match[id]`,
//! `match[type]`, `match[version]`, `match[spec_version]` and
//! `added_after`, alone, in comma-separated lists and repeated.

use axum::http::StatusCode;

use crate::util::{MANIFEST, Node, OBJECTS, attack_pattern, identity, identity_at, stix_id};

#[tokio::test]
async fn match_type_takes_lists_and_repeats() {
    let node = Node::new().await;
    node.add(&[identity(1), attack_pattern(2), identity(3)])
        .await;
    let node = &node;
    let ids = |q: &str| {
        let path = format!("{OBJECTS}?{q}");
        async move { node.get(&path).await.object_ids() }
    };
    assert_eq!(
        ids("match[type]=attack-pattern").await,
        [stix_id("attack-pattern", 2)]
    );
    assert_eq!(
        ids("match[type]=identity").await,
        [stix_id("identity", 1), stix_id("identity", 3)]
    );
    let all = [
        stix_id("identity", 1),
        stix_id("attack-pattern", 2),
        stix_id("identity", 3),
    ];
    assert_eq!(ids("match[type]=identity,attack-pattern").await, all);
    assert_eq!(
        ids("match%5Btype%5D=identity&match%5Btype%5D=attack-pattern").await,
        all
    );
    assert_eq!(ids("match[type]=malware").await, Vec::<String>::new());
}

#[tokio::test]
async fn match_id_selects_objects() {
    let node = Node::new().await;
    node.add(&[identity(1), identity(2), identity(3)]).await;
    let one = node
        .get(&format!("{OBJECTS}?match[id]={}", stix_id("identity", 2)))
        .await;
    assert_eq!(one.object_ids(), [stix_id("identity", 2)]);
    let two = node
        .get(&format!(
            "{OBJECTS}?match[id]={},{}",
            stix_id("identity", 3),
            stix_id("identity", 1)
        ))
        .await;
    assert_eq!(
        two.object_ids(),
        [stix_id("identity", 1), stix_id("identity", 3)]
    );
}

#[tokio::test]
async fn match_version_keywords_timestamps_and_lists() {
    let node = Node::new().await;
    let stamps = [
        "2024-01-01T00:00:00.000Z",
        "2024-02-01T00:00:00.000Z",
        "2024-03-01T00:00:00.000Z",
    ];
    node.add(&stamps.iter().map(|m| identity_at(1, m)).collect::<Vec<_>>())
        .await;
    let node = &node;
    let versions = |q: &str| {
        let path = format!("{MANIFEST}?{q}");
        async move {
            let body = node.get(&path).await.json();
            body["objects"]
                .as_array()
                .map(|l| {
                    l.iter()
                        .map(|o| o["version"].as_str().expect("version").to_owned())
                        .collect()
                })
                .unwrap_or_else(Vec::new)
        }
    };
    assert_eq!(versions("").await, [stamps[2]], "the default is the latest");
    assert_eq!(versions("match[version]=last").await, [stamps[2]]);
    assert_eq!(versions("match[version]=first").await, [stamps[0]]);
    assert_eq!(versions("match[version]=all").await, stamps);
    assert_eq!(
        versions("match[version]=first,last").await,
        [stamps[0], stamps[2]]
    );
    assert_eq!(
        versions("match[version]=first&match[version]=last").await,
        [stamps[0], stamps[2]]
    );
    assert_eq!(
        versions(&format!("match[version]={}", stamps[1])).await,
        [stamps[1]]
    );
    // Equal instants match whatever the precision written.
    assert_eq!(
        versions("match[version]=2024-02-01T00:00:00Z").await,
        [stamps[1]]
    );
    assert_eq!(
        versions(&format!("match[version]={},last", stamps[0])).await,
        [stamps[0], stamps[2]]
    );
    assert_eq!(
        versions("match[version]=2020-01-01T00:00:00.000Z").await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn match_spec_version() {
    let node = Node::new().await;
    node.add(&[identity(1)]).await;
    assert_eq!(
        node.get(&format!("{OBJECTS}?match[spec_version]=2.1"))
            .await
            .object_ids()
            .len(),
        1
    );
    assert_eq!(
        node.get(&format!("{OBJECTS}?match[spec_version]=2.0,2.1"))
            .await
            .object_ids()
            .len(),
        1
    );
    assert_eq!(
        node.get(&format!("{OBJECTS}?match[spec_version]=2.0"))
            .await
            .object_ids()
            .len(),
        0
    );
}

#[tokio::test]
async fn added_after_is_strict() {
    let node = Node::new().await;
    node.add(&[identity(1)]).await;
    node.add(&[identity(2)]).await;
    let manifest = node.get(MANIFEST).await.json();
    let first_added = manifest["objects"][0]["date_added"]
        .as_str()
        .expect("date_added")
        .to_owned();

    let after = node
        .get(&format!("{OBJECTS}?added_after={first_added}"))
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.object_ids(), [stix_id("identity", 2)]);
    assert_eq!(
        node.get(&format!("{OBJECTS}?added_after=2000-01-01T00:00:00Z"))
            .await
            .object_ids()
            .len(),
        2
    );
    assert_eq!(
        node.get(&format!("{OBJECTS}?added_after=2999-01-01T00:00:00Z"))
            .await
            .object_ids()
            .len(),
        0
    );
}

#[tokio::test]
async fn filters_combine() {
    let node = Node::new().await;
    node.add(&[
        identity(1),
        attack_pattern(2),
        identity_at(3, "2024-05-05T00:00:00.000Z"),
    ])
    .await;
    let reply = node
        .get(&format!(
            "{OBJECTS}?match[type]=identity&match[id]={}&match[version]=all",
            stix_id("identity", 3)
        ))
        .await;
    assert_eq!(reply.object_ids(), [stix_id("identity", 3)]);
}

#[tokio::test]
async fn unknown_parameters_and_match_fields_are_ignored() {
    let node = Node::new().await;
    node.add(&[identity(1), attack_pattern(2)]).await;
    let reply = node
        .get(&format!(
            "{OBJECTS}?match[created_by_ref]=identity--x&pretty=yes"
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.object_ids().len(), 2);
}
