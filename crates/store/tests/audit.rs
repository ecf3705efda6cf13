//! The release record: appends from many tasks form one chain, entries
//! written with objects commit with them, the entries of one action are
//! read alone and in order, and tampering with the stored rows is named by
//! `verify`.

use std::collections::HashSet;
use std::sync::Arc;

use charter_store::audit::{self, AuditProblemKind, GENESIS};
use charter_store::{AuditDraft, AuditEntry, ErrorKind, Store};

use crate::util::{Backend, collection, indicator, run_fixture, status};

fn draft(actor: &str, n: u64) -> AuditDraft {
    AuditDraft {
        at: 1_700_000_000_000_000 + n as i64,
        actor: actor.to_owned(),
        action: "release".to_owned(),
        channel: "taxii".to_owned(),
        detail: format!(r#"{{"collection":"c","objects":[["indicator--{n}","v"]]}}"#),
    }
}

/// Every entry, read in pages of `page`.
async fn read_all(store: &dyn Store, page: usize) -> Vec<AuditEntry> {
    let mut out: Vec<AuditEntry> = Vec::new();
    loop {
        let after = out.last().map(|e| e.seq);
        let batch = store.audit_entries(after, page).await.expect("entries");
        let done = batch.len() < page;
        out.extend(batch);
        if done {
            return out;
        }
    }
}

storetest!(appends_from_many_tasks_form_one_chain, |store: Arc<
    dyn Store,
>| async move {
    assert_eq!(store.audit_head().await.expect("head"), None);
    assert!(
        store
            .audit_entries(None, 10)
            .await
            .expect("entries")
            .is_empty()
    );
    let tasks: Vec<_> = (0..8u64)
        .map(|t| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut given = Vec::new();
                for n in 0..25u64 {
                    // One, then two drafts per call: a call's entries stay together.
                    let drafts: Vec<_> = (0..1 + n % 2)
                        .map(|k| draft(&format!("task{t}"), n * 10 + k))
                        .collect();
                    let seqs = store.append_audit(drafts.clone()).await.expect("appended");
                    assert_eq!(seqs.len(), drafts.len());
                    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
                    given.extend(seqs);
                }
                given
            })
        })
        .collect();
    let mut given = HashSet::new();
    for task in tasks {
        for seq in task.await.expect("task") {
            assert!(given.insert(seq), "seq {seq} given twice");
        }
    }
    let entries = read_all(&*store, 64).await;
    assert_eq!(
        entries.len(),
        8 * 37,
        "13 calls of one draft and 12 of two, per task"
    );
    assert_eq!(given.len(), entries.len());
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1, "contiguous from 1");
        let prev = if i == 0 {
            GENESIS
        } else {
            entries[i - 1].hash.as_str()
        };
        assert_eq!(e.prev_hash, prev, "entry {} links to the one before", e.seq);
        assert!(e.hash_matches());
    }
    assert!(audit::verify(&entries, None).is_empty());
    let last = entries.last().expect("entries");
    assert_eq!(
        store.audit_head().await.expect("head"),
        Some((last.seq, last.hash.clone()))
    );
    let tail = store.audit_entries(Some(290), 10).await.expect("tail");
    assert_eq!(
        tail.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [291, 292, 293, 294, 295, 296]
    );
    assert!(audit::verify(&tail, Some((290, entries[289].hash.as_str()))).is_empty());
    assert!(
        store
            .append_audit(Vec::new())
            .await
            .expect("nothing")
            .is_empty()
    );
});

storetest!(
    entries_written_with_objects_commit_with_them,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        store
            .append_audit(vec![draft("admin", 0)])
            .await
            .expect("first");
        let written = vec![draft("ana", 1), draft("ana", 2)];
        store
            .add_objects(
                vec![indicator(1, "2021-01-01T00:00:00Z")],
                status(&c),
                written.clone(),
            )
            .await
            .expect("added");
        let refused = status("nowhere");
        let err = store
            .add_objects(
                vec![indicator(2, "2021-01-01T00:00:00Z")],
                refused,
                vec![draft("eve", 3)],
            )
            .await
            .expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let entries = read_all(&*store, 100).await;
        assert_eq!(entries.len(), 3, "the refused write recorded nothing");
        assert_eq!(
            (entries[1].actor.as_str(), entries[1].detail.as_str()),
            ("ana", written[0].detail.as_str())
        );
        assert_eq!(entries[2].at, written[1].at);
        assert!(audit::verify(&entries, None).is_empty());
    }
);

