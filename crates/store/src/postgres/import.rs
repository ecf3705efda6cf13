//! Moving a node's whole data from an SQLite file into PostgreSQL.
//!
//! Everything is copied as stored, not re-added: object versions keep their
//! `date_added` (so TAXII clients' `added_after` and `next` stay valid),
//! flags, audiences, originals and warning-list flags (with the fingerprint
//! of the lists they were computed with); the release record keeps its sequence numbers and
//! hashes (so the chain verifies, and its head matches the source's);
//! statuses, accounts, rights and tokens keep their ids.
//!
//! **Restartable.** Rows go in batches, each in its own transaction, and
//! every insert is `ON CONFLICT DO NOTHING` on the row's natural key, so an
//! interrupted copy run again skips what is already there and finishes
//! without duplicates. A target that holds a *different* release record
//! (another node's data, or a server started on it first) is refused before
//! anything is copied.
//!
//! At the end [`PgStore::import_sqlite`] compares the row counts of every
//! table and verifies the copied chain against the source's head.

mod stages;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use tokio_postgres::types::ToSql;

use super::{PgStore, exec, pg_err, row};
use crate::audit::{self, AuditEntry};
use crate::sqlite::SqliteStore;
use crate::{Error, ErrorKind, Result};
use stages::Stage;

/// Rows per batch (and per transaction).
const BATCH: i64 = 1000;

/// Where a copy is, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    /// What is being copied: `accounts`, `objects`, `originals`, `warnings`,
    /// `statuses`, `reviews` or `audit`.
    pub stage: &'static str,
    /// Rows of the large tables copied (or found already there) so far.
    pub done: u64,
    /// Rows of the large tables in all.
    pub total: u64,
}

/// What a finished copy found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// `(table, rows)` for every table copied, equal in source and target.
    pub counts: Vec<(&'static str, i64)>,
    /// The release record's head in both, if it has entries.
    pub audit_head: Option<(i64, String)>,
}

/// The tables compared at the end, each with a counting query valid in
/// both databases.
const COUNTED: &[&str] = &[
    "api_roots",
    "collections",
    "node",
    "orgs",
    "communities",
    "community_members",
    "users",
    "permissions",
    "tokens",
    "objects",
    "statuses",
    "audit",
    "originals",
    "warnings",
    "warning_lists",
    "reviews",
];

type Params = Vec<Box<dyn ToSql + Sync + Send>>;

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

fn sqlite_err(context: &str) -> impl FnOnce(rusqlite::Error) -> Error + '_ {
    move |e| Error::backend(context, e)
}

/// The rows of an SQLite query as lists of values.
fn read(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Vec<rusqlite::types::Value>>> {
    let context = "reading the SQLite file";
    let mut stmt = conn.prepare(sql).map_err(sqlite_err(context))?;
    let width = stmt.column_count();
    stmt.query_map(params, |r| {
        (0..width)
            .map(|i| r.get::<_, rusqlite::types::Value>(i))
            .collect()
    })
    .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Vec<_>>>>())
    .map_err(sqlite_err(context))
}

fn text(v: &rusqlite::types::Value) -> Option<String> {
    match v {
        rusqlite::types::Value::Text(t) => Some(t.clone()),
        _ => None,
    }
}

fn int(v: &rusqlite::types::Value) -> i64 {
    match v {
        rusqlite::types::Value::Integer(i) => *i,
        _ => 0,
    }
}

fn strings(v: &rusqlite::types::Value, what: &str) -> Result<Vec<String>> {
    let t = text(v).unwrap_or_default();
    serde_json::from_str(&t)
        .map_err(|e| Error::backend(format!("an unreadable {what} list in the SQLite file"), e))
}

/// One column of a batch, as a PostgreSQL array parameter.
fn texts(rows: &[Vec<rusqlite::types::Value>], i: usize) -> Vec<Option<String>> {
    rows.iter().map(|r| text(&r[i])).collect()
}

fn ints(rows: &[Vec<rusqlite::types::Value>], i: usize) -> Vec<i64> {
    rows.iter().map(|r| int(&r[i])).collect()
}

fn bools(rows: &[Vec<rusqlite::types::Value>], i: usize) -> Vec<bool> {
    rows.iter().map(|r| int(&r[i]) != 0).collect()
}

