//! Adding object versions: what is stored, immutability, first and last
//! versions whatever the arrival order, `date_added`, and deletion.

use std::sync::Arc;

use charter_store::{AddOutcome, ErrorKind, Store, VersionFilter, VersionStamp};

use crate::util::{
    add, all, collection, everything, indicator, keys, query, sco, sdo, sid, stamp, status,
};

const V1: &str = "2021-01-01T00:00:00.000Z";
const V2: &str = "2022-01-01T00:00:00.000Z";
const V3: &str = "2023-01-01T00:00:00.5Z";
const V4: &str = "2024-01-01T00:00:00.123456789Z";

fn versions(first: bool, last: bool) -> VersionFilter {
    VersionFilter {
        first,
        last,
        ..VersionFilter::default()
    }
}

storetest!(
    objects_are_stored_verbatim,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let mut spaced = indicator(1, V1);
        spaced.raw = format!(
            "{{ \"id\" : \"{}\",\n  \"modified\": \"{V1}\" }}",
            spaced.id
        );
        let outcomes = add(
            &*store,
            &c,
            vec![spaced.clone(), sdo("malware", &sid("malware", 2), V2)],
        )
        .await;
        assert!(matches!(outcomes[..], [AddOutcome::Added(a), AddOutcome::Added(b)] if a < b));

        let items = everything(&*store, &c).await;
        assert_eq!(items.len(), 2);
        let first = &items[0];
        assert_eq!(first.id, spaced.id);
        assert_eq!(first.object_type, "indicator");
        assert_eq!(first.spec_version, "2.1");
        assert_eq!(first.version, stamp(V1));
        assert_eq!(
            first.raw, spaced.raw,
            "the JSON text comes back byte for byte"
        );
        assert_eq!(AddOutcome::Added(first.date_added), outcomes[0]);

        let mut manifest = query(&c);
        manifest.with_raw = false;
        let page = store.query(manifest).await.expect("manifest");
        assert!(page.items.iter().all(|v| v.raw.is_empty()), "metadata only");
        assert_eq!(keys(&page.items), keys(&items));
    }
);

storetest!(
    a_version_is_stored_once_and_never_rewritten,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let original = indicator(1, V1);
        assert!(matches!(
            add(&*store, &c, vec![original.clone()]).await[..],
            [AddOutcome::Added(_)]
        ));

        let mut imposter = indicator(1, V1);
        imposter.raw = r#"{"tampered":true}"#.into();
        // The same instant written differently is the same version.
        imposter.version = Some(VersionStamp {
            key: stamp(V1).key,
            text: "2021-01-01T00:00:00Z".into(),
        });
        let outcomes = add(&*store, &c, vec![imposter.clone(), imposter]).await;
        assert_eq!(
            outcomes,
            [AddOutcome::AlreadyPresent, AddOutcome::AlreadyPresent]
        );

        let newer = indicator(1, V2);
        assert!(matches!(
            add(&*store, &c, vec![newer.clone()]).await[..],
            [AddOutcome::Added(_)]
        ));
        let items = everything(&*store, &c).await;
        assert_eq!(
            keys(&items),
            [
                (original.id.clone(), V1.into()),
                (newer.id.clone(), V2.into())
            ]
        );
        assert_eq!(items[0].raw, original.raw, "the older version is untouched");
        assert_eq!(items[1].raw, newer.raw);
    }
);

