//! Pages and cursors: exact limits, `next` only when more remain, and no
//! gaps or duplicates while other writes land between pages.

use std::collections::HashSet;
use std::sync::Arc;

use charter_store::{Cursor, ObjectQuery, Store, StoredVersion};

use crate::util::{add, all, collection, everything, indicator, keys, query};

const V1: &str = "2021-01-01T00:00:00.000Z";

/// Reads every page of `q`, checking each page's size and cursor.
async fn pages(store: &dyn Store, mut q: ObjectQuery) -> (Vec<StoredVersion>, usize) {
    let mut items = Vec::new();
    let mut count = 0;
    loop {
        let page = store.query(q.clone()).await.expect("page");
        count += 1;
        assert!(page.items.len() <= q.limit);
        items.extend(page.items.iter().cloned());
        match page.next {
            Some(next) => {
                assert_eq!(page.items.len(), q.limit, "a page with a next is full");
                q.after = Some(next);
            }
            None => return (items, count),
        }
    }
}

storetest!(pages_cover_the_collection_exactly, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    add(&*store, &c, (0..53).map(|n| indicator(n, V1)).collect()).await;
    let whole = everything(&*store, &c).await;

    for limit in [1, 7, 52, 53, 54, 1000] {
        let mut q = query(&c);
        q.limit = limit;
        let (items, count) = pages(&*store, q).await;
        assert_eq!(keys(&items), keys(&whole), "limit {limit}");
        assert_eq!(
            count,
            53usize.div_ceil(limit).max(1),
            "limit {limit}: no trailing empty page"
        );
    }
});

storetest!(
    a_zero_limit_returns_nothing_but_says_more_remain,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let mut q = query(&c);
        q.limit = 0;
        assert!(
            store
                .query(q.clone())
                .await
                .expect("empty collection")
                .next
                .is_none()
        );
        add(&*store, &c, vec![indicator(1, V1)]).await;
        let page = store.query(q.clone()).await.expect("page");
        assert!(page.items.is_empty());
        let next = page.next.expect("more remain");
        q.limit = 10;
        q.after = Some(next);
        assert_eq!(
            store.query(q).await.expect("page").items.len(),
            1,
            "the cursor resumes at the start"
        );
    }
);

storetest!(
    cursor_and_added_after_combine,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        add(&*store, &c, (0..10).map(|n| indicator(n, V1)).collect()).await;
        let whole = everything(&*store, &c).await;
        let mut q = query(&c);
        q.added_after = Some(whole[2].date_added);
        q.after = Some(Cursor(whole[5].date_added));
        assert_eq!(
            keys(&store.query(q.clone()).await.expect("page").items),
            keys(&whole[6..])
        );
        q.added_after = Some(whole[7].date_added);
        assert_eq!(
            keys(&store.query(q).await.expect("page").items),
            keys(&whole[8..]),
            "the later bound wins"
        );
    }
);

storetest!(
    paging_while_writes_land_has_no_gaps_or_duplicates,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        add(&*store, &c, (0..300).map(|n| indicator(n, V1)).collect()).await;
        let before = everything(&*store, &c).await;

        let writer = {
            let store = Arc::clone(&store);
            let c = c.clone();
            tokio::spawn(async move {
                for round in 1..=20u64 {
                    // New objects, and newer versions of objects already paged.
                    let mut batch: Vec<_> =
                        (0..10).map(|n| indicator(1000 * round + n, V1)).collect();
                    batch.push(indicator(round, "2022-01-01T00:00:00.000Z"));
                    add(&*store, &c, batch).await;
                    tokio::task::yield_now().await;
                }
            })
        };
        let mut q = query(&c);
        q.versions = all();
        q.limit = 13;
        let (items, _) = pages(&*store, q).await;
        writer.await.expect("writer finished");

        let mut seen = HashSet::new();
        for v in &items {
            assert!(
                seen.insert((v.id.clone(), v.version.key.clone())),
                "duplicate {}",
                v.id
            );
        }
        assert!(
            items.windows(2).all(|w| w[0].date_added < w[1].date_added),
            "in date_added order"
        );
        assert_eq!(
            keys(&items[..before.len()]),
            keys(&before),
            "everything present at the start, in order"
        );
        let after = everything(&*store, &c).await;
        assert_eq!(
            keys(&items),
            keys(&after[..items.len()]),
            "a prefix of the final order: no gaps"
        );
    }
);
