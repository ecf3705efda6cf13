//! What only the SQLite backend promises: every query shape is served by an
//! index (under an audience too, in order), schema versions are checked, the file is in WAL mode, and two
//! handles (a server and an admin command) can share one file.

use std::sync::Arc;

use charter_store::sqlite::SqliteStore;
use charter_store::{Cursor, ErrorKind, ObjectQuery, Store, VersionFilter};

use crate::util::{
    Backend, Fixture, add, collection, everything, granted, indicator, principal, query,
    run_fixture, sid, stamp,
};

const V1: &str = "2021-01-01T00:00:00.000Z";

fn sqlite_test<F, Fut>(body: F)
where
    F: FnOnce(Fixture) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    run_fixture(Backend::Sqlite, "sqlite", body);
}

/// Each query shape the store issues, named, with the index it should use.
fn shapes(c: &str) -> Vec<(&'static str, ObjectQuery, &'static str)> {
    let v = |first, last| VersionFilter {
        first,
        last,
        ..VersionFilter::default()
    };
    let all = VersionFilter {
        all: true,
        ..VersionFilter::default()
    };
    let exact = |n: usize| VersionFilter {
        exact: (0..n)
            .map(|i| stamp(&format!("2021-01-0{}T00:00:00Z", i + 1)).key)
            .collect(),
        ..VersionFilter::default()
    };
    let ids = |n: u64| (0..n).map(|i| sid("indicator", i)).collect::<Vec<_>>();
    let types = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let base = query(c);
    let with = |f: &dyn Fn(&mut ObjectQuery)| {
        let mut q = base.clone();
        f(&mut q);
        q
    };
    vec![
        ("default (last)", with(&|_| {}), "objects_last"),
        ("all", with(&|q| q.versions = all.clone()), "objects_added"),
        (
            "first",
            with(&|q| q.versions = v(true, false)),
            "objects_first",
        ),
        (
            "first and last",
            with(&|q| q.versions = v(true, true)),
            "objects_added",
        ),
        (
            "one exact version",
            with(&|q| q.versions = exact(1)),
            "objects_added",
        ),
        (
            "several exact versions",
            with(&|q| q.versions = exact(3)),
            "objects_added",
        ),
        (
            "last and exact",
            with(&|q| q.versions.exact = exact(2).exact),
            "objects_added",
        ),
        (
            "added_after",
            with(&|q| q.added_after = Some(5)),
            "objects_last",
        ),
        (
            "cursor",
            with(&|q| q.after = Some(Cursor(5))),
            "objects_last",
        ),
        (
            "cursor, all",
            with(&|q| {
                q.after = Some(Cursor(5));
                q.versions = all.clone()
            }),
            "objects_added",
        ),
        ("one id", with(&|q| q.ids = ids(1)), "objects_id"),
        ("several ids", with(&|q| q.ids = ids(3)), "objects_id"),
        (
            "one id, all",
            with(&|q| {
                q.ids = ids(1);
                q.versions = all.clone()
            }),
            "objects_id",
        ),
        (
            "one id, exact",
            with(&|q| {
                q.ids = ids(1);
                q.versions = exact(1)
            }),
            "objects_id",
        ),
        (
            "ids, first",
            with(&|q| {
                q.ids = ids(2);
                q.versions = v(true, false)
            }),
            "objects_id",
        ),
        (
            "one type",
            with(&|q| q.types = types(&["indicator"])),
            "objects_type_last",
        ),
        (
            "one type, all",
            with(&|q| {
                q.types = types(&["indicator"]);
                q.versions = all.clone()
            }),
            "objects_type",
        ),
        (
            "one type, first",
            with(&|q| {
                q.types = types(&["indicator"]);
                q.versions = v(true, false)
            }),
            "objects_type",
        ),
        (
            "several types",
            with(&|q| q.types = types(&["indicator", "malware"])),
            "objects_type_last",
        ),
        (
            "type and cursor",
            with(&|q| {
                q.types = types(&["indicator"]);
                q.after = Some(Cursor(9))
            }),
            "objects_type_last",
        ),
        (
            "ids and types",
            with(&|q| {
                q.ids = ids(2);
                q.types = types(&["indicator"])
            }),
            "objects_id",
        ),
        (
            "spec version",
            with(&|q| q.spec_versions = vec!["2.1".into()]),
            "objects_last",
        ),
        (
            "everything at once",
            with(&|q| {
                q.ids = ids(3);
                q.types = types(&["indicator", "malware"]);
                q.spec_versions = vec!["2.0".into(), "2.1".into()];
                q.versions = exact(2);
                q.added_after = Some(7);
                q.after = Some(Cursor(8));
                q.with_raw = false;
            }),
            "objects_id",
        ),
    ]
}

