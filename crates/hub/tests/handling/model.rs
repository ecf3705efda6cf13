//! The independent model of the handling rules: generated worlds (organisations,
//! communities, collections, rights, submissions) and who each accepted version reaches,
//! written from the TLP table without `policy`.

use std::collections::BTreeSet;

use charter_hub::{Role, TlpLevel};
use proptest::prelude::*;

pub(super) const ORGS: usize = 4;

#[derive(Debug, Clone)]
pub(super) struct World {
    /// Members of each of the two communities (org indexes).
    pub(super) communities: [BTreeSet<usize>; 2],
    /// Per collection: community index or none (then public), default TLP.
    pub(super) collections: Vec<(Option<usize>, TlpLevel)>,
    /// Per org: the role of its one user.
    pub(super) roles: Vec<Role>,
    /// Explicit read rights: (org of the user, collection).
    pub(super) rights: BTreeSet<(usize, usize)>,
    /// Submissions in order.
    pub(super) submissions: Vec<Sub>,
}

#[derive(Debug, Clone)]
pub(super) struct Sub {
    /// Which user (org index) submits; `ORGS` is the node operator.
    pub(super) by: usize,
    pub(super) collection: usize,
    /// Which object (several submissions may share one: new versions).
    pub(super) object: usize,
    /// The TLP marking, or none (collection default).
    pub(super) marking: Option<TlpLevel>,
    pub(super) recipients: BTreeSet<usize>,
}

pub(super) fn tlp() -> impl Strategy<Value = TlpLevel> {
    prop::sample::select(TlpLevel::ALL.to_vec())
}

pub(super) fn orgs() -> impl Strategy<Value = BTreeSet<usize>> {
    prop::collection::btree_set(0..ORGS, 0..=ORGS)
}

pub(super) fn world() -> impl Strategy<Value = World> {
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
pub(super) struct Version {
    pub(super) collection: usize,
    pub(super) object: usize,
    pub(super) version: String,
    /// The submitter's organisation; `None` for the node operator.
    pub(super) submitter: Option<usize>,
    pub(super) tlp: TlpLevel,
    pub(super) recipients: BTreeSet<usize>,
}

/// Who a version reaches: organisations (`Org`) and the holders of explicit
/// rights on a collection (`Rights`), or `None` for anyone who may read the
/// collection. Written from the TLP table, independently of `policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Who {
    Org(usize),
    Rights(usize),
}

pub(super) fn reach(w: &World, v: &Version) -> Option<BTreeSet<Who>> {
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

pub(super) fn reaches(w: &World, reach: &BTreeSet<Who>, org: usize) -> bool {
    reach.iter().any(|who| match who {
        Who::Org(o) => *o == org,
        Who::Rights(k) => w.rights.contains(&(org, *k)),
    })
}

pub(super) fn may_read_collection(w: &World, org: usize, k: usize) -> bool {
    w.rights.contains(&(org, k))
        || match w.collections[k].0 {
            Some(c) => w.communities[c].contains(&org),
            None => true,
        }
}

pub(super) fn may_write_collection(w: &World, org: usize, k: usize) -> bool {
    org == ORGS
        || (w.roles[org] != Role::Reader
            && w.collections[k]
                .0
                .is_some_and(|c| w.communities[c].contains(&org)))
}

pub(super) fn visible(w: &World, org: usize, v: &Version) -> bool {
    may_read_collection(w, org, v.collection) && reach(w, v).is_none_or(|r| reaches(w, &r, org))
}
