//! The node's identity, organisations, communities, users with roles and
//! organisations, and API tokens.

use std::sync::Arc;

use charter_store::{
    CommunityRecord, ErrorKind, NodeRecord, Permission, Role, Store, TokenRecord, UserRecord,
};

use crate::util::{ROOT, collection, collection_record, org_record};

fn member(name: &str, org: Option<&str>, role: Role) -> UserRecord {
    UserRecord {
        username: name.into(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1${name}"),
        role,
        org: org.map(str::to_owned),
        disabled: false,
    }
}

fn community(id: &str, name: &str, members: &[&str]) -> CommunityRecord {
    CommunityRecord {
        id: id.into(),
        name: name.into(),
        members: members.iter().map(|m| (*m).to_owned()).collect(),
    }
}

fn token(id: &str, username: &str, created: i64) -> TokenRecord {
    TokenRecord {
        id: id.into(),
        username: username.into(),
        secret_hash: format!("$argon2id$secret-{id}"),
        label: Some(format!("label {id}")),
        created,
        expires: (created % 2 == 0).then_some(created + 1_000),
        revoked: false,
    }
}

storetest!(the_node_identity_is_set_and_replaced, |store: Arc<
    dyn Store,
>| async move {
    assert_eq!(store.node().await.expect("read"), None);
    let node = NodeRecord {
        name: "UK node".into(),
        country: "GB".into(),
        identity_id: "identity--1".into(),
    };
    store.set_node(node.clone()).await.expect("set");
    assert_eq!(store.node().await.expect("read"), Some(node.clone()));
    let renamed = NodeRecord {
        name: "NCSC node".into(),
        ..node
    };
    store.set_node(renamed.clone()).await.expect("replaced");
    assert_eq!(store.node().await.expect("read"), Some(renamed));
});

storetest!(orgs_are_unique_and_found_by_id_or_name, |store: Arc<
    dyn Store,
>| async move {
    store.create_org(org_record("zeta")).await.expect("zeta");
    store.create_org(org_record("alpha")).await.expect("alpha");
    assert_eq!(
        store.orgs().await.expect("list"),
        [org_record("alpha"), org_record("zeta")]
    );
    assert_eq!(
        store.org("org-zeta").await.expect("by id"),
        Some(org_record("zeta"))
    );
    assert_eq!(
        store.org("zeta").await.expect("by name"),
        Some(org_record("zeta"))
    );
    assert_eq!(store.org("nobody").await.expect("read"), None);

    let same_name = charter_store::OrgRecord {
        id: "other".into(),
        ..org_record("alpha")
    };
    let err = store.create_org(same_name).await.expect_err("name taken");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("alpha"), "{err}");
    let same_id = charter_store::OrgRecord {
        name: "Other".into(),
        ..org_record("alpha")
    };
    assert_eq!(
        store
            .create_org(same_id)
            .await
            .expect_err("id taken")
            .kind(),
        ErrorKind::Conflict
    );
    assert_eq!(store.orgs().await.expect("list").len(), 2, "nothing added");

    // An id that is another organisation's name finds the one with that id.
    let tricky = charter_store::OrgRecord {
        id: "alpha".into(),
        ..org_record("beta")
    };
    store.create_org(tricky.clone()).await.expect("beta");
    assert_eq!(store.org("alpha").await.expect("read"), Some(tricky));
});

storetest!(users_belong_to_orgs_which_keep_them, |store: Arc<
    dyn Store,
>| async move {
    store.create_org(org_record("grid")).await.expect("org");
    store.create_org(org_record("water")).await.expect("org");
    let ana = member("ana", Some("org-grid"), Role::OrgAdmin);
    store.put_user(ana.clone()).await.expect("ana");
    store
        .put_user(member("bob", Some("org-grid"), Role::Reader))
        .await
        .expect("bob");
    store
        .put_user(member("root", None, Role::NodeAdmin))
        .await
        .expect("root");
    assert_eq!(store.user("ana").await.expect("read"), Some(ana.clone()));
    assert!(
        store
            .user("root")
            .await
            .expect("read")
            .is_some_and(|u| u.is_admin())
    );
    assert!(!ana.is_admin());
    let names = |users: Vec<UserRecord>| users.into_iter().map(|u| u.username).collect::<Vec<_>>();
    assert_eq!(
        names(store.users_of_org("org-grid").await.expect("list")),
        ["ana", "bob"]
    );
    assert!(
        store
            .users_of_org("org-water")
            .await
            .expect("list")
            .is_empty()
    );

    let lost = member("eve", Some("org-nowhere"), Role::Analyst);
    let err = store.put_user(lost).await.expect_err("unknown org");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("org-nowhere"), "{err}");
    assert_eq!(store.user("eve").await.expect("read"), None);

    let err = store.remove_org("org-grid").await.expect_err("has users");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(store.org("org-grid").await.expect("read").is_some());
    // Moving a user keeps everything else about them.
    let moved = UserRecord {
        org: Some("org-water".into()),
        role: Role::Analyst,
        ..ana
    };
    store.put_user(moved.clone()).await.expect("moved");
    assert_eq!(store.user("ana").await.expect("read"), Some(moved));
    store.remove_user("bob").await.expect("removed");
    store.remove_org("org-grid").await.expect("now empty");
    assert_eq!(store.org("org-grid").await.expect("read"), None);
    assert_eq!(
        store.remove_org("org-grid").await.expect_err("gone").kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        store.remove_user("bob").await.expect_err("gone").kind(),
        ErrorKind::NotFound
    );
});

