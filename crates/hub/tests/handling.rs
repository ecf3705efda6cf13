//! The handling rules hold on every read path, for every principal.
//!
//! Each case generates organisations, communities, collections (bound to a
//! community, or public), users in every role and objects at every TLP
//! level with random recipients, submitted by random members; then reads
//! through every read path as every user and compares what was released
//! with an independent model of the TLP table: nothing outside an audience
//! is released, and everything inside it is visible. Every object carries a
//! victim's e-mail address in its description and names its submitter's
//! identity: the submitter's organisation reads both, every other reader the
//! released form with neither (two forms, anonymous submission). The change
//! feed (`Hub::changes`) is checked against the same model.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use charter_hub::admin::{NewCollection, NewOrg};
use charter_hub::{
    ErrorKind, FeedEvent, Hub, HubConfig, ObjectFilter, Role, Submission, TlpLevel, VersionFilter,
    Viewer,
};
use charter_store::sqlite::SqliteStore;
use charter_store::{Store, UserRecord};
use proptest::prelude::*;
use serde_json::value::RawValue;

/// Cases per test function; four functions make the 10,000 the proof asks
/// for, and let the test runner spread them over the cores.
const CASES: u32 = 2_500;

const ORGS: usize = 4;

#[derive(Debug, Clone)]
struct World {
    /// Members of each of the two communities (org indexes).
    communities: [BTreeSet<usize>; 2],
    /// Per collection: community index or none (then public), default TLP.
    collections: Vec<(Option<usize>, TlpLevel)>,
    /// Per org: the role of its one user.
    roles: Vec<Role>,
    /// Explicit read rights: (org of the user, collection).
    rights: BTreeSet<(usize, usize)>,
    /// Submissions in order.
    submissions: Vec<Sub>,
}

#[derive(Debug, Clone)]
struct Sub {
    /// Which user (org index) submits; `ORGS` is the node operator.
    by: usize,
    collection: usize,
    /// Which object (several submissions may share one: new versions).
    object: usize,
    /// The TLP marking, or none (collection default).
    marking: Option<TlpLevel>,
    recipients: BTreeSet<usize>,
}

fn tlp() -> impl Strategy<Value = TlpLevel> {
    prop::sample::select(TlpLevel::ALL.to_vec())
}

fn orgs() -> impl Strategy<Value = BTreeSet<usize>> {
    prop::collection::btree_set(0..ORGS, 0..=ORGS)
}

fn world() -> impl Strategy<Value = World> {
    let communities = [orgs(), orgs()];
    let collections = prop::collection::vec((prop::option::of(0usize..2), tlp()), 1..4);
    let roles = prop::collection::vec(
        prop::sample::select(vec![Role::OrgAdmin, Role::Analyst, Role::Reader]),
        ORGS,
    );
    let sub = (
        0..=ORGS,
        0usize..3,
        0usize..4,
        prop::option::of(tlp()),
        orgs(),
    )
        .prop_map(|(by, collection, object, marking, recipients)| Sub {
            by,
            collection,
            object,
            marking,
            recipients,
        });
    let rights = prop::collection::btree_set((0..ORGS, 0usize..3), 0..3);
    (
        communities,
        collections,
        roles,
        rights,
        prop::collection::vec(sub, 1..10),
    )
        .prop_map(
            |(communities, collections, roles, rights, mut submissions)| {
                for s in &mut submissions {
                    s.collection %= collections.len();
                }
                let rights = rights
                    .into_iter()
                    .map(|(o, k)| (o, k % collections.len()))
                    .collect();
                World {
                    communities,
                    collections,
                    roles,
                    rights,
                    submissions,
                }
            },
        )
}

/// What the model says about one accepted version.
#[derive(Debug, Clone)]
struct Version {
    collection: usize,
    object: usize,
    version: String,
    /// The submitter's organisation; `None` for the node operator.
    submitter: Option<usize>,
    tlp: TlpLevel,
    recipients: BTreeSet<usize>,
}

