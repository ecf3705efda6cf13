//! The embedded backend: one SQLite file, one writer thread, a few readers.
//!
//! **Writes** go to a single thread that owns the only write connection. It
//! takes every request queued at that moment and commits them in one
//! transaction (group commit), so eight concurrent envelopes cost one
//! `fsync`, not eight. Requests check everything that can refuse them
//! before writing a row, so a refused request (an unknown collection, a
//! duplicate status id) changes nothing while the rest of its batch commits.
//! Replies are sent only after `COMMIT` returns; with `synchronous = FULL`
//! in WAL mode that means the data is on disk. Checkpoints run on a thread
//! of their own (see `checkpoint`).
//!
//! **Reads** run over a small pool of read-only connections, on
//! `spawn_blocking` (short ones on the caller's thread, see `pool`). WAL
//! lets them proceed while the writer commits, and each statement sees one
//! committed snapshot.
//!
//! **Other processes** (the `charter` admin commands) may open the same file
//! while a server runs: SQLite's file locks, WAL and a busy timeout make that
//! safe, and the writer keeps no state that another process could make stale
//! (the last `date_added` of each collection lives in the database).

mod accounts;
mod audience;
mod audit;
mod catalog;
mod checkpoint;
mod grants;
mod members;
mod objects;
mod pool;
mod query;
mod review;
mod schema;
mod status;
mod warnings;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{
    Account, AddOutcome, ApiRootRecord, AuditDraft, AuditEntry, BoxFuture, Change, ChangeReceiver,
    CollectionRecord, CommunityRecord, DecideReview, DeletionAudit, Error, ErrorKind, HeldVersion,
    NewVersion, NodeRecord, ObjectQuery, OrgRecord, Page, Permission, Result, ReviewQuery,
    ReviewRecord, StatusRecord, Store, StoredAudience, TokenRecord, UserRecord, VersionFilter,
    VersionStamp, WarningFlag,
};
use checkpoint::Checkpointer;
use pool::ReadPool;
use writer::Writer;

/// The SQLite [`Store`]: one database file, opened with [`SqliteStore::open`].
///
/// Dropping the store stops its writer thread after the requests already
/// queued are committed, and closes every connection.
pub struct SqliteStore {
    path: PathBuf,
    // Declared before the checkpointer so it closes first: its connection
    // holds the WAL hook that signals the checkpointer.
    writer: Writer,
    _checkpointer: Checkpointer,
    readers: Arc<ReadPool>,
    /// New versions, announced after their commit (see [`Store::changes`]).
    changes: tokio::sync::broadcast::Sender<Change>,
}

impl SqliteStore {
    /// The schema version this code writes (`PRAGMA user_version`): the
    /// number of migrations in `migrations/sqlite/`.
    pub const SCHEMA_VERSION: u32 = schema::SCHEMA_VERSION;

    /// Opens the database at `path`, creating the file and its parent
    /// folders if needed and applying any migrations it lacks.
    ///
    /// Fails with [`ErrorKind::SchemaTooNew`] (and leaves the file as it
    /// was) if a newer Charter wrote it, and with [`ErrorKind::Backend`] if
    /// the file cannot be opened or is not an SQLite database.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                Error::backend(format!("cannot create the folder {}", parent.display()), e)
            })?;
        }
        let mut conn = schema::open_writer(path)?;
        let (checkpointer, gauge) = Checkpointer::spawn(path, &mut conn)?;
        let writer = Writer::spawn(conn, gauge, path)?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writer,
            _checkpointer: checkpointer,
            readers: Arc::new(ReadPool::new(path.to_owned())),
            changes: tokio::sync::broadcast::channel(CHANGE_BUFFER).0,
        })
    }

    /// Announces a version committed at `at`; one without a version of its
    /// own is versioned by that instant.
    fn announce(&self, mut change: Change, at: crate::Micros) {
        if change.version.key.is_empty() {
            change.version = VersionStamp::from_micros(at);
        }
        change.date_added = at;
        // No subscriber is not an error.
        let _ = self.changes.send(change);
    }

    /// The database file this store uses.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The plan SQLite chose for `query`, one line per step of
    /// `EXPLAIN QUERY PLAN` (e.g. `SEARCH objects USING INDEX objects_last
    /// (collection=? AND date_added>?)`). For diagnostics and for the test
    /// that proves every filter is served by an index.
    pub fn explain_query(&self, query: ObjectQuery) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(self.readers.run(move |conn| query::explain(conn, &query)))
    }
}

