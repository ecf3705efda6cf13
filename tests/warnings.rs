//! Warning lists end to end on the real binary: `charter ingest` flags indicators and says
//! how many by which lists, `charter serve` lists them at `GET /api/v1/warnings` (to those
//! who may read them) and leaves them out of exports unless asked, a TAXII status names a
//! flagged indicator's lists, and a change of lists re-flags what is stored: in the
//! background at `charter serve` start, and first thing in `charter export-sensor`.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::{ADMIN_PASSWORD, TestServer, charter, charter_ok};

const PASSWORD: (&str, &str) = ("CHARTER_USER_PASSWORD", "member-password");
const ANA: (&str, &str) = ("ana", "member-password");
const OUTSIDER: (&str, &str) = ("outsider", "member-password");

fn id(n: usize) -> String {
    format!("indicator--{n:08x}-1111-4000-8000-{n:012x}")
}

fn indicator(n: usize, pattern: &str) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1", "id": id(n),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("case {n}"), "pattern": pattern,
        "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"
    })
}

fn write_list(dir: &Path, name: &str, kind: &str, entries: &[&str]) {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).expect("list folder");
    let list = json!({"name": name, "type": kind, "list": entries, "description": "test"});
    std::fs::write(folder.join("list.json"), list.to_string()).expect("list written");
}

/// A node with `ana` (Grid plc, reads and writes the default collection) and `outsider`
/// (no rights), the lists `public-dns-v4` and `rfc1918` in `lists/`, and a configuration
/// naming them (relative to the configuration's folder). Returns the data folder and the
/// configuration's path.
fn node(dir: &Path) -> (std::path::PathBuf, String) {
    let data = dir.join("data");
    charter_ok(&data, &["org", "add", "Grid plc", "--country", "GB"], &[]);
    charter_ok(&data, &["org", "add", "Other ltd", "--country", "US"], &[]);
    charter_ok(
        &data,
        &["user", "add", "ana", "--org", "Grid plc"],
        &[PASSWORD],
    );
    charter_ok(
        &data,
        &["user", "add", "outsider", "--org", "Other ltd"],
        &[PASSWORD],
    );
    charter_ok(
        &data,
        &["user", "grant", "ana", "default", "--read", "--write"],
        &[],
    );
    let lists = dir.join("lists");
    write_list(&lists, "public-dns-v4", "string", &["8.8.8.8", "1.1.1.1"]);
    write_list(&lists, "rfc1918", "cidr", &["10.0.0.0/8", "192.168.0.0/16"]);
    let config = dir.join("charter.toml");
    std::fs::write(&config, "warninglists = \"lists\"\n").expect("config");
    (data, config.to_str().expect("utf-8").to_owned())
}

/// The ids the warnings listing shows `who`, with their lists.
async fn listed(server: &TestServer, who: (&str, &str)) -> Vec<(String, Value)> {
    let reply = server.get("/api/v1/warnings", who).await;
    assert_eq!(reply.status(), 200);
    let body: Value = reply.json().await.expect("JSON");
    body["indicators"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap_or_default().to_owned(),
                i["lists"].clone(),
            )
        })
        .collect()
}