/// Appends ten entries, then runs `tamper` on the file through rusqlite
/// and returns what `verify` finds in the whole record afterwards.
fn tampered(tamper: &'static str) -> Vec<(i64, AuditProblemKind)> {
    let mut found = Vec::new();
    let found_ref = &mut found;
    run_fixture(Backend::Sqlite, "audit", |fx| async move {
        let store = fx.open();
        for n in 0..10 {
            store
                .append_audit(vec![draft("ana", n)])
                .await
                .expect("appended");
        }
        assert!(
            audit::verify(&read_all(&*store, 4).await, None).is_empty(),
            "intact before"
        );
        let conn = rusqlite::Connection::open(fx.location()).expect("raw open");
        conn.execute_batch(tamper).expect("tampered");
        drop(conn);
        let entries = read_all(&*store, 4).await;
        let mut problems = Vec::new();
        let mut anchor: Option<(i64, String)> = None;
        // Verify in pages of four, as a large record would be.
        for page in entries.chunks(4) {
            let from = anchor.as_ref().map(|(s, h)| (*s, h.as_str()));
            problems.extend(audit::verify(page, from));
            let last = page.last().expect("a page");
            anchor = Some((last.seq, last.hash.clone()));
        }
        for p in &problems {
            assert!(
                p.message.contains(&p.seq.to_string()),
                "the message names the entry: {p:?}"
            );
        }
        *found_ref = problems.iter().map(|p| (p.seq, p.kind)).collect();
    });
    found
}

#[test]
fn an_edited_entry_is_named() {
    let found = tampered("UPDATE audit SET actor = 'mallory' WHERE seq = 3");
    assert_eq!(found, [(3, AuditProblemKind::Edited)]);
    let found = tampered("UPDATE audit SET detail = '{}' WHERE seq = 8");
    assert_eq!(found, [(8, AuditProblemKind::Edited)]);
}

#[test]
fn a_deleted_entry_is_named() {
    assert_eq!(
        tampered("DELETE FROM audit WHERE seq = 6"),
        [(6, AuditProblemKind::Missing)]
    );
    // Renumbering the rest to close the gap leaves each of them out of place.
    let found = tampered(
        "DELETE FROM audit WHERE seq = 6;
         UPDATE audit SET seq = seq - 1 WHERE seq > 6;",
    );
    let want: Vec<_> = (6..=9)
        .map(|seq| (seq, AuditProblemKind::OutOfOrder))
        .collect();
    assert_eq!(found, want);
}

#[test]
fn swapped_entries_are_named() {
    let found = tampered(
        "UPDATE audit SET seq = -1 WHERE seq = 4;
         UPDATE audit SET seq = 4 WHERE seq = 5;
         UPDATE audit SET seq = 5 WHERE seq = -1;",
    );
    assert_eq!(
        found,
        [
            (4, AuditProblemKind::OutOfOrder),
            (5, AuditProblemKind::OutOfOrder)
        ]
    );
}

storetest!(entries_of_one_action_come_alone_in_order, |store: Arc<
    dyn Store,
>| async move {
    let actions = [
        "release", "delete", "release", "write", "delete", "release", "delete", "delete", "release",
    ];
    let drafts: Vec<AuditDraft> = (0u64..)
        .zip(actions)
        .map(|(n, action)| AuditDraft {
            action: action.to_owned(),
            ..draft("ana", n)
        })
        .collect();
    // In two appends, so one action's entries span them.
    for part in [&drafts[..4], &drafts[4..]] {
        store.append_audit(part.to_vec()).await.expect("appended");
    }
    let of = |action: &'static str, after: Option<i64>, limit: usize| {
        let store = Arc::clone(&store);
        async move {
            store
                .audit_entries_of(action, after, limit)
                .await
                .expect("entries of one action")
        }
    };
    let seqs = |entries: &[AuditEntry]| entries.iter().map(|e| e.seq).collect::<Vec<_>>();

    let every = read_all(&*store, 100).await;
    let deletions: Vec<AuditEntry> = every
        .iter()
        .filter(|e| e.action == "delete")
        .cloned()
        .collect();
    assert_eq!(seqs(&deletions), [2, 5, 7, 8]);
    assert_eq!(
        of("delete", None, 100).await,
        deletions,
        "whole entries, as the record holds them"
    );
    assert_eq!(seqs(&of("delete", Some(2), 100).await), [5, 7, 8]);
    assert_eq!(
        seqs(&of("delete", Some(3), 100).await),
        [5, 7, 8],
        "a cursor on another action's entry"
    );
    assert_eq!(seqs(&of("delete", None, 2).await), [2, 5], "the limit");
    assert_eq!(seqs(&of("delete", Some(5), 2).await), [7, 8]);
    assert!(of("delete", Some(8), 10).await.is_empty());
    assert!(of("delete", None, 0).await.is_empty());
    assert_eq!(seqs(&of("write", None, 10).await), [4]);
    assert!(of("admin", None, 10).await.is_empty());
    assert!(
        of("Delete", None, 10).await.is_empty(),
        "actions compare exactly"
    );

    // Paging on from the last entry of each page reads each entry once.
    let mut paged = Vec::new();
    loop {
        let page = of("release", paged.last().map(|e: &AuditEntry| e.seq), 2).await;
        if page.is_empty() {
            break;
        }
        paged.extend(page);
    }
    assert_eq!(seqs(&paged), [1, 3, 6, 9]);
});
