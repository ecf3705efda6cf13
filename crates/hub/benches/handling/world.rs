//! The node the handling benchmark reads from: 1,000 organisations, 100
//! overlapping communities of 20–50 members, one collection per community
//! plus a public one, and tens of thousands of indicators at every TLP level,
//! all written through the hub as a real node would be.
//!
//! Everything is drawn from a fixed seed, so two runs build the same node
//! (up to the random ids the hub assigns).

use std::sync::Arc;

use charter_hub::admin::{NewCollection, NewOrg};
use charter_hub::{Hub, HubConfig, Role, Submission, TlpLevel, Viewer};
use charter_stix::tlp;
use charter_store::sqlite::SqliteStore;
use charter_store::{Cursor, ObjectQuery, Store, UserRecord, VersionFilter};
use serde_json::json;
use serde_json::value::RawValue;
use tokio::task::JoinSet;

/// Organisations on the node.
pub const ORGS: usize = 1_000;
/// Communities on the node.
pub const COMMUNITIES: usize = 100;
/// Objects per envelope, as a TAXII client would batch them.
pub const ENVELOPE: usize = 500;
/// Indicators on the node unless `HANDLING_INDICATORS` says otherwise.
pub const DEFAULT_INDICATORS: usize = 60_000;
/// Users who submit into each community's collection.
const SUBMITTERS: usize = 3;
/// Envelopes ingested at once (the writer groups their commits).
const IN_FLIGHT: usize = 4;
/// The page the "middle" reads start at.
pub const MIDDLE_PAGE: usize = 8;
/// How many of the collection's latest versions `added_after` leaves.
pub const TAIL: usize = 200;
/// The page size of every read (the node's default and maximum).
pub const PAGE: usize = 1_000;
/// The API root everything lives in.
pub const ROOT: &str = charter_hub::admin::DEFAULT_API_ROOT;

/// A small deterministic generator (SplitMix64): the workload must not
/// change between runs, and no statistical quality is needed.
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `k` distinct values of `0..n`, in random order.
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

/// The marking of one generated indicator: TLP 2.0 and 1.0 markings at
/// every level, and some unmarked objects that take the collection's
/// default (AMBER). About a fifth are RED.
fn marking(rng: &mut Rng) -> Option<&'static str> {
    match rng.below(100) {
        0..10 => Some(tlp::TLP_V2_CLEAR),
        10..15 => Some(tlp::TLP_V1_WHITE),
        15..35 => Some(tlp::TLP_V2_GREEN),
        35..40 => Some(tlp::TLP_V1_GREEN),
        40..60 => Some(tlp::TLP_V2_AMBER),
        60..65 => None,
        65..80 => Some(tlp::TLP_V2_AMBER_STRICT),
        80..90 => Some(tlp::TLP_V2_RED),
        _ => Some(tlp::TLP_V1_RED),
    }
}

/// Indicator number `n`: an IPv4 watch-list entry of the usual size.
fn indicator(n: usize, marking: Option<&str>) -> Box<RawValue> {
    let ip = format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255);
    let at = format!(
        "2026-01-{:02}T{:02}:{:02}:{:02}.000Z",
        1 + n / 86_400 % 28,
        n / 3600 % 24,
        n / 60 % 60,
        n % 60
    );
    let mut o = json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--00000000-0000-4000-8000-{n:012}"),
        "created": at, "modified": at,
        "name": format!("Scanning host {ip}"),
        "indicator_types": ["malicious-activity"],
        "pattern": format!("[ipv4-addr:value = '{ip}']"), "pattern_type": "stix",
        "valid_from": at
    });
    if let Some(m) = marking {
        o["object_marking_refs"] = json!([m]);
    }
    RawValue::from_string(o.to_string()).expect("a serialized JSON value is valid JSON")
}

/// What a principal sees of the measured collection, found before timing
/// so that every timed read has a fixed target.
pub struct Probes {
    /// Versions of the collection released to the principal.
    pub visible: usize,
    /// An id in the middle of what the principal sees.
    pub id: String,
    /// The store cursor where page [`MIDDLE_PAGE`] starts.
    pub store_middle: Option<Cursor>,
    /// The hub's `next` token where page [`MIDDLE_PAGE`] starts.
    pub hub_middle: Option<String>,
}

