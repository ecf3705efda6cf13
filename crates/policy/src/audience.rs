//! Audiences, principals and the release decision.

use std::collections::BTreeSet;

use charter_stix::tlp::{self, TlpLevel};

/// Who an object version may be released to: one entry of its audience.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grant {
    /// Anyone who may read the collection.
    Anyone,
    /// The members of one organisation.
    Org(String),
    /// The members of every organisation in one community.
    Community(String),
    /// The holders of explicit read rights on one collection (for a
    /// collection that belongs to no community).
    Collection(String),
}

impl Grant {
    /// The indexed form, matched against [`Principal::key`].
    pub fn key(&self) -> String {
        match self {
            Grant::Anyone => "any".to_owned(),
            Grant::Org(id) => format!("org:{id}"),
            Grant::Community(id) => format!("community:{id}"),
            Grant::Collection(id) => format!("collection:{id}"),
        }
    }

    /// Parses the indexed form back.
    pub fn from_key(key: &str) -> Option<Grant> {
        if key == "any" {
            Some(Grant::Anyone)
        } else if let Some(id) = key.strip_prefix("org:") {
            Some(Grant::Org(id.to_owned()))
        } else if let Some(id) = key.strip_prefix("community:") {
            Some(Grant::Community(id.to_owned()))
        } else {
            key.strip_prefix("collection:")
                .map(|id| Grant::Collection(id.to_owned()))
        }
    }
}

/// One of the identities a reader acts under; a reader holds several
/// (anyone, its organisation, each community its organisation belongs to).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Principal(Grant);

impl Principal {
    /// The principals of a member of `org` whose organisation belongs to
    /// `communities`, holding explicit read rights on `collections`.
    pub fn set_for(
        org: Option<&str>,
        communities: &[String],
        collections: &[String],
    ) -> Vec<Principal> {
        let mut set = vec![Principal(Grant::Anyone)];
        if let Some(org) = org {
            set.push(Principal(Grant::Org(org.to_owned())));
        }
        set.extend(
            communities
                .iter()
                .map(|c| Principal(Grant::Community(c.clone()))),
        );
        set.extend(
            collections
                .iter()
                .map(|c| Principal(Grant::Collection(c.clone()))),
        );
        set
    }

    /// The indexed form, matched against [`Grant::key`].
    pub fn key(&self) -> String {
        self.0.key()
    }
}

/// The audience of one object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    /// The version's TLP level.
    pub tlp: TlpLevel,
    /// Who may receive it; never empty.
    pub grants: Vec<Grant>,
}

impl Audience {
    /// The grants in indexed form.
    pub fn keys(&self) -> Vec<String> {
        self.grants.iter().map(Grant::key).collect()
    }
}

/// Why a submission cannot be given an audience.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// A RED object was submitted without naming its recipients.
    #[error(
        "TLP:RED needs the recipients named at submission (the X-Charter-Recipients header or --recipient)"
    )]
    RedWithoutRecipients,
    /// Re-submitting the object here would reach organisations its
    /// existing versions may not reach.
    #[error(
        "onward sharing refused: this object is {tlp} and already shared with a narrower audience; posting it here would widen it"
    )]
    Widening {
        /// The strictest TLP among the existing versions.
        tlp: TlpLevel,
    },
}

/// The TLP level of an object: the strictest TLP marking among its
/// `object_marking_refs` (TLP 1.0 or 2.0), else the collection's default.
pub fn resolve_tlp<'a>(
    marking_refs: impl IntoIterator<Item = &'a str>,
    collection_default: TlpLevel,
) -> TlpLevel {
    tlp::strictest(marking_refs).unwrap_or(collection_default)
}

