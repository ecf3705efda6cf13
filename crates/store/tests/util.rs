//! The per-backend test macros, fixtures and small builders shared by every
//! module.
//!
//! `storetest!(name, |store: Arc<dyn Store>| async move { … })` expands to a
//! module `name` holding one `#[test]` per backend, each on a fresh store in
//! a temporary folder. `fixturetest!` is the same but hands the body a
//! [`Fixture`], for tests that reopen the store or run it in a child
//! process. A new backend is one more line in each macro and one more arm
//! in [`Fixture::open`].
//!
//! PostgreSQL tests each get a database of their own (`charter_t_<random>`,
//! dropped afterwards) on the server named by [`PG_ENV`] (default: the local
//! server, user `postgres`). Where that server cannot be reached they fail
//! when `CI=true`, and otherwise say loudly on standard error that they were
//! not run.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use charter_store::postgres::PgStore;
use charter_store::sqlite::SqliteStore;
use charter_store::{
    AddOutcome, ApiRootRecord, CollectionRecord, DeletionAudit, NewVersion, ObjectQuery, OrgRecord,
    StatusRecord, Store, StoredVersion, VersionFilter, VersionStamp,
};

/// Expands a test over `Arc<dyn Store>` into one test per backend.
macro_rules! storetest {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                $crate::util::run_store($crate::util::Backend::Sqlite, $body);
            }

            #[test]
            fn postgres() {
                $crate::util::run_store($crate::util::Backend::Postgres, $body);
            }
        }
    };
}

/// Expands a test over a [`Fixture`] into one test per backend.
macro_rules! fixturetest {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let name = concat!(module_path!(), "::sqlite");
                $crate::util::run_fixture($crate::util::Backend::Sqlite, name, $body);
            }

            #[test]
            fn postgres() {
                let name = concat!(module_path!(), "::postgres");
                $crate::util::run_fixture($crate::util::Backend::Postgres, name, $body);
            }
        }
    };
}

/// The backends the suite runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// [`SqliteStore`] on a file in a temporary folder.
    Sqlite,
    /// [`PgStore`] on a database of its own.
    Postgres,
}

pub use crate::pg_server::{pg_admin_url, pg_url_for};

/// A fresh, empty database for one test; `None` (after saying so) when the
/// server cannot be reached outside CI.
pub fn pg_database() -> Option<String> {
    crate::pg_server::pg_create_database("charter_t")
}

/// The environment variable that turns a test process into the child of a
/// durability test: it holds the location of the parent's store.
pub const CHILD_ENV: &str = "CHARTER_STORE_SUITE_CHILD";

/// Where one test's store lives, and how to open it (again).
pub struct Fixture {
    backend: Backend,
    location: PathBuf,
    test_name: String,
    child: bool,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL database this fixture created, dropped with it.
    database: Option<String>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(name) = self.database.take() {
            crate::pg_server::pg_drop_database(&name);
        }
    }
}

impl Fixture {
    fn new(backend: Backend, test_name: &str) -> Option<Fixture> {
        // The test binary's own name is not part of a test's path.
        let test_name = test_name
            .split_once("::")
            .map_or(test_name, |(_, rest)| rest)
            .to_owned();
        if let Some(location) = std::env::var_os(CHILD_ENV) {
            return Some(Fixture {
                backend,
                location: location.into(),
                test_name,
                child: true,
                _dir: None,
                database: None,
            });
        }
        if backend == Backend::Postgres {
            let database = pg_database()?;
            return Some(Fixture {
                backend,
                location: pg_url_for(&pg_admin_url(), &database).into(),
                test_name,
                child: false,
                _dir: None,
                database: Some(database),
            });
        }
        let dir = tempfile::tempdir().expect("a temporary folder");
        // A folder that does not exist yet, so every test also checks that
        // opening creates it.
        let location = dir.path().join("data").join("charter.db");
        Some(Fixture {
            backend,
            location,
            test_name,
            child: false,
            _dir: Some(dir),
            database: None,
        })
    }

    /// The backend this fixture's store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Opens a new handle on this fixture's store.
    pub fn open(&self) -> Arc<dyn Store> {
        match self.backend {
            Backend::Sqlite => Arc::new(self.open_sqlite()),
            Backend::Postgres => Arc::new(self.open_postgres()),
        }
    }

