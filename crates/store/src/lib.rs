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
//! embedded backend is [`sqlite::SqliteStore`]; a PostgreSQL backend
//! implements the same trait and passes the same test suite.
//!
//! **Invariant (acknowledged means durable):** every write method resolves
//! only after its transaction is committed to disk (`synchronous = FULL` in
//! WAL mode for SQLite).
//!
//! **Invariant (objects are immutable versions):** a version is keyed by
//! `(collection, id, version)`; adding a version that is already present is a
//! no-op reported as [`AddOutcome::AlreadyPresent`], never an overwrite.

use std::future::Future;
use std::pin::Pin;

pub mod sqlite;
mod error;
mod timestamp;

pub use error::{Error, ErrorKind};

/// A boxed, sendable future: the return type of every [`Store`] method.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The result type of store operations.
pub type Result<T> = std::result::Result<T, Error>;

/// Microseconds since the Unix epoch, UTC. Used for `date_added` and status
/// request timestamps, which the node assigns itself.
pub type Micros = i64;

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
    /// The object's JSON text, exactly as submitted.
    pub raw: String,
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
        VersionFilter { last: true, ..Default::default() }
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
}

/// One page of query results.
#[derive(Debug, Clone)]
pub struct Page {
    /// The versions, in `date_added` order.
    pub items: Vec<StoredVersion>,
    /// Where the next page starts, when more results remain.
    pub next: Option<Cursor>,
}

/// A per-object line in a status resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDetail {
    /// The object's id (or a placeholder when the object had no usable id).
    pub id: String,
    /// The object's version text.
    pub version: String,
    /// Why it failed, for failures.
    pub message: Option<String>,
}

/// A TAXII status resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    /// The status id (a UUID in text form).
    pub id: String,
    /// The collection the request wrote to.
    pub collection: String,
    /// The user who made the request.
    pub owner: String,
    /// When the request was received.
    pub request_timestamp: Micros,
    /// Objects stored (or already present).
    pub successes: Vec<StatusDetail>,
    /// Objects rejected, each with its reason.
    pub failures: Vec<StatusDetail>,
    /// Objects not yet processed.
    pub pendings: Vec<StatusDetail>,
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Unique login name.
    pub username: String,
    /// The password hash in PHC string form (argon2id).
    pub password_hash: String,
    /// Administrators may read and write every collection.
    pub is_admin: bool,
    /// A disabled user is refused at once.
    pub disabled: bool,
}

/// A user's rights on one collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// The collection id.
    pub collection: String,
    /// May read objects.
    pub can_read: bool,
    /// May add objects.
    pub can_write: bool,
}

/// Persistence for one node. Object-safe: held as `Arc<dyn Store>`.
pub trait Store: Send + Sync {
    /// Creates an API root; fails with [`ErrorKind::Conflict`] if the name is taken.
    fn create_api_root(&self, root: ApiRootRecord) -> BoxFuture<'_, Result<()>>;
    /// All API roots, by name.
    fn api_roots(&self) -> BoxFuture<'_, Result<Vec<ApiRootRecord>>>;
    /// Creates a collection; fails with [`ErrorKind::Conflict`] if the id or alias is taken.
    fn create_collection(&self, collection: CollectionRecord) -> BoxFuture<'_, Result<()>>;
    /// The collections of an API root, in creation order.
    fn collections(&self, api_root: &str) -> BoxFuture<'_, Result<Vec<CollectionRecord>>>;
    /// One collection by id or alias within an API root.
    fn collection(&self, api_root: &str, id_or_alias: &str)
    -> BoxFuture<'_, Result<Option<CollectionRecord>>>;

    /// Stores `versions` in `status.collection` and records `status` in one
    /// transaction, committed before the future resolves. Returns one
    /// outcome per input, in order. The status's successes are extended
    /// with the id and version text of every input, in order (objects
    /// already present included); its failures and pendings are kept as
    /// given. `date_added` values are strictly increasing within a
    /// collection.
    ///
    /// Fails, writing nothing, with [`ErrorKind::NotFound`] if the
    /// collection does not exist, [`ErrorKind::Conflict`] if the status id
    /// is taken, and [`ErrorKind::InvalidInput`] if a [`VersionStamp::key`]
    /// is not 30 characters ending in `Z`.
    fn add_objects(
        &self,
        versions: Vec<NewVersion>,
        status: StatusRecord,
    ) -> BoxFuture<'_, Result<Vec<AddOutcome>>>;
    /// Runs a query; see [`ObjectQuery`]. Fails with
    /// [`ErrorKind::NotFound`] if the collection does not exist.
    fn query(&self, query: ObjectQuery) -> BoxFuture<'_, Result<Page>>;
    /// Deletes the versions of `id` selected by `versions` from a collection;
    /// returns how many were removed (an empty filter selects none). The
    /// remaining versions' first and last are recomputed. Fails with
    /// [`ErrorKind::NotFound`] if the collection does not exist.
    fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionFilter,
    ) -> BoxFuture<'_, Result<u64>>;
    /// A status resource by id.
    fn status(&self, id: &str) -> BoxFuture<'_, Result<Option<StatusRecord>>>;

    /// Creates or replaces a user; a replaced user keeps their permissions.
    fn put_user(&self, user: UserRecord) -> BoxFuture<'_, Result<()>>;
    /// A user by name.
    fn user(&self, username: &str) -> BoxFuture<'_, Result<Option<UserRecord>>>;
    /// All users, by name.
    fn users(&self) -> BoxFuture<'_, Result<Vec<UserRecord>>>;
    /// Sets a user's rights on a collection (both false removes them).
    /// Fails with [`ErrorKind::NotFound`] if the user or the collection
    /// (named by id) does not exist.
    fn set_permission(&self, username: &str, permission: Permission) -> BoxFuture<'_, Result<()>>;
    /// A user's rights on every collection where they have any, in
    /// collection creation order; empty for an unknown user.
    fn permissions(&self, username: &str) -> BoxFuture<'_, Result<Vec<Permission>>>;
}
