//! Measures the SQLite store's raw write and read rates.
//!
//! Run with `cargo run --release -p charter-store --example throughput`
//! (optionally `-- ENVELOPES` to change the write volume). It writes
//! envelopes of 500 indicator-sized objects (about 600 bytes of JSON each),
//! first from one task and then from four at once (where group commit shares
//! each `fsync`), and then times 1,000-object pages with and without the
//! JSON text. The database lives in a temporary folder on the same disk as
//! the system's temp dir, so the figures include real `fsync`s.

use std::sync::Arc;
use std::time::Instant;

use charter_store::sqlite::SqliteStore;
use charter_store::{
    ApiRootRecord, CollectionRecord, NewVersion, ObjectQuery, StatusRecord, Store, VersionFilter,
    VersionStamp,
};

const PER_ENVELOPE: u64 = 500;

fn indicator(n: u64) -> NewVersion {
    let id = format!("indicator--00000000-0000-4000-8000-{n:012x}");
    let modified = "2024-05-01T12:00:00.000Z";
    let raw = format!(
        r#"{{"type":"indicator","spec_version":"2.1","id":"{id}","created":"2024-05-01T12:00:00.000Z","modified":"{modified}","name":"Malicious host {n}","description":"Traffic to this address was seen in a campaign against the energy sector; block and report sightings.","indicator_types":["malicious-activity"],"pattern":"[ipv4-addr:value = '198.51.{}.{}']","pattern_type":"stix","valid_from":"2024-05-01T12:00:00Z","labels":["energy","campaign"],"object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}}"#,
        n / 256 % 256,
        n % 256
    );
    NewVersion {
        id,
        object_type: "indicator".into(),
        spec_version: "2.1".into(),
        version: Some(VersionStamp {
            key: "2024-05-01T12:00:00.000000000Z".into(),
            text: modified.into(),
        }),
        raw,
    }
}

fn status(n: u64) -> StatusRecord {
    StatusRecord {
        id: format!("status-{n}"),
        collection: "bench".into(),
        owner: "bench".into(),
        request_timestamp: 0,
        successes: Vec::new(),
        failures: Vec::new(),
        pendings: Vec::new(),
    }
}

async fn write(store: Arc<dyn Store>, envelopes: std::ops::Range<u64>) {
    for e in envelopes {
        let batch = (0..PER_ENVELOPE).map(|i| indicator(e * PER_ENVELOPE + i)).collect();
        store.add_objects(batch, status(e)).await.expect("written");
    }
}

async fn time_pages(store: &dyn Store, label: &str, query: ObjectQuery) {
    let rounds = 50;
    let started = Instant::now();
    let mut rows = 0;
    for _ in 0..rounds {
        rows += store.query(query.clone()).await.expect("page").items.len();
    }
    let each = started.elapsed() / rounds;
    println!("{label}: {:.2} ms per page ({} rows)", each.as_secs_f64() * 1e3, rows / rounds as usize);
}

#[tokio::main]
async fn main() {
    let envelopes: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("bench.db")).expect("open"));
    let root = ApiRootRecord { name: "default".into(), title: "Default".into(), description: None };
    store.create_api_root(root).await.expect("root");
    store
        .create_collection(CollectionRecord {
            id: "bench".into(),
            api_root: "default".into(),
            title: "Bench".into(),
            description: None,
            alias: None,
            media_types: vec![],
        })
        .await
        .expect("collection");

    let started = Instant::now();
    write(Arc::clone(&store), 0..envelopes).await;
    let secs = started.elapsed().as_secs_f64();
    let objects = (envelopes * PER_ENVELOPE) as f64;
    println!("one writer: {objects} objects in {secs:.2} s = {:.0} objects/s", objects / secs);

    let started = Instant::now();
    let tasks: Vec<_> = (0..4u64)
        .map(|t| {
            let from = envelopes * (t + 1);
            tokio::spawn(write(Arc::clone(&store), from..from + envelopes))
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let secs = started.elapsed().as_secs_f64();
    let objects = (4 * envelopes * PER_ENVELOPE) as f64;
    println!("four writers: {objects} objects in {secs:.2} s = {:.0} objects/s", objects / secs);

    let page = ObjectQuery {
        collection: "bench".into(),
        added_after: None,
        ids: vec![],
        types: vec![],
        versions: VersionFilter::last(),
        spec_versions: vec![],
        limit: 1000,
        after: None,
        with_raw: true,
    };
    time_pages(&*store, "1,000 objects with JSON", page.clone()).await;
    time_pages(&*store, "1,000-entry manifest", ObjectQuery { with_raw: false, ..page.clone() }).await;
    let typed = ObjectQuery { types: vec!["indicator".into(), "malware".into()], ..page.clone() };
    time_pages(&*store, "1,000 objects, two types", typed).await;
    let all = store.query(ObjectQuery { limit: 100_000, ..page.clone() }).await.expect("all");
    let middle = all.items[all.items.len() / 2].date_added;
    let deep = ObjectQuery { added_after: Some(middle), ..page };
    time_pages(&*store, "1,000 objects from the middle", deep).await;
}