    /// Opens the store as the concrete PostgreSQL type. Called from inside
    /// the test's (multi-threaded) runtime, like [`Fixture::open`].
    pub fn open_postgres(&self) -> PgStore {
        let url = self.url();
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(PgStore::open(&url))
        })
        .expect("the store opens")
    }

    /// The database URL of a PostgreSQL fixture.
    pub fn url(&self) -> String {
        self.location.to_string_lossy().into_owned()
    }

    /// Opens the store as the concrete SQLite type.
    pub fn open_sqlite(&self) -> SqliteStore {
        SqliteStore::open(&self.location).expect("the store opens")
    }

    /// The store's location (for SQLite, the database file; for
    /// PostgreSQL, the database URL).
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// The full name of the running test, as the test harness filters it.
    pub fn test_name(&self) -> &str {
        &self.test_name
    }

    /// Whether this process is a durability test's child.
    pub fn is_child(&self) -> bool {
        self.child
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Runs `body` on a fresh store of `backend`.
pub fn run_store<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(fixture) = Fixture::new(backend, "store") else {
        return;
    };
    runtime().block_on(async {
        body(fixture.open()).await;
    });
}

/// Runs `body` with a fresh fixture of `backend`.
pub fn run_fixture<F, Fut>(backend: Backend, test_name: &str, body: F)
where
    F: FnOnce(Fixture) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(fixture) = Fixture::new(backend, test_name) else {
        return;
    };
    runtime().block_on(body(fixture));
}

/// The grant key every reader holds.
pub const ANYONE: &str = "any";

/// The API root every test collection lives in.
pub const ROOT: &str = "default";

/// A collection record in [`ROOT`] with no alias.
pub fn collection_record(id: &str) -> CollectionRecord {
    CollectionRecord {
        id: id.to_owned(),
        api_root: ROOT.to_owned(),
        title: format!("Collection {id}"),
        description: None,
        alias: None,
        media_types: vec!["application/stix+json;version=2.1".to_owned()],
        community: None,
        default_tlp: "amber".to_owned(),
        public: false,
    }
}

/// Creates [`ROOT`] (if needed) and a collection `id` in it; returns `id`.
pub async fn collection(store: &dyn Store, id: &str) -> String {
    if store
        .api_roots()
        .await
        .expect("roots")
        .iter()
        .all(|r| r.name != ROOT)
    {
        let root = ApiRootRecord {
            name: ROOT.into(),
            title: "Default".into(),
            description: None,
        };
        store.create_api_root(root).await.expect("root created");
    }
    store
        .create_collection(collection_record(id))
        .await
        .expect("collection created");
    id.to_owned()
}

/// A version stamp from STIX text (`…SS.fffZ` or `…SSZ`), with the key
/// padded to nine fraction digits.
pub fn stamp(text: &str) -> VersionStamp {
    let body = text.strip_suffix('Z').expect("a timestamp ends in Z");
    let (seconds, fraction) = body.split_once('.').unwrap_or((body, ""));
    VersionStamp {
        key: format!("{seconds}.{fraction:0<9}Z"),
        text: text.to_owned(),
    }
}

/// A STIX-like id of `kind` numbered `n`.
pub fn sid(kind: &str, n: u64) -> String {
    format!("{kind}--00000000-0000-4000-8000-{n:012x}")
}

/// A versioned object of `kind` with id `id`, version `modified`, spec 2.1.
pub fn sdo(kind: &str, id: &str, modified: &str) -> NewVersion {
    NewVersion {
        id: id.to_owned(),
        object_type: kind.to_owned(),
        spec_version: "2.1".to_owned(),
        version: Some(stamp(modified)),
        tlp: "amber".to_owned(),
        grants: vec![ANYONE.to_owned()],
        submitter: None,
        original: None,
        warnings: Vec::new(),
        raw: format!(
            r#"{{"type":"{kind}","spec_version":"2.1","id":"{id}","created":"2020-01-01T00:00:00.000Z","modified":"{modified}"}}"#
        ),
    }
}

