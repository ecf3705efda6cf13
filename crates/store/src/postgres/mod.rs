//! The PostgreSQL backend: several `charter serve` processes, one database.
//!
//! **Connections.** A pool of connections (deadpool) serves every request;
//! each write runs in its own transaction and the future resolves only after
//! `COMMIT` returns. Connections are opened with `synchronous_commit = on`,
//! so a commit is on the server's disk before it is acknowledged. TLS is not
//! offered yet: connect over a trusted network or a local socket.
//!
//! **Several processes.** Nothing a process keeps in memory can go stale
//! when another process writes:
//!
//! - a write to a collection first takes that collection's row lock
//!   (`SELECT … FOR NO KEY UPDATE`), reads `last_added` under it and commits
//!   before releasing it, so `date_added` is strictly increasing per
//!   collection *and* commits land in `date_added` order. A reader paging
//!   with `next` therefore never skips a version that commits late: every
//!   snapshot holds a prefix of the collection's `date_added` order.
//! - appends to the release record take one transaction-level advisory lock
//!   ([`AUDIT_LOCK`]) and read the head under it, so the chain never forks.
//!   The lock is taken last in a write, just before `COMMIT`, to keep the
//!   section that every writer shares short, and appends of their own (one
//!   per read) are group-committed per process.
//! - schema migrations take their own advisory lock, so servers starting
//!   together migrate once.
//!
//! **Change notification.** Every `add_objects` that stores a version sends
//! `NOTIFY` (delivered only if it commits) naming the collection and the
//! range of `date_added` it wrote; each process listens on a dedicated
//! connection and turns that into [`Change`]s (see `notify`).
//!
//! **Production.** PostgreSQL's autovacuum must be on: the planner needs the
//! statistics it gathers. The test and benchmark machines run without it,
//! so their bulk loads run `ANALYZE` ([`PgStore::analyze`]).

mod accounts;
mod audit;
mod catalog;
mod import;
mod members;
mod notify;
mod objects;
mod query;
mod review;
mod schema;
mod status;
mod warnings;

use std::fmt;

pub use import::{ImportProgress, ImportReport};
use std::str::FromStr;

use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::sync::broadcast;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use crate::{
    Account, AddOutcome, ApiRootRecord, AuditDraft, AuditEntry, BoxFuture, Change,
    CollectionRecord, CommunityRecord, DecideReview, DeletionAudit, Error, ErrorKind, HeldVersion,
    NewVersion, NodeRecord, ObjectQuery, OrgRecord, Page, Permission, Result, ReviewQuery,
    ReviewRecord, StatusRecord, Store, StoredAudience, TokenRecord, UserRecord, VersionFilter,
    WarningFlag,
};

/// The advisory lock key that serialises appends to the release record
/// (`"charter:audit"` read as a number; any constant works if it is shared).
pub(crate) const AUDIT_LOCK: i64 = 0x6368_6172_7465_7201;

/// The advisory lock key that serialises schema migrations.
const MIGRATION_LOCK: i64 = 0x6368_6172_7465_7202;

/// Connections in each process's pool.
const POOL_SIZE: usize = 16;

/// How many changes a slow subscriber may fall behind before it is told it
/// lagged.
const CHANGE_BUFFER: usize = 4096;

/// Parameters of a statement, as tokio-postgres takes them.
type Params<'a> = [&'a (dyn ToSql + Sync)];

/// The PostgreSQL [`Store`], opened with [`PgStore::open`].
///
/// Dropping the store stops its listener and closes its connections once
/// the requests in flight are done.
pub struct PgStore {
    pool: Pool,
    changes: broadcast::Sender<Change>,
    listener: tokio::task::JoinHandle<()>,
    appender: audit::Appender,
    /// The URL with any password removed, for messages.
    shown: String,
}

impl PgStore {
    /// The schema version this code writes: the number of migrations in
    /// `migrations/postgres/`.
    pub const SCHEMA_VERSION: i32 = schema::SCHEMA_VERSION;

