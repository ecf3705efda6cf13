//! The release record through the real binary: `charter audit verify` on an
//! intact record, then after an entry is edited, deleted or moved — in the
//! node's database file (with rusqlite, behind the node's back) or in an
//! export from `charter audit export` — each named by its sequence number.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{charter, charter_ok, indicator};

/// A node whose record holds a dozen entries of every kind: administration,
/// a write and releases.
fn node_with_history() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    charter_ok(&data, &["org", "add", "Grid plc", "--country", "GB"], &[]);
    charter_ok(
        &data,
        &["user", "add", "ana", "--org", "Grid plc"],
        &[("CHARTER_USER_PASSWORD", "ana-password")],
    );
    charter_ok(&data, &["user", "grant", "ana", "default", "--read"], &[]);
    let file = dir.path().join("in.jsonl");
    std::fs::write(&file, format!("{}\n{}\n", indicator(1), indicator(2))).expect("write");
    charter_ok(
        &data,
        &["ingest", "--quiet", file.to_str().expect("utf-8")],
        &[],
    );
    charter_ok(&data, &["export", "--as", "ana"], &[]);
    charter_ok(&data, &["collection", "add", "--title", "Spare"], &[]);
    (dir, data)
}

/// Runs `charter audit verify ARGS`; returns the exit code and stdout.
fn verify(data: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut full = vec!["audit", "verify"];
    full.extend_from_slice(args);
    let out = charter(data, &full, &[]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Exports the record to a file and returns its path and lines.
fn export(data: &Path) -> (PathBuf, Vec<String>) {
    let path = data
        .parent()
        .expect("data has a parent")
        .join("record.jsonl");
    charter_ok(
        data,
        &["audit", "export", "--output", path.to_str().expect("utf-8")],
        &[],
    );
    let lines = std::fs::read_to_string(&path)
        .expect("export written")
        .lines()
        .map(str::to_owned)
        .collect();
    (path, lines)
}

fn database(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(data.join("charter.db")).expect("database opens")
}

fn rewrite(path: &Path, lines: &[String]) {
    std::fs::write(
        path,
        lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
    )
    .expect("rewrite");
}

#[test]
fn an_intact_record_verifies_and_so_does_its_export() {
    let (_dir, data) = node_with_history();
    let (code, text) = verify(&data, &[]);
    assert_eq!(code, Some(0), "{text}");
    let line = text.trim();
    let (count, rest) = line
        .split_once(" entries, head ")
        .unwrap_or_else(|| panic!("unexpected verdict: {line}"));
    let (head, verdict) = rest.split_once(": ").expect("verdict after the head");
    let (seq, hash) = head.split_once(' ').expect("seq and hash");
    assert_eq!(verdict, "intact");
    assert_eq!(count, seq, "entries are numbered from 1 without gaps");
    assert!(count.parse::<u32>().is_ok_and(|n| n >= 7), "{line}");
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "{hash}"
    );

    let (path, lines) = export(&data);
    assert_eq!(lines.len().to_string(), count);
    let entries: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("JSON lines"))
        .collect();
    assert_eq!(entries.last().expect("entries")["hash"], hash);
    let release = entries
        .iter()
        .find(|e| e["action"] == "release" && e["actor"] == "ana")
        .expect("ana's export");
    assert_eq!(release["channel"], "cli");
    assert!(release["detail"].is_object(), "{release}");
    let (code, from_file) = verify(&data, &["--file", path.to_str().expect("utf-8")]);
    assert_eq!(
        (code, from_file.trim()),
        (Some(0), line),
        "the export verifies with the same head"
    );
}

#[test]
fn an_edited_entry_is_named() {
    let (_dir, data) = node_with_history();
    let (path, mut lines) = export(&data);

    let conn = database(&data);
    let changed = conn
        .execute("UPDATE audit SET actor = 'mallory' WHERE seq = 3", [])
        .expect("tamper");
    assert_eq!(changed, 1);
    drop(conn);
    let (code, text) = verify(&data, &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("entry 3: edited")),
        "{text}"
    );

    // The same in an export: a changed detail breaks that entry's hash.
    let mut entry: Value = serde_json::from_str(&lines[4]).expect("json");
    entry["detail"]["forged"] = Value::Bool(true);
    lines[4] = entry.to_string();
    rewrite(&path, &lines);
    let (code, text) = verify(&data, &["--file", path.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("entry 5: edited")),
        "{text}"
    );
}

#[test]
fn a_deleted_entry_is_named() {
    let (_dir, data) = node_with_history();
    let (path, mut lines) = export(&data);
    lines.remove(3);
    rewrite(&path, &lines);
    let (code, text) = verify(&data, &["--file", path.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("entry 4: missing")),
        "{text}"
    );

    let conn = database(&data);
    assert_eq!(
        conn.execute("DELETE FROM audit WHERE seq = 6", [])
            .expect("tamper"),
        1
    );
    drop(conn);
    let (code, text) = verify(&data, &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("entry 6: missing")),
        "{text}"
    );
}

#[test]
fn reordered_entries_are_named() {
    let (_dir, data) = node_with_history();
    let (path, mut lines) = export(&data);
    lines.swap(2, 3);
    rewrite(&path, &lines);
    let (code, text) = verify(&data, &["--file", path.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("entry 3: out-of-order")
                || l.starts_with("entry 4: out-of-order")),
        "{text}"
    );

    // In the database, swapping two entries' places (their sequence numbers).
    let conn = database(&data);
    conn.execute_batch(
        "UPDATE audit SET seq = -1 WHERE seq = 5;
         UPDATE audit SET seq = 5 WHERE seq = 6;
         UPDATE audit SET seq = 6 WHERE seq = -1;",
    )
    .expect("tamper");
    drop(conn);
    let (code, text) = verify(&data, &[]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.lines().any(|l| l.starts_with("entry 5: ")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("entry 6: ")), "{text}");
}

#[test]
fn an_unreadable_export_line_is_named() {
    let (_dir, data) = node_with_history();
    let (path, mut lines) = export(&data);
    lines[1] = "{\"seq\": \"two\"}".to_owned();
    rewrite(&path, &lines);
    let (code, text) = verify(&data, &["--file", path.to_str().expect("utf-8")]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.lines().any(|l| l.starts_with("line 2: ")), "{text}");
}
