//! Warning-list flags through the hub: computed at ingest and kept in the store, reported
//! in the submission's status, recomputed when the lists change, read (not recomputed) by
//! scans, lookups and exports, and listed only to those who may read the indicator.

use charter_hub::{
    Decision, ErrorKind, Hub, IndicatorFilter, Reflag, Submission, Viewer, WarningQuery,
};
use charter_intel::export::SensorFormat;
use charter_intel::warninglists::WarningLists;
use serde_json::json;

use super::{analyst, fixture, raw};

const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

fn lists() -> WarningLists {
    WarningLists::from_texts([
        r#"{"name": "public-dns-v4", "type": "string", "list": ["8.8.8.8", "1.1.1.1"]}"#,
        r#"{"name": "rfc1918", "type": "cidr", "list": ["10.0.0.0/8"]}"#,
    ])
    .expect("test lists")
}

fn ind(n: u32, pattern: &str) -> serde_json::Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--3c7b1a5e-8c4e-4f7a-9d3b-{n:012}"),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("indicator {n}"),
        "pattern": pattern, "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    })
}

fn id(n: u32) -> String {
    format!("indicator--3c7b1a5e-8c4e-4f7a-9d3b-{n:012}")
}

fn filter() -> IndicatorFilter {
    IndicatorFilter {
        api_root: "default".into(),
        ..IndicatorFilter::default()
    }
}

fn listing() -> WarningQuery {
    WarningQuery {
        api_root: "default".into(),
        ..WarningQuery::default()
    }
}

fn quiet(_: Reflag) {}

async fn submit(
    hub: &Hub,
    viewer: &Viewer,
    objects: Vec<serde_json::Value>,
    submission: &Submission,
) -> charter_hub::Status {
    let status = hub
        .add_objects(
            viewer,
            "default",
            "default",
            objects.into_iter().map(raw).collect(),
            submission,
        )
        .await
        .expect("submitted")
        .into_inner();
    assert!(status.failures.is_empty(), "{:?}", status.failures);
    status
}

