//! Scans, lookups and sensor exports through the hub: only active indicators, only those
//! the principal may see, revocations at once, warning lists flagged and left out.

use charter_hub::{IndicatorFilter, Submission, Viewer};
use charter_intel::export::SensorFormat;
use charter_intel::warninglists::WarningLists;

use super::{analyst, fixture, raw};

fn ind(n: u32, pattern: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut v = serde_json::json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--1b7b1a5e-8c4e-4f7a-9d3b-{n:012}"),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("indicator {n}"),
        "pattern": pattern, "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    });
    if let (Some(m), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
        m.extend(e);
    }
    v
}

fn filter() -> IndicatorFilter {
    IndicatorFilter {
        api_root: "default".into(),
        ..IndicatorFilter::default()
    }
}

async fn add(hub: &charter_hub::Hub, objects: Vec<serde_json::Value>) {
    let op = Viewer::node_operator();
    let status = hub
        .add_objects(
            &op,
            "default",
            "default",
            objects.into_iter().map(raw).collect(),
            &Submission::default(),
        )
        .await
        .expect("added")
        .into_inner();
    assert!(status.failures.is_empty(), "{:?}", status.failures);
}

#[tokio::test]
async fn only_active_visible_indicators_reach_scans_lookups_and_exports() {
    let f = fixture().await;
    let hub = &f.hub;
    let alice = analyst(hub, "alice", true, false).await;
    let bob = analyst(hub, "bob", false, false).await;
    add(
        hub,
        vec![
            ind(
                1,
                "[ipv4-addr:value = '203.0.113.7']",
                serde_json::json!({}),
            ),
            ind(
                2,
                "[domain-name:value = 'evil.example']",
                serde_json::json!({"valid_until": "2026-01-02T00:00:00Z"}),
            ),
            ind(
                3,
                "[domain-name:value = 'later.example']",
                serde_json::json!({"valid_from": "2999-01-01T00:00:00Z"}),
            ),
            ind(
                4,
                "[url:value = 'http://bad.example/x']",
                serde_json::json!({"revoked": true}),
            ),
            ind(5, "[ipv4-addr:value = '8.8.8.8']", serde_json::json!({})),
        ],
    )
    .await;
    let ids = |list: &[charter_hub::ActiveIndicator]| {
        let mut ids: Vec<String> = list.iter().map(|i| i.id[35..].to_owned()).collect();
        ids.sort();
        ids
    };
    let seen = hub
        .indicators(&alice, &filter())
        .await
        .expect("test value")
        .into_inner();
    assert_eq!(ids(&seen), ["000000000001", "000000000005"]);
    assert!(
        hub.indicators(&bob, &filter())
            .await
            .expect("test value")
            .into_inner()
            .is_empty()
    );

    let values = vec![
        "203.0.113.7".to_owned(),
        "evil.example".to_owned(),
        "8.8.8.8".to_owned(),
    ];
    let answer = hub
        .lookup(&alice, &filter(), &values)
        .await
        .expect("test value")
        .into_inner();
    assert_eq!(answer[0].indicators.len(), 1);
    assert!(answer[0].indicators[0].1, "a direct match");
    assert!(answer[1].indicators.is_empty(), "expired");
    let answer = hub
        .lookup(&bob, &filter(), &values)
        .await
        .expect("test value")
        .into_inner();
    assert!(answer.iter().all(|a| a.indicators.is_empty()));

    // Warning lists: flagged (once the stored versions are re-flagged with them), left out
    // of exports by default, shown in lookups.
    let stale = hub
        .set_warninglists(
            WarningLists::from_texts([r#"{"name": "List of known IPv4 public DNS resolvers", "type": "string", "list": ["8.8.8.8"]}"#]).expect("test value"),
        )
        .await
        .expect("lists set");
    assert!(stale, "the stored flags were computed without these lists");
    hub.reflag_warnings(&|_| {}).await.expect("re-flagged");
    let seen = hub
        .indicators(&alice, &filter())
        .await
        .expect("test value")
        .into_inner();
    assert_eq!(ids(&seen), ["000000000001"]);
    let answer = hub
        .lookup(&alice, &filter(), &values[2..])
        .await
        .expect("test value")
        .into_inner();
    assert_eq!(
        answer[0].indicators[0].0.warning.as_deref(),
        Some("List of known IPv4 public DNS resolvers")
    );
    let export = hub
        .sensor_export(&alice, &filter(), SensorFormat::Blocklist, 1)
        .await
        .expect("test value")
        .into_inner();
    assert!(
        export
            .text
            .contains("# Highest TLP of the contents: TLP:AMBER"),
        "{}",
        export.text
    );
    let body: Vec<&str> = export
        .text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert_eq!(body, ["203.0.113.7"]);
    let mut with_flagged = filter();
    with_flagged.include_warninglisted = true;
    let export = hub
        .sensor_export(&alice, &with_flagged, SensorFormat::Csv, 1)
        .await
        .expect("test value")
        .into_inner();
    assert!(export.text.contains("8.8.8.8,ip,"), "{}", export.text);
    assert!(
        export
            .text
            .contains("List of known IPv4 public DNS resolvers")
    );
    let empty = hub
        .sensor_export(&bob, &filter(), SensorFormat::Zeek, 1)
        .await
        .expect("test value")
        .into_inner();
    assert_eq!(empty.values, 0);

    // A revocation is a newer version: it stops matching at once.
    let mut revoked = ind(
        1,
        "[ipv4-addr:value = '203.0.113.7']",
        serde_json::json!({"revoked": true}),
    );
    revoked["modified"] = "2026-01-05T00:00:00.000Z".into();
    add(hub, vec![revoked]).await;
    let answer = hub
        .lookup(&alice, &filter(), &values[..1])
        .await
        .expect("test value")
        .into_inner();
    assert!(answer[0].indicators.is_empty());
}

#[tokio::test]
async fn lookups_over_the_limit_are_refused() {
    let f = fixture().await;
    let op = Viewer::node_operator();
    let values = vec!["203.0.113.7".to_owned(); charter_hub::MAX_LOOKUP_VALUES + 1];
    let err = f
        .hub
        .lookup(&op, &filter(), &values)
        .await
        .expect_err("an error");
    assert_eq!(err.kind(), charter_hub::ErrorKind::TooLarge);
}
