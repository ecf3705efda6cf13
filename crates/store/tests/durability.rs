//! Acknowledged means durable: data survives closing and reopening, and a
//! writer process killed with SIGKILL loses nothing it had acknowledged.
//!
//! The SIGKILL test re-runs this test binary as its own child: with
//! [`CHILD_ENV`] set, the same test writes envelopes from four tasks and
//! prints a line after each acknowledgement until the parent kills it.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use charter_store::{ApiRootRecord, Permission, Role, UserRecord};

use crate::util::{
    CHILD_ENV, Fixture, ROOT, add, collection, everything, indicator, query, status,
};

const V1: &str = "2021-01-01T00:00:00.000Z";

fixturetest!(
    data_survives_closing_and_reopening,
    |fx: Fixture| async move {
        let store = fx.open();
        let c = collection(&*store, "c").await;
        let mut s = status(&c);
        s.id = "kept".into();
        store
            .add_objects((0..100).map(|n| indicator(n, V1)).collect(), s, Vec::new())
            .await
            .expect("added");
        let user = UserRecord {
            username: "ann".into(),
            password_hash: "$argon2id$x".into(),
            role: Role::Reader,
            org: None,
            disabled: false,
        };
        store.put_user(user.clone()).await.expect("user");
        let rights = Permission {
            collection: c.clone(),
            can_read: true,
            can_write: false,
        };
        store
            .set_permission("ann", rights.clone())
            .await
            .expect("rights");
        let before = everything(&*store, &c).await;
        drop(store);

        let store = fx.open();
        let root = ApiRootRecord {
            name: ROOT.into(),
            title: "Default".into(),
            description: None,
        };
        assert_eq!(store.api_roots().await.expect("roots"), [root]);
        assert_eq!(store.collections(ROOT).await.expect("collections").len(), 1);
        let after = everything(&*store, &c).await;
        assert_eq!(after.len(), 100);
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(
                (&b.id, &b.version, b.date_added, &b.raw),
                (&a.id, &a.version, a.date_added, &a.raw)
            );
        }
        assert_eq!(
            store
                .status("kept")
                .await
                .expect("read")
                .expect("kept")
                .successes
                .len(),
            100
        );
        assert_eq!(store.user("ann").await.expect("read"), Some(user));
        assert_eq!(store.permissions("ann").await.expect("read"), [rights]);

        // date_added keeps increasing across reopening.
        let more = add(&*store, &c, vec![indicator(500, V1)]).await;
        assert!(
            matches!(more[..], [charter_store::AddOutcome::Added(at)] if at > after[99].date_added)
        );
    }
);

/// Objects per envelope the child writes.
const PER_ENVELOPE: u64 = 50;
/// Acknowledgements the parent waits for before killing the child.
const KILL_AFTER: usize = 40;

fn envelope(task: u64, n: u64) -> Vec<charter_store::NewVersion> {
    (0..PER_ENVELOPE)
        .map(|i| indicator(task * 1_000_000 + n * 1000 + i, V1))
        .collect()
}

/// The child: four tasks write envelopes and report each acknowledgement.
async fn child(fx: Fixture) {
    let store = fx.open();
    let tasks: Vec<_> = (0..4u64)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                // Bounded, so a child the parent failed to kill still ends.
                for n in 0..500u64 {
                    let mut s = status("c");
                    s.id = format!("envelope-{task}-{n}");
                    store
                        .add_objects(envelope(task, n), s, Vec::new())
                        .await
                        .expect("acknowledged");
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "acked {task} {n}").expect("stdout");
                    out.flush().expect("stdout");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
}

fixturetest!(
    acknowledged_writes_survive_sigkill,
    |fx: Fixture| async move {
        if fx.is_child() {
            return child(fx).await;
        }
        let store = fx.open();
        collection(&*store, "c").await;
        drop(store);

        let mut process = Command::new(std::env::current_exe().expect("the test binary"))
            .args([fx.test_name(), "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, fx.location())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the child starts");
        let stdout = process.stdout.take().expect("piped stdout");
        let reader = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let mut acked = Vec::new();
            while acked.len() < KILL_AFTER {
                let Some(line) = lines.next() else { break };
                let line = line.expect("child output");
                if let Some(rest) = line.strip_prefix("acked ") {
                    let (task, n) = rest.split_once(' ').expect("task and envelope");
                    acked.push((
                        task.parse::<u64>().expect("task"),
                        n.parse::<u64>().expect("n"),
                    ));
                }
            }
            // The pipe goes back with the list, so it stays open until the kill
            // and the child never sees a broken pipe instead of SIGKILL.
            (acked, lines)
        });
        let read = tokio::time::timeout(Duration::from_secs(120), reader).await;
        process.kill().expect("SIGKILL sent");
        let exit = process.wait().expect("child reaped");
        let (acked, _pipe) = read
            .expect("the child acknowledged in time")
            .expect("reader");
        assert_eq!(
            acked.len(),
            KILL_AFTER,
            "the child acknowledged enough writes"
        );
        assert_eq!(
            exit.signal(),
            Some(9),
            "the child was killed mid-write, not finished: {exit}"
        );

        let store = fx.open();
        for (task, n) in acked {
            let s = store
                .status(&format!("envelope-{task}-{n}"))
                .await
                .expect("read");
            assert_eq!(
                s.map(|s| s.successes.len()),
                Some(PER_ENVELOPE as usize),
                "status {task}/{n}"
            );
            let mut q = query("c");
            q.ids = envelope(task, n).into_iter().map(|v| v.id).collect();
            let found = store.query(q).await.expect("query").items.len();
            assert_eq!(found, PER_ENVELOPE as usize, "objects of {task}/{n}");
        }
        // Whatever committed after the last acknowledgement is whole envelopes.
        assert_eq!(
            everything(&*store, "c").await.len() as u64 % PER_ENVELOPE,
            0
        );
    }
);
