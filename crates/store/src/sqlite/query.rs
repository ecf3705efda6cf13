//! Object queries: the SQL built for each TAXII filter, and running it.
//!
//! Every query names one collection and reads in `date_added` order, which
//! the writer keeps strictly increasing per collection; the cursor is the
//! last `date_added` served, so `date_added > bound` resumes a page exactly,
//! whatever was committed in between (new rows only ever sort later).
//! Single values are bound as `column = ?` so an index can deliver rows
//! already in order; lists use `IN (SELECT value FROM json_each(?))`, which
//! keeps the statement text (and so the prepared-statement cache) the same
//! whatever the list's length. Ids are found through their hash (see
//! [`id_hash`]) and then compared as text; several types become one
//! ordered arm per type (see [`build`]). Each statement names its index,
//! and the suite checks every shape's plan. Reads under an audience are
//! built in `audience`.

use rusqlite::types::{Type, Value};
use rusqlite::{Connection, Row, params, params_from_iter};

use super::catalog::collection_key;
use super::objects::id_hash;
use super::{audience, grants, sql_err};
use crate::{
    Cursor, Micros, ObjectQuery, Page, Result, StoredAudience, StoredVersion, VersionFilter,
    VersionStamp,
};

/// A `WHERE` clause under construction, with its numbered parameters.
pub(super) struct Clause {
    pub(super) sql: String,
    pub(super) params: Vec<Value>,
}

impl Clause {
    /// Starts a clause whose first parameters are `params` (`?1`, `?2`, …).
    pub(super) fn new(sql: &str, params: Vec<Value>) -> Clause {
        Clause {
            sql: sql.to_owned(),
            params,
        }
    }

    /// Adds a parameter; returns its placeholder.
    pub(super) fn param(&mut self, value: Value) -> String {
        self.params.push(value);
        format!("?{}", self.params.len())
    }

    /// `AND column` is one of `values`; nothing when `values` is empty.
    pub(super) fn any_of(&mut self, column: &str, values: &[String]) {
        match values {
            [] => {}
            [one] => {
                let p = self.param(Value::Text(one.clone()));
                self.sql.push_str(&format!(" AND {column} = {p}"));
            }
            many => {
                let p = self.param(Value::Text(json_list(many)));
                self.sql.push_str(&format!(
                    " AND {column} IN (SELECT value FROM json_each({p}))"
                ));
            }
        }
    }

    /// `AND id` is one of `ids`, searched by hash (see [`id_hash`]).
    pub(super) fn ids(&mut self, ids: &[String]) {
        match ids {
            [] => {}
            [one] => {
                let h = self.param(Value::Integer(id_hash(one)));
                let i = self.param(Value::Text(one.clone()));
                self.sql
                    .push_str(&format!(" AND id_hash = {h} AND id = {i}"));
            }
            many => {
                let hashes: Vec<i64> = many.iter().map(|id| id_hash(id)).collect();
                let hashes = serde_json::to_string(&hashes).unwrap_or_else(|_| "[]".to_owned());
                let h = self.param(Value::Text(hashes));
                let i = self.param(Value::Text(json_list(many)));
                self.sql.push_str(&format!(
                    " AND id_hash IN (SELECT value FROM json_each({h}))
                      AND id IN (SELECT value FROM json_each({i}))"
                ));
            }
        }
    }

    /// `AND` the version selection: the union of the chosen sets, written
    /// so that `last` alone (TAXII's default) and `first` alone match the
    /// partial indexes' `WHERE` exactly.
    pub(super) fn versions(&mut self, filter: &VersionFilter) {
        if filter.all {
            return;
        }
        let mut terms = Vec::new();
        if filter.first {
            terms.push("is_first = 1".to_owned());
        }
        if filter.last {
            terms.push("is_last = 1".to_owned());
        }
        match filter.exact.as_slice() {
            [] => {}
            [one] => {
                let p = self.param(Value::Text(one.clone()));
                terms.push(format!("version_key = {p}"));
            }
            many => {
                let p = self.param(Value::Text(json_list(many)));
                terms.push(format!("version_key IN (SELECT value FROM json_each({p}))"));
            }
        }
        match terms.len() {
            0 => self.sql.push_str(" AND 0"),
            1 => self.sql.push_str(&format!(" AND {}", terms[0])),
            _ => self.sql.push_str(&format!(" AND ({})", terms.join(" OR "))),
        }
    }
}