/// An indicator-sized object (about 600 bytes of JSON).
pub fn indicator(n: u64, modified: &str) -> NewVersion {
    let id = sid("indicator", n);
    let mut v = sdo("indicator", &id, modified);
    v.raw = format!(
        r#"{{"type":"indicator","spec_version":"2.1","id":"{id}","created":"2020-01-01T00:00:00.000Z","modified":"{modified}","name":"Malicious host {n}","description":"Traffic to this address was seen in a campaign against the energy sector; block and report sightings.","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.{}.{}']","pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z","labels":["energy","campaign"],"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}}"#,
        n / 256 % 256,
        n % 256
    );
    v
}

/// An object without a version of its own (an SCO).
pub fn sco(n: u64, value: &str) -> NewVersion {
    let id = sid("domain-name", n);
    NewVersion {
        id: id.clone(),
        object_type: "domain-name".to_owned(),
        spec_version: "2.1".to_owned(),
        version: None,
        tlp: "clear".to_owned(),
        grants: vec![ANYONE.to_owned()],
        submitter: None,
        original: None,
        warnings: Vec::new(),
        raw: format!(
            r#"{{"type":"domain-name","spec_version":"2.1","id":"{id}","value":"{value}"}}"#
        ),
    }
}

/// `v` with the audience `grants` at TLP level `tlp`, submitted by `org`.
pub fn granted(mut v: NewVersion, tlp: &str, grants: &[&str], org: Option<&str>) -> NewVersion {
    v.tlp = tlp.to_owned();
    v.grants = grants.iter().map(|g| (*g).to_owned()).collect();
    v.submitter = org.map(str::to_owned);
    v
}

/// Principal keys from string slices.
pub fn principal(keys: &[&str]) -> Option<Vec<String>> {
    Some(keys.iter().map(|k| (*k).to_owned()).collect())
}

/// An organisation record named `name`, with an id derived from it.
pub fn org_record(name: &str) -> OrgRecord {
    OrgRecord {
        id: format!("org-{name}"),
        name: name.to_owned(),
        country: "GB".to_owned(),
        sectors: vec!["energy".to_owned(), "water".to_owned()],
        kind: "private".to_owned(),
        identity_id: format!("identity--{name}"),
        attribution: false,
    }
}

static STATUS_IDS: AtomicU64 = AtomicU64::new(1);

/// A fresh status id.
pub fn status_id() -> String {
    let n = STATUS_IDS.fetch_add(1, Ordering::Relaxed);
    format!("00000000-0000-4000-9000-{n:012x}")
}

/// An empty status for a write to `collection`.
pub fn status(collection: &str) -> StatusRecord {
    StatusRecord {
        id: status_id(),
        collection: collection.to_owned(),
        owner: "alice".to_owned(),
        request_timestamp: 1_700_000_000_000_000,
        successes: Vec::new(),
        failures: Vec::new(),
        pendings: Vec::new(),
    }
}

/// Adds `versions` to `collection` with a fresh status.
pub async fn add(
    store: &dyn Store,
    collection: &str,
    versions: Vec<NewVersion>,
) -> Vec<AddOutcome> {
    store
        .add_objects(versions, status(collection), Vec::new())
        .await
        .expect("objects added")
}

/// A query over `collection`: latest versions, everything, with JSON.
pub fn query(collection: &str) -> ObjectQuery {
    ObjectQuery {
        collection: collection.to_owned(),
        added_after: None,
        ids: Vec::new(),
        types: Vec::new(),
        versions: VersionFilter::last(),
        spec_versions: Vec::new(),
        limit: 100_000,
        after: None,
        with_raw: true,
        audience: None,
    }
}

/// Every version in `collection`, in `date_added` order.
pub async fn everything(store: &dyn Store, collection: &str) -> Vec<StoredVersion> {
    let mut q = query(collection);
    q.versions = all();
    let page = store.query(q).await.expect("query runs");
    assert!(page.next.is_none(), "one page holds the whole collection");
    page.items
}

/// The version filter that selects every version.
pub fn all() -> VersionFilter {
    VersionFilter {
        all: true,
        ..VersionFilter::default()
    }
}

/// The release-record entries of a deletion whose entries a test does not
/// look at: none.
pub fn unrecorded() -> DeletionAudit {
    Box::new(|_| Vec::new())
}

/// `(id, version text)` of each item, for compact assertions.
pub fn keys(items: &[StoredVersion]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|v| (v.id.clone(), v.version.text.clone()))
        .collect()
}
