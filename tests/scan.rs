//! `charter scan`, `charter export-sensor` and the HTTP lookup, end to end on the real
//! binary: the IPsum feed (`tests/data/ipsum.txt`, about 120,000 addresses) as indicators, a
//! generated Zeek conn log with planted hits, revocations, warning lists, and two members of
//! which only one may read the indicators.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use crate::util::{ADMIN_PASSWORD, TestServer, charter, charter_ok, data_file};

const PASSWORD: (&str, &str) = ("CHARTER_USER_PASSWORD", "member-password");

/// The IPsum addresses, in feed order.
fn ipsum() -> Vec<String> {
    std::fs::read_to_string(data_file("ipsum.txt"))
        .expect("ipsum.txt readable")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

fn indicator_id(n: usize) -> String {
    format!("indicator--{n:08x}-0000-4000-8000-{n:012x}")
}

fn indicator(n: usize, ip: &str, modified: &str, revoked: bool) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1", "id": indicator_id(n),
        "created": "2026-01-01T00:00:00.000Z", "modified": modified,
        "name": "IPsum", "pattern": format!("[ipv4-addr:value = '{ip}']"),
        "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z", "revoked": revoked
    })
}

fn write_jsonl(path: &Path, objects: impl IntoIterator<Item = Value>) {
    let mut text = String::new();
    for o in objects {
        writeln!(text, "{o}").expect("string write");
    }
    std::fs::write(path, text).expect("write JSON Lines");
}

/// A node with the members `ana` (Grid plc, reads and writes the default collection) and
/// `outsider` (Other ltd, no rights).
fn members(data: &Path) {
    charter_ok(data, &["org", "add", "Grid plc", "--country", "GB"], &[]);
    charter_ok(data, &["org", "add", "Other ltd", "--country", "US"], &[]);
    charter_ok(
        data,
        &["user", "add", "ana", "--org", "Grid plc"],
        &[PASSWORD],
    );
    charter_ok(
        data,
        &["user", "add", "outsider", "--org", "Other ltd"],
        &[PASSWORD],
    );
    charter_ok(
        data,
        &["user", "grant", "ana", "default", "--read", "--write"],
        &[],
    );
}

/// A Zeek conn log of `lines` connections to addresses not in `feed`, except at the
/// planted lines, which connect to the given feed address. Returns the log's path and the
/// planted (line number, address) pairs.
fn conn_log(
    dir: &Path,
    feed: &[String],
    lines: usize,
) -> (std::path::PathBuf, BTreeSet<(u64, String)>) {
    let known: std::collections::HashSet<&str> = feed.iter().map(String::as_str).collect();
    let mut text = String::from(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n\
         #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\n\
         #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\n",
    );
    let header_lines = 7;
    let mut planted = BTreeSet::new();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..lines {
        let line = (header_lines + i + 1) as u64;
        let resp = if i % 997 == 500 {
            let ip = feed[(i * 7919) % feed.len()].clone();
            planted.insert((line, ip.clone()));
            ip
        } else {
            loop {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let b = state.to_be_bytes();
                let ip = format!("{}.{}.{}.{}", 1 + b[0] % 223, b[1], b[2], 1 + b[3] % 254);
                if !known.contains(ip.as_str()) {
                    break ip;
                }
            }
        };
        writeln!(
            text,
            "{}.250000\tC{i}\t10.0.{}.{}\t{}\t{resp}\t443\ttcp\tssl",
            1_767_225_600 + i,
            i / 250 % 250,
            i % 250 + 1,
            40_000 + i % 20_000
        )
        .expect("string write");
    }
    let path = dir.join("conn.log");
    std::fs::write(&path, text).expect("write conn.log");
    (path, planted)
}

/// The (position, value) pairs of a scan's output.
fn hits(out: &str) -> BTreeSet<(u64, String)> {
    out.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            assert_eq!(v["tlp"], "TLP:AMBER");
            assert_eq!(v["name"], "IPsum");
            (
                v["position"].as_u64().expect("position"),
                v["value"].as_str().expect("value").to_owned(),
            )
        })
        .collect()
}

