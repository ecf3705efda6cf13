//! Every query filter and every combination of them, checked against a
//! model computed in the test from the full contents of the collection.

use std::collections::HashMap;
use std::sync::Arc;

use charter_store::{ObjectQuery, Store, StoredVersion, VersionFilter};

use crate::util::{add, collection, everything, query, sco, sdo, sid, stamp};

/// The collection's contents: objects of three types and two spec versions,
/// with up to four versions each, added out of order over several writes.
async fn load(store: &dyn Store) -> (String, Vec<StoredVersion>) {
    let c = collection(store, "filters").await;
    let v = |kind: &str, n: u64, modified: &str, spec: &str| {
        let mut o = sdo(kind, &sid(kind, n), modified);
        o.spec_version = spec.to_owned();
        o
    };
    let writes = vec![
        vec![
            v("indicator", 1, "2021-03-01T00:00:00.000Z", "2.1"),
            v("indicator", 2, "2021-01-01T00:00:00.000Z", "2.1"),
            v("malware", 3, "2020-05-05T05:05:05.555Z", "2.0"),
        ],
        vec![
            v("indicator", 1, "2021-01-01T00:00:00.000Z", "2.1"),
            sco(4, "example.com"),
            v("malware", 3, "2022-05-05T05:05:05.555Z", "2.1"),
            v("indicator", 5, "2021-01-01T00:00:00.000Z", "2.0"),
        ],
        vec![
            v("indicator", 1, "2021-02-01T00:00:00.000Z", "2.1"),
            v("indicator", 2, "2021-01-01T00:00:00.000001Z", "2.1"),
            v("malware", 3, "2021-05-05T05:05:05.555Z", "2.0"),
            sco(6, "example.org"),
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

/// What `q` must return, computed from `rows` (every version, in order).
fn model(rows: &[StoredVersion], q: &ObjectQuery) -> Vec<(String, String)> {
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut last: HashMap<&str, &str> = HashMap::new();
    for r in rows {
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
    rows.iter()
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

/// Every combination of the filters' interesting values.
pub(crate) fn combinations(c: &str, middle: i64) -> Vec<ObjectQuery> {
    let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let id_sets = [
        vec![],
        vec![sid("indicator", 1)],
        vec![sid("indicator", 1), sid("malware", 3), sid("indicator", 99)],
        vec![sid("domain-name", 4)],
    ];
    let type_sets = [
        strings(&[]),
        strings(&["indicator"]),
        strings(&["indicator", "malware"]),
        strings(&["domain-name", "malware"]),
        strings(&["nothing"]),
    ];
    let spec_sets = [strings(&[]), strings(&["2.0"]), strings(&["2.0", "2.1"])];
    let exact = |texts: &[&str]| texts.iter().map(|t| stamp(t).key).collect::<Vec<_>>();
    let version_sets = [
        VersionFilter {
            all: true,
            ..VersionFilter::default()
        },
        VersionFilter {
            first: true,
            ..VersionFilter::default()
        },
        VersionFilter::last(),
        VersionFilter {
            first: true,
            last: true,
            ..VersionFilter::default()
        },
        VersionFilter {
            exact: exact(&["2021-01-01T00:00:00Z"]),
            ..VersionFilter::default()
        },
        VersionFilter {
            exact: exact(&["2021-02-01T00:00:00Z", "2021-05-05T05:05:05.555Z"]),
            ..VersionFilter::default()
        },
        VersionFilter {
            last: true,
            exact: exact(&["2021-01-01T00:00:00Z"]),
            ..VersionFilter::default()
        },
        VersionFilter::default(),
    ];
    let mut out = Vec::new();
    for ids in &id_sets {
        for types in &type_sets {
            for spec_versions in &spec_sets {
                for versions in &version_sets {
                    for added_after in [None, Some(middle)] {
                        out.push(ObjectQuery {
                            ids: ids.clone(),
                            types: types.clone(),
                            spec_versions: spec_versions.clone(),
                            versions: versions.clone(),
                            added_after,
                            ..query(c)
                        });
                    }
                }
            }
        }
    }
    out
}

storetest!(every_filter_combination_matches_the_model, |store: Arc<
    dyn Store,
>| async move {
    let (c, rows) = load(&*store).await;
    let middle = rows[5].date_added;
    let mut non_empty = 0;
    for q in combinations(&c, middle) {
        let want = model(&rows, &q);
        non_empty += usize::from(!want.is_empty());
        let got = store.query(q.clone()).await.expect("query runs");
        assert_eq!(pairs(&got.items), want, "{q:?}");
        assert!(got.next.is_none());

        // The same query in pages of two gives the same rows.
        let mut paged = Vec::new();
        let mut q = ObjectQuery {
            limit: 2,
            with_raw: false,
            ..q
        };
        loop {
            let page = store.query(q.clone()).await.expect("page");
            assert!(page.items.len() <= 2);
            paged.extend(pairs(&page.items));
            match page.next {
                Some(cursor) => q.after = Some(cursor),
                None => break,
            }
        }
        assert_eq!(paged, want, "paged {q:?}");
    }
    assert!(
        non_empty > 300,
        "the matrix exercises real matches ({non_empty})"
    );
});

storetest!(
    added_after_is_exclusive,
    |store: Arc<dyn Store>| async move {
        let (c, rows) = load(&*store).await;
        let mut q = query(&c);
        q.versions = VersionFilter {
            all: true,
            ..VersionFilter::default()
        };
        q.added_after = Some(rows[3].date_added);
        let got = store.query(q.clone()).await.expect("query");
        assert_eq!(pairs(&got.items), pairs(&rows[4..]));
        q.added_after = Some(rows[12].date_added);
        assert!(store.query(q).await.expect("query").items.is_empty());
    }
);
