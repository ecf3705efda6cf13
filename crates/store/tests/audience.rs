//! Reads under an audience: only versions with a grant among the reader's
//! keys, `first` and `last` among those, exact pages, and the audiences
//! that writes store.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use charter_store::{ErrorKind, NewVersion, ObjectQuery, Store, StoredVersion, VersionFilter};

use crate::filters::combinations;
use crate::util::{
    add, all, collection, everything, granted, indicator, keys, principal, query, sco, sdo, sid,
    status,
};

const V1: &str = "2021-01-01T00:00:00.000Z";
const V2: &str = "2022-01-01T00:00:00.000Z";
const V3: &str = "2023-01-01T00:00:00.000Z";

/// The audiences handed out in turn to the versions of [`load`].
const AUDIENCES: [&[&str]; 7] = [
    &["any"],
    &["community:a"],
    &["community:b", "org:y"],
    &["org:x"],
    &["community:a", "org:x"],
    &["org:y"],
    &["community:b"],
];

/// The readers every model test reads as: from a stranger to a member of
/// everything, one holding no `any`, and one holding more keys than the
/// store merges as arms (so the scanning shape is checked too).
fn readers() -> Vec<Vec<String>> {
    let keys = |list: &[&str]| list.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    let mut crowd: Vec<String> = (0..300).map(|n| format!("community:c{n}")).collect();
    crowd.extend(keys(&["community:a", "any"]));
    vec![
        keys(&["any"]),
        keys(&["any", "org:x"]),
        keys(&["any", "community:a"]),
        keys(&["any", "org:y", "community:b"]),
        keys(&["any", "org:x", "org:y", "community:a", "community:b"]),
        keys(&["community:a", "org:y"]),
        crowd,
    ]
}

/// The filter model's collection, each version given the next audience.
async fn load(store: &dyn Store) -> (String, Vec<StoredVersion>) {
    let c = collection(store, "filters").await;
    let mut turn = 0;
    let mut v = |kind: &str, n: u64, modified: &str, spec: &str| {
        let mut o = sdo(kind, &sid(kind, n), modified);
        o.spec_version = spec.to_owned();
        turn += 1;
        granted(o, "amber", AUDIENCES[turn % AUDIENCES.len()], None)
    };
    let writes = vec![
        vec![
            v("indicator", 1, "2021-03-01T00:00:00.000Z", "2.1"),
            v("indicator", 2, "2021-01-01T00:00:00.000Z", "2.1"),
            v("malware", 3, "2020-05-05T05:05:05.555Z", "2.0"),
        ],
        vec![
            v("indicator", 1, "2021-01-01T00:00:00.000Z", "2.1"),
            granted(sco(4, "example.com"), "clear", &["any"], None),
            v("malware", 3, "2022-05-05T05:05:05.555Z", "2.1"),
            v("indicator", 5, "2021-01-01T00:00:00.000Z", "2.0"),
        ],
        vec![
            v("indicator", 1, "2021-02-01T00:00:00.000Z", "2.1"),
            v("indicator", 2, "2021-01-01T00:00:00.000001Z", "2.1"),
            v("malware", 3, "2021-05-05T05:05:05.555Z", "2.0"),
            granted(sco(6, "example.org"), "red", &["org:y"], Some("y")),
        ],
        vec![
            v("indicator", 1, "2021-04-01T00:00:00Z", "2.1"),
            v("indicator", 5, "2021-01-01T00:00:00.000Z", "2.0"),
            v("malware", 7, "2021-01-01T00:00:00.000Z", "2.1"),
        ],
    ];
    for write in writes {
        add(store, &c, write).await;
    }
    let rows = everything(store, &c).await;
    assert_eq!(rows.len(), 13, "one duplicate was ignored");
    (c, rows)
}

/// What `q` must return to a reader holding `held`, computed from `rows`
/// (every version, in order): the visible versions, with first and last
/// among them.
fn model(rows: &[StoredVersion], q: &ObjectQuery, held: &[String]) -> Vec<(String, String)> {
    let seen: Vec<&StoredVersion> = rows
        .iter()
        .filter(|r| r.grants.iter().any(|g| held.contains(g)))
        .collect();
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut last: HashMap<&str, &str> = HashMap::new();
    for r in &seen {
        let f = first.entry(&r.id).or_insert(&r.version.key);
        if r.version.key.as_str() < *f {
            *f = &r.version.key;
        }
        let l = last.entry(&r.id).or_insert(&r.version.key);
        if r.version.key.as_str() > *l {
            *l = &r.version.key;
        }
    }
    let any = |list: &[String], value: &str| list.is_empty() || list.iter().any(|x| x == value);
    seen.iter()
        .filter(|r| q.added_after.is_none_or(|t| r.date_added > t))
        .filter(|r| any(&q.ids, &r.id) && any(&q.types, &r.object_type))
        .filter(|r| any(&q.spec_versions, &r.spec_version))
        .filter(|r| {
            let v = &q.versions;
            v.all
                || (v.first && first[r.id.as_str()] == r.version.key)
                || (v.last && last[r.id.as_str()] == r.version.key)
                || v.exact.contains(&r.version.key)
        })
        .map(|r| (r.id.clone(), r.version.key.clone()))
        .collect()
}

