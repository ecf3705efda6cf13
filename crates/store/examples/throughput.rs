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

/// A well-mixed 64-bit value of `n` (splitmix64), so ids are as random as
/// real UUIDs and inserts land all over the id index, as they do in use.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn indicator(n: u64) -> NewVersion {
    let (a, b) = (mix(n), mix(!n));
    let id = format!(
        "indicator--{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    );
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
    println!(
        "{label}: {:.2} ms per page ({} rows)",
        each.as_secs_f64() * 1e3,
        rows / rounds as usize
    );
}

/// The store's writer thread's CPU seconds so far and its seconds spent
/// runnable but waiting for a CPU, from `/proc` (Linux only; `None`
/// elsewhere). The second says how much a busy machine slowed the run.
fn writer_times() -> Option<(f64, f64)> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim_end() == "sqlite-writer" {
            // schedstat: nanoseconds on a CPU, nanoseconds waiting for one.
            let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            let mut fields = stat.split_whitespace().map(|f| f.parse::<f64>().ok());
            let (on_cpu, waiting) = (fields.next()??, fields.next()??);
            return Some((on_cpu / 1e9, waiting / 1e9));
        }
    }
    None
}

fn report(label: &str, objects: f64, secs: f64, before: Option<(f64, f64)>) {
    let used = writer_times().zip(before).map(|((c1, w1), (c0, w0))| (c1 - c0, w1 - w0));
    let cpu = used.map_or(String::new(), |(c, w)| {
        format!(
            "; writer on CPU {c:.2} s ({:.0} objects per CPU-second), waiting for a CPU {w:.2} s",
            objects / c
        )
    });
    println!("{label}: {objects} objects in {secs:.2} s = {:.0} objects/s{cpu}", objects / secs);
}

#[tokio::main]
async fn main() {
    let envelopes: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("bench.db")).expect("open"));
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

    let (started, before) = (Instant::now(), writer_times());
    write(Arc::clone(&store), 0..envelopes).await;
    report(
        "one writer",
        (envelopes * PER_ENVELOPE) as f64,
        started.elapsed().as_secs_f64(),
        before,
    );

    let (started, before) = (Instant::now(), writer_times());
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
    report("four writers", (4 * envelopes * PER_ENVELOPE) as f64, secs, before);

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
    time_pages(&*store, "1,000-entry manifest", ObjectQuery { with_raw: false, ..page.clone() })
        .await;
    let typed = ObjectQuery { types: vec!["indicator".into(), "malware".into()], ..page.clone() };
    time_pages(&*store, "1,000 objects, two types", typed).await;
    let all = store.query(ObjectQuery { limit: 100_000, ..page.clone() }).await.expect("all");
    let middle = all.items[all.items.len() / 2].date_added;
    let deep = ObjectQuery { added_after: Some(middle), ..page };
    time_pages(&*store, "1,000 objects from the middle", deep).await;
}
