//! Persistence for Charter, behind one object-safe trait.
//!
//! The key design decision: **the store knows nothing of STIX semantics or
//! HTTP**. It persists immutable object versions (the verbatim JSON text plus
//! the few indexed columns that every TAXII filter needs), collections, status
//! resources and users, and answers queries that are already expressed in
//! plain Rust. Validation, policy and rendering happen above it, in `hub` and
//! `server`.
//!
//! [`Store`] is object-safe and returns hand-written boxed futures, so `hub`
//! holds an `Arc<dyn Store>` and compiles once, whatever the backend. The
//! embedded backend is [`sqlite::SqliteStore`]; [`postgres::PgStore`]
//! implements the same trait for several servers on one database, and both
//! pass the same test suite.
//!
//! **Invariant (audience at write time):** every object version is stored
//! with its audience already computed by `policy` (its TLP level and grant
//! keys such as `community:<id>`), indexed so that a read naming the
//! reader's principal keys ([`ObjectQuery::audience`]) is filtered in the
//! database and its pages stay exact. The store compares keys; it never
//! decides who may see what.
//!
//! **Invariant (the release record is a hash chain):** entries are linked
//! ([`audit`]) inside the single writer, so two requests can never append
//! after the same entry.
//!
//! **Invariant (acknowledged means durable):** every write method resolves
//! only after its transaction is committed to disk (`synchronous = FULL` in
//! WAL mode for SQLite, `synchronous_commit = on` for PostgreSQL).
//!
//! **Change notification:** [`Store::changes`] announces each new object
//! version after its transaction commits: in-process for SQLite, through
//! `LISTEN`/`NOTIFY` for PostgreSQL, so every server on one database hears
//! every other server's writes. Only `hub` subscribes, and it filters the
//! stream by each viewer's audience.
//!
//! **Warning-list flags** ([`WarningFlag`]) are derived data kept beside the
//! versions: the names of the MISP warning lists a version's values are on,
//! computed by `hub` and written with the version in the same transaction,
//! and replaced (never touching the version itself) when the configured
//! lists change. [`Store::warning_fingerprint`] records which lists the
//! flags were computed with.
//!
//! **Invariant (objects are immutable versions):** a version is keyed by
//! `(collection, id, version)`; adding a version that is already present is a
//! no-op reported as [`AddOutcome::AlreadyPresent`], never an overwrite.

use std::future::Future;
use std::pin::Pin;

pub mod audit;
mod error;
mod members;
pub mod postgres;
mod review;
pub mod sqlite;
mod status;
mod timestamp;
mod warnings;

pub use audit::{AuditDraft, AuditEntry, AuditProblem, AuditProblemKind, DeletionAudit};
pub use error::{Error, ErrorKind};
pub use members::{
    Account, CommunityRecord, NodeRecord, OrgRecord, Permission, Role, TokenRecord, UserRecord,
};
pub use review::{
    DecideReview, HeldVersion, ReviewDecision, ReviewOutcome, ReviewQuery, ReviewRecord,
};
pub use status::{StatusDetail, StatusRecord};
pub use warnings::WarningFlag;

/// A boxed, sendable future: the return type of every [`Store`] method.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The result type of store operations.
pub type Result<T> = std::result::Result<T, Error>;

/// Microseconds since the Unix epoch, UTC. Used for `date_added` and status
/// request timestamps, which the node assigns itself.
pub type Micros = i64;

/// The audience of one stored version, as [`Store::audiences_of`] returns
/// it: `(id, tlp, grants)`.
pub type StoredAudience = (String, String, Vec<String>);

/// An API root, as TAXII's discovery and API-root resources describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRootRecord {
    /// The path segment under which the root is served, e.g. `default`.
    pub name: String,
    /// Human-readable title.
    pub title: String,
    /// Optional description.
    pub description: Option<String>,
}