#[test]
fn every_query_shape_is_served_by_an_index() {
    sqlite_test(|fx| async move {
        let store = fx.open_sqlite();
        let c = collection(&store, "c").await;
        add(&store, &c, (0..200).map(|n| indicator(n, V1)).collect()).await;
        for (name, q, index) in shapes(&c) {
            let plan = store.explain_query(q).await.expect("explained");
            let text = plan.join("\n");
            for line in plan.iter().filter(|l| l.contains("objects")) {
                assert!(
                    line.starts_with("SEARCH objects USING "),
                    "{name}: a full scan\n{text}"
                );
            }
            let used = format!("INDEX {index} ");
            assert!(
                plan.iter().any(|l| l.contains(&used)),
                "{name}: expected {index}\n{text}"
            );
        }
    });
}

/// Each shape of a read under an audience, with the search its plan must
/// contain, and whether the plan may sort (only the few rows of named ids).
fn audience_shapes(c: &str) -> Vec<(&'static str, ObjectQuery, &'static str, bool)> {
    let member = principal(&["any", "org:x", "community:a"]);
    let crowd: Vec<String> = (0..200).map(|n| format!("community:c{n}")).collect();
    let base = ObjectQuery {
        audience: member,
        ..query(c)
    };
    let with = |f: &dyn Fn(&mut ObjectQuery)| {
        let mut q = base.clone();
        f(&mut q);
        q
    };
    let all = VersionFilter {
        all: true,
        ..VersionFilter::default()
    };
    let first = VersionFilter {
        first: true,
        ..VersionFilter::default()
    };
    let types = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let by_key = "SEARCH g USING PRIMARY KEY (collection=? AND grant_key=? AND date_added>?)";
    let by_id = "SEARCH o USING INDEX objects_id (id_hash=? AND collection=?)";
    let in_order = "SEARCH o USING INDEX objects_added (collection=? AND date_added>?)";
    vec![
        ("default (last)", with(&|_| {}), by_key, false),
        (
            "one key",
            with(&|q| q.audience = principal(&["community:a"])),
            by_key,
            false,
        ),
        ("all", with(&|q| q.versions = all.clone()), by_key, false),
        (
            "first",
            with(&|q| q.versions = first.clone()),
            by_key,
            false,
        ),
        (
            "first, last and exact",
            with(&|q| {
                q.versions = VersionFilter {
                    first: true,
                    last: true,
                    exact: vec![stamp(V1).key],
                    ..VersionFilter::default()
                }
            }),
            by_key,
            false,
        ),
        (
            "cursor",
            with(&|q| q.after = Some(Cursor(5))),
            by_key,
            false,
        ),
        (
            "added_after, manifest",
            with(&|q| {
                q.added_after = Some(5);
                q.with_raw = false
            }),
            by_key,
            false,
        ),
        (
            "spec version",
            with(&|q| q.spec_versions = vec!["2.1".into()]),
            by_key,
            false,
        ),
        (
            "one type",
            with(&|q| q.types = types(&["indicator"])),
            by_key,
            false,
        ),
        (
            "two types, all",
            with(&|q| {
                q.types = types(&["indicator", "malware"]);
                q.versions = all.clone()
            }),
            by_key,
            false,
        ),
        (
            "many types",
            with(&|q| q.types = (0..20).map(|n| format!("x-{n}")).collect()),
            by_key,
            false,
        ),
        (
            "one id",
            with(&|q| q.ids = vec![sid("indicator", 1)]),
            by_id,
            true,
        ),
        (
            "several ids, first",
            with(&|q| {
                q.ids = (0..3).map(|n| sid("indicator", n)).collect();
                q.versions = first.clone()
            }),
            by_id,
            true,
        ),
        (
            "very many keys",
            with(&|q| q.audience = Some(crowd.clone())),
            in_order,
            false,
        ),
    ]
}