/// `(id, warning)` of every active indicator `viewer` sees, flagged ones included.
async fn seen(hub: &Hub, viewer: &Viewer) -> Vec<(String, Option<String>)> {
    let mut all = filter();
    all.include_warninglisted = true;
    let mut out: Vec<(String, Option<String>)> = hub
        .indicators(viewer, &all)
        .await
        .expect("indicators")
        .into_inner()
        .into_iter()
        .map(|i| (i.id, i.warning))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_listed_value_is_flagged_at_ingest_and_stays_flagged_in_the_store() {
    let f = fixture().await;
    let hub = &f.hub;
    let op = Viewer::node_operator();
    assert!(
        hub.set_warninglists(lists()).await.expect("lists set"),
        "the store's flags were computed with no lists"
    );
    hub.reflag_warnings(&quiet).await.expect("re-flagged");
    assert!(!hub.warnings_stale().await.expect("read"));

    let status = submit(
        hub,
        &op,
        vec![
            ind(1, "[ipv4-addr:value = '8.8.8.8']"),
            ind(2, "[ipv4-addr:value = '203.0.113.7']"),
            ind(
                3,
                "[ipv4-addr:value = '10.1.2.3' OR ipv4-addr:value = '1.1.1.1']",
            ),
            ind(4, "[ipv4-addr:value = '1.1.1.1']"),
        ],
        &Submission::default(),
    )
    .await;
    let (flagged, per_list) = status.flagged();
    assert_eq!(flagged, 3);
    assert_eq!(per_list, [("public-dns-v4", 3), ("rfc1918", 1)]);
    let line = |status: &charter_hub::Status, n: u32| {
        let d = status
            .successes
            .iter()
            .find(|d| d.id == id(n))
            .expect("a success line");
        (d.warnings.clone(), d.message.clone())
    };
    assert_eq!(
        line(&status, 3),
        (
            vec!["public-dns-v4".to_owned(), "rfc1918".to_owned()],
            Some("on warning lists: public-dns-v4, rfc1918".to_owned())
        )
    );
    assert_eq!(line(&status, 2), (Vec::new(), None));
    // The status read again later says the same: it comes from the store.
    let again = hub
        .status(&op, "default", &status.id)
        .await
        .expect("status")
        .into_inner();
    assert_eq!(line(&again, 1), line(&status, 1));
    assert_eq!(again.flagged(), status.flagged());

    // Reads take the stored flags: swapping the lists in memory changes nothing until
    // the flags are recomputed.
    let expected = vec![
        (id(1), Some("public-dns-v4".to_owned())),
        (id(2), None),
        (id(3), Some("public-dns-v4".to_owned())),
        (id(4), Some("public-dns-v4".to_owned())),
    ];
    assert_eq!(seen(hub, &op).await, expected);
    assert!(
        hub.set_warninglists(WarningLists::default())
            .await
            .expect("lists set")
    );
    assert_eq!(seen(hub, &op).await, expected, "flags live in the store");
    assert!(hub.warnings_stale().await.expect("read"));
}

#[tokio::test]
async fn changed_lists_re_flag_every_version_and_change_no_object() {
    let f = fixture().await;
    let hub = &f.hub;
    let op = Viewer::node_operator();
    let mut revised = ind(1, "[ipv4-addr:value = '203.0.113.9']");
    revised["modified"] = "2026-02-01T00:00:00.000Z".into();
    submit(
        hub,
        &op,
        vec![
            ind(1, "[ipv4-addr:value = '8.8.8.8']"),
            revised,
            ind(2, "[ipv4-addr:value = '10.9.9.9']"),
            ind(3, "[domain-name:value = 'example.org']"),
        ],
        &Submission::default(),
    )
    .await;
    assert!(
        seen(hub, &op).await.iter().all(|(_, w)| w.is_none()),
        "no lists, no flags"
    );
    let objects_before = hub
        .objects(
            &op,
            "default",
            "default",
            charter_hub::ObjectFilter {
                versions: Some(charter_hub::VersionFilter {
                    all: true,
                    ..Default::default()
                }),
                ..Default::default()
            },
            true,
        )
        .await
        .expect("read")
        .into_inner();

    assert!(hub.set_warninglists(lists()).await.expect("lists set"));
    assert!(hub.warnings_stale().await.expect("read"));
    let heard = std::sync::Mutex::new(Vec::new());
    let record = |p: Reflag| heard.lock().expect("not poisoned").push(p);
    let head = hub
        .verify_audit(&op)
        .await
        .expect("verified")
        .head
        .map(|h| h.0);
    let done = hub.reflag_warnings(&record).await.expect("re-flagged");
    assert_eq!(
        done,
        Reflag {
            collections: 1,
            collections_done: 1,
            checked: 4,
            changed: 2,
        },
        "the older version of 1 and indicator 2 are on a list now"
    );
    let heard = heard.into_inner().expect("not poisoned");
    assert_eq!(heard.last(), Some(&done));
    assert_eq!(heard.first().map(|p| p.checked), Some(0));
    assert!(!hub.warnings_stale().await.expect("read"));
    assert_eq!(
        hub.verify_audit(&op)
            .await
            .expect("verified")
            .head
            .map(|h| h.0),
        head,
        "re-flagging records nothing"
    );
    // The latest version of 1 is not on a list; only 2 shows a flag.
    assert_eq!(
        seen(hub, &op).await,
        vec![
            (id(1), None),
            (id(2), Some("rfc1918".to_owned())),
            (id(3), None),
        ]
    );
    let objects_after = hub
        .objects(
            &op,
            "default",
            "default",
            charter_hub::ObjectFilter {
                versions: Some(charter_hub::VersionFilter {
                    all: true,
                    ..Default::default()
                }),
                ..Default::default()
            },
            true,
        )
        .await
        .expect("read")
        .into_inner();
    let shape = |page: &charter_hub::ObjectPage| -> Vec<(String, String, String)> {
        page.objects
            .iter()
            .map(|o| (o.id.clone(), o.version.clone(), o.raw.clone()))
            .collect()
    };
    assert_eq!(shape(&objects_after), shape(&objects_before));

    // Nothing to do a second time; the same lists again are not a change.
    assert_eq!(
        hub.reflag_warnings(&quiet).await.expect("re-flagged"),
        Reflag::default()
    );
    assert!(!hub.set_warninglists(lists()).await.expect("lists set"));

    // Removing the lists clears the flags.
    assert!(
        hub.set_warninglists(WarningLists::default())
            .await
            .expect("lists set")
    );
    let done = hub.reflag_warnings(&quiet).await.expect("re-flagged");
    assert_eq!(done.changed, 2);
    assert!(seen(hub, &op).await.iter().all(|(_, w)| w.is_none()));
}

#[tokio::test]
async fn flagged_indicators_are_left_out_of_scans_and_exports_unless_asked() {
    let f = fixture().await;
    let hub = &f.hub;
    let op = Viewer::node_operator();
    let alice = analyst(hub, "alice", true, false).await;
    hub.set_warninglists(lists()).await.expect("lists set");
    submit(
        hub,
        &op,
        vec![
            ind(1, "[ipv4-addr:value = '8.8.8.8']"),
            ind(2, "[ipv4-addr:value = '203.0.113.7']"),
        ],
        &Submission::default(),
    )
    .await;
    let scanned: Vec<String> = hub
        .indicators(&alice, &filter())
        .await
        .expect("indicators")
        .into_inner()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(scanned, [id(2)]);
    let mut with_flagged = filter();
    with_flagged.include_warninglisted = true;
    assert_eq!(
        hub.indicators(&alice, &with_flagged)
            .await
            .expect("indicators")
            .into_inner()
            .len(),
        2
    );
    let export = hub
        .sensor_export(&alice, &filter(), SensorFormat::Blocklist, 1)
        .await
        .expect("export")
        .into_inner();
    assert_eq!(export.values, 1);
    assert!(!export.text.contains("8.8.8.8"), "{}", export.text);
    let export = hub
        .sensor_export(&alice, &with_flagged, SensorFormat::Csv, 1)
        .await
        .expect("export")
        .into_inner();
    assert!(
        export.text.contains("8.8.8.8,ip,") && export.text.contains(",public-dns-v4"),
        "{}",
        export.text
    );
    // A lookup shows flagged indicators with their list.
    let answer = hub
        .lookup(&alice, &filter(), &["8.8.8.8".to_owned()])
        .await
        .expect("lookup")
        .into_inner();
    assert_eq!(
        answer[0].indicators[0].0.warning.as_deref(),
        Some("public-dns-v4")
    );
}

#[tokio::test]
async fn the_listing_shows_only_indicators_the_caller_may_read() {
    let f = fixture().await;
    let hub = &f.hub;
    let op = Viewer::node_operator();
    let alice = analyst(hub, "alice", true, false).await;
    let carol = analyst(hub, "carol", true, false).await;
    let bob = analyst(hub, "bob", false, false).await;
    hub.set_warninglists(lists()).await.expect("lists set");
    submit(
        hub,
        &op,
        vec![
            ind(1, "[ipv4-addr:value = '8.8.8.8']"),
            ind(2, "[ipv4-addr:value = '203.0.113.7']"),
            ind(3, "[ipv4-addr:value = '10.0.0.1']"),
        ],
        &Submission::default(),
    )
    .await;
    let mut secret = ind(4, "[ipv4-addr:value = '1.1.1.1']");
    secret["object_marking_refs"] = json!([RED]);
    submit(
        hub,
        &op,
        vec![secret],
        &Submission {
            recipients: vec!["alice ltd".to_owned()],
            attribution: None,
        },
    )
    .await;

    let ids = |page: &charter_hub::WarningPage| -> Vec<String> {
        page.indicators.iter().map(|i| i.id.clone()).collect()
    };
    let all = hub
        .warnings(&alice, &listing())
        .await
        .expect("listing")
        .into_inner();
    assert_eq!(ids(&all), [id(1), id(3), id(4)]);
    assert_eq!(all.indicators[1].lists, ["rfc1918"]);
    assert_eq!(all.indicators[0].pattern, "[ipv4-addr:value = '8.8.8.8']");
    assert!(all.next.is_none());

    // Carol reads the collection but is not a recipient of the RED indicator: she never
    // sees it, nor its flag, in the listing or a lookup.
    let hers = hub
        .warnings(&carol, &listing())
        .await
        .expect("listing")
        .into_inner();
    assert_eq!(ids(&hers), [id(1), id(3)]);
    let answer = hub
        .lookup(&carol, &filter(), &["1.1.1.1".to_owned()])
        .await
        .expect("lookup")
        .into_inner();
    assert!(answer[0].indicators.is_empty());
    // Bob may not read the collection at all.
    assert!(
        hub.warnings(&bob, &listing())
            .await
            .expect("listing")
            .into_inner()
            .indicators
            .is_empty()
    );
    let mut named = listing();
    named.collections = vec!["default".to_owned()];
    let err = hub.warnings(&bob, &named).await.expect_err("refused");
    assert!(
        matches!(err.kind(), ErrorKind::Forbidden | ErrorKind::NotFound),
        "{err:?}"
    );

    // Pages of one, each recorded as released.
    let mut query = listing();
    query.limit = Some(1);
    let mut paged = Vec::new();
    loop {
        let page = hub
            .warnings(&alice, &query)
            .await
            .expect("page")
            .into_inner();
        paged.extend(ids(&page));
        match page.next {
            Some(next) => query.next = Some(next),
            None => break,
        }
    }
    assert_eq!(paged, [id(1), id(3), id(4)]);
    query.next = Some("not-a-token".to_owned());
    let err = hub.warnings(&alice, &query).await.expect_err("bad token");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let entries = hub
        .audit_entries(&op, None, 1_000)
        .await
        .expect("entries")
        .into_inner();
    assert!(
        entries.iter().any(|e| e.actor == "carol"
            && e.detail.contains("\"warnings\"")
            && e.detail.contains(&id(3))
            && !e.detail.contains(&id(4))),
        "the listing is recorded as a release"
    );
}

#[tokio::test]
async fn an_approved_indicator_is_flagged_when_it_is_released() {
    let f = fixture().await;
    let hub = &f.hub;
    let alice = analyst(hub, "alice", true, true).await;
    let reviewer = {
        let op = Viewer::node_operator();
        let user = charter_hub::admin::NewUser {
            username: "rita".into(),
            password: "reviewer-password".into(),
            org: None,
            role: charter_hub::Role::Reviewer,
        };
        hub.add_user(&op, user).await.expect("reviewer");
        hub.authenticate("rita", "reviewer-password", None)
            .await
            .expect("signs in")
    };
    hub.set_warninglists(
        WarningLists::from_texts([
            r#"{"name": "sinkholed", "type": "hostname", "list": ["evil-example.com"]}"#,
        ])
        .expect("test list"),
    )
    .await
    .expect("lists set");
    // An e-mail address in a pattern goes to review.
    let status = hub
        .add_objects(
            &alice,
            "default",
            "default",
            vec![raw(ind(
                1,
                "[email-addr:value = 'payroll@evil-example.com']",
            ))],
            &Submission::default(),
        )
        .await
        .expect("submitted")
        .into_inner();
    assert_eq!(status.pendings.len(), 1, "{status:?}");
    let review = hub
        .reviews(&reviewer, true)
        .await
        .expect("queue")
        .into_inner()
        .remove(0);
    hub.decide_review(&reviewer, &review.id, Decision::Approve, None)
        .await
        .expect("approved");
    assert_eq!(
        seen(hub, &alice).await,
        vec![(id(1), Some("sinkholed".to_owned()))]
    );
    let again = hub
        .status(&alice, "default", &status.id)
        .await
        .expect("status")
        .into_inner();
    assert_eq!(again.flagged(), (1, vec![("sinkholed", 1)]));
}

#[tokio::test]
async fn the_record_goes_stale_only_when_a_write_uses_other_lists() {
    let f = fixture().await;
    let hub = &f.hub;
    let op = Viewer::node_operator();
    hub.set_warninglists(lists()).await.expect("lists set");
    hub.reflag_warnings(&quiet).await.expect("re-flagged");

    // Other lists that store nothing (an administration command) leave the record as it
    // was: going back to the first lists needs no re-flagging.
    assert!(
        hub.set_warninglists(WarningLists::default())
            .await
            .expect("lists set")
    );
    hub.add_org(
        &op,
        charter_hub::admin::NewOrg {
            name: "Quiet ltd".into(),
            country: "GB".into(),
            sectors: vec![],
            kind: "private".into(),
            attribution: false,
        },
    )
    .await
    .expect("org added");
    assert!(!hub.set_warninglists(lists()).await.expect("lists set"));

    // An indicator stored without the lists marks the record stale, so going back to them
    // re-flags it.
    hub.set_warninglists(WarningLists::default())
        .await
        .expect("lists set");
    submit(
        hub,
        &op,
        vec![ind(1, "[ipv4-addr:value = '8.8.8.8']")],
        &Submission::default(),
    )
    .await;
    assert!(hub.set_warninglists(lists()).await.expect("lists set"));
    assert_eq!(seen(hub, &op).await, vec![(id(1), None)]);
    let done = hub.reflag_warnings(&quiet).await.expect("re-flagged");
    assert_eq!(done.changed, 1);
    assert_eq!(
        seen(hub, &op).await,
        vec![(id(1), Some("public-dns-v4".to_owned()))]
    );
}