    /// Connects to the database at `url` (`postgres://user@host:port/db`),
    /// applies any migrations it lacks and starts listening for changes.
    /// Must be called inside a Tokio runtime.
    ///
    /// Fails with [`ErrorKind::SchemaTooNew`] (writing nothing) if a newer
    /// Charter migrated the database, with [`ErrorKind::InvalidInput`] if
    /// `url` is not a PostgreSQL connection string, and with
    /// [`ErrorKind::Backend`] if the server cannot be reached.
    pub async fn open(url: &str) -> Result<PgStore> {
        let shown = redact(url);
        let mut config = tokio_postgres::Config::from_str(url).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                format!("'{shown}' is not a PostgreSQL connection string: {e}"),
            )
        })?;
        // Acknowledged means durable, whatever the server's default.
        config.options("-c synchronous_commit=on");
        if config.get_application_name().is_none() {
            config.application_name("charter");
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| Error::backend(format!("cannot set up the pool for {shown}"), e))?;
        {
            let mut client = get(&pool, &shown).await?;
            schema::migrate(&mut client, &shown).await?;
        }
        let (changes, _) = broadcast::channel(CHANGE_BUFFER);
        let listener = notify::spawn(config, pool.clone(), changes.clone(), &shown).await?;
        let appender = audit::Appender::spawn(pool.clone(), shown.clone());
        Ok(PgStore {
            pool,
            changes,
            listener,
            appender,
            shown,
        })
    }

    /// Runs `ANALYZE` on the tables queries read, so the planner has
    /// statistics after a bulk load (autovacuum does this in production).
    pub async fn analyze(&self) -> Result<()> {
        let client = self.client().await?;
        client
            .batch_execute("ANALYZE objects; ANALYZE collections; ANALYZE audit")
            .await
            .map_err(pg_err(format!("analyzing {}", self.shown)))
    }

    /// The plan PostgreSQL chose for `query`, one line per line of
    /// `EXPLAIN`. For diagnostics and for the test that the main queries
    /// are served by an index.
    pub fn explain_query(&self, query: ObjectQuery) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(async move { query::explain(&self.client().await?, &query).await })
    }

    async fn client(&self) -> Result<deadpool_postgres::Client> {
        get(&self.pool, &self.shown).await
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

async fn get(pool: &Pool, shown: &str) -> Result<deadpool_postgres::Client> {
    pool.get()
        .await
        .map_err(|e| Error::backend(format!("cannot connect to {shown}"), e))
}

/// `url` without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (None, _) if url.contains("password") => "a PostgreSQL connection string".to_owned(),
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Wraps a PostgreSQL error as [`ErrorKind::Backend`], saying what was
/// being done.
fn pg_err(context: impl fmt::Display) -> impl FnOnce(tokio_postgres::Error) -> Error {
    move |e| Error::backend(context, e)
}

/// Whether `e` is a unique-constraint violation (another writer took the
/// key between our check and our insert).
fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION)
}

/// A `NotFound` error for a collection id.
fn no_collection(id: &str) -> Error {
    Error::new(ErrorKind::NotFound, format!("collection '{id}' not found"))
}

/// Prepares (once per connection) and runs a statement returning rows.
async fn rows<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> std::result::Result<Vec<Row>, tokio_postgres::Error> {
    let stmt = c.prepare_cached(sql).await?;
    c.query(&stmt, params).await
}

/// Prepares and runs a statement returning at most one row.
async fn row<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> std::result::Result<Option<Row>, tokio_postgres::Error> {
    let stmt = c.prepare_cached(sql).await?;
    c.query_opt(&stmt, params).await
}

/// Prepares and runs a statement; returns the rows it changed.
async fn exec<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
) -> std::result::Result<u64, tokio_postgres::Error> {
    let stmt = c.prepare_cached(sql).await?;
    c.execute(&stmt, params).await
}

/// Whether a statement finds at least one row.
async fn exists<C: GenericClient>(
    c: &C,
    sql: &str,
    params: &Params<'_>,
    context: impl fmt::Display,
) -> Result<bool> {
    Ok(!rows(c, sql, params)
        .await
        .map_err(pg_err(context))?
        .is_empty())
}

