//! The change stream: every version `add_objects` stores is announced once,
//! after its commit, with its audience; versions already present are not.

use std::sync::Arc;
use std::time::Duration;

use charter_store::{Change, ChangeReceiver, Store};

use crate::util::{add, collection, granted, indicator, sco};

const V1: &str = "2021-01-01T00:00:00.000Z";
const V2: &str = "2022-01-01T00:00:00.000Z";

/// The next change, or a failure if none arrives in time.
async fn next(changes: &mut ChangeReceiver) -> Change {
    tokio::time::timeout(Duration::from_secs(10), changes.recv())
        .await
        .expect("a change arrives in time")
        .expect("the stream is open and not lagging")
}

storetest!(new_versions_are_announced_after_commit, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let mut changes = store.changes();
    let red = granted(indicator(1, V1), "red", &["org:a"], Some("a"));
    let outcomes = add(&*store, &c, vec![red, sco(7, "example.com")]).await;
    let first = next(&mut changes).await;
    assert_eq!(first.collection, c);
    assert_eq!(first.id, indicator(1, V1).id);
    assert_eq!(first.version.text, V1);
    assert_eq!(first.tlp, "red");
    assert_eq!(first.grants, ["org:a"]);
    assert_eq!(first.submitter.as_deref(), Some("a"));
    assert_eq!(
        charter_store::AddOutcome::Added(first.date_added),
        outcomes[0]
    );
    let second = next(&mut changes).await;
    assert_eq!(second.id, sco(7, "example.com").id);
    assert_eq!(
        charter_store::AddOutcome::Added(second.date_added),
        outcomes[1]
    );
    // An object without a version of its own is versioned by date_added.
    assert_eq!(
        second.version,
        charter_store::VersionStamp::from_micros(second.date_added)
    );

    // Already present: nothing announced; the next change is the new version.
    add(&*store, &c, vec![indicator(1, V1), sco(7, "example.com")]).await;
    add(&*store, &c, vec![indicator(1, V2)]).await;
    let third = next(&mut changes).await;
    assert_eq!(
        (third.id.as_str(), third.version.text.as_str()),
        (first.id.as_str(), V2)
    );
    assert!(third.date_added > second.date_added);
});

storetest!(a_refused_write_announces_nothing, |store: Arc<
    dyn Store,
>| async move {
    let c = collection(&*store, "c").await;
    let mut changes = store.changes();
    let refused = store
        .add_objects(
            vec![indicator(1, V1)],
            crate::util::status("missing"),
            Vec::new(),
        )
        .await;
    assert!(refused.is_err());
    add(&*store, &c, vec![indicator(2, V1)]).await;
    let change = next(&mut changes).await;
    assert_eq!(
        change.id,
        indicator(2, V1).id,
        "the refused write left no trace"
    );
});
