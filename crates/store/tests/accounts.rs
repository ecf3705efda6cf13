//! Users and their per-collection permissions.

use std::sync::Arc;

use charter_store::{ErrorKind, Permission, Role, Store, UserRecord};

use crate::util::collection;

fn user(name: &str) -> UserRecord {
    UserRecord {
        username: name.into(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${name}"),
        role: Role::Analyst,
        org: None,
        disabled: false,
    }
}

fn rights(collection: &str, can_read: bool, can_write: bool) -> Permission {
    Permission {
        collection: collection.into(),
        can_read,
        can_write,
    }
}

storetest!(users_are_created_replaced_and_listed, |store: Arc<
    dyn Store,
>| async move {
    assert!(store.users().await.expect("users").is_empty());
    store.put_user(user("zoe")).await.expect("zoe");
    store.put_user(user("adam")).await.expect("adam");
    assert_eq!(store.user("zoe").await.expect("read"), Some(user("zoe")));
    assert_eq!(store.user("nobody").await.expect("read"), None);

    let mut changed = user("zoe");
    changed.password_hash = "$argon2id$new".into();
    changed.role = Role::NodeAdmin;
    changed.disabled = true;
    store.put_user(changed.clone()).await.expect("replaced");
    assert_eq!(
        store.users().await.expect("users"),
        vec![user("adam"), changed]
    );
});

storetest!(permissions_are_set_changed_and_removed, |store: Arc<
    dyn Store,
>| async move {
    let a = collection(&*store, "a").await;
    let b = collection(&*store, "b").await;
    store.put_user(user("ann")).await.expect("ann");
    store.put_user(user("ben")).await.expect("ben");
    assert!(store.permissions("ann").await.expect("rights").is_empty());

    store
        .set_permission("ann", rights(&b, true, false))
        .await
        .expect("set");
    store
        .set_permission("ann", rights(&a, true, true))
        .await
        .expect("set");
    store
        .set_permission("ben", rights(&a, false, true))
        .await
        .expect("set");
    let ann = store.permissions("ann").await.expect("rights");
    assert_eq!(
        ann,
        [rights(&a, true, true), rights(&b, true, false)],
        "collection order"
    );

    store
        .set_permission("ann", rights(&a, false, true))
        .await
        .expect("changed");
    store
        .set_permission("ann", rights(&b, false, false))
        .await
        .expect("removed");
    assert_eq!(
        store.permissions("ann").await.expect("rights"),
        [rights(&a, false, true)]
    );
    assert_eq!(
        store.permissions("ben").await.expect("rights"),
        [rights(&a, false, true)]
    );

    // Replacing a user keeps their rights.
    store
        .put_user(UserRecord {
            role: Role::NodeAdmin,
            ..user("ann")
        })
        .await
        .expect("replaced");
    assert_eq!(
        store.permissions("ann").await.expect("rights"),
        [rights(&a, false, true)]
    );
    assert!(
        store
            .permissions("nobody")
            .await
            .expect("rights")
            .is_empty()
    );
});

storetest!(permissions_need_a_user_and_a_collection, |store: Arc<
    dyn Store,
>| async move {
    let a = collection(&*store, "a").await;
    store.put_user(user("ann")).await.expect("ann");
    let err = store
        .set_permission("nobody", rights(&a, true, true))
        .await
        .expect_err("no user");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("nobody"), "{err}");
    let err = store
        .set_permission("ann", rights("missing", true, true))
        .await
        .expect_err("no collection");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(store.permissions("ann").await.expect("rights").is_empty());
});