/// The node, the measured collection and its two readers.
pub struct World {
    /// The hub over `store`.
    pub hub: Hub,
    /// The same store, for timing its queries without the hub.
    pub store: Arc<SqliteStore>,
    /// The measured collection's id.
    pub collection: String,
    /// Versions in the measured collection.
    pub size: usize,
    /// Members of the measured collection's community.
    pub community_size: usize,
    /// An analyst of an organisation in that community.
    pub member: Viewer,
    /// The analyst's principal keys, as the hub passes them to the store.
    pub member_keys: Vec<String>,
    /// A node administrator.
    pub admin: Viewer,
    /// What the analyst sees.
    pub member_probes: Probes,
    /// What the administrator sees.
    pub admin_probes: Probes,
    /// The instant after which the collection's last [`TAIL`] versions
    /// were added: both principals ask for the same tail.
    pub added_after: i64,
    /// Indicators on the node.
    pub indicators: usize,
    /// Keeps the database folder until the benchmark ends.
    _dir: tempfile::TempDir,
}

impl World {
    /// Closes the store and keeps its folder instead of deleting it, for
    /// inspecting the database afterwards; returns the folder.
    pub fn keep(self) -> std::path::PathBuf {
        let World {
            hub,
            store,
            _dir: dir,
            ..
        } = self;
        drop(hub);
        drop(store);
        dir.keep()
    }
}

/// One envelope to ingest.
struct Envelope {
    collection: String,
    by: Viewer,
    recipients: Vec<String>,
    first: usize,
    count: usize,
    seed: u64,
}

/// Stores a user directly (no argon2 hashing: the benchmark never signs
/// in, so the hash is a well-formed one that no password matches) and
/// returns its principal as the hub builds it.
async fn put_user(
    hub: &Hub,
    store: &SqliteStore,
    name: &str,
    role: Role,
    org: Option<String>,
) -> Viewer {
    let user = UserRecord {
        username: name.to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$YmVuY2htYXJr$bm90LWEtcmVhbC1oYXNo"
            .to_owned(),
        role,
        org,
        disabled: false,
    };
    store.put_user(user).await.expect("the user is stored");
    hub.viewer_as(&Viewer::node_operator(), name)
        .await
        .expect("the user exists")
}

/// Runs `make(i)` for `0..n` concurrently and returns the results in order.
async fn all<T, F, Fut>(n: usize, make: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut set = JoinSet::new();
    for i in 0..n {
        let fut = make(i);
        set.spawn(async move { (i, fut.await) });
    }
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    while let Some(joined) = set.join_next().await {
        let (i, value) = joined.expect("a setup task does not panic");
        out[i] = Some(value);
    }
    out.into_iter()
        .map(|v| v.expect("every task reported"))
        .collect()
}