#[test]
fn ipsum_feed_finds_every_planted_hit_and_nothing_else() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let feed = ipsum();
    assert!(feed.len() > 100_000, "{} addresses", feed.len());
    members(&data);
    let feed_file = dir.path().join("ipsum.jsonl");
    write_jsonl(
        &feed_file,
        feed.iter()
            .enumerate()
            .map(|(n, ip)| indicator(n, ip, "2026-01-01T00:00:00.000Z", false)),
    );
    let out = charter_ok(
        &data,
        &["ingest", "--quiet", feed_file.to_str().expect("utf-8")],
        &[],
    );
    assert!(
        out.contains(&format!("{} accepted, 0 rejected", feed.len())),
        "{out}"
    );

    let (log, planted) = conn_log(dir.path(), &feed, 60_000);
    assert!(planted.len() >= 50, "{} planted", planted.len());
    let log = log.to_str().expect("utf-8");
    let found = hits(&charter_ok(&data, &["scan", "--as", "ana", log], &[]));
    assert_eq!(found, planted, "every planted hit, and no other");

    // A member without access to the indicators gets no match from them.
    let out = charter_ok(&data, &["scan", "--as", "outsider", log], &[]);
    assert_eq!(out, "", "the outsider sees no indicator");

    // Revoked after loading: a newer version with revoked = true stops matching.
    let revoked: Vec<(u64, String)> = planted.iter().take(10).cloned().collect();
    let revoke_file = dir.path().join("revoke.jsonl");
    write_jsonl(
        &revoke_file,
        revoked.iter().map(|(_, ip)| {
            let n = feed.iter().position(|f| f == ip).expect("a feed address");
            indicator(n, ip, "2026-01-02T00:00:00.000Z", true)
        }),
    );
    charter_ok(
        &data,
        &["ingest", "--quiet", revoke_file.to_str().expect("utf-8")],
        &[],
    );
    let found = hits(&charter_ok(
        &data,
        &["scan", "--as", "ana", "--report", log],
        &[],
    ));
    let still: BTreeSet<(u64, String)> = planted
        .iter()
        .filter(|p| !revoked.contains(p))
        .cloned()
        .collect();
    assert_eq!(found, still);

    // The report: one sighting per matched indicator, where ana's organisation is.
    let export = charter_ok(
        &data,
        // As ana: her organisation sees its sightings as submitted (others see the
        // node's pseudonym for the submitter, as for any anonymous submission).
        &[
            "export", "--type", "sighting", "--format", "jsonl", "--as", "ana",
        ],
        &[],
    );
    let sightings: Vec<Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let distinct: BTreeSet<&str> = still.iter().map(|(_, ip)| ip.as_str()).collect();
    assert_eq!(sightings.len(), distinct.len());
    let orgs: Value =
        serde_json::from_str(&charter_ok(&data, &["org", "list", "--json"], &[])).expect("JSON");
    let grid = orgs
        .as_array()
        .and_then(|l| l.iter().find(|o| o["name"] == "Grid plc"))
        .and_then(|o| o["identity_id"].as_str().map(str::to_owned))
        .expect("Grid plc's identity");
    let total: u64 = sightings
        .iter()
        .map(|s| s["count"].as_u64().expect("count"))
        .sum();
    assert_eq!(total as usize, still.len());
    for s in &sightings {
        assert_eq!(s["where_sighted_refs"], json!([grid]));
        assert!(s["first_seen"].as_str() <= s["last_seen"].as_str());
    }
}

fn small_node(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("data");
    members(&data);
    let objects = dir.join("indicators.jsonl");
    write_jsonl(
        &objects,
        [
            indicator(1, "203.0.113.7", "2026-01-01T00:00:00.000Z", false),
            indicator(2, "8.8.8.8", "2026-01-01T00:00:00.000Z", false),
        ],
    );
    charter_ok(
        &data,
        &["ingest", "--quiet", objects.to_str().expect("utf-8")],
        &[],
    );
    let lists = data_file("warninglists");
    let config = dir.join("charter.toml");
    std::fs::write(
        &config,
        format!("warninglists = {:?}\n", lists.to_str().expect("utf-8")),
    )
    .expect("config");
    data
}

