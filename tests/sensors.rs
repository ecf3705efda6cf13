//! Sensor exports loaded by the real sensor: Suricata's own rule parser (`suricata -T`)
//! checks every rule Charter writes, from the CLI and from the JSON API, for indicators of
//! every kind a rule can carry, with hostile bytes in names and values.
//!
//! `scripts/test` installs Suricata (Debian's package, from bookworm-backports). Where it is
//! missing these tests fail under `CI=true` and say loudly that they did not run otherwise.
//! Zeek is not packaged for Debian, so its Intel file is checked against the documented
//! format in `charter-intel`'s tests.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::util::{TestServer, admin, charter_ok};

/// Indicators of every kind a Suricata rule can carry, and some it cannot.
fn indicators() -> Vec<Value> {
    let ind = |n: u32, name: &str, pattern: &str| {
        json!({
            "type": "indicator", "spec_version": "2.1",
            "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "name": name, "pattern": pattern, "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z"
        })
    };
    vec![
        ind(
            1,
            "C2 \"server\"; rev:9; \\ | end",
            "[ipv4-addr:value = '203.0.113.7']",
        ),
        ind(
            2,
            "range",
            "[ipv4-addr:value = '198.51.100.0/24'] OR [ipv6-addr:value = '2001:DB8::1']",
        ),
        ind(3, "v6 net", "[ipv6-addr:value ISSUBSET '2001:db8:ff::/48']"),
        ind(
            4,
            "name in capitals",
            "[domain-name:value = 'Evil.Example.COM']",
        ),
        ind(
            5,
            "several names",
            "[domain-name:value IN ('a.example', 'b.example', 'xn--bcher-kva.example')]",
        ),
        ind(
            6,
            "url with specials",
            "[url:value = 'http://Bad.Example.net:8080/a;b|c\"d\\\\e?x=1&y=%22']",
        ),
        ind(7, "url without path", "[url:value = 'https://c.example']"),
        ind(
            8,
            "unicode ünïcode – name",
            "[url:value = 'http://d.example/päth/ü']",
        ),
        ind(
            9,
            "hash",
            "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        ),
        ind(10, "process", "[process:name = 'evil.exe']"),
    ]
}

fn write_jsonl(path: &Path, objects: &[Value]) {
    let text: String = objects.iter().map(|o| format!("{o}\n")).collect();
    std::fs::write(path, text).expect("write JSON Lines");
}

/// Whether Suricata is here; `false` (with a loud line) outside CI when it is not.
fn have_suricata() -> bool {
    let found = Command::new("suricata")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "Suricata is required in CI (scripts/test installs it)"
        );
        eprintln!("NOT RUN: suricata is not installed; the rules were not loaded by Suricata");
    }
    found
}

/// Loads `rules` with `suricata -T` and returns how many rules it loaded; panics with
/// Suricata's own words when any rule fails.
fn suricata_loads(rules: &str, dir: &Path) -> usize {
    let file = dir.join("charter.rules");
    std::fs::write(&file, rules).expect("write rules");
    let logs = dir.join("suricata-logs");
    std::fs::create_dir_all(&logs).expect("log folder");
    let out = Command::new("suricata")
        .args(["-T", "-v", "-c", "/etc/suricata/suricata.yaml", "-S"])
        .arg(&file)
        .arg("-l")
        .arg(&logs)
        .output()
        .expect("suricata runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "suricata -T refused the rules:\n{text}\n{rules}"
    );
    assert!(!text.contains("Error:"), "{text}");
    text.lines()
        .find_map(|l| {
            let (_, rest) = l.split_once("rule files processed. ")?;
            rest.split_once(" rules successfully loaded, 0 rules failed")
                .and_then(|(n, _)| n.trim().parse::<usize>().ok())
        })
        .unwrap_or_else(|| panic!("no count of loaded rules in:\n{text}"))
}

fn alert_lines(rules: &str) -> usize {
    rules.lines().filter(|l| l.starts_with("alert ")).count()
}

#[test]
fn suricata_loads_every_rule_the_cli_writes() {
    if !have_suricata() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let file = dir.path().join("indicators.jsonl");
    write_jsonl(&file, &indicators());
    let ingest = charter_ok(
        &data,
        &["ingest", "--quiet", file.to_str().expect("utf-8")],
        &[],
    );
    assert!(ingest.contains("10 accepted, 0 rejected"), "{ingest}");
    let rules = charter_ok(&data, &["export-sensor", "--format", "suricata"], &[]);
    // One rule per address and network, two per domain (DNS and TLS), one per URL; the
    // hash and the process name have no rule of their own.
    assert_eq!(alert_lines(&rules), 4 + 2 * 4 + 3, "{rules}");
    assert!(
        rules.contains("# Highest TLP of the contents: TLP:AMBER"),
        "{rules}"
    );
    assert_eq!(suricata_loads(&rules, dir.path()), alert_lines(&rules));
}

#[tokio::test]
async fn suricata_loads_the_rules_the_api_serves() {
    if !have_suricata() {
        return;
    }
    let server = TestServer::start();
    let reply = server
        .post_objects(server.default_objects(), admin(), &indicators())
        .await;
    assert_eq!(reply.status(), 202);
    let status: Value = reply.json().await.expect("a status resource");
    assert_eq!(status["status"], "complete", "{status}");
    assert_eq!(status["success_count"], 10, "{status}");
    let reply = server.get("/api/v1/export?format=suricata", admin()).await;
    assert_eq!(reply.status(), 200);
    let rules = reply.text().await.expect("text");
    assert_eq!(alert_lines(&rules), 15, "{rules}");
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(suricata_loads(&rules, dir.path()), 15);
    // Only domains: still a rule file Suricata takes.
    let reply = server
        .get("/api/v1/export?format=suricata&type=domain", admin())
        .await;
    let rules = reply.text().await.expect("text");
    assert_eq!(alert_lines(&rules), 8, "{rules}");
    assert_eq!(suricata_loads(&rules, dir.path()), 8);
}
