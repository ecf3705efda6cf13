//! Members through the real binary: organisations, communities,
//! collections, users and API tokens managed with `charter` commands (their
//! `--json` lists), a token used over HTTP and revoked while the server
//! runs, and TLP:RED recipients on ingest and per-member exports.

use serde_json::Value;

use crate::util::{TestServer, charter, charter_json, charter_ok, indicator};

const PASSWORD: (&str, &str) = ("CHARTER_USER_PASSWORD", "member-password");

fn find<'a>(list: &'a Value, key: &str, value: &str) -> &'a Value {
    list.as_array()
        .and_then(|items| items.iter().find(|i| i[key] == value))
        .unwrap_or_else(|| panic!("no item with {key} = {value} in {list}"))
}

fn failure(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn organisations_communities_collections_users_and_tokens_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let grid = charter_ok(
        &data,
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
    let grid = grid.trim().to_owned();
    assert_eq!(grid.len(), 36, "prints the id alone: {grid}");
    let water = [
        "org",
        "add",
        "Water Co",
        "--country",
        "AU",
        "--sector",
        "infrastructure-water",
        "--kind",
        "government",
    ];
    let water = charter_ok(&data, &water, &[]).trim().to_owned();
    let orgs = charter_json(&data, &["org", "list"]);
    assert_eq!(orgs.as_array().map(Vec::len), Some(2));
    let w = find(&orgs, "name", "Water Co");
    assert_eq!(
        (w["id"].as_str(), w["country"].as_str(), w["kind"].as_str()),
        (Some(water.as_str()), Some("AU"), Some("government"))
    );
    assert_eq!(w["sectors"], serde_json::json!(["infrastructure-water"]));
    assert_eq!(
        find(&orgs, "name", "Grid plc")["kind"],
        "private",
        "private by default"
    );
    assert!(
        find(&orgs, "name", "Grid plc")["identity_id"]
            .as_str()
            .is_some_and(|i| i.starts_with("identity--"))
    );

    let community = charter_ok(
        &data,
        &["community", "add", "UK energy", "--member", "Grid plc"],
        &[],
    )
    .trim()
    .to_owned();
    charter_ok(
        &data,
        &["community", "add-member", "UK energy", &water],
        &[],
    );
    let communities = charter_json(&data, &["community", "list"]);
    let c = find(&communities, "id", &community);
    assert_eq!(c["name"], "UK energy");
    let mut members = vec![grid.clone(), water.clone()];
    members.sort();
    assert_eq!(c["members"], serde_json::json!(members));
    charter_ok(
        &data,
        &["community", "remove-member", "UK energy", "Water Co"],
        &[],
    );
    let communities = charter_json(&data, &["community", "list"]);
    assert_eq!(
        find(&communities, "id", &community)["members"],
        serde_json::json!([grid])
    );

    let add = [
        "collection",
        "add",
        "--title",
        "Energy",
        "--alias",
        "energy",
        "--community",
        "UK energy",
        "--default-tlp",
        "green",
    ];
    let collection = charter_ok(&data, &add, &[]).trim().to_owned();
    let collections = charter_json(&data, &["collection", "list"]);
    let e = find(&collections, "id", &collection);
    assert_eq!(
        (e["alias"].as_str(), e["community"].as_str()),
        (Some("energy"), Some(community.as_str()))
    );
    assert_eq!(
        (e["default_tlp"].as_str(), e["public"].as_bool()),
        (Some("green"), Some(false))
    );
    assert_eq!(
        find(&collections, "alias", "default")["default_tlp"],
        "amber"
    );

    charter_ok(
        &data,
        &["user", "add", "ana", "--org", "Grid plc"],
        &[PASSWORD],
    );
    charter_ok(
        &data,
        &["user", "add", "oversight", "--role", "auditor"],
        &[PASSWORD],
    );
    charter_ok(&data, &["user", "grant", "ana", "default", "--read"], &[]);
    let users = charter_json(&data, &["user", "list"]);
    let ana = find(&users, "username", "ana");
    assert_eq!(
        (
            ana["role"].as_str(),
            ana["org"].as_str(),
            ana["org_name"].as_str()
        ),
        (Some("analyst"), Some(grid.as_str()), Some("Grid plc"))
    );
    assert_eq!(ana["permissions"][0]["read"], true);
    assert_eq!(ana["permissions"][0]["write"], false);
    let auditor = find(&users, "username", "oversight");
    assert_eq!(
        (auditor["role"].as_str(), auditor["org"].as_str()),
        (Some("auditor"), None)
    );
    assert_eq!(find(&users, "username", "admin")["role"], "node-admin");

    let token = charter_ok(
        &data,
        &[
            "token",
            "add",
            "ana",
            "--label",
            "siem",
            "--expires-days",
            "30",
        ],
        &[],
    );
    assert_eq!(
        token.lines().count(),
        1,
        "the token alone on stdout: {token}"
    );
    assert!(token.starts_with("charter_"), "{token}");
    let tokens = charter_json(&data, &["token", "list", "--user", "ana"]);
    let t = find(&tokens, "label", "siem");
    assert_eq!(
        (
            t["user"].as_str(),
            t["state"].as_str(),
            t["revoked"].as_bool()
        ),
        (Some("ana"), Some("active"), Some(false))
    );
    assert!(
        t["expires"]
            .as_str()
            .is_some_and(|e| e > t["created"].as_str().unwrap_or_default()),
        "{t}"
    );
    let id = t["id"].as_str().expect("token id").to_owned();
    assert!(
        token.contains(&id) && !tokens.to_string().contains(token.trim()),
        "lists never show the secret"
    );
    charter_ok(&data, &["token", "revoke", &id], &[]);
    let tokens = charter_json(&data, &["token", "list"]);
    assert_eq!(find(&tokens, "id", &id)["state"], "revoked");

    // What may not be removed yet, and then may.
    let busy = failure(&charter(&data, &["community", "remove", "UK energy"], &[]));
    assert!(busy.contains("error:"), "{busy}");
    charter_ok(&data, &["collection", "remove", "energy"], &[]);
    charter_ok(&data, &["community", "remove", "UK energy"], &[]);
    assert_eq!(
        charter_json(&data, &["community", "list"]),
        serde_json::json!([])
    );
    charter_ok(&data, &["user", "remove", "ana"], &[]);
    charter_ok(&data, &["org", "remove", "Grid plc"], &[]);
    let names: Vec<String> = charter_json(&data, &["org", "list"])
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(names, ["Water Co"]);
}

#[test]
fn bad_administration_input_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let err = failure(&charter(
        &data,
        &["org", "add", "Lower", "--country", "gb"],
        &[],
    ));
    assert!(err.contains("country 'gb'"), "{err}");
    let err = failure(&charter(
        &data,
        &["org", "add", "Odd", "--country", "GB", "--sector", "piracy"],
        &[],
    ));
    assert!(err.contains("piracy"), "{err}");
    let err = failure(&charter(&data, &["user", "add", "loner"], &[PASSWORD]));
    assert!(
        err.contains("org"),
        "an analyst needs an organisation: {err}"
    );
    let err = failure(&charter(
        &data,
        &["user", "add", "x", "--role", "king", "--org", "y"],
        &[PASSWORD],
    ));
    assert!(err.contains("king"), "{err}");
    let err = failure(&charter(
        &data,
        &[
            "collection",
            "add",
            "--title",
            "T",
            "--default-tlp",
            "purple",
        ],
        &[],
    ));
    assert!(err.contains("purple"), "{err}");
    let err = failure(&charter(&data, &["token", "add", "nobody"], &[]));
    assert!(err.contains("nobody"), "{err}");
    let err = failure(&charter(&data, &["token", "revoke", "0000"], &[]));
    assert!(err.contains("0000"), "{err}");
    assert_eq!(
        charter_json(&data, &["org", "list"]),
        serde_json::json!([]),
        "nothing was added"
    );
}

