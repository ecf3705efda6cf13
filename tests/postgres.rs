//! Several servers on one PostgreSQL database, lookups through one server
//! following writes through another, and moving a node from its SQLite file
//! into PostgreSQL with `charter migrate`.
//!
//! Each test gets a database of its own (see `PgDatabase`); without a
//! reachable server they fail in CI and say loudly that they did not run
//! elsewhere.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use crate::util::{PgDatabase, TAXII, TestServer, admin, charter_bin, charter_ok, indicator};

const WRITERS: usize = 3;
const ENVELOPES: usize = 8;
const PER_ENVELOPE: usize = 25;

/// Every manifest record of the default collection through `server`, with
/// `match[version]=all`, paged with `next` in pages of `limit`.
async fn manifest(server: &TestServer, limit: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let mut path =
            format!("/default/collections/default/manifest/?match[version]=all&limit={limit}");
        if let Some(n) = &next {
            path.push_str(&format!("&next={n}"));
        }
        let body = server.get_json(&path).await;
        out.extend(body["objects"].as_array().cloned().unwrap_or_default());
        match body["next"].as_str() {
            Some(n) if body["more"] == true => next = Some(n.to_owned()),
            _ => return out,
        }
    }
}

/// Runs `charter migrate --from FROM --to TO`.
fn migrate(from: &str, to: &str) -> std::process::Output {
    std::process::Command::new(charter_bin())
        .args(["migrate", "--from", from, "--to", to])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("charter migrate runs")
}

fn date_added(record: &Value) -> String {
    record["date_added"]
        .as_str()
        .expect("date_added")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_on_one_database_stay_consistent() {
    let Some(db) = PgDatabase::create() else {
        return;
    };
    // Started together on a new database: they migrate and bootstrap once.
    let servers: Vec<TestServer> = std::thread::scope(|s| {
        let started: Vec<_> = (0..3)
            .map(|_| s.spawn(|| TestServer::start_on(&db.url)))
            .collect();
        started
            .into_iter()
            .map(|h| h.join().expect("a server started"))
            .collect()
    });
    let servers = std::sync::Arc::new(servers);

    // Writers post through every server at once, while a reader pages
    // through the collection on another server with `next` and then
    // `added_after`, as a polling TAXII client does.
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let servers = std::sync::Arc::clone(&servers);
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for e in 0..ENVELOPES {
                    let objects: Vec<Value> = (0..PER_ENVELOPE)
                        .map(|n| indicator(w * 100_000 + e * 1000 + n))
                        .collect();
                    let server = &servers[(w + e) % servers.len()];
                    let resp = server
                        .post_objects(server.default_objects(), admin(), &objects)
                        .await;
                    assert_eq!(resp.status(), 202);
                    let status: Value = resp.json().await.expect("status");
                    assert_eq!(status["status"], "complete");
                    statuses.push(status);
                }
                statuses
            })
        })
        .collect();
    let reader = {
        let servers = std::sync::Arc::clone(&servers);
        tokio::spawn(async move {
            let server = &servers[2];
            let total = WRITERS * ENVELOPES * PER_ENVELOPE;
            let mut seen: Vec<Value> = Vec::new();
            let mut after: Option<String> = None;
            for _ in 0..2000 {
                let mut path =
                    "/default/collections/default/manifest/?match[version]=all&limit=9".to_owned();
                if let Some(a) = &after {
                    path.push_str(&format!("&added_after={a}"));
                }
                let body = server.get_json(&path).await;
                let page = body["objects"].as_array().cloned().unwrap_or_default();
                if let Some(last) = page.last() {
                    after = Some(date_added(last));
                } else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                seen.extend(page);
                if seen.len() >= total {
                    break;
                }
            }
            seen
        })
    };
    let mut statuses = Vec::new();
    for w in writers {
        statuses.extend(w.await.expect("writer"));
    }
    let seen = reader.await.expect("reader");

    // Every status resource reads the same through every server.
    for status in &statuses {
        let id = status["id"].as_str().expect("status id");
        for server in servers.iter() {
            let again = server.get_json(&format!("/default/status/{id}/")).await;
            assert_eq!(again["success_count"], PER_ENVELOPE, "status {id}");
            assert_eq!(again["status"], "complete");
        }
    }

    // One order of date_added, strictly increasing, seen alike everywhere.
    let total = WRITERS * ENVELOPES * PER_ENVELOPE;
    let mut orders = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        let records = manifest(server, 40 + i * 13).await;
        assert_eq!(records.len(), total, "server {i} sees every version");
        let order: Vec<String> = records.iter().map(date_added).collect();
        assert!(
            order.windows(2).all(|w| w[0] < w[1]),
            "server {i}: in order"
        );
        orders.push(order);
    }
    assert!(orders.windows(2).all(|w| w[0] == w[1]), "one order");
    // The poller skipped nothing and repeated nothing while writes landed.
    let polled: Vec<String> = seen.iter().map(date_added).collect();
    assert_eq!(
        polled, orders[0],
        "polling saw every version once, in order"
    );
    let ids: HashSet<&str> = seen.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids.len(), total);

    // The release record is one chain: every write and read of every server.
    let out = charter_ok(
        &servers[0].data,
        &["audit", "verify"],
        &[("CHARTER_DATABASE_URL", &db.url)],
    );
    assert!(out.contains(": intact"), "{out}");
}

