//! What only the PostgreSQL backend promises: a newer schema is refused
//! before anything is written, servers starting together migrate once, the
//! main queries are served by an index once statistics exist (the release
//! record's entries of one action too, however often read), and several
//! handles (several servers) on one database keep `date_added`, pages, the
//! release record's chain and the change stream consistent while all write
//! at once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use charter_store::audit;
use charter_store::postgres::PgStore;
use charter_store::{AddOutcome, AuditDraft, Cursor, ErrorKind, ObjectQuery, Store, VersionFilter};

use crate::util::{
    Backend, Fixture, add, collection, everything, granted, indicator, principal, query,
    run_fixture, status,
};

const V1: &str = "2021-01-01T00:00:00.000Z";

fn pg_test<F, Fut>(body: F)
where
    F: FnOnce(Fixture) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    run_fixture(Backend::Postgres, "postgres", body);
}

/// A plain connection to the fixture's database, for inspecting it.
async fn raw(fx: &Fixture) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(&fx.url(), tokio_postgres::NoTls)
        .await
        .expect("raw connection");
    tokio::spawn(connection);
    client
}

async fn tables(client: &tokio_postgres::Client) -> Vec<String> {
    client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn a_schema_newer_than_the_code_is_refused_untouched() {
    pg_test(|fx| async move {
        let client = raw(&fx).await;
        client
            .batch_execute(
                "CREATE TABLE charter_schema (singleton integer PRIMARY KEY, version integer);
                 INSERT INTO charter_schema VALUES (1, 99);",
            )
            .await
            .expect("a future schema");
        let err = PgStore::open(&fx.url()).await.err().expect("refused");
        assert_eq!(err.kind(), ErrorKind::SchemaTooNew);
        assert!(err.to_string().contains("99"), "{err}");
        assert_eq!(tables(&client).await, ["charter_schema"], "nothing written");
    });
}

#[test]
fn a_malformed_url_is_named() {
    pg_test(|_fx| async move {
        let err = PgStore::open("postgres://[::1")
            .await
            .err()
            .expect("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("postgres://[::1"), "{err}");
    });
}

#[test]
fn servers_starting_together_migrate_once() {
    pg_test(|fx| async move {
        let url = fx.url();
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move { PgStore::open(&url).await.map(|_| ()) })
            })
            .collect();
        for open in opens {
            open.await.expect("task").expect("opened");
        }
        let client = raw(&fx).await;
        let version: i32 = client
            .query_one("SELECT version FROM charter_schema", &[])
            .await
            .expect("version")
            .get(0);
        assert_eq!(version, PgStore::SCHEMA_VERSION);
        assert!(tables(&client).await.contains(&"objects".to_owned()));
    });
}

/// The main query shapes, each of which must read an index of `objects`.
fn shapes(c: &str) -> Vec<(&'static str, ObjectQuery)> {
    let mut out = Vec::new();
    let mut q = query(c);
    q.limit = 100;
    out.push(("latest versions (TAXII's default)", q.clone()));
    let mut typed = q.clone();
    typed.types = vec!["indicator".into()];
    out.push(("one type", typed));
    let mut after = q.clone();
    after.added_after = Some(1);
    after.versions = VersionFilter {
        all: true,
        ..VersionFilter::default()
    };
    out.push(("every version after an instant", after));
    let mut ids = q.clone();
    ids.ids = vec![indicator(7, V1).id, indicator(8, V1).id];
    out.push(("a few ids", ids));
    let mut reader = q.clone();
    reader.audience = principal(&["any", "org:a"]);
    out.push(("latest versions under an audience", reader));
    out
}

#[test]
fn the_main_queries_use_an_index_after_analyze() {
    pg_test(|fx| async move {
        let store = fx.open_postgres();
        let c = collection(&store, "c").await;
        for chunk in 0..10u64 {
            let batch = (0..500)
                .map(|n| granted(indicator(chunk * 500 + n, V1), "amber", &["org:b"], None))
                .collect();
            add(&store, &c, batch).await;
        }
        store.analyze().await.expect("analyzed");
        for (name, shape) in shapes(&c) {
            let plan = store
                .explain_query(shape)
                .await
                .expect("explained")
                .join("\n");
            assert!(
                plan.contains("Index") && !plan.contains("Seq Scan on objects"),
                "{name}:\n{plan}"
            );
        }
    });
}

