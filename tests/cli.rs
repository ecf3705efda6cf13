//! The `charter` commands other than `serve`: ingest, export, validate,
//! and administration while the server runs, as a person or a script would
//! run them. Members and tokens are in `members`, the release record in
//! `audit`.

use std::collections::HashMap;

use serde_json::Value;

use crate::util::{ADMIN_PASSWORD, TestServer, charter, data_file, indicator};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn objects_by_key(values: impl IntoIterator<Item = Value>) -> HashMap<(String, String), Value> {
    values
        .into_iter()
        .map(|o| {
            let id = o["id"].as_str().unwrap_or_default().to_owned();
            let version = o["modified"]
                .as_str()
                .or(o["created"].as_str())
                .unwrap_or_default()
                .to_owned();
            ((id, version), o)
        })
        .collect()
}

#[test]
fn ingest_then_export_round_trips_attack_verbatim() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let bundle = data_file("ics-attack-18.1.json");
    let out = charter(
        &data,
        &["ingest", "--quiet", bundle.to_str().expect("utf-8 path")],
        &[],
    );
    assert!(
        out.status.success(),
        "ingest failed: {}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&bundle).expect("bundle readable");
    let original: Value = serde_json::from_str(&text).expect("bundle is JSON");
    let posted = original["objects"].as_array().expect("objects").clone();
    assert!(
        stdout(&out).contains(&format!("{} accepted, 0 rejected", posted.len())),
        "{}",
        stdout(&out)
    );

    let export = dir.path().join("export.jsonl");
    let out = charter(
        &data,
        &[
            "export",
            "--format",
            "jsonl",
            "--output",
            export.to_str().expect("utf-8"),
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(&export).expect("export written");
    let served: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect();
    assert_eq!(served.len(), posted.len());
    assert_eq!(
        objects_by_key(served),
        objects_by_key(posted),
        "every object comes back equal"
    );

    // Each exported line is the submitted text of its object, byte for byte,
    // but for the line breaks JSON Lines cannot carry (whitespace in JSON).
    let flat: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    for line in lines.lines() {
        assert!(
            flat.contains(line),
            "not verbatim: {}",
            &line[..line.len().min(200)]
        );
    }
}

#[test]
fn ingest_reports_rejections_and_keeps_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let good = indicator(1);
    let mut bad = indicator(2);
    bad["pattern"] = Value::String("[ipv4-addr:value = ".to_owned());
    let mut no_created = indicator(3);
    no_created
        .as_object_mut()
        .expect("object")
        .remove("created");
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, format!("{good}\n{bad}\n{no_created}\n")).expect("write input");
    let out = charter(&data, &["ingest", file.to_str().expect("utf-8")], &[]);
    assert_eq!(out.status.code(), Some(1), "some objects were rejected");
    let text = stdout(&out);
    assert!(text.contains("1 accepted, 2 rejected"), "{text}");
    assert!(
        text.contains(bad["id"].as_str().expect("id")),
        "names the bad pattern's object: {text}"
    );
    assert!(
        text.contains("created"),
        "names the missing property: {text}"
    );

    let out = charter(&data, &["export", "--format", "jsonl"], &[]);
    let exported: Vec<&str> = std::str::from_utf8(&out.stdout)
        .expect("utf-8")
        .lines()
        .collect();
    assert_eq!(exported.len(), 1, "only the valid object was stored");
}

