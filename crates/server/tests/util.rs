//! Test scaffolding: a node on a temporary SQLite store, request helpers,
//! STIX object builders and snapshot redaction.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine as _;
use bytes::Bytes;
use charter_hub::admin::{NewOrg, NewUser};
use charter_hub::{Hub, HubConfig, Role, Viewer};
use charter_store::sqlite::SqliteStore;
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;

/// The administrator's password on every test node.
pub const ADMIN_PASSWORD: &str = "correct-horse-battery";
/// The TAXII 2.1 media type.
pub const TAXII: &str = "application/taxii+json;version=2.1";
/// The objects URL of the default collection.
pub const OBJECTS: &str = "/default/collections/default/objects/";
/// The manifest URL of the default collection.
pub const MANIFEST: &str = "/default/collections/default/manifest/";
/// The organisation every test user belongs to unless a test says otherwise.
pub const TEST_ORG: &str = "Test Org";
/// The TLP 2.0 RED marking definition.
pub const TLP_RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

/// A node: a hub over a fresh store, and the router over it.
pub struct Node {
    pub hub: Hub,
    app: Router,
    _dir: tempfile::TempDir,
}

/// Small limits, so pagination, clamping and size limits are cheap to reach.
pub fn test_config() -> HubConfig {
    HubConfig {
        title: "Charter test node".to_owned(),
        max_page_size: 5,
        default_page_size: 5,
        max_content_length: 16 * 1024,
        max_objects_per_envelope: 20,
        ..HubConfig::default()
    }
}

impl Node {
    pub async fn new() -> Node {
        Node::with_config(test_config()).await
    }

    pub async fn with_config(config: HubConfig) -> Node {
        let dir = tempfile::tempdir().expect("temporary folder");
        let store = SqliteStore::open(&dir.path().join("charter.db")).expect("store opens");
        let hub = Hub::new(Arc::new(store), config);
        hub.bootstrap(Some(ADMIN_PASSWORD.to_owned()))
            .await
            .expect("bootstrap");
        add_org(&hub, TEST_ORG).await;
        let app = charter_server::router(hub.clone());
        Node {
            hub,
            app,
            _dir: dir,
        }
    }

    /// Sends a request as it is.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body reads")
            .to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET as the administrator, accepting TAXII 2.1.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(
            admin(Method::GET, path)
                .body(Body::empty())
                .expect("request builds"),
        )
        .await
    }

    /// POST an envelope as the administrator.
    pub async fn post(&self, path: &str, body: impl Into<String>) -> Reply {
        let request = admin(Method::POST, path)
            .header(header::CONTENT_TYPE, TAXII)
            .body(Body::from(body.into()))
            .expect("request builds");
        self.send(request).await
    }

    /// POST objects to the default collection and expect them all stored.
    pub async fn add(&self, objects: &[String]) -> Value {
        let reply = self.post(OBJECTS, envelope(objects)).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.text());
        let status = reply.json();
        assert_eq!(status["failure_count"], 0, "{status}");
        status
    }

    /// Adds an analyst of [`TEST_ORG`] with `password` and the given rights
    /// on the default collection.
    pub async fn user(&self, name: &str, password: &str, can_read: bool, can_write: bool) {
        self.member(name, password, TEST_ORG, Role::Analyst, can_read, can_write)
            .await;
    }

    /// Adds a user of `org` (none for node administrators and auditors)
    /// with `role` and the given rights on the default collection.
    pub async fn member(
        &self,
        name: &str,
        password: &str,
        org: &str,
        role: Role,
        can_read: bool,
        can_write: bool,
    ) {
        let operator = Viewer::node_operator();
        let new = NewUser {
            username: name.to_owned(),
            password: password.to_owned(),
            org: (!org.is_empty()).then(|| org.to_owned()),
            role,
        };
        self.hub.add_user(&operator, new).await.expect("user added");
        if can_read || can_write {
            self.hub
                .grant(&operator, name, "default", "default", can_read, can_write)
                .await
                .expect("rights granted");
        }
    }

    /// The id of the default collection.
    pub async fn collection_id(&self) -> String {
        let info = self
            .hub
            .collection(&Viewer::node_operator(), "default", "default")
            .await
            .expect("collection");
        info.get().record.id.clone()
    }
}

