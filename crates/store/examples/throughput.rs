//! Measures the SQLite store's raw write and read rates.
//!
//! Run with `cargo run --release -p charter-store --example throughput`
//! (optionally `-- ENVELOPES` to change the write volume). It writes
//! envelopes of 500 indicator-sized objects (about 600 bytes of JSON each,
//! each with the audience a community collection gives: the community and,
//! for half of them, the submitting organisation too), first from one task
//! and then from four at once (where group commit shares each `fsync`), and
//! then times 1,000-object pages with and without the JSON text, unfiltered
//! and as a member of the community. It then fills a second collection
//! whose objects are spread over 100 communities and 1,000 organisations
//! (a tenth of them RED, to two organisations) and times pages as members
//! of a few communities and of all of them, and finally times release-record
//! appends made one at a time and from eight tasks. The database lives in a
//! temporary folder on the same disk as the system's temp dir, so the
//! figures include real `fsync`s.

use std::sync::Arc;
use std::time::Instant;

use charter_store::sqlite::SqliteStore;
use charter_store::{
    ApiRootRecord, AuditDraft, CollectionRecord, NewVersion, ObjectQuery, StatusRecord, Store,
    VersionFilter, VersionStamp,
};

const PER_ENVELOPE: u64 = 500;

/// The grant key of the community every object is shared with.
const COMMUNITY: &str = "community:bench";

/// A well-mixed 64-bit value of `n` (splitmix64), so ids are as random as
/// real UUIDs and inserts land all over the id index, as they do in use.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The audience of object `n` of the benchmark collection: its community,
/// and for half of them the submitting organisation too.
fn shared(n: u64) -> Vec<String> {
    if n % 2 == 0 {
        vec![COMMUNITY.into(), format!("org:submitter-{}", n % 7)]
    } else {
        vec![COMMUNITY.into()]
    }
}

/// The audience of object `n` of the spread collection: one of 100
/// communities and the submitter, one of 1,000 organisations; every tenth is
/// RED, for the submitter and one other organisation.
fn spread(n: u64) -> Vec<String> {
    let (a, b) = (mix(n ^ 0x5eed), mix(n ^ 0xfeed));
    let org = |x: u64| format!("org:o{}", x % 1000);
    if n % 10 == 0 {
        vec![org(a), org(b)]
    } else {
        vec![format!("community:c{}", a % 100), org(b)]
    }
}

fn indicator(n: u64, grants: Vec<String>) -> NewVersion {
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
        tlp: "green".into(),
        grants,
        submitter: Some(format!("submitter-{}", n % 7)),
        raw,
        original: None,
        warnings: Vec::new(),
    }
}

fn status(collection: &str, n: u64) -> StatusRecord {
    StatusRecord {
        id: format!("status-{collection}-{n}"),
        collection: collection.into(),
        owner: "bench".into(),
        request_timestamp: 0,
        successes: Vec::new(),
        failures: Vec::new(),
        pendings: Vec::new(),
    }
}

async fn write(
    store: Arc<dyn Store>,
    collection: &'static str,
    envelopes: std::ops::Range<u64>,
    audience: fn(u64) -> Vec<String>,
) {
    for e in envelopes {
        let batch = (0..PER_ENVELOPE)
            .map(|i| e * PER_ENVELOPE + i)
            .map(|n| indicator(n, audience(n)))
            .collect();
        store
            .add_objects(batch, status(collection, e), Vec::new())
            .await
            .expect("written");
    }
}

fn collection(id: &str) -> CollectionRecord {
    CollectionRecord {
        id: id.into(),
        api_root: "default".into(),
        title: id.into(),
        description: None,
        alias: None,
        media_types: vec![],
        community: None,
        default_tlp: "amber".into(),
        public: false,
    }
}

fn keys(list: &[&str]) -> Option<Vec<String>> {
    Some(list.iter().map(|k| (*k).to_owned()).collect())
}

/// Pages of the spread collection as members of a few communities and of
/// every one.
async fn spread_pages(store: Arc<dyn Store>, envelopes: u64) {
    let (started, before) = (Instant::now(), writer_times());
    write(Arc::clone(&store), "spread", 0..envelopes, spread).await;
    let objects = (envelopes * PER_ENVELOPE) as f64;
    report(
        "spread audiences, one writer",
        objects,
        started.elapsed().as_secs_f64(),
        before,
    );
    let page = ObjectQuery {
        collection: "spread".into(),
        added_after: None,
        ids: vec![],
        types: vec![],
        versions: VersionFilter::last(),
        spec_versions: vec![],
        limit: 1000,
        after: None,
        with_raw: true,
        audience: keys(&[
            "any",
            "org:o7",
            "community:c1",
            "community:c2",
            "community:c3",
        ]),
    };
    time_pages(
        &*store,
        "spread: 1,000 objects as a member of 3 of 100 communities",
        page.clone(),
    )
    .await;
    let all = store
        .query(ObjectQuery {
            limit: 100_000,
            ..page.clone()
        })
        .await
        .expect("all");
    let middle = all.items[all.items.len() / 2].date_added;
    let deep = ObjectQuery {
        added_after: Some(middle),
        ..page.clone()
    };
    time_pages(&*store, "spread: the same, from the middle", deep).await;
    let mut every: Vec<String> = (0..100).map(|c| format!("community:c{c}")).collect();
    every.extend(["any".to_owned(), "org:o7".to_owned()]);
    let everyone = ObjectQuery {
        audience: Some(every),
        ..page.clone()
    };
    time_pages(
        &*store,
        "spread: 1,000 objects as a member of all 100",
        everyone,
    )
    .await;
    let one = ObjectQuery {
        audience: keys(&["any", "org:o7", "community:c5"]),
        ..page.clone()
    };
    time_pages(
        &*store,
        "spread: 1,000 objects as a member of one community",
        one,
    )
    .await;
    let red = ObjectQuery {
        audience: keys(&["any", "org:o7"]),
        ..page
    };
    time_pages(
        &*store,
        "spread: an organisation's own and RED objects only",
        red,
    )
    .await;
}