/// A TAXII collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionRecord {
    /// The collection's identifier (a UUID in text form).
    pub id: String,
    /// The name of the API root the collection belongs to.
    pub api_root: String,
    /// Human-readable title.
    pub title: String,
    /// Optional description.
    pub description: Option<String>,
    /// Optional alias, unique within the API root.
    pub alias: Option<String>,
    /// Media types of the objects the collection holds.
    pub media_types: Vec<String>,
    /// The id of the community the collection belongs to, if any.
    pub community: Option<String>,
    /// The TLP level of objects that carry no TLP marking, e.g. `amber`.
    pub default_tlp: String,
    /// Whether the collection is open to every member of the node.
    pub public: bool,
}

/// The version of an object version: the text of its `modified` (or
/// `created`) timestamp exactly as submitted, and a fixed-width key that
/// sorts chronologically (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct VersionStamp {
    /// Fixed-width chronological sort key; equal keys mean equal instants.
    pub key: String,
    /// The timestamp text as it appears in the object.
    pub text: String,
}

/// One object version to be stored.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// The STIX id, `type--uuid`.
    pub id: String,
    /// The STIX type.
    pub object_type: String,
    /// The object's `spec_version` (or `2.1` where the object omits it).
    pub spec_version: String,
    /// The version; `None` for objects with neither `modified` nor
    /// `created` (most SCOs), whose version is then their `date_added`.
    pub version: Option<VersionStamp>,
    /// The version's TLP level: `clear`, `green`, `amber`, `amber+strict`
    /// or `red`.
    pub tlp: String,
    /// The version's audience as grant keys (`any`, `org:<id>`,
    /// `community:<id>`); never empty. Stored sorted and without repeats.
    pub grants: Vec<String>,
    /// The id of the submitting organisation, if it has one.
    pub submitter: Option<String>,
    /// The object's JSON text in its released form: exactly as submitted,
    /// unless the privacy filter changed it.
    pub raw: String,
    /// The JSON text exactly as submitted, when it differs from `raw` (PII
    /// redacted, submitter anonymised). Kept for the submitting
    /// organisation; see [`Store::originals`].
    pub original: Option<String>,
    /// The names of the warning lists the version's values are on (empty:
    /// none), stored as its flags when it is added; see [`Store::warnings`].
    /// Stored sorted and without repeats. Not kept for a held version,
    /// whose flags are given when it is approved.
    pub warnings: Vec<String>,
}

/// What happened to one [`NewVersion`] passed to [`Store::add_objects`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddOutcome {
    /// Stored now, with this `date_added`.
    Added(Micros),
    /// This `(id, version)` was already in the collection (for an object
    /// without a version of its own: the same JSON text under the same id,
    /// so that a retried push adds nothing); nothing changed.
    AlreadyPresent,
}

/// A stored object version, as queries return it.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    /// The STIX id.
    pub id: String,
    /// The STIX type.
    pub object_type: String,
    /// The object's spec version.
    pub spec_version: String,
    /// The version (for objects without one, `date_added` rendered as a
    /// STIX timestamp with microsecond precision).
    pub version: VersionStamp,
    /// When this node added the version to the collection.
    pub date_added: Micros,
    /// The version's TLP level.
    pub tlp: String,
    /// The version's grant keys, sorted.
    pub grants: Vec<String>,
    /// The id of the submitting organisation, if it had one.
    pub submitter: Option<String>,
    /// The verbatim JSON, or an empty string when the query asked for
    /// metadata only.
    pub raw: String,
}

/// Which versions of each object a query returns (TAXII `match[version]`).
/// The selected sets are united, as TAXII specifies for a list of values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionFilter {
    /// Every version.
    pub all: bool,
    /// The earliest version of each object.
    pub first: bool,
    /// The latest version of each object.
    pub last: bool,
    /// Versions whose [`VersionStamp::key`] is one of these.
    pub exact: Vec<String>,
}

impl VersionFilter {
    /// TAXII's default when `match[version]` is absent: the latest version.
    pub fn last() -> Self {
        VersionFilter {
            last: true,
            ..Default::default()
        }
    }
}

/// An opaque position in a collection's `date_added` order, for `next`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(pub i64);

