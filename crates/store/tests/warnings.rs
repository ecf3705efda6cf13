//! Warning-list flags: written with their versions in one transaction, read
//! for a set of versions, replaced without touching any version, listed by
//! id, gone with their version; and the fingerprint of the lists they were
//! computed with.

use std::sync::Arc;

use charter_store::{
    DecideReview, ErrorKind, HeldVersion, NewVersion, ReviewDecision, ReviewOutcome, Store,
    WarningFlag,
};

use crate::util::{add, all, collection, everything, indicator, sco, status};

const V1: &str = "2021-01-01T00:00:00.000Z";
const V2: &str = "2022-01-01T00:00:00.000Z";

fn flagged(mut v: NewVersion, lists: &[&str]) -> NewVersion {
    v.warnings = lists.iter().map(|l| (*l).to_owned()).collect();
    v
}

fn key_of(v: &NewVersion) -> (String, String) {
    (v.id.clone(), v.version.clone().expect("versioned").key)
}

fn flag(id: &str, key: &str, lists: &[&str]) -> WarningFlag {
    WarningFlag {
        id: id.to_owned(),
        version_key: key.to_owned(),
        lists: lists.iter().map(|l| (*l).to_owned()).collect(),
    }
}

/// The next announced change, waiting at most ten seconds for it.
async fn next_change(changes: &mut charter_store::ChangeReceiver) -> charter_store::Change {
    tokio::time::timeout(std::time::Duration::from_secs(10), changes.recv())
        .await
        .expect("a change is announced")
        .expect("no lag")
}

/// The flags of `versions`, sorted by id and key for comparison.
async fn flags_of(store: &dyn Store, c: &str, versions: Vec<(String, String)>) -> Vec<WarningFlag> {
    let mut found = store.warnings(c, versions).await.expect("flags read");
    found.sort_by(|a, b| (&a.id, &a.version_key).cmp(&(&b.id, &b.version_key)));
    found
}

storetest!(flags_are_stored_with_their_versions, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let one = flagged(indicator(1, V1), &["rfc1918", "public-dns", "rfc1918"]);
    let two = indicator(2, V1);
    let unversioned = flagged(sco(3, "dns.google"), &["top-sites"]);
    add(
        &*store,
        &c,
        vec![one.clone(), two.clone(), unversioned.clone()],
    )
    .await;
    let stored = everything(&*store, &c).await;
    let sco_key = stored[2].version.key.clone();
    let found = flags_of(
        &*store,
        &c,
        vec![
            key_of(&one),
            key_of(&two),
            (unversioned.id.clone(), sco_key.clone()),
            ("indicator--missing".into(), key_of(&one).1),
        ],
    )
    .await;
    assert_eq!(
        found,
        vec![
            flag(&unversioned.id, &sco_key, &["top-sites"]),
            flag(&one.id, &key_of(&one).1, &["public-dns", "rfc1918"]),
        ],
        "sorted, without repeats; unflagged and unknown versions left out"
    );
    assert_eq!(
        store
            .warnings("nope", Vec::new())
            .await
            .expect_err("unknown collection")
            .kind(),
        ErrorKind::NotFound
    );

    // A version already present keeps its flags.
    add(&*store, &c, vec![flagged(one.clone(), &["other"])]).await;
    let found = flags_of(&*store, &c, vec![key_of(&one)]).await;
    assert_eq!(found[0].lists, ["public-dns", "rfc1918"]);

    // A newer version has flags of its own.
    let newer = flagged(indicator(1, V2), &["other"]);
    add(&*store, &c, vec![newer.clone()]).await;
    let found = flags_of(&*store, &c, vec![key_of(&one), key_of(&newer)]).await;
    assert_eq!(found.len(), 2);

    // Deleting a version deletes its flags, and only its.
    let removed = store
        .delete_object(
            &c,
            &one.id,
            charter_store::VersionFilter {
                exact: vec![key_of(&one).1],
                ..Default::default()
            },
            crate::util::unrecorded(),
        )
        .await
        .expect("deleted");
    assert_eq!(removed, 1);
    let found = flags_of(&*store, &c, vec![key_of(&one), key_of(&newer)]).await;
    assert_eq!(found, vec![flag(&newer.id, &key_of(&newer).1, &["other"])]);
});

storetest!(a_refused_submission_writes_no_flags, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let st = status(&c);
    let taken = st.id.clone();
    store
        .add_objects(vec![indicator(1, V1)], st, Vec::new())
        .await
        .expect("added");
    let mut again = status(&c);
    again.id = taken;
    let refused = flagged(indicator(2, V1), &["rfc1918"]);
    let err = store
        .add_objects(vec![refused.clone()], again, Vec::new())
        .await
        .expect_err("status id taken");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        flags_of(&*store, &c, vec![key_of(&refused)])
            .await
            .is_empty()
    );
    assert!(
        store
            .flagged_ids(&c, None, 10)
            .await
            .expect("ids")
            .is_empty()
    );
});

