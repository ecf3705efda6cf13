//! Opening a database written by the first schema: its collections, users,
//! rights, statuses and objects come through with what they meant before,
//! and the new records work on it at once.

use charter_store::audit;
use charter_store::sqlite::SqliteStore;
use charter_store::{ObjectQuery, Role, Store, UserRecord, VersionFilter};

use crate::util::{
    Backend, add, everything, granted, indicator, principal, query, run_fixture, sid,
};

/// The first schema, exactly as version 1 of the store created it.
const SCHEMA_1: &str = include_str!("../migrations/sqlite/0001_initial.sql");

const RED_V2: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
const GREEN_V1: &str = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
const WHITE_V1: &str = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9";

/// Writes a version-1 database at `path` with rows as version 1 wrote them.
fn version_one(path: &std::path::Path) {
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
    let conn = rusqlite::Connection::open(path).expect("raw open");
    conn.execute_batch(SCHEMA_1).expect("schema 1");
    conn.pragma_update(None, "user_version", 1)
        .expect("version 1");
    conn.execute_batch(
        "INSERT INTO api_roots VALUES ('default', 'Default', NULL);
         INSERT INTO collections (seq, id, api_root, title, description, alias, media_types, last_added)
             VALUES (1, 'c1', 'default', 'Old', NULL, 'old', '[\"application/stix+json;version=2.1\"]', 40);
         INSERT INTO users VALUES ('root', '$argon2id$root', 1, 0), ('ann', '$argon2id$ann', 0, 1);
         INSERT INTO permissions VALUES ('ann', 1, 1, 0);
         INSERT INTO statuses VALUES ('s1', 'c1', 'root', 5, '[[\"x\",\"v\",null]]', '[]', '[]');",
    )
    .expect("rows");
    let object = |seq: i64, id: &str, version: &str, first: bool, last: bool, raw: &str| {
        let key = format!("{version}.000000000Z");
        conn.execute(
            "INSERT INTO objects VALUES (?1, 1, ?2, ?3, ?4, 'indicator', '2.1', ?5, ?6, ?7, ?8, ?9)",
            rusqlite::params![seq, seq * 10, id, hash(id), key, format!("{version}Z"), first, last, raw],
        )
        .expect("object");
    };
    let marked =
        |refs: &[&str]| format!(r#"{{"type":"indicator","object_marking_refs":{refs:?}}}"#);
    let (a, b, c) = (
        sid("indicator", 1),
        sid("indicator", 2),
        sid("indicator", 3),
    );
    object(
        1,
        &a,
        "2021-01-01T00:00:00",
        true,
        false,
        &marked(&[GREEN_V1]),
    );
    object(
        2,
        &a,
        "2022-01-01T00:00:00",
        false,
        true,
        &marked(&[WHITE_V1, RED_V2]),
    );
    object(
        3,
        &b,
        "2021-01-01T00:00:00",
        true,
        true,
        r#"{"type":"indicator"}"#,
    );
    object(4, &c, "2021-01-01T00:00:00", true, true, "not JSON at all");
}

/// The store's id hash (FNV-1a, 64 bits), which version 1 wrote too.
fn hash(id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        h = (h ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}

#[test]
fn a_version_one_database_is_migrated_in_place() {
    run_fixture(Backend::Sqlite, "migration", |fx| async move {
        version_one(fx.location());
        let store = SqliteStore::open(fx.location()).expect("migrated");
        let conn = rusqlite::Connection::open(fx.location()).expect("raw open");
        let version: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("read");
        assert_eq!(version, SqliteStore::SCHEMA_VERSION);
        drop(conn);

        let old = store
            .collection("default", "old")
            .await
            .expect("read")
            .expect("kept");
        assert_eq!((old.id.as_str(), old.default_tlp.as_str()), ("c1", "amber"));
        assert!(!old.public && old.community.is_none());
        let users = store.users().await.expect("users");
        let root = UserRecord {
            username: "root".into(),
            password_hash: "$argon2id$root".into(),
            role: Role::NodeAdmin,
            org: None,
            disabled: false,
        };
        let ann = UserRecord {
            username: "ann".into(),
            password_hash: "$argon2id$ann".into(),
            role: Role::Analyst,
            org: None,
            disabled: true,
        };
        assert_eq!(users, [ann, root]);
        assert_eq!(store.permissions("ann").await.expect("rights").len(), 1);
        assert_eq!(
            store
                .status("s1")
                .await
                .expect("read")
                .expect("kept")
                .successes
                .len(),
            1
        );

        // Objects keep their versions and flags, are visible to everyone
        // who could read the collection before, and carry the TLP level of
        // their markings.
        let rows = everything(&store, "c1").await;
        let seen: Vec<(&str, &str, Vec<String>)> = rows
            .iter()
            .map(|r| (r.version.text.as_str(), r.tlp.as_str(), r.grants.clone()))
            .collect();
        let any = vec!["any".to_owned()];
        assert_eq!(
            seen,
            [
                ("2021-01-01T00:00:00Z", "green", any.clone()),
                ("2022-01-01T00:00:00Z", "red", any.clone()),
                ("2021-01-01T00:00:00Z", "amber", any.clone()),
                ("2021-01-01T00:00:00Z", "amber", any.clone()),
            ]
        );
        let as_anyone = ObjectQuery {
            audience: principal(&["any"]),
            ..query("c1")
        };
        let latest = store.query(as_anyone.clone()).await.expect("read").items;
        assert_eq!(latest.len(), 3);
        assert_eq!(latest[0].version.text, "2022-01-01T00:00:00Z");
        let first = VersionFilter {
            first: true,
            ..VersionFilter::default()
        };
        let earliest = store
            .query(ObjectQuery {
                versions: first,
                ..as_anyone.clone()
            })
            .await
            .expect("read");
        assert_eq!(earliest.items[0].version.text, "2021-01-01T00:00:00Z");
        let found = store
            .audiences_of(vec![sid("indicator", 1)])
            .await
            .expect("read");
        assert_eq!(found.len(), 2);

        // New writes land after the old ones, with their own audiences.
        let newer = granted(
            indicator(1, "2023-01-01T00:00:00Z"),
            "amber",
            &["community:k"],
            None,
        );
        add(&store, "c1", vec![newer]).await;
        let rows = everything(&store, "c1").await;
        assert!(
            rows[4].date_added > 40,
            "after the collection's last date_added"
        );
        let latest = store.query(as_anyone).await.expect("read").items;
        assert_eq!(latest.len(), 3);
        assert_eq!(
            latest[0].version.text, "2022-01-01T00:00:00Z",
            "still the latest anyone may see"
        );
        let member = ObjectQuery {
            audience: principal(&["community:k"]),
            ..query("c1")
        };
        assert_eq!(store.query(member).await.expect("read").items.len(), 1);
        store
            .append_audit(vec![charter_store::AuditDraft {
                at: 1,
                actor: "root".into(),
                action: "admin".into(),
                channel: "cli".into(),
                detail: "{}".into(),
            }])
            .await
            .expect("appended");
        let entries = store.audit_entries(None, 10).await.expect("read");
        assert_eq!(entries.len(), 1);
        assert!(audit::verify(&entries, None).is_empty());
        drop(store);
        // Opening again changes nothing.
        let again = SqliteStore::open(fx.location()).expect("reopened");
        assert_eq!(everything(&again, "c1").await.len(), 5);
    });
}
