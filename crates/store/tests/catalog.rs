//! API roots and collections: creation, listing, lookup and conflicts.

use std::sync::Arc;

use charter_store::{ApiRootRecord, CollectionRecord, ErrorKind, Store};

use crate::util::{ROOT, collection, collection_record};

fn root(name: &str) -> ApiRootRecord {
    ApiRootRecord {
        name: name.to_owned(),
        title: format!("Root {name}"),
        description: Some(format!("The {name} root")),
    }
}

storetest!(api_roots_are_listed_by_name_and_unique, |store: Arc<
    dyn Store,
>| async move {
    assert!(store.api_roots().await.expect("roots").is_empty());
    store.create_api_root(root("zulu")).await.expect("zulu");
    store.create_api_root(root("alpha")).await.expect("alpha");
    let roots = store.api_roots().await.expect("roots");
    assert_eq!(roots, vec![root("alpha"), root("zulu")]);

    let mut again = root("alpha");
    again.title = "Another".into();
    let err = store
        .create_api_root(again)
        .await
        .expect_err("duplicate name");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(
        err.to_string().contains("alpha"),
        "the message names the root: {err}"
    );
    assert_eq!(
        store.api_roots().await.expect("roots")[0],
        root("alpha"),
        "unchanged"
    );
});

storetest!(collections_keep_creation_order_and_fields, |store: Arc<
    dyn Store,
>| async move {
    collection(&*store, "c-second-by-name").await;
    let mut full = collection_record("a-first-by-name");
    full.description = Some("Indicators from the energy sector".into());
    full.alias = Some("energy".into());
    full.media_types = vec![
        "application/stix+json;version=2.1".into(),
        "application/taxii+json".into(),
    ];
    store
        .create_collection(full.clone())
        .await
        .expect("created");

    let listed = store.collections(ROOT).await.expect("listed");
    let ids: Vec<_> = listed.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        ["c-second-by-name", "a-first-by-name"],
        "creation order, not name order"
    );
    assert_eq!(listed[1], full);
    assert_eq!(listed[0].alias, None);
    assert!(
        store
            .collections("elsewhere")
            .await
            .expect("listed")
            .is_empty()
    );
});

storetest!(
    collections_are_found_by_id_or_alias_within_their_root,
    |store: Arc<dyn Store>| async move {
        let mut energy = collection_record("c1");
        energy.alias = Some("energy".into());
        collection(&*store, "c0").await;
        store
            .create_collection(energy.clone())
            .await
            .expect("created");
        store.create_api_root(root("other")).await.expect("root");

        assert_eq!(
            store.collection(ROOT, "c1").await.expect("read"),
            Some(energy.clone())
        );
        assert_eq!(
            store.collection(ROOT, "energy").await.expect("read"),
            Some(energy)
        );
        assert_eq!(store.collection(ROOT, "missing").await.expect("read"), None);
        assert_eq!(
            store.collection("other", "c1").await.expect("read"),
            None,
            "roots are separate"
        );
        assert_eq!(
            store.collection("other", "energy").await.expect("read"),
            None
        );
    }
);

storetest!(
    collection_conflicts_and_missing_roots_are_refused,
    |store: Arc<dyn Store>| async move {
        let mut first = collection_record("c1");
        first.alias = Some("shared".into());
        collection(&*store, "c0").await;
        store.create_collection(first).await.expect("created");

        let err = store
            .create_collection(collection_record("c1"))
            .await
            .expect_err("same id");
        assert_eq!(err.kind(), ErrorKind::Conflict);

        let mut same_alias = collection_record("c2");
        same_alias.alias = Some("shared".into());
        let err = store
            .create_collection(same_alias.clone())
            .await
            .expect_err("same alias");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert!(
            err.to_string().contains("shared"),
            "the message names the alias: {err}"
        );

        store.create_api_root(root("other")).await.expect("root");
        same_alias.api_root = "other".into();
        store
            .create_collection(same_alias)
            .await
            .expect("an alias is unique per root only");

        let orphan = CollectionRecord {
            api_root: "nowhere".into(),
            ..collection_record("c3")
        };
        let err = store
            .create_collection(orphan)
            .await
            .expect_err("no such root");
        assert_eq!(err.kind(), ErrorKind::NotFound);

        let ids: Vec<_> = store
            .collections(ROOT)
            .await
            .expect("listed")
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(ids, ["c0", "c1"], "failed creations left nothing behind");
    }
);

storetest!(only_empty_collections_are_removed, |store: Arc<
    dyn Store,
>| async move {
    let full = collection(&*store, "full").await;
    let empty = collection(&*store, "empty").await;
    crate::util::add(
        &*store,
        &full,
        vec![crate::util::indicator(1, "2021-01-01T00:00:00Z")],
    )
    .await;
    let user = charter_store::UserRecord {
        username: "ann".into(),
        password_hash: "x".into(),
        role: charter_store::Role::Reader,
        org: None,
        disabled: false,
    };
    store.put_user(user).await.expect("user");
    let rights = charter_store::Permission {
        collection: empty.clone(),
        can_read: true,
        can_write: false,
    };
    store.set_permission("ann", rights).await.expect("rights");

    let err = store
        .remove_collection(&full)
        .await
        .expect_err("holds objects");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("full"), "{err}");
    store.remove_collection(&empty).await.expect("removed");
    assert_eq!(store.collection(ROOT, &empty).await.expect("read"), None);
    assert!(
        store.permissions("ann").await.expect("rights").is_empty(),
        "its rights went with it"
    );
    assert_eq!(
        store
            .remove_collection(&empty)
            .await
            .expect_err("gone")
            .kind(),
        ErrorKind::NotFound
    );
    // Its id and alias may be used again.
    store
        .create_collection(collection_record(&empty))
        .await
        .expect("recreated");

    store
        .delete_object(
            &full,
            &crate::util::sid("indicator", 1),
            crate::util::all(),
            crate::util::unrecorded(),
        )
        .await
        .expect("emptied");
    store
        .remove_collection(&full)
        .await
        .expect("removed once empty");
    assert_eq!(store.collections(ROOT).await.expect("list").len(), 1);
});