storetest!(
    removing_a_user_removes_their_rights_and_tokens,
    |store: Arc<dyn Store>| async move {
        let c = collection(&*store, "c").await;
        store
            .put_user(member("ann", None, Role::Analyst))
            .await
            .expect("ann");
        store
            .put_user(member("ben", None, Role::Analyst))
            .await
            .expect("ben");
        let rights = Permission {
            collection: c.clone(),
            can_read: true,
            can_write: false,
        };
        store
            .set_permission("ann", rights.clone())
            .await
            .expect("rights");
        store
            .create_token(token("t1", "ann", 10))
            .await
            .expect("token");
        store
            .create_token(token("t2", "ben", 11))
            .await
            .expect("token");
        store.remove_user("ann").await.expect("removed");
        assert_eq!(store.user("ann").await.expect("read"), None);
        assert!(store.permissions("ann").await.expect("read").is_empty());
        assert_eq!(store.token("t1").await.expect("read"), None);
        assert_eq!(
            store.tokens(None).await.expect("list"),
            [token("t2", "ben", 11)]
        );

        // A user of the same name later starts with nothing.
        store
            .put_user(member("ann", None, Role::Reader))
            .await
            .expect("again");
        assert!(store.permissions("ann").await.expect("read").is_empty());
        assert!(
            store
                .tokens(Some("ann".into()))
                .await
                .expect("list")
                .is_empty()
        );
    }
);

storetest!(tokens_are_issued_listed_and_revoked, |store: Arc<
    dyn Store,
>| async move {
    store
        .put_user(member("ann", None, Role::Analyst))
        .await
        .expect("ann");
    store
        .put_user(member("ben", None, Role::Analyst))
        .await
        .expect("ben");
    for t in [
        token("b", "ann", 30),
        token("a", "ben", 20),
        token("c", "ann", 10),
    ] {
        store.create_token(t).await.expect("issued");
    }
    assert_eq!(
        store.token("b").await.expect("read"),
        Some(token("b", "ann", 30))
    );
    assert_eq!(store.token("zzz").await.expect("read"), None);
    let ids = |list: Vec<TokenRecord>| list.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.tokens(Some("ann".into())).await.expect("list")),
        ["c", "b"],
        "issue order"
    );
    assert_eq!(
        ids(store.tokens(None).await.expect("list")),
        ["c", "a", "b"]
    );
    assert!(
        store
            .tokens(Some("nobody".into()))
            .await
            .expect("list")
            .is_empty()
    );

    let err = store
        .create_token(token("b", "ben", 40))
        .await
        .expect_err("id taken");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let err = store
        .create_token(token("d", "nobody", 40))
        .await
        .expect_err("no user");
    assert_eq!(err.kind(), ErrorKind::NotFound);

    store.revoke_token("b").await.expect("revoked");
    let revoked = store.token("b").await.expect("read").expect("kept");
    assert!(revoked.revoked);
    assert_eq!(
        TokenRecord {
            revoked: false,
            ..revoked
        },
        token("b", "ann", 30),
        "nothing else changed"
    );
    store
        .revoke_token("b")
        .await
        .expect("revoking again is harmless");
    assert_eq!(
        store
            .revoke_token("zzz")
            .await
            .expect_err("no token")
            .kind(),
        ErrorKind::NotFound
    );
    // A replaced user keeps their tokens.
    store
        .put_user(UserRecord {
            disabled: true,
            ..member("ann", None, Role::Reader)
        })
        .await
        .expect("ann");
    assert_eq!(
        store.tokens(Some("ann".into())).await.expect("list").len(),
        2
    );
});