/// Builds the node in a temporary folder. `indicators` is the total on the
/// node; two fifths go to the measured collection, the rest are shared by
/// the other 100 collections (99 communities' and the public one).
pub async fn build(indicators: usize) -> World {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store =
        Arc::new(SqliteStore::open(&dir.path().join("charter.db")).expect("the store opens"));
    let shared: Arc<dyn Store> = store.clone();
    let hub = Hub::new(shared, HubConfig::default());
    hub.bootstrap(Some("bench-admin-password".to_owned()))
        .await
        .expect("bootstrap");
    let op = Viewer::node_operator();
    let mut rng = Rng::new(0x00c4_a27e_7000_0001);

    let orgs: Vec<String> = all(ORGS, |i| {
        let hub = hub.clone();
        let new = NewOrg {
            name: format!("org-{i:04}"),
            country: ["GB", "US", "FR", "DE", "NL", "AU", "CA", "NO"][i % 8].to_owned(),
            sectors: vec![
                charter_hub::INDUSTRY_SECTORS[i % charter_hub::INDUSTRY_SECTORS.len()].to_owned(),
            ],
            kind: charter_hub::ORG_KINDS[i % charter_hub::ORG_KINDS.len()].to_owned(),
            attribution: false,
        };
        async move {
            hub.add_org(&Viewer::node_operator(), new)
                .await
                .expect("the org is added")
                .id
        }
    })
    .await;

    let members: Vec<Vec<usize>> = (0..COMMUNITIES)
        .map(|_| {
            let size = 20 + rng.below(31);
            rng.sample(ORGS, size)
        })
        .collect();
    // The measured community is the one closest to the middle of the range.
    let measured = (0..COMMUNITIES)
        .min_by_key(|&c| members[c].len().abs_diff(35))
        .unwrap_or(0);
    let communities: Vec<String> = all(COMMUNITIES, |c| {
        let hub = hub.clone();
        let ids: Vec<String> = members[c].iter().map(|&o| orgs[o].clone()).collect();
        async move {
            hub.add_community(&Viewer::node_operator(), &format!("community-{c:03}"), &ids)
                .await
                .expect("the community is added")
                .id
        }
    })
    .await;
    let mut collections: Vec<String> = all(COMMUNITIES, |c| {
        let hub = hub.clone();
        let new = NewCollection {
            title: format!("Community {c:03} indicators"),
            alias: Some(format!("c{c:03}")),
            community: Some(communities[c].clone()),
            default_tlp: TlpLevel::Amber,
            ..NewCollection::default()
        };
        async move {
            hub.add_collection(&Viewer::node_operator(), new)
                .await
                .expect("the collection is added")
                .id
        }
    })
    .await;
    let public = NewCollection {
        title: "Public indicators".to_owned(),
        alias: Some("public".to_owned()),
        default_tlp: TlpLevel::Green,
        public: true,
        ..NewCollection::default()
    };
    collections.push(
        hub.add_collection(&op, public)
            .await
            .expect("the public collection is added")
            .id,
    );

    // Submitters: the first members of each community; the measured
    // community's first submitter's organisation is also the analyst's,
    // so the analyst sees its own organisation's RED objects.
    let submitters: Vec<Vec<Viewer>> = all(COMMUNITIES, |c| {
        let hub = hub.clone();
        let store = store.clone();
        let their: Vec<String> = members[c]
            .iter()
            .take(SUBMITTERS)
            .map(|&o| orgs[o].clone())
            .collect();
        async move {
            let mut out = Vec::new();
            for (k, org) in their.into_iter().enumerate() {
                out.push(
                    put_user(
                        &hub,
                        &store,
                        &format!("sub-{c:03}-{k}"),
                        Role::Analyst,
                        Some(org),
                    )
                    .await,
                );
            }
            out
        }
    })
    .await;
    let member_org = orgs[members[measured][0]].clone();
    let member = put_user(
        &hub,
        &store,
        "analyst",
        Role::Analyst,
        Some(member_org.clone()),
    )
    .await;
    let admin = put_user(&hub, &store, "node-admin", Role::NodeAdmin, None).await;

    let measured_count = indicators * 2 / 5;
    let other_count = (indicators - measured_count) / COMMUNITIES;
    let mut envelopes = Vec::new();
    let mut next = 0;
    for (c, collection) in collections.iter().enumerate() {
        let mut left = if c == measured {
            measured_count
        } else {
            other_count
        };
        let pool: &[usize] = if c < COMMUNITIES { &members[c] } else { &[] };
        while left > 0 {
            let count = left.min(ENVELOPE);
            // The node operator and each submitter take turns; the public
            // collection is written by the operator alone.
            let turn = rng.below(SUBMITTERS + 1);
            let by = if c < COMMUNITIES && turn < SUBMITTERS {
                submitters[c][turn].clone()
            } else {
                op.clone()
            };
            let k = 1 + rng.below(3);
            let recipients = if pool.is_empty() {
                rng.sample(ORGS, k)
                    .into_iter()
                    .map(|o| orgs[o].clone())
                    .collect()
            } else {
                rng.sample(pool.len(), k)
                    .into_iter()
                    .map(|i| orgs[pool[i]].clone())
                    .collect()
            };
            envelopes.push(Envelope {
                collection: collection.clone(),
                by,
                recipients,
                first: next,
                count,
                seed: rng.next(),
            });
            next += count;
            left -= count;
        }
    }
    ingest(&hub, envelopes).await;

    let collection = collections[measured].clone();
    let communities_of_member = store
        .communities_of(&member_org)
        .await
        .expect("the member's communities");
    let held: Vec<String> =
        charter_policy::Principal::set_for(Some(&member_org), &communities_of_member, &[])
            .iter()
            .map(charter_policy::Principal::key)
            .collect();
    // The hub passes only the keys a version of the collection can carry.
    let member_keys =
        charter_policy::keys_for_collection(&held, &collection, Some(&communities[measured]));
    let member_probes = probe(
        &hub,
        &store,
        &collection,
        &member,
        Some(member_keys.clone()),
    )
    .await;
    let admin_probes = probe(&hub, &store, &collection, &admin, None).await;
    let added_after = store_tail(&store, &collection).await;
    World {
        hub,
        store,
        collection,
        size: measured_count,
        community_size: members[measured].len(),
        member,
        member_keys,
        admin,
        member_probes,
        admin_probes,
        added_after,
        indicators: next,
        _dir: dir,
    }
}