fn opt_ints(rows: &[Vec<rusqlite::types::Value>], i: usize) -> Vec<Option<i64>> {
    rows.iter()
        .map(|r| match &r[i] {
            rusqlite::types::Value::Integer(n) => Some(*n),
            _ => None,
        })
        .collect()
}

/// A JSON list column, checked and passed on as JSON text, which the
/// statement expands into an array.
fn json_lists(rows: &[Vec<rusqlite::types::Value>], i: usize, what: &str) -> Result<Vec<String>> {
    rows.iter()
        .map(|r| {
            let list = strings(&r[i], what)?;
            serde_json::to_string(&list)
                .map_err(|e| Error::backend(format!("re-encoding a {what} list"), e))
        })
        .collect()
}

/// How one column of a batch is passed to PostgreSQL.
#[derive(Debug, Clone, Copy)]
enum Col {
    /// Text, or NULL.
    Text,
    /// An integer.
    Int,
    /// An integer, or NULL.
    OptInt,
    /// A boolean stored as 0/1.
    Bool,
    /// A JSON list of strings, named for errors.
    Json(&'static str),
}

use Col::Text as T;

/// The array parameters of columns `from..` of a batch, one per entry of
/// `cols`, in order.
fn columns(rows: &[Vec<rusqlite::types::Value>], from: usize, cols: &[Col]) -> Result<Params> {
    cols.iter()
        .enumerate()
        .map(|(k, col)| -> Result<Box<dyn ToSql + Sync + Send>> {
            let i = from + k;
            Ok(match col {
                Col::Text => Box::new(texts(rows, i)),
                Col::Int => Box::new(ints(rows, i)),
                Col::OptInt => Box::new(opt_ints(rows, i)),
                Col::Bool => Box::new(bools(rows, i)),
                Col::Json(what) => Box::new(json_lists(rows, i, what)?),
            })
        })
        .collect()
}

impl PgStore {
    /// Copies the node in the SQLite file at `path` (migrating it to the
    /// current schema first) into this database, calling `progress` as it
    /// goes; see the module documentation. Fails with
    /// [`ErrorKind::Conflict`] if this database already holds another
    /// release record, and with [`ErrorKind::Backend`] if the counts or the
    /// chain do not match at the end.
    pub async fn import_sqlite(
        &self,
        path: &Path,
        progress: &(dyn Fn(ImportProgress) + Sync),
    ) -> Result<ImportReport> {
        drop(SqliteStore::open(path)?);
        let source = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| Error::backend(format!("cannot open {}", path.display()), e))?;
        let count = |table: &str| -> Result<i64> {
            source
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .map_err(|e| Error::backend(format!("counting {table} in the SQLite file"), e))
        };
        let total = [
            "objects",
            "originals",
            "warnings",
            "statuses",
            "reviews",
            "audit",
        ]
        .iter()
        .map(|t| count(t))
        .sum::<Result<i64>>()? as u64;
        self.refuse_other_chain(&source).await?;
        let mut done = 0u64;
        progress(ImportProgress {
            stage: "accounts",
            done,
            total,
        });
        self.copy_catalog(&source).await?;
        for (stage, copy) in [
            ("objects", Stage::Objects),
            ("originals", Stage::Originals),
            ("warnings", Stage::Warnings),
            ("statuses", Stage::Statuses),
            ("reviews", Stage::Reviews),
            ("audit", Stage::Audit),
        ] {
            let mut after = i64::MIN;
            loop {
                let (last, n) = self.copy_batch(&source, copy, after).await?;
                if n == 0 {
                    break;
                }
                after = last;
                done += n;
                progress(ImportProgress { stage, done, total });
            }
        }
        self.analyze().await?;
        self.verify_copy(&source, count).await
    }

    async fn refuse_other_chain(&self, source: &Connection) -> Result<()> {
        let first: Option<String> = source
            .query_row("SELECT hash FROM audit WHERE seq = 1", [], |r| r.get(0))
            .optional()
            .map_err(sqlite_err("reading the SQLite release record"))?;
        let client = self.client().await?;
        let target: Option<String> = row(&client, "SELECT hash FROM audit WHERE seq = 1", &[])
            .await
            .and_then(|r| r.map(|r| r.try_get(0)).transpose())
            .map_err(pg_err("reading the target's release record"))?;
        match (target, first) {
            (Some(t), Some(s)) if t == s => Ok(()),
            (None, _) => Ok(()),
            _ => Err(Error::new(
                ErrorKind::Conflict,
                format!(
                    "{} already holds another release record; copy into an empty database",
                    self.shown
                ),
            )),
        }
    }