fn draft(actor: &str, n: u64) -> AuditDraft {
    AuditDraft {
        at: 1_700_000_000_000_000 + n as i64,
        actor: actor.to_owned(),
        action: "release".to_owned(),
        channel: "taxii".to_owned(),
        detail: format!(r#"{{"n":{n}}}"#),
    }
}

#[test]
fn entries_of_one_action_are_read_through_their_index() {
    pg_test(|fx| async move {
        let store = fx.open_postgres();
        // Mostly reads and a few deletions, as on a busy node.
        for chunk in 0..10u64 {
            let drafts = (0..500)
                .map(|n| AuditDraft {
                    action: if n == 250 { "delete" } else { "release" }.to_owned(),
                    ..draft("ana", chunk * 500 + n)
                })
                .collect();
            store.append_audit(drafts).await.expect("appended");
        }
        store.analyze().await.expect("analyzed");
        // More calls than PostgreSQL plans a cached statement for its values
        // before it may settle on one plan for every value.
        const CALLS: i64 = 12;
        for _ in 0..CALLS {
            let found = store
                .audit_entries_of("delete", Some(0), 100)
                .await
                .expect("deletions");
            assert_eq!(found.len(), 10);
        }
        // A server process hands its statistics over when it exits.
        drop(store);
        let client = raw(&fx).await;
        let mut scans = 0;
        for _ in 0..100 {
            scans = client
                .query_one(
                    "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'audit_action'",
                    &[],
                )
                .await
                .expect("index statistics")
                .get::<_, i64>(0);
            if scans >= CALLS {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            scans >= CALLS,
            "{CALLS} reads of one action, {scans} through the index audit_action"
        );
    });
}

#[test]
fn several_handles_on_one_database_stay_consistent() {
    pg_test(|fx| async move {
        let handles: Vec<Arc<dyn Store>> = (0..3).map(|_| fx.open()).collect();
        let c = collection(&*handles[0], "c").await;
        let mut heard = handles[2].changes();
        let writers: Vec<_> = handles
            .iter()
            .enumerate()
            .map(|(h, store)| {
                let store = Arc::clone(store);
                let c = c.clone();
                tokio::spawn(async move {
                    let mut added = Vec::new();
                    for envelope in 0..10u64 {
                        let batch = (0..20)
                            .map(|n| indicator(h as u64 * 10_000 + envelope * 100 + n, V1))
                            .collect();
                        let drafts = vec![draft(&format!("h{h}"), envelope)];
                        let outcomes = store
                            .add_objects(batch, status(&c), drafts)
                            .await
                            .expect("written");
                        store
                            .append_audit(vec![draft(&format!("r{h}"), envelope)])
                            .await
                            .expect("appended");
                        added.extend(outcomes.into_iter().map(|o| match o {
                            AddOutcome::Added(at) => at,
                            AddOutcome::AlreadyPresent => panic!("every object is new"),
                        }));
                    }
                    added
                })
            })
            .collect();
        // Meanwhile another handle pages through the collection with `next`.
        let reader = Arc::clone(&handles[1]);
        let pager = {
            let c = c.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut after = None;
                for _ in 0..400 {
                    let mut q = query(&c);
                    q.limit = 7;
                    q.after = after;
                    q.with_raw = false;
                    let page = reader.query(q).await.expect("page");
                    seen.extend(page.items.iter().map(|v| v.date_added));
                    if page.next.is_none() {
                        // The end for now: resume after the last version
                        // served, as a TAXII client polling with
                        // added_after does.
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    after = page.next.or(seen.last().map(|&at| Cursor(at)));
                    if seen.len() == 600 {
                        break;
                    }
                }
                seen
            })
        };
        let mut assigned = Vec::new();
        for writer in writers {
            assigned.extend(writer.await.expect("writer"));
        }
        let seen = pager.await.expect("pager");

        let stored = everything(&*handles[1], &c).await;
        assert_eq!(stored.len(), 600);
        assert!(stored.windows(2).all(|w| w[0].date_added < w[1].date_added));
        assert_eq!(assigned.iter().collect::<HashSet<_>>().len(), 600);
        // Paging while three servers wrote skipped nothing and repeated nothing.
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "pages in order");
        let all: Vec<i64> = stored.iter().map(|v| v.date_added).collect();
        assert_eq!(seen, all[..seen.len()], "no version skipped by a page");

        let entries = handles[0]
            .audit_entries(None, 10_000)
            .await
            .expect("entries");
        assert_eq!(entries.len(), 60, "one per write and one per read");
        assert!(
            audit::verify(&entries, None).is_empty(),
            "one chain, no fork"
        );

        let mut announced = HashSet::new();
        while announced.len() < 600 {
            let change = tokio::time::timeout(Duration::from_secs(10), heard.recv())
                .await
                .expect("every change is heard")
                .expect("no lag");
            assert!(announced.insert(change.date_added), "announced once");
        }
    });
}

