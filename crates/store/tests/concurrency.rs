//! Many writers at once: every write succeeds, every object is stored once,
//! and `date_added` stays strictly increasing across interleaved envelopes.

use std::collections::HashSet;
use std::sync::Arc;

use charter_store::{AddOutcome, Store};

use crate::util::{collection, everything, indicator, status};

storetest!(eight_concurrent_envelopes_all_land, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let tasks: Vec<_> = (0..8u64)
        .map(|task| {
            let store = Arc::clone(&store);
            let c = c.clone();
            tokio::spawn(async move {
                let mut added = Vec::new();
                for envelope in 0..3u64 {
                    let batch: Vec<_> = (0..100)
                        .map(|n| {
                            indicator(
                                task * 10_000 + envelope * 1000 + n,
                                "2021-01-01T00:00:00.000Z",
                            )
                        })
                        .collect();
                    let outcomes = store
                        .add_objects(batch, status(&c), Vec::new())
                        .await
                        .expect("write acknowledged");
                    assert_eq!(outcomes.len(), 100);
                    for outcome in outcomes {
                        let AddOutcome::Added(at) = outcome else {
                            panic!("every object is new")
                        };
                        added.push(at);
                    }
                }
                added
            })
        })
        .collect();
    let mut assigned = Vec::new();
    for task in tasks {
        let added = task.await.expect("task finished");
        assert!(
            added.windows(2).all(|w| w[0] < w[1]),
            "increasing within one writer"
        );
        assigned.extend(added);
    }
    assert_eq!(assigned.len(), 2400);
    assert_eq!(
        assigned.iter().collect::<HashSet<_>>().len(),
        2400,
        "no date_added is shared"
    );

    let stored = everything(&*store, &c).await;
    assert_eq!(stored.len(), 2400);
    assert!(stored.windows(2).all(|w| w[0].date_added < w[1].date_added));
    let ids: HashSet<_> = stored.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids.len(), 2400, "every object once");
});

storetest!(reads_proceed_while_writes_commit, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let writer = {
        let store = Arc::clone(&store);
        let c = c.clone();
        tokio::spawn(async move {
            for round in 0..20u64 {
                let batch = (0..50)
                    .map(|n| indicator(round * 100 + n, "2021-01-01T00:00:00Z"))
                    .collect();
                store
                    .add_objects(batch, status(&c), Vec::new())
                    .await
                    .expect("written");
            }
        })
    };
    let mut last = 0;
    while !writer.is_finished() {
        let count = everything(&*store, &c).await.len();
        assert!(
            count >= last && count % 50 == 0,
            "whole envelopes only: {count}"
        );
        last = count;
        tokio::task::yield_now().await;
    }
    writer.await.expect("writer finished");
    assert_eq!(everything(&*store, &c).await.len(), 1000);
});

storetest!(
    a_refused_write_does_not_disturb_its_neighbours,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        // Sent together, these are likely to share one group commit.
        let writes: Vec<_> = (0..6u64)
            .map(|n| {
                let store = Arc::clone(&store);
                let target = if n % 2 == 0 {
                    c.clone()
                } else {
                    format!("missing-{n}")
                };
                tokio::spawn(async move {
                    let batch = (0..20)
                        .map(|i| indicator(n * 100 + i, "2021-01-01T00:00:00Z"))
                        .collect();
                    store
                        .add_objects(batch, status(&target), Vec::new())
                        .await
                        .map_err(|e| e.kind())
                })
            })
            .collect();
        for (n, write) in writes.into_iter().enumerate() {
            let result = write.await.expect("task finished");
            if n % 2 == 0 {
                assert_eq!(result.map(|o| o.len()), Ok(20), "write {n} committed");
            } else {
                assert_eq!(
                    result.err(),
                    Some(charter_store::ErrorKind::NotFound),
                    "write {n} refused"
                );
            }
        }
        assert_eq!(everything(&*store, &c).await.len(), 60);
    }
);