impl Store for SqliteStore {
    fn create_api_root(&self, root: ApiRootRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            self.writer
                .submit(1, move |conn| catalog::create_api_root(conn, &root)),
        )
    }

    fn api_roots(&self) -> BoxFuture<'_, Result<Vec<ApiRootRecord>>> {
        Box::pin(self.readers.run(catalog::api_roots))
    }

    fn create_collection(&self, collection: CollectionRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            self.writer
                .submit(1, move |conn| catalog::create_collection(conn, &collection)),
        )
    }

    fn collections(&self, api_root: &str) -> BoxFuture<'_, Result<Vec<CollectionRecord>>> {
        let api_root = api_root.to_owned();
        Box::pin(
            self.readers
                .run(move |conn| catalog::collections(conn, &api_root)),
        )
    }

    fn collection(
        &self,
        api_root: &str,
        id_or_alias: &str,
    ) -> BoxFuture<'_, Result<Option<CollectionRecord>>> {
        let (api_root, key) = (api_root.to_owned(), id_or_alias.to_owned());
        Box::pin(
            self.readers
                .run_short(move |conn| catalog::collection(conn, &api_root, &key)),
        )
    }

    fn remove_collection(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(
            self.writer
                .submit(1, move |conn| catalog::remove_collection(conn, &id)),
        )
    }

    fn submit(
        &self,
        versions: Vec<NewVersion>,
        held: Vec<HeldVersion>,
        status: StatusRecord,
        audit: Vec<AuditDraft>,
    ) -> BoxFuture<'_, Result<Vec<AddOutcome>>> {
        let weight = versions.len() + held.len() + audit.len() + 1;
        // What the announcement needs, without the JSON text.
        let announced: Vec<Change> = versions
            .iter()
            .map(|v| change_of(&status.collection, v, 0))
            .collect();
        Box::pin(async move {
            let outcomes = self
                .writer
                .submit(weight, move |conn| {
                    objects::add(conn, &versions, &held, status, &audit)
                })
                .await?;
            // After the commit: the writer answers only then.
            for (change, outcome) in announced.into_iter().zip(&outcomes) {
                if let AddOutcome::Added(at) = *outcome {
                    self.announce(change, at);
                }
            }
            Ok(outcomes)
        })
    }

    fn originals(
        &self,
        collection: &str,
        versions: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Vec<(String, String, String)>>> {
        let collection = collection.to_owned();
        Box::pin(
            self.readers
                .run(move |conn| review::originals(conn, &collection, &versions)),
        )
    }

    fn warnings(
        &self,
        collection: &str,
        versions: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<Vec<WarningFlag>>> {
        let collection = collection.to_owned();
        let short = versions.len() <= pool::SHORT_LIMIT;
        let read = move |conn: &rusqlite::Connection| warnings::get(conn, &collection, &versions);
        if short {
            Box::pin(self.readers.run_short(read))
        } else {
            Box::pin(self.readers.run(read))
        }
    }

    fn replace_warnings(
        &self,
        collection: &str,
        flags: Vec<WarningFlag>,
    ) -> BoxFuture<'_, Result<()>> {
        let collection = collection.to_owned();
        Box::pin(self.writer.submit(flags.len().max(1), move |conn| {
            warnings::replace(conn, &collection, &flags)
        }))
    }

    fn flagged_ids(
        &self,
        collection: &str,
        after: Option<String>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<String>>> {
        let collection = collection.to_owned();
        let read = move |conn: &rusqlite::Connection| {
            warnings::flagged_ids(conn, &collection, after.as_deref(), limit)
        };
        if limit <= pool::SHORT_LIMIT {
            Box::pin(self.readers.run_short(read))
        } else {
            Box::pin(self.readers.run(read))
        }
    }

    fn warning_fingerprint(&self) -> BoxFuture<'_, Result<Option<String>>> {
        Box::pin(self.readers.run_short(warnings::fingerprint))
    }

    fn set_warning_fingerprint(&self, fingerprint: String) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            self.writer
                .submit(1, move |conn| warnings::set_fingerprint(conn, &fingerprint)),
        )
    }

    fn reviews(&self, query: ReviewQuery) -> BoxFuture<'_, Result<Vec<ReviewRecord>>> {
        Box::pin(self.readers.run(move |conn| review::list(conn, &query)))
    }

    fn review(&self, id: &str) -> BoxFuture<'_, Result<Option<ReviewRecord>>> {
        let id = id.to_owned();
        Box::pin(self.readers.run(move |conn| review::get(conn, &id)))
    }

    fn decide_review(
        &self,
        decision: DecideReview,
        audit: Vec<AuditDraft>,
    ) -> BoxFuture<'_, Result<(ReviewRecord, Option<AddOutcome>)>> {
        Box::pin(async move {
            let (record, outcome) = self
                .writer
                .submit(audit.len() + 2, move |conn| {
                    review::decide(conn, &decision, &audit)
                })
                .await?;
            if let Some(AddOutcome::Added(at)) = outcome {
                self.announce(change_of(&record.collection, &record.version, 0), at);
            }
            Ok((record, outcome))
        })
    }

    fn query(&self, query: ObjectQuery) -> BoxFuture<'_, Result<Page>> {
        // A page of a few rows through an index is a short read; larger
        // pages go to the blocking pool.
        if query.limit <= pool::SHORT_LIMIT {
            Box::pin(self.readers.run_short(move |conn| query::run(conn, &query)))
        } else {
            Box::pin(self.readers.run(move |conn| query::run(conn, &query)))
        }
    }

    fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionFilter,
        entries: DeletionAudit,
    ) -> BoxFuture<'_, Result<u64>> {
        let (collection, id) = (collection.to_owned(), id.to_owned());
        Box::pin(self.writer.submit(2, move |conn| {
            objects::delete(conn, &collection, &id, &versions, entries)
        }))
    }

    fn status(&self, id: &str) -> BoxFuture<'_, Result<Option<StatusRecord>>> {
        let id = id.to_owned();
        Box::pin(self.readers.run(move |conn| status::get(conn, &id)))
    }

    fn audiences_of(&self, ids: Vec<String>) -> BoxFuture<'_, Result<Vec<StoredAudience>>> {
        Box::pin(
            self.readers
                .run(move |conn| query::audiences_of(conn, &ids)),
        )
    }

    fn node(&self) -> BoxFuture<'_, Result<Option<NodeRecord>>> {
        Box::pin(self.readers.run(members::node))
    }

    fn set_node(&self, node: NodeRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            self.writer
                .submit(1, move |conn| members::set_node(conn, &node)),
        )
    }

    fn create_org(&self, org: OrgRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            self.writer
                .submit(1, move |conn| members::create_org(conn, &org)),
        )
    }

    fn orgs(&self) -> BoxFuture<'_, Result<Vec<OrgRecord>>> {
        Box::pin(self.readers.run(members::orgs))
    }

    fn org(&self, id_or_name: &str) -> BoxFuture<'_, Result<Option<OrgRecord>>> {
        let key = id_or_name.to_owned();
        Box::pin(self.readers.run(move |conn| members::org(conn, &key)))
    }

    fn set_org_attribution(&self, id: &str, attribution: bool) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(self.writer.submit(1, move |conn| {
            members::set_org_attribution(conn, &id, attribution)
        }))
    }

    fn remove_org(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(
            self.writer
                .submit(1, move |conn| members::remove_org(conn, &id)),
        )
    }

    fn users_of_org(&self, org_id: &str) -> BoxFuture<'_, Result<Vec<UserRecord>>> {
        let org = org_id.to_owned();
        Box::pin(
            self.readers
                .run(move |conn| accounts::users_of_org(conn, &org)),
        )
    }

    fn create_community(&self, community: CommunityRecord) -> BoxFuture<'_, Result<()>> {
        let weight = community.members.len() + 1;
        Box::pin(self.writer.submit(weight, move |conn| {
            members::create_community(conn, &community)
        }))
    }

    fn communities(&self) -> BoxFuture<'_, Result<Vec<CommunityRecord>>> {
        Box::pin(self.readers.run(members::communities))
    }

    fn community(&self, id_or_name: &str) -> BoxFuture<'_, Result<Option<CommunityRecord>>> {
        let key = id_or_name.to_owned();
        Box::pin(self.readers.run(move |conn| members::community(conn, &key)))
    }

    fn remove_community(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(
            self.writer
                .submit(1, move |conn| members::remove_community(conn, &id)),
        )
    }

    fn set_community_member(
        &self,
        community_id: &str,
        org_id: &str,
        member: bool,
    ) -> BoxFuture<'_, Result<()>> {
        let (community, org) = (community_id.to_owned(), org_id.to_owned());
        Box::pin(self.writer.submit(1, move |conn| {
            members::set_member(conn, &community, &org, member)
        }))
    }

    fn communities_of(&self, org_id: &str) -> BoxFuture<'_, Result<Vec<String>>> {
        let org = org_id.to_owned();
        Box::pin(
            self.readers
                .run(move |conn| members::communities_of(conn, &org)),
        )
    }

    fn put_user(&self, user: UserRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            self.writer
                .submit(1, move |conn| accounts::put_user(conn, &user)),
        )
    }

    fn user(&self, username: &str) -> BoxFuture<'_, Result<Option<UserRecord>>> {
        let username = username.to_owned();
        Box::pin(
            self.readers
                .run(move |conn| accounts::user(conn, &username)),
        )
    }

    fn users(&self) -> BoxFuture<'_, Result<Vec<UserRecord>>> {
        Box::pin(self.readers.run(accounts::users))
    }

    fn remove_user(&self, username: &str) -> BoxFuture<'_, Result<()>> {
        let username = username.to_owned();
        Box::pin(
            self.writer
                .submit(1, move |conn| accounts::remove_user(conn, &username)),
        )
    }

    fn set_permission(&self, username: &str, permission: Permission) -> BoxFuture<'_, Result<()>> {
        let username = username.to_owned();
        Box::pin(self.writer.submit(1, move |conn| {
            accounts::set_permission(conn, &username, &permission)
        }))
    }

    fn permissions(&self, username: &str) -> BoxFuture<'_, Result<Vec<Permission>>> {
        let username = username.to_owned();
        Box::pin(
            self.readers
                .run(move |conn| accounts::permissions(conn, &username)),
        )
    }

    fn account(&self, username: &str) -> BoxFuture<'_, Result<Option<Account>>> {
        let username = username.to_owned();
        Box::pin(
            self.readers
                .run_short(move |conn| accounts::account(conn, &username)),
        )
    }

    fn create_token(&self, token: TokenRecord) -> BoxFuture<'_, Result<()>> {
        Box::pin(
            self.writer
                .submit(1, move |conn| accounts::create_token(conn, &token)),
        )
    }

    fn token(&self, id: &str) -> BoxFuture<'_, Result<Option<TokenRecord>>> {
        let id = id.to_owned();
        Box::pin(
            self.readers
                .run_short(move |conn| accounts::token(conn, &id)),
        )
    }

    fn tokens(&self, username: Option<String>) -> BoxFuture<'_, Result<Vec<TokenRecord>>> {
        Box::pin(
            self.readers
                .run(move |conn| accounts::tokens(conn, username.as_deref())),
        )
    }

    fn revoke_token(&self, id: &str) -> BoxFuture<'_, Result<()>> {
        let id = id.to_owned();
        Box::pin(
            self.writer
                .submit(1, move |conn| accounts::revoke_token(conn, &id)),
        )
    }

    fn append_audit(&self, drafts: Vec<AuditDraft>) -> BoxFuture<'_, Result<Vec<i64>>> {
        Box::pin(self.writer.submit(drafts.len().max(1), move |conn| {
            audit::append(conn, &drafts)
        }))
    }

    fn audit_entries(
        &self,
        after: Option<i64>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>>> {
        Box::pin(
            self.readers
                .run(move |conn| audit::entries(conn, after, limit)),
        )
    }

    fn audit_entries_of(
        &self,
        action: &str,
        after: Option<i64>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Vec<AuditEntry>>> {
        let action = action.to_owned();
        Box::pin(
            self.readers
                .run(move |conn| audit::entries_of(conn, &action, after, limit)),
        )
    }

    fn audit_head(&self) -> BoxFuture<'_, Result<Option<(i64, String)>>> {
        Box::pin(self.readers.run(audit::head))
    }

    fn changes(&self) -> ChangeReceiver {
        self.changes.subscribe()
    }
}

/// The announcement of `v` stored in `collection` at `at`; a version
/// without a stamp of its own gets an empty one, filled in by `announce`.
fn change_of(collection: &str, v: &NewVersion, at: crate::Micros) -> Change {
    Change {
        collection: collection.to_owned(),
        id: v.id.clone(),
        version: v.version.clone().unwrap_or(VersionStamp {
            key: String::new(),
            text: String::new(),
        }),
        date_added: at,
        tlp: v.tlp.clone(),
        grants: grants::normalize(&v.grants).into_owned(),
        submitter: v.submitter.clone(),
    }
}

/// How many changes a slow subscriber may fall behind before it is told it
/// lagged.
const CHANGE_BUFFER: usize = 4096;

/// Wraps an SQLite error as [`ErrorKind::Backend`], saying what was being done.
fn sql_err(context: impl std::fmt::Display) -> impl FnOnce(rusqlite::Error) -> Error {
    move |e| Error::backend(context, e)
}

/// A `NotFound` error for a collection id.
fn no_collection(id: &str) -> Error {
    Error::new(ErrorKind::NotFound, format!("collection '{id}' not found"))
}