#[test]
fn export_filters_by_type_and_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut v1 = indicator(7);
    let mut v2 = indicator(7);
    v1["modified"] = Value::String("2026-02-01T00:00:00.000Z".into());
    v2["modified"] = Value::String("2026-03-01T00:00:00.000Z".into());
    let file = dir.path().join("in.json");
    let other = serde_json::json!({"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "value": "198.51.100.3"});
    let bundle = serde_json::json!({"type": "bundle", "id": "bundle--6b2e5d3c-0d4f-4a8e-9b1c-2f3e4d5c6b7a", "objects": [v1, v2, other]});
    std::fs::write(&file, bundle.to_string()).expect("write");
    let out = charter(
        &data,
        &["ingest", "--quiet", file.to_str().expect("utf-8")],
        &[],
    );
    assert!(out.status.success(), "{}", stdout(&out));

    let lines = |args: &[&str]| -> Vec<Value> {
        let mut full = vec!["export", "--format", "jsonl"];
        full.extend_from_slice(args);
        let out = charter(&data, &full, &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::str::from_utf8(&out.stdout)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect()
    };
    let last = lines(&["--type", "indicator"]);
    assert_eq!(last.len(), 1);
    assert_eq!(last[0]["modified"], "2026-03-01T00:00:00.000Z");
    assert_eq!(lines(&["--type", "indicator", "--version", "all"]).len(), 2);
    let first = lines(&["--version", "first", "--type", "indicator"]);
    assert_eq!(first[0]["modified"], "2026-02-01T00:00:00.000Z");
    assert_eq!(lines(&["--type", "ipv4-addr"]).len(), 1);

    let bundle_out = charter(&data, &["export", "--version", "all"], &[]);
    let bundle: Value = serde_json::from_slice(&bundle_out.stdout).expect("a bundle");
    assert_eq!(bundle["type"], "bundle");
    assert_eq!(bundle["objects"].as_array().map(Vec::len), Some(3));

    let bad = charter(&data, &["export", "--version", "newest"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--version: 'newest'"));
}

#[test]
fn validate_reports_every_failure_and_sets_the_exit_status() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = dir.path().join("good.json");
    std::fs::write(&good, indicator(1).to_string()).expect("write");
    let out = std::process::Command::new(crate::util::charter_bin())
        .args(["validate", good.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let mut bad = indicator(2);
    bad["created"] = Value::String("2026-13-01T00:00:00Z".into());
    bad["confidence"] = Value::from(101);
    let file = dir.path().join("bad.json");
    std::fs::write(&file, bad.to_string()).expect("write");
    let out = std::process::Command::new(crate::util::charter_bin())
        .args(["validate", file.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("created") && text.contains("confidence"),
        "both failures named: {text}"
    );
}

#[tokio::test]
async fn admin_commands_work_while_the_server_runs() {
    let server = TestServer::start();
    let out = charter(
        &server.data,
        &[
            "collection",
            "add",
            "--title",
            "UK energy",
            "--alias",
            "uk-energy",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = stdout(&out).trim().to_owned();
    assert_eq!(id.len(), 36, "prints the new collection's id: {id}");

    let out = charter(
        &server.data,
        &[
            "org",
            "add",
            "Grid plc",
            "--country",
            "GB",
            "--sector",
            "energy",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let add = ["user", "add", "analyst", "--org", "Grid plc"];
    let out = charter(
        &server.data,
        &add,
        &[("CHARTER_USER_PASSWORD", "analyst-password")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let analyst = ("analyst", "analyst-password");
    // No rights yet: the collection is invisible.
    let resp = server.get("/default/collections/uk-energy/", analyst).await;
    assert_eq!(resp.status(), 404);

    let out = charter(
        &server.data,
        &["user", "grant", "analyst", "uk-energy", "--read"],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resp = server.get("/default/collections/uk-energy/", analyst).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["can_read"], true);
    assert_eq!(body["can_write"], false);
    let resp = server
        .post_objects(
            "/default/collections/uk-energy/objects/",
            analyst,
            &[indicator(1)],
        )
        .await;
    assert_eq!(resp.status(), 403, "read-only user may not write");

    let out = charter(&server.data, &["user", "disable", "analyst"], &[]);
    assert!(out.status.success());
    let resp = server.get("/default/collections/uk-energy/", analyst).await;
    assert_eq!(resp.status(), 401, "a disabled user is refused at once");

    let out = charter(&server.data, &["user", "list", "--json"], &[]);
    let users: Value = serde_json::from_slice(&out.stdout).expect("json list");
    let names: Vec<&str> = users
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names, ["admin", "analyst"]);
}

#[test]
fn first_start_generates_and_prints_the_admin_password_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("fresh");
    let first = TestServer::start_in(&data, &[]);
    let line = first
        .banner
        .iter()
        .find(|l| l.contains("password"))
        .cloned()
        .expect("password printed");
    let password = line
        .rsplit(": ")
        .next()
        .expect("password after colon")
        .trim()
        .to_owned();
    assert!(
        password.len() >= 16,
        "a strong generated password: {password}"
    );
    assert!(
        data.join("charter.db").exists(),
        "the data folder was created"
    );
    drop(first);
    let second = TestServer::start_in(&data, &[]);
    assert!(
        second.banner.iter().all(|l| !l.contains("password")),
        "not printed again: {:?}",
        second.banner
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        assert_eq!(
            second.get("/taxii2/", ("admin", &password)).await.status(),
            200
        );
        assert_eq!(
            second
                .get("/taxii2/", ("admin", ADMIN_PASSWORD))
                .await
                .status(),
            401
        );
    });
}

#[test]
fn the_node_identity_is_configured_and_checked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let config = dir.path().join("charter.toml");
    std::fs::write(&config, "node_name = \"UK node\"\nnode_country = \"gb\"\n").expect("write");
    let args = ["org", "list", "--config", config.to_str().expect("utf-8")];
    let out = charter(&data, &args, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("node_country: 'gb'"),
        "{out:?}"
    );
    assert!(!data.exists(), "nothing was created");
    std::fs::write(&config, "node_name = \"UK node\"\nnode_country = \"GB\"\n").expect("write");
    let out = charter(&data, &args, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