/// Adds an organisation of GB to the node and returns its id.
pub async fn add_org(hub: &Hub, name: &str) -> String {
    let new = NewOrg {
        name: name.to_owned(),
        country: "GB".to_owned(),
        sectors: vec!["energy".to_owned()],
        kind: "private".to_owned(),
        attribution: false,
    };
    hub.add_org(&Viewer::node_operator(), new)
        .await
        .expect("organisation added")
        .id
}

/// A request builder with the administrator's credentials and TAXII `Accept`.
pub fn admin(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, basic("admin", ADMIN_PASSWORD))
        .header(header::ACCEPT, TAXII)
}

/// An `Authorization` header value for HTTP Basic.
pub fn basic(user: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("response bodies are UTF-8")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("header is text"))
    }

    /// Asserts a TAXII error: the status, a TAXII body with the spec's
    /// fields, and the given `error_code`. Returns the body.
    pub fn assert_error(&self, status: StatusCode, code: &str) -> Value {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(self.header("content-type"), Some(TAXII));
        let body = self.json();
        assert_eq!(body["error_code"], code, "{body}");
        assert_eq!(body["http_status"], status.as_str(), "{body}");
        assert!(
            body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert!(
            body["description"].as_str().is_some_and(|t| !t.is_empty()),
            "{body}"
        );
        assert!(
            body["error_id"].as_str().is_some_and(|t| t.len() == 36),
            "{body}"
        );
        body
    }

    /// The ids of an envelope's objects, in order.
    pub fn object_ids(&self) -> Vec<String> {
        let body = self.json();
        body["objects"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|o| o["id"].as_str().expect("objects have ids").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The body text with the string values of `keys` and every occurrence of
/// `values` replaced by placeholders, so snapshots hold only what is stable.
pub fn redact(text: &str, keys: &[&str], values: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (value, placeholder) in values {
        out = out.replace(value, placeholder);
    }
    for key in keys {
        let needle = format!("\"{key}\":\"");
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&needle) {
            let start = at + needle.len();
            result.push_str(&rest[..start]);
            let end = rest[start..].find('"').map_or(rest.len(), |e| start + e);
            result.push_str(&format!("[{key}]"));
            rest = &rest[end..];
        }
        result.push_str(rest);
        out = result;
    }
    out
}

/// An envelope of objects given as JSON text.
pub fn envelope(objects: &[String]) -> String {
    format!("{{\"objects\":[{}]}}", objects.join(","))
}

/// An identity SDO marked TLP:RED.
pub fn red_identity(n: u32) -> String {
    format!(
        r#"{{"type":"identity","spec_version":"2.1","id":"{}","created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Organisation {n}","identity_class":"organization","object_marking_refs":["{TLP_RED}"]}}"#,
        stix_id("identity", n)
    )
}

/// A STIX id for test object `n`.
pub fn stix_id(kind: &str, n: u32) -> String {
    format!("{kind}--{n:08x}-0000-4000-8000-000000000000")
}

/// An identity SDO, version `modified`.
pub fn identity_at(n: u32, modified: &str) -> String {
    format!(
        r#"{{"type":"identity","spec_version":"2.1","id":"{}","created":"2024-01-01T00:00:00.000Z","modified":"{modified}","name":"Organisation {n}","identity_class":"organization"}}"#,
        stix_id("identity", n)
    )
}

/// An identity SDO in its first version.
pub fn identity(n: u32) -> String {
    identity_at(n, "2024-01-01T00:00:00.000Z")
}

/// An attack pattern SDO.
pub fn attack_pattern(n: u32) -> String {
    format!(
        r#"{{"type":"attack-pattern","spec_version":"2.1","id":"{}","created":"2024-02-01T00:00:00.000Z","modified":"2024-02-01T00:00:00.000Z","name":"Technique {n}"}}"#,
        stix_id("attack-pattern", n)
    )
}