#[test]
fn sensor_exports_from_the_cli_follow_rights_and_warning_lists() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = small_node(dir.path());
    let config = dir.path().join("charter.toml");
    let config = config.to_str().expect("utf-8");
    let zeek = charter_ok(
        &data,
        &[
            "export-sensor",
            "--format",
            "zeek",
            "--as",
            "ana",
            "--config",
            config,
        ],
        &[],
    );
    assert!(
        zeek.contains("# Highest TLP of the contents: TLP:AMBER"),
        "{zeek}"
    );
    assert!(zeek.contains("203.0.113.7\tIntel::ADDR\tcharter\t"));
    assert!(!zeek.contains("8.8.8.8"), "on a warning list: left out");
    let all = charter_ok(
        &data,
        &[
            "export-sensor",
            "--format",
            "csv",
            "--include-warninglisted",
            "--config",
            config,
        ],
        &[],
    );
    assert!(all.contains("8.8.8.8,ip,"), "{all}");
    assert!(all.contains("List of known IPv4 public DNS resolvers"));
    let none = charter_ok(
        &data,
        &["export-sensor", "--format", "suricata", "--as", "outsider"],
        &[],
    );
    assert!(!none.contains("alert"), "{none}");
    let bad = charter(
        &data,
        &[
            "export-sensor",
            "--format",
            "suricata",
            "--max-tlp",
            "purple",
        ],
        &[],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--max-tlp: 'purple' is not"));

    // Scans leave warning-listed indicators out too, unless asked.
    let values = dir.path().join("values.txt");
    std::fs::write(&values, "8.8.8.8\n203.0.113.7\n").expect("values");
    let v = values.to_str().expect("utf-8");
    let out = charter_ok(&data, &["scan", "--config", config, v], &[]);
    assert_eq!(out.lines().count(), 1, "{out}");
    let out = charter_ok(
        &data,
        &["scan", "--config", config, "--include-warninglisted", v],
        &[],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[tokio::test]
async fn http_lookups_answer_only_what_the_caller_may_see() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = small_node(dir.path());
    let server = TestServer::start_in(&data, &[("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD)]);
    let ana = ("ana", PASSWORD.1);
    let body: Value = server
        .get("/api/v1/lookup?value=203.0.113.7", ana)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["results"][0]["indicators"][0]["id"], indicator_id(1));
    let body: Value = server
        .get("/api/v1/lookup?value=203.0.113.7", ("outsider", PASSWORD.1))
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["results"][0]["indicators"], json!([]));
    let reply = reqwest::Client::new()
        .post(server.url("/api/v1/lookup"))
        .basic_auth("ana", Some(PASSWORD.1))
        .json(&json!({"values": ["203.0.113.7", "198.51.100.1"]}))
        .send()
        .await
        .expect("POST");
    let body: Value = reply.json().await.expect("JSON");
    assert_eq!(
        body["results"][0]["indicators"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(body["results"][1]["indicators"], json!([]));
    let reply = server.get("/api/v1/export?format=blocklist", ana).await;
    assert_eq!(reply.status(), 200);
    let text = reply.text().await.expect("text");
    assert!(text.contains("203.0.113.7"), "{text}");

    // A revocation ingested by another process on the same data folder reaches the
    // server's next lookup: its lookup index reads what the database gained.
    let revoke = dir.path().join("revoke.jsonl");
    write_jsonl(
        &revoke,
        [indicator(
            1,
            "203.0.113.7",
            "2026-02-01T00:00:00.000Z",
            true,
        )],
    );
    charter_ok(
        &data,
        &["ingest", "--quiet", revoke.to_str().expect("utf-8")],
        &[],
    );
    let body: Value = server
        .get("/api/v1/lookup?value=203.0.113.7", ana)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["results"][0]["indicators"], json!([]));
}
