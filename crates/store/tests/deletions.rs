//! Deleting object versions with their release-record entries: the entries
//! are made of the number removed and commit with the deletion, in the
//! chain; a deletion that removes nothing writes nothing; and a deletion
//! whose entries cannot be written is not made.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use charter_store::audit;
use charter_store::{AuditDraft, AuditEntry, DeletionAudit, ErrorKind, Store, VersionFilter};

use crate::util::{
    Backend, Fixture, add, all, collection, everything, keys, query, sdo, sid, stamp,
};

const V1: &str = "2021-01-01T00:00:00.000Z";
const V2: &str = "2021-02-01T00:00:00.000Z";

fn entry(actor: &str, action: &str, detail: String) -> AuditDraft {
    AuditDraft {
        at: 1_700_000_000_000_000,
        actor: actor.to_owned(),
        action: action.to_owned(),
        channel: "api".to_owned(),
        detail,
    }
}

/// Makes the entries of a deletion of `id` from `collection` as the hub
/// does, `copies` of them, counting how often it is asked.
fn recorder(collection: &str, id: &str, copies: usize, asked: &Arc<AtomicUsize>) -> DeletionAudit {
    let (collection, id, asked) = (collection.to_owned(), id.to_owned(), Arc::clone(asked));
    Box::new(move |removed| {
        asked.fetch_add(1, Ordering::SeqCst);
        let detail = format!(r#"{{"collection":"{collection}","id":"{id}","removed":{removed}}}"#);
        vec![entry("root", "delete", detail); copies]
    })
}

/// Every entry of the record.
async fn record(store: &dyn Store) -> Vec<AuditEntry> {
    store.audit_entries(None, 1_000).await.expect("entries")
}

/// `(id, version text)` of the latest version of each object.
async fn latest(store: &dyn Store, c: &str) -> Vec<(String, String)> {
    let mut q = query(c);
    q.versions = VersionFilter::last();
    keys(&store.query(q).await.expect("query").items)
}

fn exact(text: &str) -> VersionFilter {
    VersionFilter {
        exact: vec![stamp(text).key],
        ..VersionFilter::default()
    }
}

storetest!(a_deletion_writes_its_entries_in_the_chain, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let (one, two) = (sid("indicator", 1), sid("indicator", 2));
    add(
        &*store,
        &c,
        vec![
            sdo("indicator", &one, V1),
            sdo("indicator", &one, V2),
            sdo("indicator", &two, V1),
        ],
    )
    .await;
    store
        .append_audit(vec![entry("ana", "write", "{}".into())])
        .await
        .expect("appended");

    let asked = Arc::new(AtomicUsize::new(0));
    let removed = store
        .delete_object(&c, &one, all(), recorder(&c, &one, 1, &asked))
        .await
        .expect("deleted");
    assert_eq!(removed, 2);
    assert_eq!(asked.load(Ordering::SeqCst), 1, "asked once");
    let entries = record(&*store).await;
    assert_eq!(entries.len(), 2, "the deletion's entry, in the same call");
    let deletion = &entries[1];
    assert_eq!(
        (
            deletion.seq,
            deletion.actor.as_str(),
            deletion.action.as_str()
        ),
        (2, "root", "delete")
    );
    assert_eq!(
        deletion.detail,
        format!(r#"{{"collection":"{c}","id":"{one}","removed":2}}"#),
        "made of the number removed"
    );
    assert_eq!(deletion.prev_hash, entries[0].hash);
    assert!(audit::verify(&entries, None).is_empty());
    assert_eq!(
        store.audit_head().await.expect("head"),
        Some((deletion.seq, deletion.hash.clone()))
    );
    assert_eq!(
        store
            .audit_entries_of("delete", None, 10)
            .await
            .expect("deletions"),
        std::slice::from_ref(deletion)
    );

    // Several entries are appended in order; later appends link to them.
    let removed = store
        .delete_object(&c, &two, exact(V1), recorder(&c, &two, 2, &asked))
        .await
        .expect("deleted");
    assert_eq!(removed, 1);
    store
        .append_audit(vec![entry("ana", "release", "{}".into())])
        .await
        .expect("appended");
    let entries = record(&*store).await;
    assert_eq!(
        entries
            .iter()
            .map(|e| (e.seq, e.action.as_str()))
            .collect::<Vec<_>>(),
        [
            (1, "write"),
            (2, "delete"),
            (3, "delete"),
            (4, "delete"),
            (5, "release")
        ]
    );
    assert!(entries[2].detail.ends_with(r#""removed":1}"#));
    assert!(audit::verify(&entries, None).is_empty());
    assert!(everything(&*store, &c).await.is_empty());
});

storetest!(a_deletion_of_nothing_writes_nothing, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let one = sid("indicator", 1);
    add(&*store, &c, vec![sdo("indicator", &one, V1)]).await;
    store
        .append_audit(vec![entry("ana", "write", "{}".into())])
        .await
        .expect("appended");
    let before = record(&*store).await;
    let stored = keys(&everything(&*store, &c).await);

    let asked = Arc::new(AtomicUsize::new(0));
    let nothing = [
        (sid("indicator", 9), all()),
        (one.clone(), VersionFilter::default()),
        (one.clone(), exact(V2)),
    ];
    for (id, filter) in nothing {
        let removed = store
            .delete_object(&c, &id, filter.clone(), recorder(&c, &id, 1, &asked))
            .await
            .expect("nothing to delete is no error");
        assert_eq!(removed, 0, "{id} {filter:?}");
    }
    let err = store
        .delete_object("nowhere", &one, all(), recorder("nowhere", &one, 1, &asked))
        .await
        .expect_err("no collection");
    assert_eq!(err.kind(), ErrorKind::NotFound);

    assert_eq!(asked.load(Ordering::SeqCst), 0, "no entry was asked for");
    assert_eq!(record(&*store).await, before, "the record is unchanged");
    assert_eq!(keys(&everything(&*store, &c).await), stored);
});

/// The largest sequence number: a record ending there cannot grow.
const LAST_SEQ: i64 = i64::MAX;

/// Runs `sql` on the fixture's database beside the store.
async fn raw_sql(fx: &Fixture, sql: &str) {
    match fx.backend() {
        Backend::Sqlite => rusqlite::Connection::open(fx.location())
            .and_then(|conn| conn.execute_batch(sql))
            .expect("raw SQL on the file"),
        Backend::Postgres => {
            let (client, connection) = tokio_postgres::connect(&fx.url(), tokio_postgres::NoTls)
                .await
                .expect("raw connection");
            tokio::spawn(connection);
            client.batch_execute(sql).await.expect("raw SQL");
        }
    }
}

fixturetest!(
    a_deletion_whose_entry_cannot_be_written_is_not_made,
    |fx| async move {
        let store = fx.open();
        let c = collection(&*store, "c").await;
        let one = sid("indicator", 1);
        add(
            &*store,
            &c,
            vec![sdo("indicator", &one, V1), sdo("indicator", &one, V2)],
        )
        .await;
        // An entry at the last sequence number leaves no room for the deletion's.
        raw_sql(
            &fx,
            &format!(
                "INSERT INTO audit (seq, at, actor, action, channel, detail, prev_hash, hash)
             VALUES ({LAST_SEQ}, 0, 'x', 'write', 'cli', '{{}}', 'p', 'h')"
            ),
        )
        .await;
        let before = record(&*store).await;

        let asked = Arc::new(AtomicUsize::new(0));
        let err = store
            .delete_object(&c, &one, exact(V2), recorder(&c, &one, 1, &asked))
            .await
            .expect_err("the entry cannot be appended");
        assert_eq!(err.kind(), ErrorKind::Backend);
        assert!(
            err.to_string().contains("release record"),
            "the message names the release record: {err}"
        );
        assert_eq!(
            keys(&everything(&*store, &c).await),
            [(one.clone(), V1.to_owned()), (one.clone(), V2.to_owned())],
            "the version is still there"
        );
        assert_eq!(latest(&*store, &c).await, [(one.clone(), V2.to_owned())]);
        assert_eq!(record(&*store).await, before, "nothing was recorded");

        raw_sql(&fx, &format!("DELETE FROM audit WHERE seq = {LAST_SEQ}")).await;
        let removed = store
            .delete_object(&c, &one, exact(V2), recorder(&c, &one, 1, &asked))
            .await
            .expect("deleted once there is room");
        assert_eq!(removed, 1);
        let entries = record(&*store).await;
        assert_eq!(entries.len(), 1);
        assert!(audit::verify(&entries, None).is_empty());
        assert_eq!(latest(&*store, &c).await, [(one, V1.to_owned())]);
    }
);