pub(super) fn json_list(values: &[String]) -> String {
    // A list of strings always serializes; the fallback keeps this total.
    serde_json::to_string(values).unwrap_or_else(|_| "[]".to_owned())
}

/// Up to this many types are served as one ordered index range per type
/// (see [`build`]); longer lists use one `IN` over the type index and a sort.
const MAX_TYPE_ARMS: usize = 16;

/// The columns every read returns, in [`version_row`]'s order, each
/// prefixed with `alias.` when one is given; `raw` last when wanted.
pub(super) fn columns(alias: &str, with_raw: bool) -> String {
    let names = [
        "date_added",
        "id",
        "type",
        "spec_version",
        "version_key",
        "version_text",
        "tlp",
        "grants",
        "submitter",
        "raw",
    ];
    let wanted = if with_raw {
        &names[..]
    } else {
        &names[..names.len() - 1]
    };
    let prefix = if alias.is_empty() {
        String::new()
    } else {
        format!("{alias}.")
    };
    wanted
        .iter()
        .map(|n| format!("{prefix}{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a page starts: after the cursor and after `added_after`. Every
/// real `date_added` is at least 1, so 0 means "from the start".
pub(super) fn lower_bound(query: &ObjectQuery) -> Micros {
    query
        .after
        .map(|c| c.0)
        .into_iter()
        .chain(query.added_after)
        .fold(0, Micros::max)
}

/// The `LIMIT` of a page: one row more than asked tells whether another
/// page follows.
pub(super) fn fetch(query: &ObjectQuery) -> i64 {
    i64::try_from(query.limit)
        .unwrap_or(i64::MAX)
        .saturating_add(1)
}

/// The index that serves `query`. Named explicitly (`INDEXED BY`) because
/// without statistics SQLite prefers an index that yields `date_added`
/// order over one that finds a few ids, and would read every latest
/// version of a collection to return one object.
fn index_for(query: &ObjectQuery) -> &'static str {
    let only = |filter: VersionFilter| query.versions == filter;
    let last = only(VersionFilter::last());
    let first = only(VersionFilter {
        first: true,
        ..VersionFilter::default()
    });
    match (query.ids.is_empty(), query.types.is_empty()) {
        // A handful of ids: their versions are found directly, then sorted.
        (false, _) => "objects_id",
        (true, false) if last => "objects_type_last",
        (true, false) => "objects_type",
        (true, true) if last => "objects_last",
        (true, true) if first => "objects_first",
        (true, true) => "objects_added",
    }
}

/// The statement for `query` over the collection whose row number is
/// `collection`, and where its results start.
///
/// A list of several types becomes one arm per type, each reading its own
/// index range in order and stopping at the limit, merged by `UNION ALL`:
/// a page costs at most `types × limit` rows however large the collection.
fn build(collection: i64, query: &ObjectQuery) -> (Clause, Micros) {
    if let Some(keys) = &query.audience {
        return audience::build(collection, query, keys);
    }
    let bound = lower_bound(query);
    let mut types = query.types.clone();
    types.sort();
    types.dedup();
    let columns = columns("", query.with_raw);
    let index = index_for(query);
    let head = format!(
        "SELECT {columns} FROM objects INDEXED BY {index} WHERE collection = ?1 AND date_added > ?2"
    );
    let mut clause = Clause::new("", vec![Value::Integer(collection), Value::Integer(bound)]);
    let limit = clause.param(Value::Integer(fetch(query)));
    clause.ids(&query.ids);
    clause.any_of("spec_version", &query.spec_versions);
    clause.versions(&query.versions);
    let shared = std::mem::take(&mut clause.sql);
    let order = format!(" ORDER BY date_added LIMIT {limit}");
    if query.ids.is_empty() && (2..=MAX_TYPE_ARMS).contains(&types.len()) {
        let mut arms = Vec::with_capacity(types.len());
        for kind in types {
            let p = clause.param(Value::Text(kind));
            arms.push(format!(
                "SELECT * FROM ({head} AND type = {p}{shared}{order})"
            ));
        }
        clause.sql = format!("{}{order}", arms.join(" UNION ALL "));
    } else {
        clause.sql = head;
        clause.any_of("type", &types);
        clause.sql.push_str(&shared);
        clause.sql.push_str(&order);
    }
    (clause, bound)
}

/// Runs `query`; see [`ObjectQuery`] and [`Page`].
pub(super) fn run(conn: &Connection, query: &ObjectQuery) -> Result<Page> {
    let key = collection_key(conn, &query.collection)?;
    if query.audience.as_ref().is_some_and(|keys| keys.is_empty()) {
        // A reader holding no key may see nothing.
        return Ok(Page {
            items: Vec::new(),
            next: None,
        });
    }
    let (clause, bound) = build(key.seq, query);
    let context = || format!("querying collection '{}'", query.collection);
    let mut stmt = conn
        .prepare_cached(&clause.sql)
        .map_err(sql_err(context()))?;
    let mut rows = stmt
        .query(params_from_iter(clause.params))
        .map_err(sql_err(context()))?;
    let mut items = Vec::with_capacity(query.limit.min(1024) + 1);
    while let Some(row) = rows.next().map_err(sql_err(context()))? {
        items.push(version_row(row, query.with_raw).map_err(sql_err(context()))?);
    }
    // Reads under an audience join the page's rows after its merge, with no
    // `ORDER BY` of their own (it would sort whole rows); rows come in order
    // all the same, and this pass over a sorted page only confirms it.
    items.sort_by_key(|v| v.date_added);
    let next = if items.len() > query.limit {
        items.truncate(query.limit);
        Some(Cursor(items.last().map_or(bound, |v| v.date_added)))
    } else {
        None
    };
    Ok(Page { items, next })
}

fn version_row(row: &Row<'_>, with_raw: bool) -> rusqlite::Result<StoredVersion> {
    let grants = grants::from_json(row.get_ref(7)?.as_str()?)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, Type::Text, Box::new(e)))?;
    Ok(StoredVersion {
        date_added: row.get(0)?,
        id: row.get(1)?,
        object_type: row.get(2)?,
        spec_version: row.get(3)?,
        version: VersionStamp {
            key: row.get(4)?,
            text: row.get(5)?,
        },
        tlp: row.get(6)?,
        grants,
        submitter: row.get(8)?,
        raw: if with_raw { row.get(9)? } else { String::new() },
    })
}