fn pairs(items: &[StoredVersion]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|v| (v.id.clone(), v.version.key.clone()))
        .collect()
}

/// Every page of `q`, checking that a page with a `next` is full.
async fn paged(store: &dyn Store, mut q: ObjectQuery) -> Vec<StoredVersion> {
    let mut items = Vec::new();
    loop {
        let page = store.query(q.clone()).await.expect("page");
        assert!(page.items.len() <= q.limit);
        items.extend(page.items.iter().cloned());
        match page.next {
            Some(cursor) => {
                assert_eq!(page.items.len(), q.limit, "a page with a next is full");
                q.after = Some(cursor);
            }
            None => return items,
        }
    }
}

storetest!(
    every_filter_matches_the_model_for_every_reader,
    |store: Arc<dyn Store>| async move {
        let (c, rows) = load(&*store).await;
        let middle = rows[5].date_added;
        let mut non_empty = 0;
        let mut hidden = 0;
        for held in readers() {
            for (n, q) in combinations(&c, middle).into_iter().enumerate() {
                let q = ObjectQuery {
                    audience: Some(held.clone()),
                    ..q
                };
                let want = model(&rows, &q, &held);
                non_empty += usize::from(!want.is_empty());
                let got = store.query(q.clone()).await.expect("query runs");
                assert_eq!(pairs(&got.items), want, "{held:?} {q:?}");
                assert!(got.next.is_none());
                let unfiltered = model(
                    &rows,
                    &q,
                    &rows
                        .iter()
                        .flat_map(|r| r.grants.clone())
                        .collect::<Vec<_>>(),
                );
                hidden += usize::from(want != unfiltered);
                if n % 3 == 0 {
                    // Pages of two give the same rows.
                    let q = ObjectQuery {
                        limit: 2,
                        with_raw: false,
                        ..q
                    };
                    assert_eq!(
                        pairs(&paged(&*store, q.clone()).await),
                        want,
                        "paged {held:?} {q:?}"
                    );
                }
            }
        }
        assert!(
            non_empty > 1500,
            "the matrix exercises real matches ({non_empty})"
        );
        assert!(
            hidden > 1500,
            "and real differences from the unfiltered answer ({hidden})"
        );
    }
);

storetest!(
    a_newer_version_out_of_sight_never_hides_an_older_one,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let id = sid("indicator", 1);
        let green = granted(
            sdo("indicator", &id, V1),
            "green",
            &["community:a", "org:s"],
            Some("s"),
        );
        let red = granted(
            sdo("indicator", &id, V2),
            "red",
            &["org:r", "org:s"],
            Some("s"),
        );
        let amber = granted(sdo("indicator", &id, V3), "amber", &["community:b"], None);
        add(&*store, &c, vec![red, amber, green]).await;
        let read = |held: &'static [&'static str], versions: VersionFilter| {
            let store = Arc::clone(&store);
            let c = c.clone();
            async move {
                let q = ObjectQuery {
                    versions,
                    audience: principal(held),
                    ..query(&c)
                };
                let page = store.query(q).await.expect("read");
                page.items
                    .iter()
                    .map(|v| v.version.text.clone())
                    .collect::<Vec<_>>()
            }
        };
        let first = || VersionFilter {
            first: true,
            ..VersionFilter::default()
        };
        assert_eq!(
            read(&["any", "community:a"], VersionFilter::last()).await,
            [V1]
        );
        assert_eq!(read(&["any", "org:r"], VersionFilter::last()).await, [V2]);
        assert_eq!(
            read(&["any", "org:r", "community:a"], VersionFilter::last()).await,
            [V2]
        );
        assert_eq!(
            read(&["org:s"], VersionFilter::last()).await,
            [V2],
            "the submitter"
        );
        assert_eq!(
            read(&["community:b", "org:s"], VersionFilter::last()).await,
            [V3]
        );
        assert!(read(&["any"], VersionFilter::last()).await.is_empty());
        assert_eq!(read(&["community:b"], first()).await, [V3]);
        assert_eq!(read(&["org:r"], first()).await, [V2]);
        assert_eq!(read(&["org:s", "community:b"], first()).await, [V1]);
        let both = VersionFilter {
            first: true,
            last: true,
            ..VersionFilter::default()
        };
        assert_eq!(
            read(&["org:r", "community:b"], both).await,
            [V2, V3],
            "in date_added order"
        );

        // By id, as `GET …/objects/{id}/` asks.
        let q = ObjectQuery {
            ids: vec![id.clone()],
            audience: principal(&["community:a"]),
            ..query(&c)
        };
        assert_eq!(
            keys(&store.query(q).await.expect("read").items),
            [(id.clone(), V1.to_owned())]
        );
        let q = ObjectQuery {
            ids: vec![id.clone()],
            audience: principal(&["org:x"]),
            ..query(&c)
        };
        assert!(store.query(q).await.expect("read").items.is_empty());
    }
);