/// The ids each value of a lookup through `server` matched.
async fn lookup(server: &TestServer, values: &[String]) -> Vec<Vec<String>> {
    let resp = reqwest::Client::new()
        .post(server.url("/api/v1/lookup"))
        .basic_auth(admin().0, Some(admin().1))
        .json(&serde_json::json!({ "values": values }))
        .send()
        .await
        .expect("request sent");
    assert_eq!(resp.status(), 200, "lookup");
    let body: Value = resp.json().await.expect("JSON body");
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["indicators"]
                .as_array()
                .expect("indicators")
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned())
                .collect()
        })
        .collect()
}

fn id(n: usize) -> String {
    indicator(n)["id"].as_str().expect("id").to_owned()
}

fn address(n: usize) -> String {
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_through_one_server_follow_writes_through_another() {
    let Some(db) = PgDatabase::create() else {
        return;
    };
    let a = TestServer::start_on(&db.url);
    let b = std::sync::Arc::new(TestServer::start_on(&db.url));

    // While envelopes are posted through A, lookups through B find every value A
    // acknowledged before the lookup began.
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<usize>::new()));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let looker = {
        let (b, acked, done) = (b.clone(), acked.clone(), done.clone());
        tokio::spawn(async move {
            let mut lookups = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) || lookups == 0 {
                let known: Vec<usize> = acked.lock().expect("list").clone();
                let values: Vec<String> = known.iter().map(|n| address(*n)).collect();
                let found = lookup(&b, &values).await;
                for (n, ids) in known.iter().zip(found) {
                    assert_eq!(ids, [id(*n)], "value {n}");
                }
                lookups += 1;
            }
            lookups
        })
    };
    for e in 0..12 {
        let objects: Vec<Value> = (0..5).map(|i| indicator(e * 5 + i)).collect();
        let resp = a.post_objects(a.default_objects(), admin(), &objects).await;
        assert_eq!(resp.status(), 202);
        acked
            .lock()
            .expect("list")
            .extend((0..5).map(|i| e * 5 + i));
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let lookups = looker.await.expect("looker");
    assert!(lookups > 1, "{lookups} lookups");
    let all: Vec<String> = (0..60).map(address).collect();
    assert!(lookup(&b, &all).await.iter().all(|ids| ids.len() == 1));

    // A revocation and a new pattern, written through A, change B's next answer.
    let mut revoked = indicator(0);
    revoked["modified"] = "2026-02-01T00:00:00.000Z".into();
    revoked["revoked"] = true.into();
    let mut moved = indicator(1);
    moved["modified"] = "2026-02-01T00:00:00.000Z".into();
    moved["pattern"] = "[ipv4-addr:value = '192.0.2.1']".into();
    let resp = a
        .post_objects(a.default_objects(), admin(), &[revoked, moved])
        .await;
    assert_eq!(resp.status(), 202);
    let values = [address(0), address(1), "192.0.2.1".to_owned(), address(2)];
    assert_eq!(
        lookup(&b, &values).await,
        [vec![], vec![], vec![id(1)], vec![id(2)]]
    );

    // So does a deletion: it leaves no newer version, and B finds it in the release record.
    let resp = reqwest::Client::new()
        .delete(a.url(&format!("/default/collections/default/objects/{}/", id(2))))
        .basic_auth(admin().0, Some(admin().1))
        .header("Accept", TAXII)
        .send()
        .await
        .expect("request sent");
    assert_eq!(resp.status(), 200, "deleted");
    assert_eq!(
        lookup(&b, &values).await,
        [vec![], vec![], vec![id(1)], vec![]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_moves_from_sqlite_to_postgres_and_an_interrupted_move_finishes() {
    let Some(db) = PgDatabase::create() else {
        return;
    };
    // A node on SQLite with objects, statuses and a release record.
    let mut old = TestServer::start();
    let objects: Vec<Value> = (0..3000).map(indicator).collect();
    let mut status_ids = Vec::new();
    for chunk in objects.chunks(500) {
        let resp = old
            .post_objects(old.default_objects(), admin(), chunk)
            .await;
        assert_eq!(resp.status(), 202);
        let status: Value = resp.json().await.expect("status");
        status_ids.push(status["id"].as_str().expect("id").to_owned());
    }
    let before = manifest(&old, 1000).await;
    old.kill();
    let file = old.data.join("charter.db");
    let from = format!("sqlite:{}", file.display());

    // Interrupted: killed at an arbitrary point, then cut back to a prefix
    // of its batches as a crash between two of them would leave it.
    let mut first = std::process::Command::new(charter_bin())
        .args(["migrate", "--from", &from, "--to", &db.url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("migrate starts");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = first.kill();
    let _ = first.wait();
    let out = migrate(&from, &db.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db.execute(
        "DELETE FROM objects WHERE seq > (SELECT min(seq) + 1200 FROM objects);
         DELETE FROM audit WHERE seq > 2;
         DELETE FROM statuses WHERE id <> (SELECT min(id) FROM statuses);",
    );

    let out = migrate(&from, &db.url);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains("objects") && report.contains("3000 rows"),
        "{report}"
    );
    assert!(report.contains("verified"), "{report}");
    let dupes = db.execute(
        "SELECT count(*) FROM (SELECT id FROM objects GROUP BY id, version_key
                               HAVING count(*) > 1) AS d",
    );
    assert_eq!(dupes[0][0].as_deref(), Some("0"), "no duplicates");

    // The node runs on PostgreSQL as it ran on SQLite.
    let new = TestServer::start_on(&db.url);
    let after = manifest(&new, 1000).await;
    assert_eq!(after, before, "same versions, same date_added, same order");
    for id in &status_ids {
        let status = new.get_json(&format!("/default/status/{id}/")).await;
        assert_eq!(status["success_count"], 500);
    }
    let verified = charter_ok(
        &new.data,
        &["audit", "verify"],
        &[("CHARTER_DATABASE_URL", &db.url)],
    );
    assert!(verified.contains(": intact"), "{verified}");

    // A database holding another node's record is refused.
    let other = PgDatabase::create().expect("a second database");
    drop(TestServer::start_on(&other.url));
    let out = migrate(&from, &other.url);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("another release record"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