/// The audience of a version submitted by `submitter` (its organisation,
/// if it has one) into `collection`, which belongs to `community` (if any),
/// naming `recipients` (organisation ids) for RED.
///
/// GREEN and AMBER in a collection of no community reach the holders of
/// explicit rights on that collection, not everyone who may open it: a
/// public collection shows its CLEAR objects to every member, never more.
pub fn audience(
    tlp: TlpLevel,
    submitter: Option<&str>,
    collection: &str,
    community: Option<&str>,
    recipients: &[String],
) -> Result<Audience, PolicyError> {
    let mut grants = BTreeSet::new();
    match tlp {
        TlpLevel::Clear => {
            grants.insert(Grant::Anyone);
        }
        TlpLevel::Green | TlpLevel::Amber | TlpLevel::AmberStrict => match community {
            Some(c) => {
                grants.insert(Grant::Community(c.to_owned()));
            }
            None => {
                grants.insert(Grant::Collection(collection.to_owned()));
            }
        },
        TlpLevel::Red => {
            if recipients.is_empty() {
                return Err(PolicyError::RedWithoutRecipients);
            }
            grants.extend(recipients.iter().map(|r| Grant::Org(r.clone())));
        }
    }
    if let Some(org) = submitter {
        grants.insert(Grant::Org(org.to_owned()));
    }
    Ok(Audience {
        tlp,
        grants: grants.into_iter().collect(),
    })
}

/// Whether a version with these grants (indexed form) may be released to
/// a reader holding `principals` (indexed form).
pub fn may_release(grant_keys: &[String], principal_keys: &[String]) -> bool {
    grant_keys
        .iter()
        .any(|g| principal_keys.iter().any(|p| p == g))
}

/// The keys among `principal_keys` that a version stored in `collection`,
/// which belongs to `community`, can carry.
///
/// [`audience`] grants a version in a collection only `any`, organisations,
/// the collection's own community, or the collection itself when it has no
/// community; so a reader's other communities never match there. Reading a
/// collection with these keys releases exactly the versions all the keys
/// would, and the store reads one range per key, so a member of many
/// communities pays for one. This rests on a collection keeping its
/// community (nothing rebinds one). Keys this crate does not know are kept.
pub fn keys_for_collection(
    principal_keys: &[String],
    collection: &str,
    community: Option<&str>,
) -> Vec<String> {
    principal_keys
        .iter()
        .filter(|key| match Grant::from_key(key) {
            Some(Grant::Anyone | Grant::Org(_)) | None => true,
            Some(Grant::Community(c)) => community == Some(c.as_str()),
            Some(Grant::Collection(c)) => c == collection,
        })
        .cloned()
        .collect()
}

