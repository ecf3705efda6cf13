//! Status resources: recorded in the same transaction as the objects, with a
//! success line for every stored (or already present) object, in order.

use std::sync::Arc;

use charter_store::{ErrorKind, StatusDetail, Store};

use crate::util::{collection, everything, indicator, sco, status};

const V1: &str = "2021-01-01T00:00:00.000Z";

fn detail(id: &str, version: &str, message: Option<&str>) -> StatusDetail {
    StatusDetail {
        id: id.into(),
        version: version.into(),
        message: message.map(Into::into),
    }
}

storetest!(
    status_is_recorded_with_every_success_in_order,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let mut first = status(&c);
        first.id = "first".into();
        let objects = vec![indicator(2, V1), sco(1, "example.com"), indicator(1, V1)];
        store
            .add_objects(objects.clone(), first, Vec::new())
            .await
            .expect("added");

        let mut second = status(&c);
        second.id = "second".into();
        second.owner = "bob".into();
        second.request_timestamp = 42;
        second.failures = vec![detail(
            "indicator--bad",
            "",
            Some("missing property: pattern"),
        )];
        second.pendings = vec![detail("indicator--later", "2021-01-01T00:00:00Z", None)];
        store
            .add_objects(
                vec![indicator(1, V1), indicator(3, V1)],
                second.clone(),
                Vec::new(),
            )
            .await
            .expect("added");

        let stored = store
            .status("first")
            .await
            .expect("read")
            .expect("recorded");
        let sco_version = everything(&*store, &c).await[1].version.text.clone();
        assert_eq!(
            stored.successes,
            [
                detail(&objects[0].id, V1, None),
                detail(&objects[1].id, &sco_version, None),
                detail(&objects[2].id, V1, None),
            ]
        );
        assert_eq!(
            (stored.owner.as_str(), stored.collection.as_str()),
            ("alice", c.as_str())
        );
        assert!(stored.failures.is_empty() && stored.pendings.is_empty());

        let stored = store
            .status("second")
            .await
            .expect("read")
            .expect("recorded");
        second.successes = vec![
            detail(&objects[2].id, V1, None),
            detail(&indicator(3, V1).id, V1, None),
        ];
        assert_eq!(stored, second, "already-present objects count as successes");
        assert_eq!(store.status("third").await.expect("read"), None);
    }
);

storetest!(
    a_reused_status_id_is_refused_and_writes_nothing,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        let mut s = status(&c);
        s.id = "once".into();
        store
            .add_objects(vec![indicator(1, V1)], s.clone(), Vec::new())
            .await
            .expect("added");
        let err = store
            .add_objects(vec![indicator(2, V1)], s, Vec::new())
            .await
            .expect_err("same status id");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert_eq!(
            everything(&*store, &c).await.len(),
            1,
            "the second envelope left nothing"
        );
        let stored = store.status("once").await.expect("read").expect("recorded");
        assert_eq!(stored.successes.len(), 1, "the first status is unchanged");
    }
);