/// A query over one collection's object versions. Every filter is served by
/// an index; results are in `date_added` order.
#[derive(Debug, Clone)]
pub struct ObjectQuery {
    /// The collection id.
    pub collection: String,
    /// Only versions added strictly after this instant.
    pub added_after: Option<Micros>,
    /// Only these ids (empty: any).
    pub ids: Vec<String>,
    /// Only these types (empty: any).
    pub types: Vec<String>,
    /// Which versions of each object.
    pub versions: VersionFilter,
    /// Only these spec versions (empty: any).
    pub spec_versions: Vec<String>,
    /// At most this many results.
    pub limit: usize,
    /// Continue after this cursor (from a previous [`Page::next`]).
    pub after: Option<Cursor>,
    /// Whether to load the JSON text (`false` for manifests).
    pub with_raw: bool,
    /// The reader's principal keys (same form as [`NewVersion::grants`]).
    /// `None`: every version (node administrators). `Some(keys)`: only
    /// versions with at least one grant among `keys`, and
    /// [`VersionFilter::first`] and [`VersionFilter::last`] are the
    /// earliest and latest version *among those*, so a newer version the
    /// reader may not see never hides an older one it may.
    pub audience: Option<Vec<String>>,
}

/// One page of query results.
#[derive(Debug, Clone)]
pub struct Page {
    /// The versions, in `date_added` order.
    pub items: Vec<StoredVersion>,
    /// Where the next page starts, when more results remain.
    pub next: Option<Cursor>,
}

/// A new object version, announced by [`Store::changes`] once the
/// transaction that stored it has committed. It carries the version's
/// audience, so the subscriber can filter without reading it back, and no
/// content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The collection id.
    pub collection: String,
    /// The STIX id.
    pub id: String,
    /// The version.
    pub version: VersionStamp,
    /// When this node added it.
    pub date_added: Micros,
    /// The version's TLP level.
    pub tlp: String,
    /// The version's grant keys, sorted.
    pub grants: Vec<String>,
    /// The id of the submitting organisation, if it had one.
    pub submitter: Option<String>,
}

/// A subscription to [`Store::changes`]. A subscriber that falls too far
/// behind receives [`tokio::sync::broadcast::error::RecvError::Lagged`] and
/// should catch up with an ordinary query from its last `date_added`.
pub type ChangeReceiver = tokio::sync::broadcast::Receiver<Change>;

/// Persistence for one node. Object-safe: held as `Arc<dyn Store>`.
pub trait Store: Send + Sync {
    /// Creates an API root; fails with [`ErrorKind::Conflict`] if the name is taken.
    fn create_api_root(&self, root: ApiRootRecord) -> BoxFuture<'_, Result<()>>;
    /// All API roots, by name.
    fn api_roots(&self) -> BoxFuture<'_, Result<Vec<ApiRootRecord>>>;
    /// Creates a collection; fails with [`ErrorKind::Conflict`] if the id or
    /// alias is taken, and with [`ErrorKind::NotFound`] if its API root or
    /// community does not exist.
    fn create_collection(&self, collection: CollectionRecord) -> BoxFuture<'_, Result<()>>;
    /// The collections of an API root, in creation order.
    fn collections(&self, api_root: &str) -> BoxFuture<'_, Result<Vec<CollectionRecord>>>;
    /// One collection by id or alias within an API root.
    fn collection(
        &self,
        api_root: &str,
        id_or_alias: &str,
    ) -> BoxFuture<'_, Result<Option<CollectionRecord>>>;
    /// Removes a collection (by id) and the explicit rights on it. Fails
    /// with [`ErrorKind::NotFound`] if it does not exist and with
    /// [`ErrorKind::Conflict`] if it holds objects.
    fn remove_collection(&self, id: &str) -> BoxFuture<'_, Result<()>>;