/// Whether giving an object the audience `new` would reach organisations
/// that the audiences of its `existing` versions do not. `members` lists the
/// organisations of a community. An unrestricted grant (`Anyone`) reaches
/// everyone; CLEAR existing versions never restrict.
pub fn widens(
    existing: &[Audience],
    new: &Audience,
    members: &dyn Fn(&str) -> Vec<String>,
) -> Result<(), PolicyError> {
    let reach = |a: &Audience| -> Option<BTreeSet<String>> {
        let mut orgs = BTreeSet::new();
        for g in &a.grants {
            match g {
                Grant::Anyone => return None,
                Grant::Org(o) => {
                    orgs.insert(o.clone());
                }
                Grant::Community(c) => orgs.extend(members(c)),
                // Rights holders are not organisations; a collection's
                // audience fits only inside the same collection's.
                Grant::Collection(c) => {
                    orgs.insert(format!("collection:{c}"));
                }
            }
        }
        Some(orgs)
    };
    let new_reach = reach(new);
    for old in existing.iter().filter(|a| a.tlp != TlpLevel::Clear) {
        let Some(old_reach) = reach(old) else {
            continue;
        };
        let fits = match &new_reach {
            None => false,
            Some(n) => n.is_subset(&old_reach),
        };
        if !fits {
            return Err(PolicyError::Widening { tlp: old.tlp });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(v: &str) -> String {
        v.to_owned()
    }

    #[test]
    fn tlp_comes_from_markings_else_the_default() {
        assert_eq!(
            resolve_tlp([tlp::TLP_V2_GREEN, tlp::TLP_V1_RED], TlpLevel::Amber),
            TlpLevel::Red
        );
        assert_eq!(
            resolve_tlp([tlp::TLP_V1_WHITE], TlpLevel::Amber),
            TlpLevel::Clear
        );
        assert_eq!(
            resolve_tlp(
                ["marking-definition--00000000-0000-4000-8000-000000000000"],
                TlpLevel::Amber
            ),
            TlpLevel::Amber
        );
        assert_eq!(
            resolve_tlp(std::iter::empty(), TlpLevel::Green),
            TlpLevel::Green
        );
    }

    #[test]
    fn red_needs_recipients_and_reaches_only_them() {
        assert_eq!(
            audience(TlpLevel::Red, Some("a"), "k", Some("c"), &[]),
            Err(PolicyError::RedWithoutRecipients)
        );
        let a = audience(TlpLevel::Red, Some("a"), "k", Some("c"), &[s("b")])
            .expect("recipients named");
        assert_eq!(a.keys(), vec![s("org:a"), s("org:b")]);
        let outsider = Principal::set_for(Some("x"), &[s("c")], &[])
            .iter()
            .map(Principal::key)
            .collect::<Vec<_>>();
        assert!(
            !may_release(&a.keys(), &outsider),
            "community membership does not reach RED"
        );
    }

    #[test]
    fn amber_may_not_be_reposted_into_another_community() {
        let members = |c: &str| match c {
            "uk-energy" => vec![s("a"), s("b")],
            "trilateral" => vec![s("a"), s("b"), s("us1")],
            _ => vec![],
        };
        let old = audience(TlpLevel::Amber, Some("a"), "k", Some("uk-energy"), &[]).expect("ok");
        let wider = audience(TlpLevel::Amber, Some("b"), "k", Some("trilateral"), &[]).expect("ok");
        assert_eq!(
            widens(std::slice::from_ref(&old), &wider, &members),
            Err(PolicyError::Widening {
                tlp: TlpLevel::Amber
            })
        );
        let same = audience(TlpLevel::Amber, Some("b"), "k", Some("uk-energy"), &[]).expect("ok");
        assert_eq!(widens(std::slice::from_ref(&old), &same, &members), Ok(()));
        let clear = audience(TlpLevel::Clear, Some("b"), "k", Some("uk-energy"), &[]).expect("ok");
        assert!(
            widens(&[old], &clear, &members).is_err(),
            "re-marking CLEAR does not escape the rule"
        );
    }

    fn level() -> impl Strategy<Value = TlpLevel> {
        prop::sample::select(TlpLevel::ALL.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]

        /// The release decision agrees with the table in the crate docs for
        /// every level, submitter, community, recipient list and reader.
        #[test]
        fn release_follows_the_table(
            tlp in level(),
            submitter in prop::option::of(0u8..4),
            community in prop::option::of(0u8..3),
            recipients in prop::collection::vec(0u8..4, 0..3),
            reader_org in prop::option::of(0u8..4),
            reader_communities in prop::collection::vec(0u8..3, 0..3),
            reader_has_rights in any::<bool>(),
        ) {
            let org = |n: u8| format!("o{n}");
            let com = |n: u8| format!("c{n}");
            let recipients: Vec<String> = recipients.into_iter().map(org).collect();
            let reader_communities: Vec<String> = reader_communities.into_iter().map(com).collect();
            let submitter = submitter.map(org);
            let community = community.map(com);
            let reader_org = reader_org.map(org);
            let result = audience(tlp, submitter.as_deref(), "k", community.as_deref(), &recipients);
            if tlp == TlpLevel::Red && recipients.is_empty() {
                prop_assert_eq!(result, Err(PolicyError::RedWithoutRecipients));
                return Ok(());
            }
            let grants = result.expect("an audience").keys();
            let rights: Vec<String> = if reader_has_rights { vec![s("k")] } else { vec![] };
            let principals: Vec<String> = Principal::set_for(reader_org.as_deref(), &reader_communities, &rights)
                .iter().map(Principal::key).collect();
            let own = reader_org.is_some() && reader_org == submitter;
            let expected = own || match tlp {
                TlpLevel::Clear => true,
                TlpLevel::Red => reader_org.as_ref().is_some_and(|o| recipients.contains(o)),
                _ => match &community {
                    Some(c) => reader_communities.contains(c),
                    None => reader_has_rights,
                },
            };
            prop_assert_eq!(may_release(&grants, &principals), expected);
            for g in &grants {
                prop_assert_eq!(Grant::from_key(g).map(|g| g.key()), Some(g.clone()));
            }
            let narrowed = keys_for_collection(&principals, "k", community.as_deref());
            prop_assert_eq!(may_release(&grants, &narrowed), expected);
            let own_community = community.as_ref().map(|c| format!("community:{c}"));
            prop_assert!(narrowed
                .iter()
                .all(|k| !k.starts_with("community:") || Some(k) == own_community.as_ref()));
            prop_assert!(narrowed.iter().all(|k| principals.contains(k)));
        }
    }
}