/// Ingests the envelopes, [`IN_FLIGHT`] at a time, and checks that every
/// object was accepted.
async fn ingest(hub: &Hub, envelopes: Vec<Envelope>) {
    let mut set = JoinSet::new();
    for envelope in envelopes {
        if set.len() >= IN_FLIGHT {
            set.join_next()
                .await
                .expect("a task is running")
                .expect("an ingest task does not panic");
        }
        let hub = hub.clone();
        set.spawn(async move {
            let mut rng = Rng::new(envelope.seed);
            let objects = (envelope.first..envelope.first + envelope.count)
                .map(|n| indicator(n, marking(&mut rng)))
                .collect();
            let submission = Submission {
                recipients: envelope.recipients,
                attribution: None,
            };
            let status = hub
                .add_objects(
                    &envelope.by,
                    ROOT,
                    &envelope.collection,
                    objects,
                    &submission,
                )
                .await
                .expect("the envelope is accepted")
                .into_inner();
            if let Some(f) = status.failures.first() {
                panic!(
                    "{} of {} objects were refused, e.g. {}: {:?}",
                    status.failures.len(),
                    envelope.count,
                    f.id,
                    f.message
                );
            }
        });
    }
    while let Some(joined) = set.join_next().await {
        joined.expect("an ingest task does not panic");
    }
}

/// The store query every read of the benchmark starts from: TAXII's
/// defaults (latest versions, any type) over the measured collection.
pub fn base_query(collection: &str, audience: Option<Vec<String>>, with_raw: bool) -> ObjectQuery {
    ObjectQuery {
        collection: collection.to_owned(),
        added_after: None,
        ids: Vec::new(),
        types: Vec::new(),
        versions: VersionFilter::last(),
        spec_versions: Vec::new(),
        limit: PAGE,
        after: None,
        with_raw,
        audience,
    }
}

/// Walks the whole collection as `viewer` (through the store with
/// `audience`, and through the hub up to the middle page) to fix the
/// targets of the timed reads.
async fn probe(
    hub: &Hub,
    store: &SqliteStore,
    collection: &str,
    viewer: &Viewer,
    audience: Option<Vec<String>>,
) -> Probes {
    let mut seen = Vec::new();
    let mut after = None;
    let mut store_middle = None;
    for page in 0.. {
        if page == MIDDLE_PAGE {
            store_middle = after;
        }
        let query = ObjectQuery {
            after,
            ..base_query(collection, audience.clone(), false)
        };
        let result = store
            .query(query)
            .await
            .expect("the collection is readable");
        seen.extend(result.items.into_iter().map(|v| v.id));
        match result.next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    // The hub's token where the middle page starts: the `next` of the
    // page before it, if the collection has that many pages.
    let mut hub_middle = None;
    for _ in 0..MIDDLE_PAGE {
        let filter = charter_hub::ObjectFilter {
            next: hub_middle.take(),
            ..Default::default()
        };
        let page = hub
            .objects(viewer, ROOT, collection, filter, false)
            .await
            .expect("a manifest page")
            .into_inner();
        hub_middle = page.next;
        if hub_middle.is_none() {
            break;
        }
    }
    let id = seen.get(seen.len() / 2).cloned().unwrap_or_default();
    Probes {
        visible: seen.len(),
        id,
        store_middle,
        hub_middle,
    }
}

/// The instant after which the last [`TAIL`] versions of the collection
/// were added.
async fn store_tail(store: &SqliteStore, collection: &str) -> i64 {
    let mut dates = Vec::new();
    let mut after = None;
    loop {
        let result = store
            .query(ObjectQuery {
                after,
                ..base_query(collection, None, false)
            })
            .await
            .expect("readable");
        dates.extend(result.items.iter().map(|v| v.date_added));
        match result.next {
            Some(cursor) => after = Some(cursor),
            None => break,
        }
    }
    dates.len().checked_sub(TAIL + 1).map_or(0, |i| dates[i])
}
