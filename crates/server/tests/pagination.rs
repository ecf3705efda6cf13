//! Paging with `limit` and `next`: every object exactly once, in
//! `date_added` order, and the node's maximum page size enforced by
//! clamping.

use std::collections::HashSet;

use axum::http::StatusCode;

use crate::util::{MANIFEST, Node, OBJECTS, identity, stix_id};

async fn fill(node: &Node, count: u32) -> Vec<String> {
    // Separate envelopes keep within the per-envelope limit and give each
    // batch its own date_added.
    for chunk in (1..=count).collect::<Vec<_>>().chunks(4) {
        node.add(&chunk.iter().map(|n| identity(*n)).collect::<Vec<_>>())
            .await;
    }
    (1..=count).map(|n| stix_id("identity", n)).collect()
}

#[tokio::test]
async fn next_walks_every_object_exactly_once() {
    let node = Node::new().await;
    let expected = fill(&node, 11).await;
    let mut seen = Vec::new();
    let mut path = format!("{OBJECTS}?limit=3");
    let mut pages = 0;
    loop {
        let reply = node.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let body = reply.json();
        let ids = reply.object_ids();
        pages += 1;
        seen.extend(ids.iter().cloned());
        if body["more"] == true {
            assert_eq!(ids.len(), 3, "full pages before the last");
            let next = body["next"].as_str().expect("more implies next");
            path = format!("{OBJECTS}?limit=3&next={next}");
        } else {
            assert!(
                body.get("next").is_none(),
                "no next on the last page: {body}"
            );
            break;
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn next_keeps_the_filters_of_the_walk() {
    let node = Node::new().await;
    fill(&node, 8).await;
    let first = node
        .get(&format!(
            "{MANIFEST}?limit=2&match[id]={},{},{}",
            stix_id("identity", 2),
            stix_id("identity", 5),
            stix_id("identity", 7)
        ))
        .await
        .json();
    assert_eq!(first["more"], true);
    let next = first["next"].as_str().expect("next");
    let second = node
        .get(&format!(
            "{MANIFEST}?limit=2&next={next}&match[id]={},{},{}",
            stix_id("identity", 2),
            stix_id("identity", 5),
            stix_id("identity", 7)
        ))
        .await
        .json();
    assert_eq!(second["more"], false);
    let ids: Vec<_> = [&first, &second]
        .iter()
        .flat_map(|b| b["objects"].as_array().cloned().unwrap_or_default())
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            stix_id("identity", 2),
            stix_id("identity", 5),
            stix_id("identity", 7)
        ]
    );
}

#[tokio::test]
async fn limit_is_clamped_to_the_node_maximum() {
    let node = Node::new().await;
    fill(&node, 8).await;
    // The test node's maximum (and default) page size is 5.
    for query in ["", "?limit=1000", "?limit=99999999999999999999999"] {
        let reply = node.get(&format!("{OBJECTS}{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        let body = reply.json();
        assert_eq!(reply.object_ids().len(), 5, "{query}");
        assert_eq!(body["more"], true);
    }
}

#[tokio::test]
async fn pages_do_not_overlap_across_headers() {
    let node = Node::new().await;
    fill(&node, 6).await;
    let first = node.get(&format!("{MANIFEST}?limit=3")).await;
    let next = first.json()["next"].as_str().expect("next").to_owned();
    let second = node.get(&format!("{MANIFEST}?limit=3&next={next}")).await;
    let last_of_first = first
        .header("x-taxii-date-added-last")
        .expect("header")
        .to_owned();
    let first_of_second = second
        .header("x-taxii-date-added-first")
        .expect("header")
        .to_owned();
    assert!(
        last_of_first < first_of_second,
        "{last_of_first} < {first_of_second}"
    );
    let mut all = HashSet::new();
    for reply in [&first, &second] {
        for o in reply.json()["objects"].as_array().expect("objects") {
            assert!(
                all.insert(o["id"].as_str().expect("id").to_owned()),
                "duplicate {o}"
            );
        }
    }
    assert_eq!(all.len(), 6);
}