    /// Stores `versions` in `status.collection`, holds `held` for privacy
    /// review, records `status` and appends `audit` to the release record
    /// (as [`Store::append_audit`] does) in one transaction, committed
    /// before the future resolves. Returns one outcome per stored version,
    /// in order. The status's successes are extended with the id and
    /// version text of every stored version, in order (objects already
    /// present included), and its pendings with those of every held one;
    /// its failures are kept as given. `date_added` values are strictly
    /// increasing within a collection. Each added version's
    /// [`NewVersion::warnings`] become its flags in the same transaction. A
    /// version already present keeps its stored audience (and its stored
    /// original and flags).
    ///
    /// Fails, writing nothing, with [`ErrorKind::NotFound`] if the
    /// collection does not exist, [`ErrorKind::Conflict`] if the status id
    /// or a review id is taken, and [`ErrorKind::InvalidInput`] if a
    /// [`VersionStamp::key`] is not 30 characters ending in `Z` or a version
    /// has no grants.
    fn submit(
        &self,
        versions: Vec<NewVersion>,
        held: Vec<HeldVersion>,
        status: StatusRecord,
        audit: Vec<AuditDraft>,
    ) -> BoxFuture<'_, Result<Vec<AddOutcome>>>;
    /// [`Store::submit`] with nothing held for review.
    fn add_objects(
        &self,
        versions: Vec<NewVersion>,
        status: StatusRecord,
        audit: Vec<AuditDraft>,
    ) -> BoxFuture<'_, Result<Vec<AddOutcome>>> {
        self.submit(versions, Vec::new(), status, audit)
    }
    /// The submitted form of stored versions whose released form differs:
    /// for each `(id, version key)` of `collection` that has one, `(id,
    /// version key, original JSON)`, in no particular order. Versions
    /// without an original are left out. Fails with
    /// [`ErrorKind::NotFound`] if the collection does not exist.
    fn originals(
        &self,
        collection: &str,
        versions: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Vec<(String, String, String)>>>;
    /// The warning-list flags of stored versions: for each `(id, version
    /// key)` of `collection` that has any, its [`WarningFlag`], in no
    /// particular order. Unflagged and unknown versions are left out. Fails
    /// with [`ErrorKind::NotFound`] if the collection does not exist.
    fn warnings(
        &self,
        collection: &str,
        versions: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Vec<WarningFlag>>>;
    /// Replaces the flags of stored versions of `collection`: each named
    /// version's lists become exactly `flag.lists` (empty clears them), in
    /// one transaction committed before the future resolves. A version
    /// that is not stored (deleted meanwhile) is skipped. Changes no object
    /// version, and appends nothing to the release record: flags are
    /// derived data. Fails, writing nothing, with [`ErrorKind::NotFound`]
    /// if the collection does not exist.
    fn replace_warnings(
        &self,
        collection: &str,
        flags: Vec<WarningFlag>,
    ) -> BoxFuture<'_, Result<()>>;
    /// The ids of `collection`'s objects that have a flagged version, in
    /// byte order of the id, each once: at most `limit`, starting after
    /// `after`. Fails with [`ErrorKind::NotFound`] if the collection does
    /// not exist.
    fn flagged_ids(
        &self,
        collection: &str,
        after: Option<String>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<String>>>;
    /// What [`Store::set_warning_fingerprint`] last recorded; `None` if
    /// nothing was ever recorded (no flags were ever computed with any
    /// lists).
    fn warning_fingerprint(&self) -> BoxFuture<'_, Result<Option<String>>>;
    /// Records the fingerprint of the warning lists the stored flags were
    /// computed with (opaque text to the store).
    fn set_warning_fingerprint(&self, fingerprint: String) -> BoxFuture<'_, Result<()>>;
    /// Reviews, oldest first; see [`ReviewQuery`].
    fn reviews(&self, query: ReviewQuery) -> BoxFuture<'_, Result<Vec<ReviewRecord>>>;
    /// One review by id.
    fn review(&self, id: &str) -> BoxFuture<'_, Result<Option<ReviewRecord>>>;
    /// Records a decision on a held version in one transaction with its
    /// consequences: on approval the version is stored in its collection
    /// (a new `date_added`; the outcome says whether it was added or was
    /// already present) with [`DecideReview::warnings`] as its flags, and the submission's status moves the object from
    /// `pendings` to `successes`; on rejection nothing is stored and the
    /// object moves to `failures` with the reviewer's note. `audit` is
    /// appended to the release record. Returns the decided review.
    ///
    /// Fails, writing nothing, with [`ErrorKind::NotFound`] if there is no
    /// such review and [`ErrorKind::Conflict`] if it is already decided.
    fn decide_review(
        &self,
        decision: DecideReview,
        audit: Vec<AuditDraft>,
    ) -> BoxFuture<'_, Result<(ReviewRecord, Option<AddOutcome>)>>;
    /// Runs a query; see [`ObjectQuery`]. Fails with
    /// [`ErrorKind::NotFound`] if the collection does not exist.
    fn query(&self, query: ObjectQuery) -> BoxFuture<'_, Result<Page>>;
    /// Deletes the versions of `id` selected by `versions` from a collection
    /// and records the deletion, in one transaction committed before the
    /// future resolves; returns how many versions were removed (an empty
    /// filter selects none). The remaining versions' first and last are
    /// recomputed. When at least one version was removed, `audit` is called
    /// with their number and the drafts it returns are appended to the
    /// release record (as [`Store::append_audit`] does) in that transaction;
    /// when none was, it is not called and nothing is written.
    ///
    /// Fails, writing nothing, with [`ErrorKind::NotFound`] if the
    /// collection does not exist.
    fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionFilter,
        audit: DeletionAudit,
    ) -> BoxFuture<'_, Result<u64>>;
    /// A status resource by id.
    fn status(&self, id: &str) -> BoxFuture<'_, Result<Option<StatusRecord>>>;
    /// The TLP level and grant keys of every stored version of these ids,
    /// in every collection, as `(id, tlp, grants)` ordered by id and
    /// version (for the check that refuses widening an object's audience).
    fn audiences_of(&self, ids: Vec<String>) -> BoxFuture<'_, Result<Vec<StoredAudience>>>;

    /// This node's identity, once set.
    fn node(&self) -> BoxFuture<'_, Result<Option<NodeRecord>>>;
    /// Sets (or replaces) this node's identity.
    fn set_node(&self, node: NodeRecord) -> BoxFuture<'_, Result<()>>;

    /// Creates an organisation; fails with [`ErrorKind::Conflict`] if its
    /// id or name is taken.
    fn create_org(&self, org: OrgRecord) -> BoxFuture<'_, Result<()>>;
    /// All organisations, by name.
    fn orgs(&self) -> BoxFuture<'_, Result<Vec<OrgRecord>>>;
    /// One organisation by id, else by name.
    fn org(&self, id_or_name: &str) -> BoxFuture<'_, Result<Option<OrgRecord>>>;
    /// Sets whether an organisation (by id) is released under its own
    /// identity. Fails with [`ErrorKind::NotFound`] if it does not exist.
    fn set_org_attribution(&self, id: &str, attribution: bool) -> BoxFuture<'_, Result<()>>;
    /// Removes an organisation (by id) and its community memberships.
    /// Fails with [`ErrorKind::NotFound`] if it does not exist and with
    /// [`ErrorKind::Conflict`] if users belong to it.
    fn remove_org(&self, id: &str) -> BoxFuture<'_, Result<()>>;
    /// The users of an organisation (by id), by name.
    fn users_of_org(&self, org_id: &str) -> BoxFuture<'_, Result<Vec<UserRecord>>>;

    /// Creates a community with its members; fails with
    /// [`ErrorKind::Conflict`] if its id or name is taken and with
    /// [`ErrorKind::NotFound`] if a member is not an organisation.
    fn create_community(&self, community: CommunityRecord) -> BoxFuture<'_, Result<()>>;
    /// All communities with their members, by name.
    fn communities(&self) -> BoxFuture<'_, Result<Vec<CommunityRecord>>>;
    /// One community by id, else by name.
    fn community(&self, id_or_name: &str) -> BoxFuture<'_, Result<Option<CommunityRecord>>>;
    /// Removes a community (by id). Fails with [`ErrorKind::NotFound`] if
    /// it does not exist and with [`ErrorKind::Conflict`] if a collection
    /// belongs to it.
    fn remove_community(&self, id: &str) -> BoxFuture<'_, Result<()>>;
    /// Adds an organisation to a community (`member`) or removes it; both
    /// by id. Adding a member twice or removing a non-member changes
    /// nothing. Fails with [`ErrorKind::NotFound`] if either does not exist.
    fn set_community_member(
        &self,
        community_id: &str,
        org_id: &str,
        member: bool,
    ) -> BoxFuture<'_, Result<()>>;
    /// The ids of the communities an organisation belongs to, sorted.
    fn communities_of(&self, org_id: &str) -> BoxFuture<'_, Result<Vec<String>>>;

    /// Creates or replaces a user; a replaced user keeps their permissions
    /// and tokens. Fails with [`ErrorKind::NotFound`] if the user's
    /// organisation does not exist.
    fn put_user(&self, user: UserRecord) -> BoxFuture<'_, Result<()>>;
    /// A user by name.
    fn user(&self, username: &str) -> BoxFuture<'_, Result<Option<UserRecord>>>;
    /// All users, by name.
    fn users(&self) -> BoxFuture<'_, Result<Vec<UserRecord>>>;
    /// Removes a user with their permissions and tokens. Fails with
    /// [`ErrorKind::NotFound`] if there is no such user.
    fn remove_user(&self, username: &str) -> BoxFuture<'_, Result<()>>;
    /// Sets a user's rights on a collection (both false removes them).
    /// Fails with [`ErrorKind::NotFound`] if the user or the collection
    /// (named by id) does not exist.
    fn set_permission(&self, username: &str, permission: Permission) -> BoxFuture<'_, Result<()>>;
    /// A user's rights on every collection where they have any, in
    /// collection creation order; empty for an unknown user.
    fn permissions(&self, username: &str) -> BoxFuture<'_, Result<Vec<Permission>>>;
    /// A user with its organisation's communities and its explicit rights:
    /// what every authenticated request needs, so a backend should answer
    /// it in one round trip. This default asks [`Store::user`],
    /// [`Store::communities_of`] and [`Store::permissions`] in turn.
    fn account(&self, username: &str) -> BoxFuture<'_, Result<Option<Account>>> {
        let username = username.to_owned();
        Box::pin(async move {
            let Some(user) = self.user(&username).await? else {
                return Ok(None);
            };
            let communities = match &user.org {
                Some(org) => self.communities_of(org).await?,
                None => Vec::new(),
            };
            let permissions = self.permissions(&username).await?;
            Ok(Some(Account {
                user,
                communities,
                permissions,
            }))
        })
    }

    /// Stores a new API token. Fails with [`ErrorKind::Conflict`] if its id
    /// is taken and with [`ErrorKind::NotFound`] if its user does not exist.
    fn create_token(&self, token: TokenRecord) -> BoxFuture<'_, Result<()>>;
    /// A token by id.
    fn token(&self, id: &str) -> BoxFuture<'_, Result<Option<TokenRecord>>>;
    /// The tokens of one user, or of every user, in the order they were
    /// issued.
    fn tokens(&self, username: Option<String>) -> BoxFuture<'_, Result<Vec<TokenRecord>>>;
    /// Marks a token revoked. Fails with [`ErrorKind::NotFound`] if there
    /// is no such token.
    fn revoke_token(&self, id: &str) -> BoxFuture<'_, Result<()>>;

    /// Appends entries to the release record, in order, each after the
    /// current last entry: sequence number one more, `prev_hash` its hash,
    /// `hash` from [`audit::entry_hash`]. Committed before the future
    /// resolves; returns the sequence numbers given.
    fn append_audit(&self, drafts: Vec<AuditDraft>) -> BoxFuture<'_, Result<Vec<i64>>>;
    /// Up to `limit` entries with sequence numbers greater than `after`
    /// (from the first when `None`), in sequence order.
    fn audit_entries(
        &self,
        after: Option<i64>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>>>;
    /// Up to `limit` entries whose action is `action`, with sequence
    /// numbers greater than `after` (from the first when `None`), in
    /// sequence order. Served by an index on `(action, seq)`: entries of
    /// other actions are not read.
    fn audit_entries_of(
        &self,
        action: &str,
        after: Option<i64>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>>>;
    /// The sequence number and hash of the last entry; `None` while the
    /// record is empty.
    fn audit_head(&self) -> BoxFuture<'_, Result<Option<(i64, String)>>>;

    /// Subscribes to new object versions: every version
    /// [`Store::add_objects`] stores from now on, in this process or (for a
    /// shared database) any other, announced after its commit, in commit
    /// order per collection. Versions already present are not announced.
    fn changes(&self) -> ChangeReceiver;
}