    /// The small tables, in one transaction, in the order their references
    /// need.
    async fn copy_catalog(&self, s: &Connection) -> Result<()> {
        let mut client = self.client().await?;
        let context = "copying accounts and collections";
        let tx = client.transaction().await.map_err(pg_err(context))?;
        let run = |sql: &'static str, params: Params| {
            let tx = &tx;
            async move {
                exec(tx, sql, &refs(&params))
                    .await
                    .map_err(pg_err(format!("{context}: {sql}")))
            }
        };
        let r = read(s, "SELECT name, title, description FROM api_roots", [])?;
        run(
            "INSERT INTO api_roots SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
             ON CONFLICT DO NOTHING",
            columns(&r, 0, &[T, T, T])?,
        )
        .await?;
        for n in read(s, "SELECT name, country, identity_id FROM node", [])? {
            run(
                "INSERT INTO node VALUES (1, $1, $2, $3) ON CONFLICT DO NOTHING",
                vec![
                    Box::new(text(&n[0])),
                    Box::new(text(&n[1])),
                    Box::new(text(&n[2])),
                ],
            )
            .await?;
        }
        let r = read(
            s,
            "SELECT id, name, country, sectors, kind, identity_id, attribution
             FROM orgs ORDER BY seq",
            [],
        )?;
        run(
            "INSERT INTO orgs (id, name, country, sectors, kind, identity_id, attribution)
             SELECT i, n, c, ARRAY(SELECT jsonb_array_elements_text(s::jsonb)), k, d, a
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::boolean[])
                  WITH ORDINALITY AS t (i, n, c, s, k, d, a, o)
             ORDER BY o
             ON CONFLICT DO NOTHING",
            columns(&r, 0, &[T, T, T, Col::Json("sectors"), T, T, Col::Bool])?,
        )
        .await?;
        let r = read(s, "SELECT id, name FROM communities ORDER BY seq", [])?;
        run(
            "INSERT INTO communities (id, name) SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT DO NOTHING",
            columns(&r, 0, &[T, T])?,
        )
        .await?;
        let r = read(s, "SELECT community, org FROM community_members", [])?;
        run(
            "INSERT INTO community_members SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT DO NOTHING",
            columns(&r, 0, &[T, T])?,
        )
        .await?;
        let r = read(
            s,
            "SELECT id, api_root, title, description, alias, media_types, last_added, community,
                    default_tlp, public
             FROM collections ORDER BY seq",
            [],
        )?;
        run(
            "INSERT INTO collections (id, api_root, title, description, alias, media_types,
                                      last_added, community, default_tlp, public)
             SELECT i, r, t, d, a, ARRAY(SELECT jsonb_array_elements_text(m::jsonb)), l, c, tlp, p
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                         $7::bigint[], $8::text[], $9::text[], $10::boolean[])
                  WITH ORDINALITY AS x (i, r, t, d, a, m, l, c, tlp, p, n)
             ORDER BY n
             ON CONFLICT DO NOTHING",
            columns(
                &r,
                0,
                &[
                    T,
                    T,
                    T,
                    T,
                    T,
                    Col::Json("media type"),
                    Col::Int,
                    T,
                    T,
                    Col::Bool,
                ],
            )?,
        )
        .await?;
        let r = read(
            s,
            "SELECT username, password_hash, role, org, disabled FROM users",
            [],
        )?;
        run(
            "INSERT INTO users (username, password_hash, role, org, disabled)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
             ON CONFLICT DO NOTHING",
            columns(&r, 0, &[T, T, T, T, Col::Bool])?,
        )
        .await?;
        let r = read(
            s,
            "SELECT p.username, c.id, p.can_read, p.can_write
             FROM permissions AS p JOIN collections AS c ON c.seq = p.collection",
            [],
        )?;
        run(
            "INSERT INTO permissions (username, collection, can_read, can_write)
             SELECT u, c.seq, r, w
             FROM unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[]) AS x (u, i, r, w)
             JOIN collections AS c ON c.id = x.i
             ON CONFLICT DO NOTHING",
            columns(&r, 0, &[T, T, Col::Bool, Col::Bool])?,
        )
        .await?;
        let r = read(
            s,
            "SELECT id, username, secret_hash, label, created, expires, revoked FROM tokens",
            [],
        )?;
        run(
            "INSERT INTO tokens
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                                  $6::bigint[], $7::boolean[])
             ON CONFLICT DO NOTHING",
            columns(&r, 0, &[T, T, T, T, Col::Int, Col::OptInt, Col::Bool])?,
        )
        .await?;
        // The source's flags come with it, so does the record of which lists
        // they were computed with.
        for f in read(s, "SELECT fingerprint FROM warning_lists", [])? {
            run(
                "INSERT INTO warning_lists (singleton, fingerprint) VALUES (1, $1)
                 ON CONFLICT (singleton) DO UPDATE SET fingerprint = excluded.fingerprint",
                vec![Box::new(text(&f[0]))],
            )
            .await?;
        }
        tx.commit().await.map_err(pg_err(context))
    }

    /// Copies the next batch of a large table after the source key `after`;
    /// returns the last key read and how many rows it read.
    async fn copy_batch(&self, s: &Connection, stage: Stage, after: i64) -> Result<(i64, u64)> {
        let (read_sql, write_sql) = stage.sql();
        let r = read(s, read_sql, rusqlite::params![after, BATCH])?;
        let Some(last) = r.last().map(|row| int(&row[0])) else {
            return Ok((after, 0));
        };
        let params: Params = match stage {
            Stage::Objects => columns(
                &r,
                1,
                &[
                    T,
                    Col::Int,
                    T,
                    T,
                    T,
                    T,
                    T,
                    Col::Bool,
                    Col::Bool,
                    T,
                    Col::Json("grant"),
                    T,
                    T,
                ],
            )?,
            Stage::Warnings => columns(&r, 1, &[T, T, T, Col::Json("warning list")])?,
            Stage::Statuses => columns(&r, 1, &[T, T, T, Col::Int, T, T, T])?,
            Stage::Originals => columns(&r, 1, &[T, T, T, T])?,
            // Twenty columns, two of them integers that may be NULL.
            Stage::Reviews => {
                let mut cols = [T; 20];
                (cols[12], cols[18]) = (Col::OptInt, Col::OptInt);
                columns(&r, 1, &cols)?
            }
            Stage::Audit => columns(&r, 0, &[Col::Int, Col::Int, T, T, T, T, T, T])?,
        };
        let mut client = self.client().await?;
        let context = format!("copying {}", stage.name());
        let tx = client.transaction().await.map_err(pg_err(&context))?;
        exec(&tx, write_sql, &refs(&params))
            .await
            .map_err(pg_err(&context))?;
        tx.commit().await.map_err(pg_err(&context))?;
        Ok((last, r.len() as u64))
    }

    async fn verify_copy(
        &self,
        source: &Connection,
        count: impl Fn(&str) -> Result<i64>,
    ) -> Result<ImportReport> {
        let client = self.client().await?;
        let mut counts = Vec::new();
        for &table in COUNTED {
            let here: i64 = row(&client, &format!("SELECT count(*) FROM {table}"), &[])
                .await
                .and_then(|r| r.map(|r| r.try_get(0)).transpose())
                .map_err(pg_err(format!("counting {table}")))?
                .unwrap_or(0);
            let there = count(table)?;
            if here != there {
                return Err(Error::new(
                    ErrorKind::Backend,
                    format!(
                        "{table}: {there} rows in the SQLite file but {here} in {}",
                        self.shown
                    ),
                ));
            }
            counts.push((table, here));
        }
        let head: Option<(i64, String)> = source
            .query_row(
                "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sqlite_err("reading the SQLite release record"))?;
        let mut entries: Vec<AuditEntry> = Vec::new();
        loop {
            let batch =
                super::audit::entries(&client, entries.last().map(|e| e.seq), 10_000).await?;
            if batch.is_empty() {
                break;
            }
            entries.extend(batch);
        }
        let problems = audit::verify(&entries, None);
        if let Some(problem) = problems.first() {
            return Err(Error::new(
                ErrorKind::Backend,
                format!(
                    "the copied release record does not verify at entry {}: {}",
                    problem.seq, problem.message
                ),
            ));
        }
        let copied = entries.last().map(|e| (e.seq, e.hash.clone()));
        if copied != head {
            return Err(Error::new(
                ErrorKind::Backend,
                format!(
                    "the copied release record ends at {:?}, the SQLite file's at {:?}",
                    copied.map(|c| c.0),
                    head.as_ref().map(|h| h.0)
                ),
            ));
        }
        Ok(ImportReport {
            counts,
            audit_head: head,
        })
    }
}