#[tokio::test]
async fn a_token_works_over_http_until_the_cli_revokes_it() {
    let server = TestServer::start();
    let data = &server.data;
    charter_ok(data, &["org", "add", "Grid plc", "--country", "GB"], &[]);
    charter_ok(
        data,
        &[
            "user", "add", "siem", "--role", "reader", "--org", "Grid plc",
        ],
        &[PASSWORD],
    );
    charter_ok(data, &["user", "grant", "siem", "default", "--read"], &[]);
    let resp = server
        .post_objects(
            server.default_objects(),
            crate::util::admin(),
            &[indicator(1)],
        )
        .await;
    assert_eq!(resp.status(), 202);

    let token = charter_ok(data, &["token", "add", "siem", "--label", "splunk"], &[])
        .trim()
        .to_owned();
    let resp = server
        .get_with_token(server.default_objects(), &token)
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("envelope");
    assert_eq!(body["objects"][0]["id"], indicator(1)["id"]);

    let id = find(
        &charter_json(data, &["token", "list", "--user", "siem"]),
        "label",
        "splunk",
    )["id"]
        .as_str()
        .expect("id")
        .to_owned();
    charter_ok(data, &["token", "revoke", &id], &[]);
    let resp = server
        .get_with_token(server.default_objects(), &token)
        .await;
    assert_eq!(resp.status(), 401, "refused at once, with no restart");
    let challenges: Vec<String> = resp
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    assert!(
        challenges.iter().any(|c| c.starts_with("Bearer")),
        "{challenges:?}"
    );
}