impl Store for PgStore {
    fn create_api_root(&self, root: ApiRootRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { catalog::create_api_root(&mut self.client().await?, &root).await })
    }

    fn api_roots(&self) -> BoxFuture<'_, Result<Vec<ApiRootRecord>>> {
        Box::pin(async move { catalog::api_roots(&self.client().await?).await })
    }

    fn create_collection(&self, collection: CollectionRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            async move { catalog::create_collection(&mut self.client().await?, &collection).await },
        )
    }

    fn collections(&self, api_root: &str) -> BoxFuture<'_, Result<Vec<CollectionRecord>>> {
        let api_root = api_root.to_owned();
        Box::pin(async move { catalog::collections(&self.client().await?, &api_root).await })
    }

    fn collection(
        &self,
        api_root: &str,
        id_or_alias: &str,
    ) -> BoxFuture<'_, Result<Option<CollectionRecord>>> {
        let (api_root, key) = (api_root.to_owned(), id_or_alias.to_owned());
        Box::pin(async move { catalog::collection(&self.client().await?, &api_root, &key).await })
    }

    fn remove_collection(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(async move { catalog::remove_collection(&mut self.client().await?, &id).await })
    }

    fn submit(
        &self,
        versions: Vec<NewVersion>,
        held: Vec<HeldVersion>,
        status: StatusRecord,
        audit: Vec<AuditDraft>,
    ) -> BoxFuture<'_, Result<Vec<AddOutcome>>> {
        Box::pin(async move {
            objects::add(&mut self.client().await?, &versions, &held, status, &audit).await
        })
    }

    fn originals(
        &self,
        collection: &str,
        versions: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Vec<(String, String, String)>>> {
        let collection = collection.to_owned();
        Box::pin(
            async move { review::originals(&self.client().await?, &collection, &versions).await },
        )
    }

    fn warnings(
        &self,
        collection: &str,
        versions: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Vec<WarningFlag>>> {
        let collection = collection.to_owned();
        Box::pin(async move { warnings::get(&self.client().await?, &collection, &versions).await })
    }

    fn replace_warnings(
        &self,
        collection: &str,
        flags: Vec<WarningFlag>,
    ) -> BoxFuture<'_, Result<()>> {
        let collection = collection.to_owned();
        Box::pin(
            async move { warnings::replace(&mut self.client().await?, &collection, &flags).await },
        )
    }

    fn flagged_ids(
        &self,
        collection: &str,
        after: Option<String>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<String>>> {
        let collection = collection.to_owned();
        Box::pin(async move {
            warnings::flagged_ids(&self.client().await?, &collection, after.as_deref(), limit).await
        })
    }

    fn warning_fingerprint(&self) -> BoxFuture<'_, Result<Option<String>>> {
        Box::pin(async move { warnings::fingerprint(&self.client().await?).await })
    }

    fn set_warning_fingerprint(&self, fingerprint: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            async move { warnings::set_fingerprint(&self.client().await?, &fingerprint).await },
        )
    }

    fn reviews(&self, query: ReviewQuery) -> BoxFuture<'_, Result<Vec<ReviewRecord>>> {
        Box::pin(async move { review::list(&self.client().await?, &query).await })
    }

    fn review(&self, id: &str) -> BoxFuture<'_, Result<Option<ReviewRecord>>> {
        let id = id.to_owned();
        Box::pin(async move { review::get(&self.client().await?, &id, false).await })
    }

    fn decide_review(
        &self,
        decision: DecideReview,
        audit: Vec<AuditDraft>,
    ) -> BoxFuture<'_, Result<(ReviewRecord, Option<AddOutcome>)>> {
        Box::pin(async move { review::decide(&mut self.client().await?, &decision, &audit).await })
    }

    fn query(&self, query: ObjectQuery) -> BoxFuture<'_, Result<Page>> {
        Box::pin(async move { query::run(&self.client().await?, &query).await })
    }

    fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionFilter,
        entries: DeletionAudit,
    ) -> BoxFuture<'_, Result<u64>> {
        let (collection, id) = (collection.to_owned(), id.to_owned());
        Box::pin(async move {
            let mut client = self.client().await?;
            objects::delete(&mut client, &collection, &id, &versions, entries).await
        })
    }

    fn status(&self, id: &str) -> BoxFuture<'_, Result<Option<StatusRecord>>> {
        let id = id.to_owned();
        Box::pin(async move { status::get(&self.client().await?, &id).await })
    }

    fn audiences_of(&self, ids: Vec<String>) -> BoxFuture<'_, Result<Vec<StoredAudience>>> {
        Box::pin(async move { query::audiences_of(&self.client().await?, &ids).await })
    }

    fn node(&self) -> BoxFuture<'_, Result<Option<NodeRecord>>> {
        Box::pin(async move { members::node(&self.client().await?).await })
    }

    fn set_node(&self, node: NodeRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { members::set_node(&self.client().await?, &node).await })
    }

    fn create_org(&self, org: OrgRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { members::create_org(&mut self.client().await?, &org).await })
    }

    fn orgs(&self) -> BoxFuture<'_, Result<Vec<OrgRecord>>> {
        Box::pin(async move { members::orgs(&self.client().await?).await })
    }

    fn org(&self, id_or_name: &str) -> BoxFuture<'_, Result<Option<OrgRecord>>> {
        let key = id_or_name.to_owned();
        Box::pin(async move { members::org(&self.client().await?, &key).await })
    }

    fn set_org_attribution(&self, id: &str, attribution: bool) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(async move {
            members::set_org_attribution(&self.client().await?, &id, attribution).await
        })
    }

    fn remove_org(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(async move { members::remove_org(&mut self.client().await?, &id).await })
    }

    fn users_of_org(&self, org_id: &str) -> BoxFuture<'_, Result<Vec<UserRecord>>> {
        let org = org_id.to_owned();
        Box::pin(async move { accounts::users_of_org(&self.client().await?, &org).await })
    }

    fn create_community(&self, community: CommunityRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            async move { members::create_community(&mut self.client().await?, &community).await },
        )
    }

    fn communities(&self) -> BoxFuture<'_, Result<Vec<CommunityRecord>>> {
        Box::pin(async move { members::communities(&self.client().await?).await })
    }

    fn community(&self, id_or_name: &str) -> BoxFuture<'_, Result<Option<CommunityRecord>>> {
        let key = id_or_name.to_owned();
        Box::pin(async move { members::community(&self.client().await?, &key).await })
    }

    fn remove_community(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(async move { members::remove_community(&mut self.client().await?, &id).await })
    }

    fn set_community_member(
        &self,
        community_id: &str,
        org_id: &str,
        member: bool,
    ) -> BoxFuture<'_, Result<()>> {
        let (community, org) = (community_id.to_owned(), org_id.to_owned());
        Box::pin(async move {
            members::set_member(&mut self.client().await?, &community, &org, member).await
        })
    }

    fn communities_of(&self, org_id: &str) -> BoxFuture<'_, Result<Vec<String>>> {
        let org = org_id.to_owned();
        Box::pin(async move { members::communities_of(&self.client().await?, &org).await })
    }

    fn put_user(&self, user: UserRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { accounts::put_user(&mut self.client().await?, &user).await })
    }

    fn user(&self, username: &str) -> BoxFuture<'_, Result<Option<UserRecord>>> {
        let username = username.to_owned();
        Box::pin(async move { accounts::user(&self.client().await?, &username).await })
    }

    fn users(&self) -> BoxFuture<'_, Result<Vec<UserRecord>>> {
        Box::pin(async move { accounts::users(&self.client().await?).await })
    }

    fn remove_user(&self, username: &str) -> BoxFuture<'_, Result<()>> {
        let username = username.to_owned();
        Box::pin(async move { accounts::remove_user(&mut self.client().await?, &username).await })
    }

    fn set_permission(&self, username: &str, permission: Permission) -> BoxFuture<'_, Result<()>> {
        let username = username.to_owned();
        Box::pin(async move {
            accounts::set_permission(&mut self.client().await?, &username, &permission).await
        })
    }

    fn permissions(&self, username: &str) -> BoxFuture<'_, Result<Vec<Permission>>> {
        let username = username.to_owned();
        Box::pin(async move { accounts::permissions(&self.client().await?, &username).await })
    }

    fn account(&self, username: &str) -> BoxFuture<'_, Result<Option<Account>>> {
        let username = username.to_owned();
        Box::pin(async move { accounts::account(&self.client().await?, &username).await })
    }

    fn create_token(&self, token: TokenRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { accounts::create_token(&mut self.client().await?, &token).await })
    }

    fn token(&self, id: &str) -> BoxFuture<'_, Result<Option<TokenRecord>>> {
        let id = id.to_owned();
        Box::pin(async move { accounts::token(&self.client().await?, &id).await })
    }

    fn tokens(&self, username: Option<String>) -> BoxFuture<'_, Result<Vec<TokenRecord>>> {
        Box::pin(async move { accounts::tokens(&self.client().await?, username.as_deref()).await })
    }

    fn revoke_token(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(async move { accounts::revoke_token(&self.client().await?, &id).await })
    }

    fn append_audit(&self, drafts: Vec<AuditDraft>) -> BoxFuture<'_, Result<Vec<i64>>> {
        Box::pin(async move { self.appender.append(drafts).await })
    }

    fn audit_entries(
        &self,
        after: Option<i64>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>>> {
        Box::pin(async move { audit::entries(&self.client().await?, after, limit).await })
    }

    fn audit_entries_of(
        &self,
        action: &str,
        after: Option<i64>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>>> {
        let action = action.to_owned();
        Box::pin(async move {
            let client = self.client().await?;
            audit::entries_of(&client, &action, after, limit).await
        })
    }

    fn audit_head(&self) -> BoxFuture<'_, Result<Option<(i64, String)>>> {
        Box::pin(async move { audit::head(&self.client().await?).await })
    }

    fn changes(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://charter:s3cret@db:5432/charter"),
            "postgres://charter:***@db:5432/charter"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact("host=db user=x"), "host=db user=x");
        assert_eq!(
            redact("host=db password=x"),
            "a PostgreSQL connection string"
        );
    }
}