storetest!(first_and_last_follow_versions_in_any_order, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let id = sid("indicator", 7);
    let at = |v: &str| sdo("indicator", &id, v);
    let check = |first: &'static str, last: &'static str| {
        let store = Arc::clone(&store);
        let c = c.clone();
        async move {
            let mut q = query(&c);
            q.versions = versions(true, false);
            let got = store.query(q.clone()).await.expect("first");
            assert_eq!(
                got.items
                    .iter()
                    .map(|v| v.version.text.as_str())
                    .collect::<Vec<_>>(),
                [first]
            );
            q.versions = versions(false, true);
            let got = store.query(q.clone()).await.expect("last");
            assert_eq!(
                got.items
                    .iter()
                    .map(|v| v.version.text.as_str())
                    .collect::<Vec<_>>(),
                [last]
            );
            q.versions = versions(true, true);
            let got = store.query(q).await.expect("first and last");
            let mut texts: Vec<_> = got.items.iter().map(|v| v.version.text.clone()).collect();
            texts.sort();
            texts.dedup();
            let mut want = vec![first.to_owned(), last.to_owned()];
            want.dedup();
            assert_eq!(texts, want);
        }
    };
    add(&*store, &c, vec![at(V2)]).await;
    check(V2, V2).await;
    add(&*store, &c, vec![at(V1)]).await;
    check(V1, V2).await;
    add(&*store, &c, vec![at(V4)]).await;
    check(V1, V4).await;
    // A middle version, and a new first and last, in one envelope.
    add(
        &*store,
        &c,
        vec![
            at(V3),
            at("2020-06-01T00:00:00Z"),
            at("2025-01-01T00:00:00Z"),
        ],
    )
    .await;
    check("2020-06-01T00:00:00Z", "2025-01-01T00:00:00Z").await;
    assert_eq!(everything(&*store, &c).await.len(), 6);
});

storetest!(
    date_added_strictly_increases_per_collection,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let d = collection(&*store, "d").await;
        let mut seen = Vec::new();
        for round in 0..5 {
            let batch: Vec<_> = (0..40).map(|n| indicator(round * 100 + n, V1)).collect();
            for outcome in add(&*store, &c, batch.clone()).await {
                match outcome {
                    AddOutcome::Added(at) => seen.push(at),
                    AddOutcome::AlreadyPresent => panic!("every object is new"),
                }
            }
            add(&*store, &d, batch).await;
        }
        assert_eq!(seen.len(), 200);
        assert!(
            seen.windows(2).all(|w| w[0] < w[1]),
            "strictly increasing as assigned"
        );
        let stored: Vec<_> = everything(&*store, &c)
            .await
            .iter()
            .map(|v| v.date_added)
            .collect();
        assert_eq!(stored, seen, "and as read back");
        assert_eq!(
            everything(&*store, &d).await.len(),
            200,
            "collections are independent"
        );
    }
);

storetest!(
    unversioned_objects_take_date_added_as_version,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let example = sco(1, "example.com");
        let outcomes = add(&*store, &c, vec![example.clone()]).await;
        let [AddOutcome::Added(at)] = outcomes[..] else {
            panic!("added: {outcomes:?}")
        };
        let items = everything(&*store, &c).await;
        assert_eq!(items[0].version, VersionStamp::from_micros(at));
        assert_eq!(
            items[0].version.text.len(),
            "2024-01-01T00:00:00.000000Z".len()
        );

        // Resubmitting the same object (a federation retry) adds nothing.
        let mut retry = status(&c);
        retry.id = "retry".into();
        let outcomes = store
            .add_objects(vec![example.clone()], retry, Vec::new())
            .await
            .expect("added");
        assert_eq!(outcomes, [AddOutcome::AlreadyPresent]);
        let recorded = store
            .status("retry")
            .await
            .expect("status")
            .expect("recorded");
        assert_eq!(recorded.successes[0].version, items[0].version.text);

        // Different content under the same id is a new version, and the latest.
        let mut changed = example;
        changed.raw = changed.raw.replace("example.com", "example.org");
        let outcome = add(&*store, &c, vec![changed.clone()]).await;
        assert!(
            matches!(outcome[..], [AddOutcome::Added(b)] if b > at),
            "{outcome:?}"
        );
        let latest = store.query(query(&c)).await.expect("latest").items;
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].raw, changed.raw);
    }
);