/// Release-record appends: one at a time (each its own commit), then from
/// eight tasks at once (sharing commits).
async fn appends(store: Arc<dyn Store>) {
    let draft = |n: u64| AuditDraft {
        at: n as i64,
        actor: "analyst".into(),
        action: "release".into(),
        channel: "taxii".into(),
        detail: format!(
            r#"{{"collection":"bench","objects":[["indicator--{n}","2024-05-01T12:00:00.000Z"]]}}"#
        ),
    };
    let rounds = 2_000u64;
    let started = Instant::now();
    for n in 0..rounds {
        store.append_audit(vec![draft(n)]).await.expect("appended");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "audit, one at a time: {:.0} appends/s ({:.0} µs each)",
        rounds as f64 / secs,
        secs * 1e6 / rounds as f64
    );
    let started = Instant::now();
    let tasks: Vec<_> = (0..8u64)
        .map(|t| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                for n in 0..rounds / 8 {
                    store
                        .append_audit(vec![draft(t * rounds + n)])
                        .await
                        .expect("appended");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "audit, from eight tasks: {:.0} appends/s",
        rounds as f64 / secs
    );
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
    let used = writer_times()
        .zip(before)
        .map(|((c1, w1), (c0, w0))| (c1 - c0, w1 - w0));
    let cpu = used.map_or(String::new(), |(c, w)| {
        format!(
            "; writer on CPU {c:.2} s ({:.0} objects per CPU-second), waiting for a CPU {w:.2} s",
            objects / c
        )
    });
    println!(
        "{label}: {objects} objects in {secs:.2} s = {:.0} objects/s{cpu}",
        objects / secs
    );
}

#[tokio::main]
async fn main() {
    let envelopes: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("bench.db")).expect("open"));
    let root = ApiRootRecord {
        name: "default".into(),
        title: "Default".into(),
        description: None,
    };
    store.create_api_root(root).await.expect("root");
    store
        .create_collection(collection("bench"))
        .await
        .expect("collection");
    store
        .create_collection(collection("spread"))
        .await
        .expect("collection");

    let (started, before) = (Instant::now(), writer_times());
    write(Arc::clone(&store), "bench", 0..envelopes, shared).await;
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
            tokio::spawn(write(
                Arc::clone(&store),
                "bench",
                from..from + envelopes,
                shared,
            ))
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let secs = started.elapsed().as_secs_f64();
    report(
        "four writers",
        (4 * envelopes * PER_ENVELOPE) as f64,
        secs,
        before,
    );

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
        audience: None,
    };
    let member = Some(vec![
        "any".into(),
        "org:submitter-3".into(),
        COMMUNITY.into(),
    ]);
    time_pages(&*store, "1,000 objects with JSON", page.clone()).await;
    time_pages(
        &*store,
        "1,000-entry manifest",
        ObjectQuery {
            with_raw: false,
            ..page.clone()
        },
    )
    .await;
    let typed = ObjectQuery {
        types: vec!["indicator".into(), "malware".into()],
        ..page.clone()
    };
    time_pages(&*store, "1,000 objects, two types", typed).await;
    let all = store
        .query(ObjectQuery {
            limit: 100_000,
            ..page.clone()
        })
        .await
        .expect("all");
    let middle = all.items[all.items.len() / 2].date_added;
    let deep = ObjectQuery {
        added_after: Some(middle),
        ..page.clone()
    };
    time_pages(&*store, "1,000 objects from the middle", deep).await;
    let filtered = ObjectQuery {
        audience: member.clone(),
        ..page.clone()
    };
    time_pages(
        &*store,
        "1,000 objects as a community member",
        filtered.clone(),
    )
    .await;
    let listed = ObjectQuery {
        with_raw: false,
        ..filtered.clone()
    };
    time_pages(
        &*store,
        "1,000-entry manifest as a community member",
        listed,
    )
    .await;
    let typed = ObjectQuery {
        types: vec!["indicator".into(), "malware".into()],
        ..filtered
    };
    time_pages(
        &*store,
        "1,000 objects, two types, as a community member",
        typed,
    )
    .await;

    spread_pages(Arc::clone(&store), 2 * envelopes).await;
    appends(store).await;
}