storetest!(a_reader_holding_no_key_sees_nothing, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    add(&*store, &c, vec![indicator(1, V1)]).await;
    for versions in [all(), VersionFilter::last()] {
        let q = ObjectQuery {
            versions,
            audience: Some(Vec::new()),
            ..query(&c)
        };
        let page = store.query(q).await.expect("read");
        assert!(page.items.is_empty() && page.next.is_none());
    }
    let q = ObjectQuery {
        audience: Some(Vec::new()),
        ..query("missing")
    };
    assert_eq!(
        store.query(q).await.expect_err("no collection").kind(),
        ErrorKind::NotFound
    );
});

storetest!(
    pages_under_an_audience_are_exact_while_writes_land,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let shared = |n: u64, modified: &str| -> NewVersion {
            let grants: &[&str] = match n % 3 {
                0 => &["community:a"],
                1 => &["community:b", "org:x"],
                _ => &["org:z"],
            };
            granted(indicator(n, modified), "amber", grants, None)
        };
        add(&*store, &c, (0..300).map(|n| shared(n, V1)).collect()).await;
        let held = principal(&["any", "community:a", "org:x"]);
        let writer = {
            let store = Arc::clone(&store);
            let c = c.clone();
            tokio::spawn(async move {
                for round in 1..=20u64 {
                    // New objects, and newer versions (some out of sight).
                    let mut batch: Vec<_> = (0..6).map(|n| shared(1000 * round + n, V1)).collect();
                    batch.push(shared(round * 3, V2));
                    batch.push(shared(round * 3 + 2, V2));
                    add(&*store, &c, batch).await;
                    tokio::task::yield_now().await;
                }
            })
        };
        let q = ObjectQuery {
            versions: all(),
            limit: 7,
            audience: held.clone(),
            ..query(&c)
        };
        let items = paged(&*store, q).await;
        writer.await.expect("writer finished");

        let mut seen = HashSet::new();
        for v in &items {
            assert!(
                seen.insert((v.id.clone(), v.version.key.clone())),
                "duplicate {}",
                v.id
            );
            assert!(
                v.grants
                    .iter()
                    .any(|g| held.iter().flatten().any(|h| h == g)),
                "outside: {v:?}"
            );
        }
        assert!(
            items.windows(2).all(|w| w[0].date_added < w[1].date_added),
            "in date_added order"
        );
        let visible: Vec<_> = everything(&*store, &c)
            .await
            .into_iter()
            .filter(|v| {
                v.grants
                    .iter()
                    .any(|g| held.iter().flatten().any(|h| h == g))
            })
            .collect();
        assert!(
            items.len() >= 200,
            "everything visible at the start: {}",
            items.len()
        );
        assert_eq!(
            keys(&items),
            keys(&visible[..items.len()]),
            "a prefix of the final order: no gaps"
        );
    }
);