storetest!(replacing_flags_changes_no_version, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let one = flagged(indicator(1, V1), &["a"]);
    let two = indicator(2, V1);
    let mut changes = store.changes();
    add(&*store, &c, vec![one.clone(), two.clone()]).await;
    for _ in 0..2 {
        next_change(&mut changes).await;
    }
    let before = everything(&*store, &c).await;
    let head = store.audit_head().await.expect("head");

    store
        .replace_warnings(
            &c,
            vec![
                flag(&one.id, &key_of(&one).1, &["c", "b"]),
                flag(&two.id, &key_of(&two).1, &["d"]),
                flag("indicator--gone", &key_of(&one).1, &["e"]),
            ],
        )
        .await
        .expect("replaced");
    let found = flags_of(
        &*store,
        &c,
        vec![
            key_of(&one),
            key_of(&two),
            ("indicator--gone".into(), key_of(&one).1),
        ],
    )
    .await;
    assert_eq!(
        found,
        vec![
            flag(&one.id, &key_of(&one).1, &["b", "c"]),
            flag(&two.id, &key_of(&two).1, &["d"]),
        ],
        "a version that is not stored gets no flag"
    );
    store
        .replace_warnings(&c, vec![flag(&one.id, &key_of(&one).1, &[])])
        .await
        .expect("cleared");
    let found = flags_of(&*store, &c, vec![key_of(&one), key_of(&two)]).await;
    assert_eq!(found, vec![flag(&two.id, &key_of(&two).1, &["d"])]);

    let after = everything(&*store, &c).await;
    let shape = |v: &[charter_store::StoredVersion]| -> Vec<_> {
        v.iter()
            .map(|s| (s.date_added, s.id.clone(), s.version.clone(), s.raw.clone()))
            .collect()
    };
    assert_eq!(shape(&after), shape(&before), "no version changed");
    assert_eq!(
        store.audit_head().await.expect("head"),
        head,
        "nothing recorded"
    );
    // The next announcement is the next version added: replacing flags
    // announced nothing.
    let three = indicator(3, V1);
    add(&*store, &c, vec![three.clone()]).await;
    assert_eq!(next_change(&mut changes).await.id, three.id);
    assert_eq!(
        store
            .replace_warnings("nope", Vec::new())
            .await
            .expect_err("unknown collection")
            .kind(),
        ErrorKind::NotFound
    );
});

storetest!(flagged_ids_come_in_id_order_once_each, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let other = collection(&*store, "d").await;
    add(
        &*store,
        &c,
        vec![
            flagged(indicator(4, V1), &["a"]),
            flagged(indicator(4, V2), &["b"]),
            indicator(2, V1),
            flagged(indicator(3, V1), &["a"]),
            flagged(indicator(1, V1), &["a"]),
        ],
    )
    .await;
    add(&*store, &other, vec![flagged(indicator(5, V1), &["a"])]).await;
    let id = |n: u64| crate::util::sid("indicator", n);
    let ids = store.flagged_ids(&c, None, 10).await.expect("ids");
    assert_eq!(ids, [id(1), id(3), id(4)]);
    let ids = store.flagged_ids(&c, Some(id(1)), 1).await.expect("ids");
    assert_eq!(ids, [id(3)]);
    let ids = store.flagged_ids(&c, Some(id(4)), 10).await.expect("ids");
    assert!(ids.is_empty());
    assert_eq!(
        store
            .flagged_ids("nope", None, 1)
            .await
            .expect_err("unknown collection")
            .kind(),
        ErrorKind::NotFound
    );
    // Deleting every version of an object takes it off the list.
    store
        .delete_object(&c, &id(4), all(), crate::util::unrecorded())
        .await
        .expect("deleted");
    let ids = store.flagged_ids(&c, None, 10).await.expect("ids");
    assert_eq!(ids, [id(1), id(3)]);
});

storetest!(
    the_fingerprint_is_recorded,
    |store: Arc<dyn Store>| async move {
        assert_eq!(store.warning_fingerprint().await.expect("read"), None);
        store
            .set_warning_fingerprint("first".into())
            .await
            .expect("set");
        assert_eq!(
            store.warning_fingerprint().await.expect("read").as_deref(),
            Some("first")
        );
        store
            .set_warning_fingerprint("second".into())
            .await
            .expect("set");
        assert_eq!(
            store.warning_fingerprint().await.expect("read").as_deref(),
            Some("second")
        );
    }
);

storetest!(
    an_approved_version_gets_the_flags_of_its_decision,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let version = indicator(1, V1);
        let hold = HeldVersion {
            id: "r-1".to_owned(),
            version: flagged(version.clone(), &["ignored-while-held"]),
            submitted_by: "alice".to_owned(),
            findings: "[]".to_owned(),
        };
        store
            .submit(Vec::new(), vec![hold], status(&c), Vec::new())
            .await
            .expect("held");
        assert!(
            store
                .review("r-1")
                .await
                .expect("read")
                .expect("held")
                .version
                .warnings
                .is_empty(),
            "a held version keeps no flags"
        );
        let decision = DecideReview {
            id: "r-1".to_owned(),
            decision: ReviewDecision {
                outcome: ReviewOutcome::Approved,
                by: "rita".to_owned(),
                at: 1_800_000_000_000_000,
                note: None,
            },
            released: None,
            warnings: vec!["rfc1918".to_owned()],
        };
        store
            .decide_review(decision, Vec::new())
            .await
            .expect("approved");
        let found = flags_of(&*store, &c, vec![key_of(&version)]).await;
        assert_eq!(
            found,
            vec![flag(&version.id, &key_of(&version).1, &["rfc1918"])]
        );
    }
);