storetest!(version_stamps_render_micros_exactly, |_store: Arc<
    dyn Store,
>| async move {
    let cases = [
        (0, "1970-01-01T00:00:00.000000Z"),
        (1, "1970-01-01T00:00:00.000001Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (951_782_400_000_000, "2000-02-29T00:00:00.000000Z"),
        (1_709_251_199_999_999, "2024-02-29T23:59:59.999999Z"),
        (4_102_444_800_123_456, "2100-01-01T00:00:00.123456Z"),
        (i64::MAX, "9999-12-31T23:59:59.999999Z"),
    ];
    for (micros, text) in cases {
        let stamp = VersionStamp::from_micros(micros);
        assert_eq!(stamp.text, text, "{micros}");
        assert_eq!(
            stamp.key,
            format!("{}000Z", &text[..text.len() - 1]),
            "{micros}"
        );
    }
});

storetest!(
    writes_to_a_missing_collection_change_nothing,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let lost = status("nowhere");
        let lost_id = lost.id.clone();
        let err = store
            .add_objects(vec![indicator(1, V1)], lost, Vec::new())
            .await
            .expect_err("no collection");
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert!(
            err.to_string().contains("nowhere"),
            "the message names the collection: {err}"
        );
        assert_eq!(
            store.status(&lost_id).await.expect("read"),
            None,
            "no status recorded"
        );
        assert!(everything(&*store, &c).await.is_empty());

        let err = store
            .query(query("nowhere"))
            .await
            .expect_err("no collection");
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = store
            .delete_object("nowhere", "x", all(), crate::util::unrecorded())
            .await
            .expect_err("no collection");
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }
);

storetest!(malformed_version_keys_are_refused_whole, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let mut bad = indicator(2, V1);
    bad.version = Some(VersionStamp {
        key: "2021-01-01".into(),
        text: "2021-01-01".into(),
    });
    let err = store
        .add_objects(vec![indicator(1, V1), bad], status(&c), Vec::new())
        .await
        .expect_err("bad key");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        everything(&*store, &c).await.is_empty(),
        "nothing of the envelope was stored"
    );
});

storetest!(
    deleting_versions_keeps_first_and_last_right,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let id = sid("indicator", 1);
        let other = sdo("indicator", &sid("indicator", 2), V1);
        let at = |v: &str| sdo("indicator", &id, v);
        add(
            &*store,
            &c,
            vec![at(V1), at(V2), at(V3), at(V4), other.clone()],
        )
        .await;
        let texts = |filter: VersionFilter| {
            let store = Arc::clone(&store);
            let mut q = query(&c);
            q.ids = vec![id.clone()];
            q.versions = filter;
            async move {
                let mut texts: Vec<String> = store
                    .query(q)
                    .await
                    .expect("query")
                    .items
                    .into_iter()
                    .map(|v| v.version.text)
                    .collect();
                texts.sort();
                texts
            }
        };

        assert_eq!(
            store
                .delete_object(&c, &id, versions(false, true), crate::util::unrecorded())
                .await
                .expect("delete"),
            1
        );
        assert_eq!(texts(versions(false, true)).await, [V3]);
        assert_eq!(
            store
                .delete_object(&c, &id, versions(true, false), crate::util::unrecorded())
                .await
                .expect("delete"),
            1
        );
        assert_eq!(texts(versions(true, false)).await, [V2]);
        assert_eq!(texts(all()).await, [V2, V3]);

        let exact = VersionFilter {
            exact: vec![stamp(V3).key],
            ..VersionFilter::default()
        };
        assert_eq!(
            store
                .delete_object(&c, &id, exact.clone(), crate::util::unrecorded())
                .await
                .expect("delete"),
            1
        );
        assert_eq!(
            store
                .delete_object(&c, &id, exact, crate::util::unrecorded())
                .await
                .expect("delete"),
            0,
            "already gone"
        );
        assert_eq!(
            texts(versions(true, true)).await,
            [V2],
            "the one left is first and last"
        );
        assert_eq!(
            store
                .delete_object(&c, &id, VersionFilter::default(), crate::util::unrecorded())
                .await
                .expect("delete"),
            0
        );

        assert_eq!(
            store
                .delete_object(&c, &id, all(), crate::util::unrecorded())
                .await
                .expect("delete"),
            1
        );
        assert!(texts(all()).await.is_empty());
        assert_eq!(
            keys(&everything(&*store, &c).await),
            [(other.id, V1.to_owned())],
            "others untouched"
        );

        // The id can be added again afterwards, and is its own first and last.
        add(&*store, &c, vec![at(V1)]).await;
        assert_eq!(texts(versions(true, false)).await, [V1]);
        assert_eq!(texts(versions(false, true)).await, [V1]);
    }
);
