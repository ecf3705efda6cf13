//! The few TAXII 2.1 calls the benchmark makes, over plain HTTP/1.1 with keep-alive.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::args::Args;

/// The TAXII 2.1 media type, sent as Accept and Content-Type.
pub const TAXII: &str = "application/taxii+json;version=2.1";

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// The request could not be sent or its answer not read.
    Transport(reqwest::Error),
    /// The server answered with a status other than the expected one.
    Status(u16, String),
    /// The answer was not the JSON resource expected.
    Json(serde_json::Error),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Transport(e) => write!(f, "transport: {e}"),
            CallError::Status(code, body) => write!(f, "HTTP {code}: {body}"),
            CallError::Json(e) => write!(f, "bad JSON: {e}"),
        }
    }
}

impl From<reqwest::Error> for CallError {
    fn from(e: reqwest::Error) -> Self {
        CallError::Transport(e)
    }
}

impl From<serde_json::Error> for CallError {
    fn from(e: serde_json::Error) -> Self {
        CallError::Json(e)
    }
}

/// A TAXII status resource, as much of it as the benchmark checks.
#[derive(Debug, Deserialize)]
pub struct Status {
    /// The status id, for polling.
    pub id: String,
    /// `pending` or `complete`.
    pub status: String,
    /// Objects stored.
    #[serde(default)]
    pub success_count: u64,
    /// Objects refused.
    #[serde(default)]
    pub failure_count: u64,
    /// Objects not yet decided.
    #[serde(default)]
    pub pending_count: u64,
}

/// An object in an envelope; only its id is kept.
#[derive(Debug, Deserialize)]
pub struct ObjectId {
    /// The STIX id.
    pub id: String,
}

/// A TAXII envelope, with only the ids of its objects kept.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    /// Whether more pages follow.
    #[serde(default)]
    pub more: bool,
    /// The token for the next page.
    pub next: Option<String>,
    /// The objects on this page.
    #[serde(default)]
    pub objects: Vec<ObjectId>,
}

/// A page of objects and the `X-TAXII-Date-Added-Last` header that came with it.
pub struct Page {
    /// The envelope.
    pub envelope: Envelope,
    /// The header, when the server sent one.
    pub date_added_last: Option<String>,
}

/// A connection pool to one collection, with the credentials to use. With
/// several servers (`--url A,B,C`, one database behind them), requests go to
/// each in turn.
pub struct Taxii {
    client: reqwest::Client,
    /// Per server: its API root and the collection's objects URL.
    servers: Vec<(String, String)>,
    turn: std::sync::atomic::AtomicUsize,
    user: String,
    password: String,
}

impl Taxii {
    /// A client for the collection the arguments name.
    pub fn new(args: &Args) -> Result<Taxii, CallError> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(args.clients.max(args.in_flight) + 4)
            .timeout(Duration::from_secs(300))
            .build()?;
        let servers = args
            .url
            .split(',')
            .map(|root| {
                let root = if root.ends_with('/') {
                    root.to_owned()
                } else {
                    format!("{root}/")
                };
                let objects = format!("{root}collections/{}/objects/", args.collection);
                (root, objects)
            })
            .collect();
        Ok(Taxii {
            client,
            servers,
            turn: std::sync::atomic::AtomicUsize::new(0),
            user: args.user.clone(),
            password: args.password.clone(),
        })
    }

    /// The next server's API root and objects URL.
    fn server(&self) -> &(String, String) {
        let n = self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        &self.servers[n % self.servers.len()]
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        expect: u16,
    ) -> Result<reqwest::Response, CallError> {
        let resp = req
            .basic_auth(&self.user, Some(&self.password))
            .header("Accept", TAXII)
            .send()
            .await?;
        let code = resp.status().as_u16();
        if code != expect {
            let body = resp.text().await.unwrap_or_default();
            return Err(CallError::Status(code, body.chars().take(300).collect()));
        }
        Ok(resp)
    }

    /// POSTs one envelope (already serialised) and returns the status the server gave.
    pub async fn add(&self, body: Vec<u8>) -> Result<Status, CallError> {
        let req = self
            .client
            .post(&self.server().1)
            .header("Content-Type", TAXII)
            .body(body);
        let resp = self.send(req, 202).await?;
        Ok(serde_json::from_slice(&resp.bytes().await?)?)
    }

    /// Reads a status resource.
    pub async fn status(&self, id: &str) -> Result<Status, CallError> {
        let url = format!("{}status/{id}/", self.server().0);
        let resp = self.send(self.client.get(url), 200).await?;
        Ok(serde_json::from_slice(&resp.bytes().await?)?)
    }

    /// GETs the collection's objects with a query string (already encoded, without `?`).
    pub async fn objects(&self, query: &str) -> Result<Page, CallError> {
        let url = format!("{}?{query}", self.server().1);
        let resp = self.send(self.client.get(url), 200).await?;
        let date_added_last = resp
            .headers()
            .get("X-TAXII-Date-Added-Last")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let envelope = serde_json::from_slice(&resp.bytes().await?)?;
        Ok(Page {
            envelope,
            date_added_last,
        })
    }
}

/// Percent-encodes a query-string value (TAXII `next` tokens and timestamps are ASCII).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
