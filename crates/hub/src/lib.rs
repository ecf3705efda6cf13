//! The hub: Charter's domain service and its one door.
//!
//! Every write goes through [`Hub::add_objects`]: parse → validate (the STIX
//! MUST rules and, for indicators, the pattern) → privacy (the released
//! form, the submitter's pseudonym, or a hold for review) → audience (TLP
//! and community, computed once) → store → audit, in one transaction. Every read
//! takes the requesting principal, a [`Viewer`], and returns a
//! [`Released`] value. `Released<T>` can only be constructed inside this
//! crate, by the release check, so a renderer in `server` (or any later
//! consumer: exports, federation) that tries to skip the check does not
//! compile.
//!
//! **Invariant (one door):** there is no read API without a `&Viewer`.
//!
//! **Invariant (acknowledged means durable):** `add_objects` returns its
//! status only after the store has committed the envelope.
//!
//! **Invariant (bad input changes nothing):** each rejected object is reported
//! in the status `failures` with its reason; the rest of the envelope is
//! unaffected.
//!
//! The hub holds the store as `Arc<dyn Store>`, so it is compiled once for
//! every backend and knows no SQL; it returns plain Rust values and knows no
//! HTTP.

pub mod admin;
mod audit;
mod auth;
mod changes;
mod error;
mod filter;
mod flagged;
mod intel;
mod lookup;
mod objects;
mod privacy;
mod read;
mod released;
mod review;
mod throttle;
mod viewer;
mod vocab;
mod warnings;
mod write;

use std::sync::Arc;

use charter_store::Store;

pub use audit::AuditReport;
pub use auth::TOKEN_PREFIX;
pub use changes::{ChangeFeed, FeedEvent, ObjectChange};
pub use charter_intel::export::SensorFormat;
pub use charter_intel::warninglists::WarningLists;
/// The log readers and the scan loop, for front ends that scan logs against what
/// [`Hub::indicators`] returns without depending on `charter-intel` themselves.
pub use charter_intel::{input, scan};
pub use charter_policy::TlpLevel;
pub use charter_stix::Timestamp;
pub use charter_store::{
    AuditEntry, AuditProblem, AuditProblemKind, CollectionRecord, CommunityRecord, NodeRecord,
    OrgRecord, Role, TokenRecord, VersionFilter,
};
pub use error::{Error, ErrorKind, Result};
pub use filter::{parse_timestamp, parse_version_filter};
pub use flagged::{FlaggedIndicator, WarningPage, WarningQuery};
pub use intel::{ActiveIndicator, IndicatorFilter, SensorExport, SightingCount};
pub use lookup::{LookupCacheStats, LookupMatch, MAX_LOOKUP_VALUES};
pub use objects::{
    ApiRoot, CollectionInfo, ObjectFilter, ObjectPage, ObjectVersion, Status, StatusDetail,
    Submission,
};
pub use released::Released;
pub use review::{Decision, Review};
pub use throttle::{ACCOUNT_LIMIT, ADDRESS_LIMIT, WINDOW as THROTTLE_WINDOW};
pub use viewer::Channel;
pub use viewer::Viewer;
pub use vocab::{INDUSTRY_SECTORS, ORG_KINDS};
pub use warnings::Reflag;

/// The STIX media type every object is served with.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// Limits and defaults of a node, read by every request.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// The title of the node, shown in TAXII discovery.
    pub title: String,
    /// A description of the node, shown in TAXII discovery.
    pub description: Option<String>,
    /// How to reach the node's operators, shown in TAXII discovery.
    pub contact: Option<String>,
    /// This node's name, for its STIX identity.
    pub node_name: String,
    /// This node's country (ISO 3166-1 alpha-2).
    pub node_country: String,
    /// The largest page a read returns; a larger `limit` is clamped to it.
    pub max_page_size: usize,
    /// The page size when a request names no `limit`.
    pub default_page_size: usize,
    /// The largest request body, in bytes, advertised in the API root.
    pub max_content_length: u64,
    /// The most objects one envelope may carry.
    pub max_objects_per_envelope: usize,
    /// What the privacy filter does with each kind of finding in each
    /// class of field.
    pub privacy: charter_policy::privacy::PrivacyPolicy,
    /// How many lookup indexes the hub keeps, one per audience that looks values up (the
    /// least recently used is dropped first); 0 builds a fresh index for every lookup.
    pub lookup_cache_entries: usize,
}

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            title: "Charter".to_owned(),
            description: None,
            contact: None,
            node_name: "Charter node".to_owned(),
            node_country: "GB".to_owned(),
            max_page_size: 1_000,
            default_page_size: 1_000,
            max_content_length: 64 * 1024 * 1024,
            max_objects_per_envelope: 10_000,
            privacy: charter_policy::privacy::PrivacyPolicy::default(),
            lookup_cache_entries: lookup::DEFAULT_CACHE_ENTRIES,
        }
    }
}

/// The domain service. Cheap to clone: all state is shared.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    config: HubConfig,
    credentials: auth::CredentialCache,
    throttle: throttle::Throttle,
    /// The warning lists new versions are flagged with. A write holds a
    /// read guard from computing its flags until its commit, so replacing
    /// the lists (which takes the write guard) waits for every write that
    /// used the old ones.
    warninglists: tokio::sync::RwLock<Arc<charter_intel::warninglists::WarningLists>>,
    /// Held by the one re-flagging pass at a time.
    reflagging: tokio::sync::Mutex<()>,
    /// Whether the store's record of the lists has been squared with the
    /// lists in use (see `warnings`).
    record: tokio::sync::Mutex<warnings::RecordState>,
    lookups: lookup::LookupCache,
}

impl Hub {
    /// A hub over `store` with the given limits.
    pub fn new(store: Arc<dyn Store>, config: HubConfig) -> Hub {
        let lookups = lookup::LookupCache::new(config.lookup_cache_entries);
        Hub {
            inner: Arc::new(Inner {
                store,
                config,
                credentials: auth::CredentialCache::new(),
                throttle: throttle::Throttle::default(),
                warninglists: tokio::sync::RwLock::default(),
                reflagging: tokio::sync::Mutex::new(()),
                record: tokio::sync::Mutex::new(warnings::RecordState::Unknown),
                lookups,
            }),
        }
    }

    /// The node's limits and defaults.
    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    fn store(&self) -> &dyn Store {
        self.inner.store.as_ref()
    }
}