#[test]
fn red_objects_reach_only_their_recipients() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    charter_ok(&data, &["org", "add", "Grid plc", "--country", "GB"], &[]);
    charter_ok(&data, &["org", "add", "Water Co", "--country", "GB"], &[]);
    for (user, org) in [("ana", "Grid plc"), ("wes", "Water Co")] {
        charter_ok(&data, &["user", "add", user, "--org", org], &[PASSWORD]);
        charter_ok(&data, &["user", "grant", user, "default", "--read"], &[]);
    }
    let mut red = indicator(1);
    red["object_marking_refs"] =
        serde_json::json!(["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]);
    let file = dir.path().join("red.json");
    std::fs::write(&file, format!("{red}\n{}\n", indicator(2))).expect("write");
    let path = file.to_str().expect("utf-8");

    let out = charter(&data, &["ingest", path], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.contains("1 accepted, 1 rejected") && text.contains("--recipient"),
        "{text}"
    );

    let red_only = dir.path().join("red-only.json");
    std::fs::write(&red_only, red.to_string()).expect("write");
    let args = [
        "ingest",
        "--quiet",
        red_only.to_str().expect("utf-8"),
        "--recipient",
        "Grid plc",
    ];
    let text = charter_ok(&data, &args, &[]);
    assert!(text.contains("1 accepted, 0 rejected"), "{text}");

    let ids = |user: Option<&str>| -> Vec<String> {
        let mut args = vec!["export", "--format", "jsonl"];
        if let Some(u) = user {
            args.extend(["--as", u]);
        }
        let text = charter_ok(&data, &args, &[]);
        let mut ids: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).expect("json")["id"]
                    .as_str()
                    .expect("id")
                    .to_owned()
            })
            .collect();
        ids.sort();
        ids
    };
    let both = ids(None);
    assert_eq!(both.len(), 2, "the operator exports everything");
    assert_eq!(ids(Some("ana")), both, "the recipient sees the RED object");
    assert_eq!(
        ids(Some("wes")),
        [indicator(2)["id"].as_str().expect("id")],
        "another member does not"
    );
    let err = failure(&charter(&data, &["export", "--as", "nobody"], &[]));
    assert!(err.contains("nobody"), "{err}");
}
