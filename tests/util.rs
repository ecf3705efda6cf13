//! Helpers shared by the integration tests: a `TestServer` that runs
//! `charter serve` on `127.0.0.1:0` in a temporary data folder (optionally
//! on a PostgreSQL database), a runner for one-shot `charter` commands, and
//! [`PgDatabase`], a fresh PostgreSQL database per test.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The admin password every test server starts with.
pub const ADMIN_PASSWORD: &str = "correct-horse-battery";

/// The media type of TAXII requests and responses.
pub const TAXII: &str = "application/taxii+json;version=2.1";

/// The path of the binary under test.
pub fn charter_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_charter"))
}

/// Runs `charter ARGS` against `data` and returns its output.
pub fn charter(data: &Path, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(charter_bin());
    cmd.args(args)
        .arg("--data")
        .arg(data)
        .env("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .output()
        .expect("the charter binary runs")
}

/// Runs `charter ARGS` against `data`, asserts it succeeded, and returns
/// its standard output.
pub fn charter_ok(data: &Path, args: &[&str], envs: &[(&str, &str)]) -> String {
    let out = charter(data, args, envs);
    assert!(
        out.status.success(),
        "charter {args:?} failed ({:?}): {}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("output is UTF-8")
}

/// Runs `charter ARGS ... --json` against `data` and parses its output.
pub fn charter_json(data: &Path, args: &[&str]) -> Value {
    let mut full = args.to_vec();
    full.push("--json");
    let text = charter_ok(data, &full, &[]);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("charter {args:?} --json is not JSON ({e}): {text}"))
}

/// A running `charter serve`; killed when dropped.
pub struct TestServer {
    child: Option<Child>,
    /// The base URL, e.g. `http://127.0.0.1:40123`.
    pub base: String,
    /// The data folder (kept alive as long as the server).
    pub data: PathBuf,
    _dir: Option<tempfile::TempDir>,
    /// What the server printed on stdout before it was ready.
    pub banner: Vec<String>,
    client: reqwest::Client,
}

impl TestServer {
    /// Starts a server in a fresh temporary data folder.
    pub fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let mut server = TestServer::start_in(&data, &[("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD)]);
        server._dir = Some(dir);
        server
    }

    /// Starts a server on an existing (or new) data folder with `envs`.
    pub fn start_in(data: &Path, envs: &[(&str, &str)]) -> TestServer {
        TestServer::start_with(data, &[], envs)
    }

    /// Starts a server on an existing (or new) data folder with more
    /// arguments to `charter serve` (such as `--config FILE`) and `envs`.
    pub fn start_with(data: &Path, args: &[&str], envs: &[(&str, &str)]) -> TestServer {
        let mut cmd = Command::new(charter_bin());
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data)
            .args(args)
            .env_remove("CHARTER_ADMIN_PASSWORD")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("charter serve starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut banner = Vec::new();
        let base = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| {
                let _ = child.kill();
                panic!("charter serve did not report its address; it printed {banner:?}")
            });
            if let Some(addr) = line.strip_prefix("Charter listening on ") {
                break addr.trim().to_owned();
            }
            banner.push(line);
        };
        TestServer {
            child: Some(child),
            base,
            data: data.to_owned(),
            _dir: None,
            banner,
            client: reqwest::Client::new(),
        }
    }

    /// Starts a server in a fresh temporary data folder whose data lives in
    /// the PostgreSQL database at `url`.
    pub fn start_on(url: &str) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let mut server = TestServer::start_in(
            &data,
            &[
                ("CHARTER_ADMIN_PASSWORD", ADMIN_PASSWORD),
                ("CHARTER_DATABASE_URL", url),
            ],
        );
        server._dir = Some(dir);
        server
    }

    /// Kills the server with SIGKILL, as a crash would, and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A GET as `user`, with the TAXII Accept header.
    pub async fn get(&self, path: &str, user: (&str, &str)) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .basic_auth(user.0, Some(user.1))
            .header("Accept", TAXII)
            .send()
            .await
            .expect("request sent")
    }

    /// A GET with a bearer API token, with the TAXII Accept header.
    pub async fn get_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .header("Accept", TAXII)
            .send()
            .await
            .expect("request sent")
    }

    /// A GET as admin, expecting 200 and a JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let resp = self.get(path, ("admin", ADMIN_PASSWORD)).await;
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.json().await.expect("JSON body")
    }

    /// POSTs an envelope of `objects` as `user`.
    pub async fn post_objects(
        &self,
        path: &str,
        user: (&str, &str),
        objects: &[Value],
    ) -> reqwest::Response {
        let body = serde_json::json!({ "objects": objects }).to_string();
        self.post_raw(path, user, body).await
    }

    /// POSTs a raw body with the TAXII content type.
    pub async fn post_raw(
        &self,
        path: &str,
        user: (&str, &str),
        body: String,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .basic_auth(user.0, Some(user.1))
            .header("Accept", TAXII)
            .header("Content-Type", TAXII)
            .body(body)
            .send()
            .await
            .expect("request sent")
    }

    /// The objects path of the default collection.
    pub fn default_objects(&self) -> &'static str {
        "/default/collections/default/objects/"
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The admin's credentials.
pub fn admin() -> (&'static str, &'static str) {
    ("admin", ADMIN_PASSWORD)
}

/// A valid indicator with a distinct value per `n`.
pub fn indicator(n: usize) -> Value {
    serde_json::json!({
        "type": "indicator",
        "spec_version": "2.1",
        "id": format!("indicator--{}", uuid_for(n)),
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": format!("bad address {n}"),
        "pattern": format!("[ipv4-addr:value = '10.{}.{}.{}']", (n >> 16) & 255, (n >> 8) & 255, n & 255),
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    })
}

/// A deterministic UUIDv4-shaped identifier for test object `n`.
pub fn uuid_for(n: usize) -> String {
    format!("8e2e2d2b-17d4-4cbf-938f-{:012x}", n)
}

/// The repository's copy of a test data file.
pub fn data_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

use crate::pg_server::{pg_admin_url, pg_create_database, pg_drop_database, pg_url_for};

/// A PostgreSQL database of one test's own, dropped with it.
pub struct PgDatabase {
    name: String,
    /// The database's URL.
    pub url: String,
}

impl PgDatabase {
    /// Creates an empty database; `None`, after saying so loudly, when the
    /// server cannot be reached outside CI (in CI, `CI=true`, that fails).
    pub fn create() -> Option<PgDatabase> {
        let name = pg_create_database("charter_it")?;
        let url = pg_url_for(&pg_admin_url(), &name);
        Some(PgDatabase { name, url })
    }

    /// Runs SQL on this database (to inspect or disturb it behind the
    /// server's back).
    pub fn execute(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let (url, sql) = (self.url.clone(), sql.to_owned());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .expect("connected");
                tokio::spawn(connection);
                let mut out = Vec::new();
                for message in client.simple_query(&sql).await.expect("SQL runs") {
                    if let tokio_postgres::SimpleQueryMessage::Row(row) = message {
                        out.push(
                            (0..row.len())
                                .map(|i| row.get(i).map(str::to_owned))
                                .collect(),
                        );
                    }
                }
                out
            })
        })
        .join()
        .expect("SQL thread")
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        pg_drop_database(&self.name);
    }
}