/// The TLP level and grants of every version of `ids`, in any collection.
pub(super) fn audiences_of(conn: &Connection, ids: &[String]) -> Result<Vec<StoredAudience>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let context = "reading the audiences of stored versions";
    let mut hashes: Vec<i64> = ids.iter().map(|id| id_hash(id)).collect();
    hashes.sort_unstable();
    hashes.dedup();
    let hashes = serde_json::to_string(&hashes).unwrap_or_else(|_| "[]".to_owned());
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, tlp, grants FROM objects INDEXED BY objects_id
             WHERE id_hash IN (SELECT value FROM json_each(?1))
               AND id IN (SELECT value FROM json_each(?2))
             ORDER BY id, version_key, collection",
        )
        .map_err(sql_err(context))?;
    let rows = stmt
        .query_map(params![hashes, json_list(ids)], |row| {
            let grants = grants::from_json(row.get_ref(2)?.as_str()?).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(2, Type::Text, Box::new(e))
            })?;
            Ok((row.get(0)?, row.get(1)?, grants))
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(sql_err(context))?;
    Ok(rows)
}

/// `EXPLAIN QUERY PLAN` for the statement [`run`] would issue.
pub(super) fn explain(conn: &Connection, query: &ObjectQuery) -> Result<Vec<String>> {
    let key = collection_key(conn, &query.collection)?;
    if query.audience.as_ref().is_some_and(|keys| keys.is_empty()) {
        return Ok(Vec::new());
    }
    let (clause, _) = build(key.seq, query);
    let sql = format!("EXPLAIN QUERY PLAN {}", clause.sql);
    let context = || format!("explaining a query on collection '{}'", query.collection);
    let mut stmt = conn.prepare(&sql).map_err(sql_err(context()))?;
    let lines = stmt
        .query_map(params_from_iter(clause.params), |row| {
            row.get::<_, String>(3)
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(sql_err(context()))?;
    Ok(lines)
}