#[test]
fn every_audience_shape_is_served_by_an_index_in_order() {
    sqlite_test(|fx| async move {
        let store = fx.open_sqlite();
        let c = collection(&store, "c").await;
        let objects = (0..200).map(|n| {
            let grants: &[&str] = if n % 2 == 0 {
                &["community:a"]
            } else {
                &["org:x", "org:y"]
            };
            granted(indicator(n, V1), "amber", grants, None)
        });
        add(&store, &c, objects.collect()).await;
        for (name, q, search, may_sort) in audience_shapes(&c) {
            let plan = store.explain_query(q).await.expect("explained");
            let text = plan.join("\n");
            // The merged page (`CO-ROUTINE p`, at most a page of row
            // numbers) is read in order by the join to its rows: that pass
            // over the page is the only scan allowed.
            let merged = plan.iter().any(|l| l == "CO-ROUTINE p");
            for line in &plan {
                let page = merged && line == "SCAN p";
                let scan = line.starts_with("SCAN ") && !line.contains("VIRTUAL TABLE") && !page;
                assert!(!scan, "{name}: a full scan\n{text}");
            }
            if search.starts_with("SEARCH g") {
                assert!(merged, "{name}: rows joined after the merge\n{text}");
            }
            assert!(
                plan.iter().any(|l| l == search),
                "{name}: expected {search}\n{text}"
            );
            if !may_sort {
                // The index delivers date_added order, so a page stops after
                // a page of rows. (Rows sharing a date_added, one version
                // seen through two keys, may be sorted among themselves to
                // drop the copy: "FOR LAST n TERMS OF ORDER BY".)
                let sorts = plan
                    .iter()
                    .any(|l| l.as_str() == "USE TEMP B-TREE FOR ORDER BY");
                assert!(!sorts, "{name}: sorts the whole result\n{text}");
            }
            if search.starts_with("SEARCH g") && name != "one key" {
                assert!(
                    text.contains("MERGE (UNION)"),
                    "{name}: one arm per key\n{text}"
                );
            }
            // The newer (or older) visible version of a candidate is found by id.
            if text.contains("SUBQUERY") && text.contains(" w ") {
                assert!(
                    text.contains("SEARCH w USING INDEX objects_id"),
                    "{name}\n{text}"
                );
            }
        }
        let q = ObjectQuery {
            audience: Some(Vec::new()),
            ..query(&c)
        };
        assert!(
            store.explain_query(q).await.expect("explained").is_empty(),
            "no keys, no read"
        );
    });
}

#[test]
fn a_schema_newer_than_the_code_is_refused_untouched() {
    sqlite_test(|fx| async move {
        drop(fx.open_sqlite());
        let conn = rusqlite::Connection::open(fx.location()).expect("raw open");
        conn.pragma_update(None, "user_version", 99)
            .expect("bumped");
        drop(conn);

        let err = SqliteStore::open(fx.location()).err().expect("refused");
        assert_eq!(err.kind(), ErrorKind::SchemaTooNew);
        let message = err.to_string();
        assert!(
            message.contains("99") && message.contains(&fx.location().display().to_string()),
            "{message}"
        );
        let conn = rusqlite::Connection::open(fx.location()).expect("raw open");
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("read");
        assert_eq!(version, 99, "left as it was");
    });
}

#[test]
fn migrations_are_numbered_and_all_applied() {
    sqlite_test(|fx| async move {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .expect("migrations folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names.len() as u32,
            SqliteStore::SCHEMA_VERSION,
            "every file is embedded: {names:?}"
        );
        for (i, name) in names.iter().enumerate() {
            let prefix = format!("{:04}_", i + 1);
            assert!(
                name.starts_with(&prefix) && name.ends_with(".sql"),
                "{name} should start {prefix}"
            );
        }

        drop(fx.open_sqlite());
        let conn = rusqlite::Connection::open(fx.location()).expect("raw open");
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("read");
        assert_eq!(version, SqliteStore::SCHEMA_VERSION);
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("read");
        assert_eq!(mode, "wal");
        drop(fx.open_sqlite());
    });
}

#[test]
fn a_file_that_is_not_a_database_is_a_backend_error() {
    sqlite_test(|fx| async move {
        let path = fx.location().with_file_name("garbage.db");
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(&path, vec![b'x'; 8192]).expect("written");
        let err = SqliteStore::open(&path).err().expect("refused");
        assert_eq!(err.kind(), ErrorKind::Backend);
        assert!(
            err.to_string().contains("garbage.db"),
            "the message names the file: {err}"
        );
        assert!(
            std::error::Error::source(&err).is_some(),
            "the SQLite error is kept"
        );
    });
}

#[test]
fn two_handles_on_one_file_see_each_other() {
    sqlite_test(|fx| async move {
        let server: Arc<dyn Store> = Arc::new(fx.open_sqlite());
        let admin: Arc<dyn Store> = Arc::new(fx.open_sqlite());
        let c = collection(&*server, "c").await;
        assert_eq!(
            admin
                .collections(crate::util::ROOT)
                .await
                .expect("listed")
                .len(),
            1
        );

        let writes = (0..6u64).map(|round| {
            let store = Arc::clone(if round % 2 == 0 { &server } else { &admin });
            let c = c.clone();
            tokio::spawn(async move {
                add(
                    &*store,
                    &c,
                    (0..50).map(|n| indicator(round * 100 + n, V1)).collect(),
                )
                .await;
            })
        });
        for write in writes.collect::<Vec<_>>() {
            write.await.expect("written");
        }
        let seen = everything(&*admin, &c).await;
        assert_eq!(seen.len(), 300);
        assert!(
            seen.windows(2).all(|w| w[0].date_added < w[1].date_added),
            "one order across handles"
        );
        assert_eq!(everything(&*server, &c).await.len(), 300);
    });
}