/// Who a version reaches: organisations (`Org`) and the holders of explicit
/// rights on a collection (`Rights`), or `None` for anyone who may read the
/// collection. Written from the TLP table, independently of `policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Org(usize),
    Rights(usize),
}

fn reach(w: &World, v: &Version) -> Option<BTreeSet<Who>> {
    let mut who: BTreeSet<Who> = match v.tlp {
        TlpLevel::Clear => return None,
        TlpLevel::Red => v.recipients.iter().map(|o| Who::Org(*o)).collect(),
        _ => match w.collections[v.collection].0 {
            Some(c) => w.communities[c].iter().map(|o| Who::Org(*o)).collect(),
            // No community: the holders of explicit rights on the collection,
            // whoever they are now or later.
            None => BTreeSet::from([Who::Rights(v.collection)]),
        },
    };
    who.extend(v.submitter.map(Who::Org));
    Some(who)
}

fn reaches(w: &World, reach: &BTreeSet<Who>, org: usize) -> bool {
    reach.iter().any(|who| match who {
        Who::Org(o) => *o == org,
        Who::Rights(k) => w.rights.contains(&(org, *k)),
    })
}

fn may_read_collection(w: &World, org: usize, k: usize) -> bool {
    w.rights.contains(&(org, k))
        || match w.collections[k].0 {
            Some(c) => w.communities[c].contains(&org),
            None => true,
        }
}

fn may_write_collection(w: &World, org: usize, k: usize) -> bool {
    org == ORGS
        || (w.roles[org] != Role::Reader
            && w.collections[k]
                .0
                .is_some_and(|c| w.communities[c].contains(&org)))
}

fn visible(w: &World, org: usize, v: &Version) -> bool {
    may_read_collection(w, org, v.collection) && reach(w, v).is_none_or(|r| reaches(w, &r, org))
}

struct Node {
    hub: Hub,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

fn node() -> Node {
    let base = if std::path::Path::new("/dev/shm").is_dir() {
        Some("/dev/shm")
    } else {
        None
    };
    let dir = match base {
        Some(b) => tempfile::tempdir_in(b),
        None => tempfile::tempdir(),
    }
    .expect("temp dir");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("charter.db")).expect("store"));
    let hub = Hub::new(store.clone(), HubConfig::default());
    Node {
        hub,
        store,
        _dir: dir,
    }
}

fn marking_id(level: TlpLevel) -> &'static str {
    level.marking_id()
}

/// The personal data in the description of submission `n` of `case`.
fn secret(case: u64, n: usize) -> String {
    format!("victim{case}x{n}@example.org")
}

fn object_json(
    case: u64,
    object: usize,
    version: &str,
    marking: Option<TlpLevel>,
    secret: &str,
    creator: Option<&str>,
) -> Box<RawValue> {
    let mut o = serde_json::json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--0a1b2c3d-4e5f-4a6b-8c7d-{:08x}{:04x}", case, object),
        "created": "2026-01-01T00:00:00.000Z", "modified": version,
        "description": format!("Seen in a lure sent to {secret}."),
        "pattern": format!("[ipv4-addr:value = '198.51.100.{object}']"), "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z"
    });
    if let Some(identity) = creator {
        o["created_by_ref"] = serde_json::json!(identity);
    }
    if let Some(level) = marking {
        o["object_marking_refs"] = serde_json::json!([marking_id(level)]);
    }
    RawValue::from_string(o.to_string()).expect("valid JSON")
}