/// The non-comment lines of a blocklist export, sorted.
async fn blocklist(server: &TestServer, query: &str) -> Vec<String> {
    let reply = server
        .get(&format!("/api/v1/export?format=blocklist{query}"), ANA)
        .await;
    assert_eq!(reply.status(), 200);
    let text = reply.text().await.expect("text");
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn flags_from_ingest_reach_the_api_and_exports_and_follow_changed_lists() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, config) = node(dir.path());
    let objects = dir.path().join("indicators.jsonl");
    let lines: Vec<String> = [
        indicator(1, "[ipv4-addr:value = '8.8.8.8']"),
        indicator(
            2,
            "[ipv4-addr:value = '1.1.1.1' OR ipv4-addr:value = '10.1.1.1']",
        ),
        indicator(3, "[ipv4-addr:value = '203.0.113.7']"),
        indicator(4, "[ipv4-addr:value = '10.2.3.4']"),
    ]
    .iter()
    .map(Value::to_string)
    .collect();
    std::fs::write(&objects, lines.join("\n")).expect("objects");
    let out = charter_ok(
        &data,
        &[
            "ingest",
            "--quiet",
            "--config",
            &config,
            objects.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert!(out.contains("4 accepted, 0 rejected"), "{out}");
    assert!(
        out.contains("flagged 3 (public-dns-v4: 2, rfc1918: 2)"),
        "{out}"
    );

    let server = TestServer::start_with(
        &data,
        &["--config", &config],
        &[("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    );
    assert_eq!(
        listed(&server, ANA).await,
        vec![
            (id(1), json!(["public-dns-v4"])),
            (id(2), json!(["public-dns-v4", "rfc1918"])),
            (id(4), json!(["rfc1918"])),
        ]
    );
    assert!(
        listed(&server, OUTSIDER).await.is_empty(),
        "no read access, no listing"
    );
    assert_eq!(blocklist(&server, "").await, ["203.0.113.7"]);
    assert_eq!(
        blocklist(&server, "&include_warninglisted=true").await,
        ["1.1.1.1", "10.1.1.1", "10.2.3.4", "203.0.113.7", "8.8.8.8"]
    );
    let body: Value = server
        .get("/api/v1/lookup?value=10.2.3.4", ANA)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        body["results"][0]["indicators"][0]["warninglist"],
        "rfc1918"
    );
    // Over TAXII, the status names the lists.
    let reply = server
        .post_objects(
            server.default_objects(),
            ANA,
            &[indicator(5, "[ipv4-addr:value = '192.168.7.7']")],
        )
        .await;
    assert_eq!(reply.status(), 202);
    let status: Value = reply.json().await.expect("JSON");
    assert_eq!(
        status["successes"][0]["message"],
        "on warning list: rfc1918"
    );
    drop(server);

    // Without rfc1918, a new start re-flags in the background.
    std::fs::remove_dir_all(dir.path().join("lists/rfc1918")).expect("list removed");
    let server = TestServer::start_with(
        &data,
        &["--config", &config],
        &[("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    );
    let expected = vec![
        (id(1), json!(["public-dns-v4"])),
        (id(2), json!(["public-dns-v4"])),
    ];
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = listed(&server, ANA).await;
        if now == expected {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the flags were not recomputed: {now:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        blocklist(&server, "").await,
        ["10.2.3.4", "192.168.7.7", "203.0.113.7"],
        "10.1.1.1 goes with its indicator, still flagged for 1.1.1.1"
    );
    drop(server);

    // The lists back: the command re-flags before it exports.
    write_list(
        &dir.path().join("lists"),
        "rfc1918",
        "cidr",
        &["10.0.0.0/8", "192.168.0.0/16"],
    );
    let run = charter(
        &data,
        &[
            "export-sensor",
            "--format",
            "blocklist",
            "--config",
            &config,
        ],
        &[],
    );
    assert_eq!(run.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("re-flagged 5 indicator versions against the warning lists (3 changed)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    let values: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert_eq!(values, ["203.0.113.7"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charter_migrate_carries_the_flags_and_a_postgresql_node_flags_as_sqlite_does() {
    let Some(db) = crate::util::PgDatabase::create() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (data, config) = node(dir.path());
    let objects = dir.path().join("indicators.jsonl");
    let lines: Vec<String> = [
        indicator(1, "[ipv4-addr:value = '8.8.8.8']"),
        indicator(2, "[ipv4-addr:value = '203.0.113.7']"),
        indicator(3, "[ipv4-addr:value = '10.2.3.4']"),
    ]
    .iter()
    .map(Value::to_string)
    .collect();
    std::fs::write(&objects, lines.join("\n")).expect("objects");
    let out = charter_ok(
        &data,
        &[
            "ingest",
            "--quiet",
            "--config",
            &config,
            objects.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert!(
        out.contains("flagged 2 (public-dns-v4: 1, rfc1918: 1)"),
        "{out}"
    );
    // A command that reads indicators records which lists the flags are from.
    charter_ok(
        &data,
        &["export-sensor", "--format", "zeek", "--config", &config],
        &[],
    );

    let from = format!("sqlite:{}", data.join("charter.db").display());
    let out = std::process::Command::new(crate::util::charter_bin())
        .args(["migrate", "--from", &from, "--to", &db.url])
        .output()
        .expect("charter migrate runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored = db.execute("SELECT count(*) FROM warnings");
    assert_eq!(stored[0][0].as_deref(), Some("2"));
    let fingerprint = db.execute("SELECT fingerprint FROM warning_lists");
    assert!(
        fingerprint[0][0]
            .as_deref()
            .is_some_and(|f| f.len() == 64 && f.bytes().all(|b| b.is_ascii_hexdigit())),
        "the lists' fingerprint, not a marker: {fingerprint:?}"
    );

    let server = TestServer::start_with(
        &data,
        &["--config", &config],
        &[
            ("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD),
            ("CHARTER_DATABASE_URL", &db.url),
        ],
    );
    assert_eq!(
        listed(&server, ANA).await,
        vec![
            (id(1), json!(["public-dns-v4"])),
            (id(3), json!(["rfc1918"]))
        ]
    );
    let reply = server
        .post_objects(
            server.default_objects(),
            ANA,
            &[indicator(4, "[ipv4-addr:value = '1.1.1.1']")],
        )
        .await;
    let status: Value = reply.json().await.expect("JSON");
    assert_eq!(
        status["successes"][0]["message"],
        "on warning list: public-dns-v4"
    );
    assert_eq!(blocklist(&server, "").await, ["203.0.113.7"]);
}