#[test]
fn an_sqlite_node_is_copied_whole_and_a_second_copy_adds_nothing() {
    use charter_store::sqlite::SqliteStore;
    use charter_store::{
        DecideReview, HeldVersion, ReviewDecision, ReviewOutcome, ReviewQuery, VersionStamp,
    };

    pg_test(|fx| async move {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("charter.db");
        let sqlite = SqliteStore::open(&file).expect("sqlite");
        let c = collection(&sqlite, "c").await;
        let mut org = crate::util::org_record("grid");
        org.attribution = true;
        sqlite.create_org(org).await.expect("org");
        let mut redacted = granted(indicator(1, V1), "amber", &["org:a"], Some("a"));
        redacted.original = Some(redacted.raw.replace("Malicious", "Secret"));
        redacted.warnings = vec!["rfc1918".to_owned(), "public-dns".to_owned()];
        let drafts = vec![draft("ann", 1)];
        sqlite
            .add_objects(vec![redacted.clone(), indicator(2, V1)], status(&c), drafts)
            .await
            .expect("added");
        sqlite
            .set_warning_fingerprint("lists-of-the-source".to_owned())
            .await
            .expect("fingerprint");
        let hold = |id: &str, n: u64| HeldVersion {
            id: id.to_owned(),
            version: indicator(n, V1),
            submitted_by: "ann".to_owned(),
            findings: "[]".to_owned(),
        };
        sqlite
            .submit(
                Vec::new(),
                vec![hold("r1", 3), hold("r2", 4)],
                status(&c),
                Vec::new(),
            )
            .await
            .expect("held");
        let decided = DecideReview {
            id: "r1".to_owned(),
            decision: ReviewDecision {
                outcome: ReviewOutcome::Rejected,
                by: "rita".to_owned(),
                at: 5,
                note: Some("personal data".to_owned()),
            },
            released: None,
            warnings: Vec::new(),
        };
        sqlite
            .decide_review(decided, vec![draft("rita", 2)])
            .await
            .expect("decided");
        let before = everything(&sqlite, &c).await;
        drop(sqlite);

        let pg = fx.open_postgres();
        let quiet = |_: charter_store::postgres::ImportProgress| {};
        let report = pg.import_sqlite(&file, &quiet).await.expect("copied");
        let counted = |t: &str| report.counts.iter().find(|(n, _)| *n == t).map(|c| c.1);
        assert_eq!(counted("objects"), Some(2));
        assert_eq!(counted("originals"), Some(1));
        assert_eq!(counted("warnings"), Some(1));
        assert_eq!(counted("warning_lists"), Some(1));
        assert_eq!(counted("reviews"), Some(2));
        assert_eq!(report.audit_head.as_ref().map(|h| h.0), Some(2));
        // Copied as stored: the same date_added, versions, audiences, order.
        let after = everything(&pg, &c).await;
        let shape = |v: &[charter_store::StoredVersion]| -> Vec<_> {
            v.iter()
                .map(|s| {
                    (
                        s.date_added,
                        s.id.clone(),
                        s.version.clone(),
                        s.grants.clone(),
                        s.raw.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(shape(&after), shape(&before));
        let key = VersionStamp::clone(&redacted.version.clone().expect("a version")).key;
        let originals = pg
            .originals(&c, vec![(redacted.id.clone(), key)])
            .await
            .expect("originals");
        assert_eq!(originals.len(), 1);
        assert!(originals[0].2.contains("Secret"));
        let key = VersionStamp::clone(&redacted.version.clone().expect("a version")).key;
        let flags = pg
            .warnings(&c, vec![(redacted.id.clone(), key)])
            .await
            .expect("flags");
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].lists, ["public-dns", "rfc1918"]);
        assert_eq!(
            pg.warning_fingerprint()
                .await
                .expect("fingerprint")
                .as_deref(),
            Some("lists-of-the-source")
        );
        let reviews = pg.reviews(ReviewQuery::default()).await.expect("reviews");
        assert_eq!(reviews.len(), 2);
        let rejected = reviews.iter().find(|r| r.id == "r1").expect("r1");
        assert_eq!(
            rejected
                .decision
                .as_ref()
                .map(|d| (d.outcome, d.note.clone())),
            Some((ReviewOutcome::Rejected, Some("personal data".to_owned())))
        );
        assert!(
            pg.org("grid")
                .await
                .expect("org")
                .expect("copied")
                .attribution
        );

        // A second run finds everything there and adds nothing.
        let again = pg.import_sqlite(&file, &quiet).await.expect("copied again");
        assert_eq!(again, report);
        // The copy is a working node: the held version can still be decided.
        let approve = DecideReview {
            id: "r2".to_owned(),
            decision: ReviewDecision {
                outcome: ReviewOutcome::Approved,
                by: "rita".to_owned(),
                at: 6,
                note: None,
            },
            released: None,
            warnings: Vec::new(),
        };
        let (_, outcome) = pg
            .decide_review(approve, Vec::new())
            .await
            .expect("approved");
        assert!(matches!(outcome, Some(AddOutcome::Added(at)) if at > after[1].date_added));
    });
}
