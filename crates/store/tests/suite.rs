//! The store's one integration-test binary.
//!
//! Every test in the shared modules is written once against `Arc<dyn Store>`
//! and expanded by `storetest!` (or `fixturetest!`) into one test per
//! backend, so a backend that passes this suite is interchangeable with the
//! others. Modules:
//!
//! - `catalog`: API roots and collections.
//! - `members`: the node, organisations, communities, users' roles, tokens.
//! - `objects`: adding versions, immutability, first/last, `date_added`, deletion.
//! - `deletions`: deletions with their release-record entries, in one
//!   transaction.
//! - `filters`: every query filter and their combinations, against a model.
//! - `pagination`: cursors, limits, paging while writes land.
//! - `statuses`: status resources recorded with their writes.
//! - `accounts`: users and permissions.
//! - `audience`: reads filtered by the reader's principal keys.
//! - `audit`: the release record's chain, and tampering with it.
//! - `changes`: the stream of new versions, announced after commit.
//! - `privacy`: originals beside released forms, and the review queue.
//! - `warnings`: warning-list flags beside their versions, and the
//!   fingerprint of the lists they were computed with.
//! - `migration`: opening a database written by the first schema.
//! - `concurrency`: many writers at once.
//! - `durability`: reopening, and a writer killed with SIGKILL.
//! - `sqlite`: what only the SQLite backend promises (query plans, schema
//!   versions, file settings).
//! - `postgres`: what only the PostgreSQL backend promises (schema versions,
//!   index plans after `ANALYZE`, several handles on one database).

mod pg_server;
#[macro_use]
mod util;

mod accounts;
mod audience;
mod audit;
mod catalog;
mod changes;
mod concurrency;
mod deletions;
mod durability;
mod filters;
mod members;
mod migration;
mod objects;
mod pagination;
mod postgres;
mod privacy;
mod sqlite;
mod statuses;
mod warnings;