storetest!(communities_hold_orgs_and_bind_collections, |store: Arc<
    dyn Store,
>| async move {
    for name in ["a", "b", "c"] {
        store.create_org(org_record(name)).await.expect("org");
    }
    store
        .create_community(community("k2", "UK energy", &["org-b", "org-a", "org-b"]))
        .await
        .expect("k2");
    store
        .create_community(community("k1", "Trilateral", &["org-c"]))
        .await
        .expect("k1");
    let energy = community("k2", "UK energy", &["org-a", "org-b"]);
    assert_eq!(
        store.community("k2").await.expect("by id"),
        Some(energy.clone()),
        "members sorted, once"
    );
    assert_eq!(
        store.community("UK energy").await.expect("by name"),
        Some(energy.clone())
    );
    assert_eq!(store.community("nothing").await.expect("read"), None);
    let all = store.communities().await.expect("list");
    assert_eq!(
        all,
        [community("k1", "Trilateral", &["org-c"]), energy],
        "by name"
    );

    let err = store
        .create_community(community("k3", "UK energy", &[]))
        .await
        .expect_err("name taken");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let err = store
        .create_community(community("k3", "Lost", &["org-z"]))
        .await
        .expect_err("no such org");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("org-z"), "{err}");
    assert_eq!(
        store.community("Lost").await.expect("read"),
        None,
        "nothing written"
    );

    store
        .set_community_member("k1", "org-a", true)
        .await
        .expect("added");
    store
        .set_community_member("k1", "org-a", true)
        .await
        .expect("twice is once");
    store
        .set_community_member("k2", "org-b", false)
        .await
        .expect("removed");
    store
        .set_community_member("k2", "org-c", false)
        .await
        .expect("not a member: nothing");
    assert_eq!(
        store.communities_of("org-a").await.expect("read"),
        ["k1", "k2"]
    );
    assert!(
        store
            .communities_of("org-b")
            .await
            .expect("read")
            .is_empty()
    );
    let err = store
        .set_community_member("k9", "org-a", true)
        .await
        .expect_err("no community");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = store
        .set_community_member("k1", "org-z", true)
        .await
        .expect_err("no org");
    assert_eq!(err.kind(), ErrorKind::NotFound);

    // A collection belongs to an existing community, which then stays.
    collection(&*store, "seed").await;
    let bound = charter_store::CollectionRecord {
        community: Some("k1".into()),
        default_tlp: "green".into(),
        public: true,
        ..collection_record("bound")
    };
    store.create_collection(bound.clone()).await.expect("bound");
    assert_eq!(
        store.collection(ROOT, "bound").await.expect("read"),
        Some(bound)
    );
    let lost = charter_store::CollectionRecord {
        community: Some("k9".into()),
        ..collection_record("lost")
    };
    assert_eq!(
        store
            .create_collection(lost)
            .await
            .expect_err("no community")
            .kind(),
        ErrorKind::NotFound
    );
    let err = store.remove_community("k1").await.expect_err("bound");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    store
        .remove_collection("bound")
        .await
        .expect("empty collection removed");
    store.remove_community("k1").await.expect("now free");
    assert_eq!(store.community("k1").await.expect("read"), None);
    assert_eq!(store.communities_of("org-a").await.expect("read"), ["k2"]);
    assert_eq!(
        store.remove_community("k1").await.expect_err("gone").kind(),
        ErrorKind::NotFound
    );

    // Removing an organisation removes its memberships.
    store.remove_org("org-a").await.expect("removed");
    assert!(
        store
            .community("k2")
            .await
            .expect("read")
            .is_some_and(|c| c.members.is_empty())
    );
});

storetest!(
    an_account_is_a_user_with_its_communities_and_rights,
    |store: Arc<dyn Store>| async move {
        store.create_org(org_record("a")).await.expect("org a");
        store.create_org(org_record("b")).await.expect("org b");
        store
            .create_community(community("k2", "Second", &["org-a"]))
            .await
            .expect("k2");
        store
            .create_community(community("k1", "First", &["org-a", "org-b"]))
            .await
            .expect("k1");
        let c = collection(&*store, "c").await;
        let ann = member("ann", Some("org-a"), Role::Analyst);
        let loner = member("loner", None, Role::Reader);
        store.put_user(ann.clone()).await.expect("ann");
        store.put_user(loner.clone()).await.expect("loner");
        let rights = Permission {
            collection: c.clone(),
            can_read: true,
            can_write: false,
        };
        store
            .set_permission("ann", rights.clone())
            .await
            .expect("rights");

        let account = store.account("ann").await.expect("read").expect("ann");
        assert_eq!(account.user, ann);
        assert_eq!(account.communities, ["k1", "k2"], "sorted");
        assert_eq!(account.permissions, [rights]);
        let account = store.account("loner").await.expect("read").expect("loner");
        assert_eq!(account.user, loner);
        assert!(account.communities.is_empty() && account.permissions.is_empty());
        assert_eq!(store.account("nobody").await.expect("read"), None);
    }
);