storetest!(
    deleting_keeps_first_and_last_among_the_visible,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let id = sid("indicator", 1);
        let v = |modified: &str, grants: &[&str]| {
            granted(sdo("indicator", &id, modified), "amber", grants, None)
        };
        add(
            &*store,
            &c,
            vec![
                v(V1, &["community:a"]),
                v(V2, &["community:a", "org:x"]),
                v(V3, &["org:x"]),
            ],
        )
        .await;
        let last = |held: &'static [&'static str]| {
            let store = Arc::clone(&store);
            let c = c.clone();
            async move {
                let q = ObjectQuery {
                    audience: principal(held),
                    ..query(&c)
                };
                keys(&store.query(q).await.expect("read").items)
            }
        };
        assert_eq!(last(&["community:a"]).await, [(id.clone(), V2.to_owned())]);
        assert_eq!(last(&["org:x"]).await, [(id.clone(), V3.to_owned())]);
        let exact = |text: &str| VersionFilter {
            exact: vec![crate::util::stamp(text).key],
            ..VersionFilter::default()
        };
        assert_eq!(
            store
                .delete_object(&c, &id, exact(V2), crate::util::unrecorded())
                .await
                .expect("deleted"),
            1
        );
        assert_eq!(
            last(&["community:a"]).await,
            [(id.clone(), V1.to_owned())],
            "the older one takes over"
        );
        assert_eq!(last(&["org:x"]).await, [(id.clone(), V3.to_owned())]);
        assert_eq!(
            store
                .delete_object(&c, &id, exact(V3), crate::util::unrecorded())
                .await
                .expect("deleted"),
            1
        );
        assert!(last(&["org:x"]).await.is_empty());
        let first = VersionFilter {
            first: true,
            ..VersionFilter::default()
        };
        let q = ObjectQuery {
            versions: first,
            audience: principal(&["community:a"]),
            ..query(&c)
        };
        assert_eq!(
            keys(&store.query(q).await.expect("read").items),
            [(id.clone(), V1.to_owned())]
        );
        // A new version after the deletions is placed among what remains.
        add(&*store, &c, vec![v(V2, &["community:a"])]).await;
        assert_eq!(last(&["community:a"]).await, [(id, V2.to_owned())]);
    }
);

storetest!(stored_versions_carry_their_audience, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let unsorted = granted(
        indicator(1, V1),
        "amber+strict",
        &["org:b", "community:a", "org:b"],
        Some("b"),
    );
    add(&*store, &c, vec![unsorted]).await;
    let stored = &everything(&*store, &c).await[0];
    assert_eq!(stored.tlp, "amber+strict");
    assert_eq!(
        stored.grants,
        ["community:a", "org:b"],
        "sorted, without repeats"
    );
    assert_eq!(stored.submitter.as_deref(), Some("b"));
    let manifest = ObjectQuery {
        with_raw: false,
        audience: principal(&["org:b"]),
        ..query(&c)
    };
    let item = &store.query(manifest).await.expect("read").items[0];
    assert_eq!(
        (item.tlp.as_str(), item.grants.len(), item.raw.as_str()),
        ("amber+strict", 2, "")
    );

    // A version already present keeps the audience it was stored with.
    let retry = granted(indicator(1, V1), "clear", &["any"], None);
    add(&*store, &c, vec![retry]).await;
    let q = ObjectQuery {
        audience: principal(&["any"]),
        ..query(&c)
    };
    assert!(store.query(q).await.expect("read").items.is_empty());

    let bare = granted(indicator(2, V1), "green", &[], None);
    let err = store
        .add_objects(vec![indicator(3, V1), bare], status(&c), Vec::new())
        .await
        .expect_err("no audience");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains(&sid("indicator", 2)), "{err}");
    assert_eq!(
        everything(&*store, &c).await.len(),
        1,
        "nothing of the envelope was stored"
    );
});

storetest!(
    audiences_of_finds_every_version_in_every_collection,
    |store: Arc<dyn Store>| async move {
        let a = collection(&*store, "a").await;
        let b = collection(&*store, "b").await;
        let id = sid("indicator", 1);
        add(
            &*store,
            &a,
            vec![granted(
                sdo("indicator", &id, V1),
                "green",
                &["community:a"],
                None,
            )],
        )
        .await;
        add(
            &*store,
            &a,
            vec![granted(
                sdo("indicator", &id, V2),
                "red",
                &["org:x", "org:y"],
                Some("x"),
            )],
        )
        .await;
        add(
            &*store,
            &b,
            vec![granted(
                sdo("indicator", &id, V1),
                "amber",
                &["community:b"],
                None,
            )],
        )
        .await;
        add(
            &*store,
            &b,
            vec![granted(indicator(2, V1), "clear", &["any"], None)],
        )
        .await;
        let found = store
            .audiences_of(vec![id.clone(), sid("malware", 9)])
            .await
            .expect("read");
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        let mut want = vec![
            (id.clone(), "green".to_owned(), s(&["community:a"])),
            (id.clone(), "amber".to_owned(), s(&["community:b"])),
            (id.clone(), "red".to_owned(), s(&["org:x", "org:y"])),
        ];
        let mut got = found.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want);
        assert_eq!(
            found.last().map(|f| f.1.as_str()),
            Some("red"),
            "ordered by version"
        );
        assert!(
            store
                .audiences_of(Vec::new())
                .await
                .expect("read")
                .is_empty()
        );
    }
);