/// Runs one generated world through the hub and checks every read path.
async fn check(node: &Node, case: u64, w: &World) -> Result<(), TestCaseError> {
    let hub = &node.hub;
    let op = Viewer::node_operator();
    let tag = format!("case{case}");
    let mut org_ids = Vec::new();
    let mut identities = Vec::new();
    for i in 0..ORGS {
        let org = hub
            .add_org(
                &op,
                NewOrg {
                    name: format!("{tag}-org{i}"),
                    country: "GB".into(),
                    sectors: vec!["energy".into()],
                    kind: "private".into(),
                    attribution: false,
                },
            )
            .await
            .expect("org added");
        org_ids.push(org.id);
        identities.push(org.identity_id);
    }
    let mut community_ids = Vec::new();
    for (c, members) in w.communities.iter().enumerate() {
        let members: Vec<String> = members.iter().map(|m| org_ids[*m].clone()).collect();
        community_ids.push(
            hub.add_community(&op, &format!("{tag}-c{c}"), &members)
                .await
                .expect("community")
                .id,
        );
    }
    let mut collection_ids = Vec::new();
    for (k, (community, default_tlp)) in w.collections.iter().enumerate() {
        let new = NewCollection {
            title: format!("{tag}-k{k}"),
            community: community.map(|c| community_ids[c].clone()),
            default_tlp: *default_tlp,
            public: community.is_none(),
            ..NewCollection::default()
        };
        collection_ids.push(hub.add_collection(&op, new).await.expect("collection").id);
    }
    let mut viewers = Vec::new();
    for (i, role) in w.roles.iter().enumerate() {
        let username = format!("{tag}-u{i}");
        node.store
            .put_user(UserRecord {
                username: username.clone(),
                password_hash: "unused".into(),
                role: *role,
                org: Some(org_ids[i].clone()),
                disabled: false,
            })
            .await
            .expect("user");
    }
    for (org, k) in &w.rights {
        hub.grant(
            &op,
            &format!("{tag}-u{org}"),
            "default",
            &collection_ids[*k],
            true,
            false,
        )
        .await
        .expect("grant");
    }
    for i in 0..ORGS {
        viewers.push(
            hub.viewer_as(&op, &format!("{tag}-u{i}"))
                .await
                .expect("viewer"),
        );
    }

    // Every viewer listens for new versions while the submissions land.
    let mut feeds: Vec<_> = viewers.iter().map(|v| hub.changes(v)).collect();

    // Submit, modelling which submissions must be accepted.
    let mut accepted: Vec<Version> = Vec::new();
    for (n, s) in w.submissions.iter().enumerate() {
        let version = format!("2026-01-01T00:00:{:02}.000Z", n + 1);
        let tlp = s.marking.unwrap_or(w.collections[s.collection].1);
        let recipients: Vec<String> = s.recipients.iter().map(|r| org_ids[*r].clone()).collect();
        let by = if s.by == ORGS { &op } else { &viewers[s.by] };
        let result = hub
            .add_objects(
                by,
                "default",
                &collection_ids[s.collection],
                vec![object_json(
                    case,
                    s.object,
                    &version,
                    s.marking,
                    &secret(case, n),
                    identities.get(s.by).map(String::as_str),
                )],
                &Submission {
                    recipients,
                    attribution: None,
                },
            )
            .await;
        let may_write = may_write_collection(w, s.by, s.collection);
        let readable = may_write || may_read_collection(w, s.by, s.collection);
        let status = match result {
            Err(e) if !may_write => {
                let want = if readable {
                    ErrorKind::Forbidden
                } else {
                    ErrorKind::NotFound
                };
                prop_assert_eq!(e.kind(), want, "submission {} refused as {:?}", n, e);
                continue;
            }
            Err(e) => return Err(TestCaseError::fail(format!("submission {n} refused: {e}"))),
            Ok(_) if !may_write => {
                return Err(TestCaseError::fail(format!(
                    "submission {n} accepted without write access"
                )));
            }
            Ok(status) => status.into_inner(),
        };
        let submitter = (s.by < ORGS).then_some(s.by);
        let candidate = Version {
            collection: s.collection,
            object: s.object,
            version,
            submitter,
            tlp,
            recipients: s.recipients.clone(),
        };
        let red_without = tlp == TlpLevel::Red && s.recipients.is_empty();
        let new_reach = reach(w, &candidate);
        let widens = accepted
            .iter()
            .filter(|v| v.object == candidate.object && v.tlp != TlpLevel::Clear)
            .any(|old| match (reach(w, old), &new_reach) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(o), Some(n)) => !n.is_subset(&o),
            });
        let expect_ok = !red_without && !widens;
        prop_assert_eq!(
            status.successes.len() == 1,
            expect_ok,
            "submission {}: {:?} (red without recipients: {}, widens: {})",
            n,
            status.failures,
            red_without,
            widens
        );
        if expect_ok {
            accepted.push(candidate);
        }
    }

    // The change feed is a read path too: each viewer heard exactly the
    // accepted versions it may see, and nothing outside its audience.
    for (org, feed) in feeds.iter_mut().enumerate() {
        let mut heard = BTreeSet::new();
        while let Some(event) = feed.try_next().await {
            match event.into_inner() {
                FeedEvent::Version(change) => {
                    let k = collection_ids
                        .iter()
                        .position(|c| *c == change.collection)
                        .expect("a collection of this case");
                    if change.id.starts_with("identity--") {
                        // A pseudonym the node published, in a collection the viewer reads.
                        prop_assert!(!identities.contains(&change.id));
                        prop_assert!(may_read_collection(w, org, k), "pseudonym outside reach");
                        continue;
                    }
                    let object = usize::from_str_radix(&change.id[change.id.len() - 4..], 16)
                        .expect("hex suffix");
                    prop_assert!(heard.insert((k, object, change.version)), "heard once");
                }
                FeedEvent::Missed(n) => {
                    return Err(TestCaseError::fail(format!("the feed lagged by {n}")));
                }
            }
        }
        let expect: BTreeSet<(usize, usize, String)> = accepted
            .iter()
            .filter(|v| visible(w, org, v))
            .map(|v| (v.collection, v.object, v.version.clone()))
            .collect();
        prop_assert_eq!(heard, expect, "the change feed of org {}", org);
    }

    // Who submitted each accepted version, and what it hid.
    let forms: BTreeMap<(usize, String), (Option<usize>, String)> = accepted
        .iter()
        .map(|v| {
            let n = v.version[17..19].parse::<usize>().expect("seconds") - 1;
            (
                (v.object, v.version.clone()),
                (v.submitter, secret(case, n)),
            )
        })
        .collect();

    // Read as every user through every path.
    for (org, viewer) in viewers.iter().enumerate() {
        for (k, collection) in collection_ids.iter().enumerate() {
            let versions_here: Vec<&Version> =
                accepted.iter().filter(|v| v.collection == k).collect();
            let expect_all: BTreeSet<(usize, String)> = versions_here
                .iter()
                .filter(|v| visible(w, org, v))
                .map(|v| (v.object, v.version.clone()))
                .collect();
            let mut expect_last: BTreeMap<usize, String> = BTreeMap::new();
            for (object, version) in &expect_all {
                let e = expect_last.entry(*object).or_default();
                if version > e {
                    *e = version.clone();
                }
            }
            let all = Some(VersionFilter {
                all: true,
                ..Default::default()
            });
            let readable = may_read_collection(w, org, k);
            for with_raw in [true, false] {
                // Small pages, so pagination under the audience filter is exercised.
                let mut got = BTreeSet::new();
                let mut next = None;
                loop {
                    let filter = ObjectFilter {
                        versions: all.clone(),
                        limit: Some(2),
                        next: next.take(),
                        ..Default::default()
                    };
                    match hub
                        .objects(viewer, "default", collection, filter, with_raw)
                        .await
                    {
                        Ok(page) => {
                            let page = page.into_inner();
                            for o in &page.objects {
                                if o.id.starts_with("identity--") {
                                    // A pseudonym the node published.
                                    prop_assert!(!identities.contains(&o.id));
                                    continue;
                                }
                                let object = usize::from_str_radix(&o.id[o.id.len() - 4..], 16)
                                    .expect("hex suffix");
                                prop_assert!(
                                    got.insert((object, o.version.clone())),
                                    "duplicate across pages"
                                );
                                if !with_raw {
                                    continue;
                                }
                                let (submitter, hidden) = &forms[&(object, o.version.clone())];
                                if *submitter == Some(org) {
                                    prop_assert!(o.raw.contains(hidden.as_str()), "own form");
                                    prop_assert!(o.raw.contains(identities[org].as_str()));
                                } else {
                                    prop_assert!(
                                        !o.raw.contains(hidden.as_str()),
                                        "org {} read {}'s original",
                                        org,
                                        hidden
                                    );
                                    prop_assert!(o.raw.contains("[REDACTED:email]"));
                                    for identity in &identities {
                                        prop_assert!(
                                            !o.raw.contains(identity.as_str()),
                                            "a submitter named to org {}",
                                            org
                                        );
                                    }
                                }
                            }
                            match page.next {
                                Some(n) => next = Some(n),
                                None => break,
                            }
                        }
                        Err(e) => {
                            prop_assert!(!readable, "reader of collection {} refused: {}", k, e);
                            break;
                        }
                    }
                }
                prop_assert_eq!(
                    &got,
                    &expect_all,
                    "org {} collection {} raw {}",
                    org,
                    k,
                    with_raw
                );
            }
            if !readable {
                continue;
            }
            // Default `match[version]`: the latest version this reader may see.
            let page = hub
                .objects(viewer, "default", collection, ObjectFilter::default(), true)
                .await
                .expect("readable");
            let last: BTreeMap<usize, String> = page
                .get()
                .objects
                .iter()
                .filter(|o| !o.id.starts_with("identity--"))
                .map(|o| {
                    (
                        usize::from_str_radix(&o.id[o.id.len() - 4..], 16).expect("hex"),
                        o.version.clone(),
                    )
                })
                .collect();
            prop_assert_eq!(
                &last,
                &expect_last,
                "latest visible, org {} collection {}",
                org,
                k
            );
            // One object by id, as `GET .../objects/{id}/` does.
            if let Some(v) = versions_here.first() {
                let id = format!(
                    "indicator--0a1b2c3d-4e5f-4a6b-8c7d-{:08x}{:04x}",
                    case, v.object
                );
                let filter = ObjectFilter {
                    ids: vec![id],
                    versions: all.clone(),
                    ..Default::default()
                };
                let page = hub
                    .objects(viewer, "default", collection, filter, true)
                    .await
                    .expect("readable");
                let want = expect_all.iter().filter(|(o, _)| *o == v.object).count();
                prop_assert_eq!(
                    page.get().objects.len(),
                    want,
                    "one object's versions, org {}",
                    org
                );
            }
        }
    }
    Ok(())
}

fn run(seed_offset: u64) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let node = node();
    rt.block_on(node.hub.bootstrap(Some("admin-password".into())))
        .expect("bootstrap");
    let case = std::cell::Cell::new(seed_offset * 1_000_000);
    let config = ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(w in world())| {
        case.set(case.get() + 1);
        rt.block_on(check(&node, case.get(), &w))?;
    });
    // And the release record still verifies after all of it.
    let report = rt
        .block_on(node.hub.verify_audit(&Viewer::node_operator()))
        .expect("verifies");
    assert!(report.problems.is_empty(), "{:?}", report.problems.first());
    assert!(report.entries > u64::from(CASES), "every case was recorded");
}

#[test]
fn handling_rules_hold_part_1() {
    run(1);
}

#[test]
fn handling_rules_hold_part_2() {
    run(2);
}

#[test]
fn handling_rules_hold_part_3() {
    run(3);
}

#[test]
fn handling_rules_hold_part_4() {
    run(4);
}
