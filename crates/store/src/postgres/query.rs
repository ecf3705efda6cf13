//! Object queries: the SQL built for each TAXII filter, and running it.
//!
//! Every query names one collection and reads in `date_added` order; the
//! cursor is the last `date_added` served, so `date_added > bound` resumes a
//! page exactly (writers commit in `date_added` order, see the module above).
//! Lists are bound as arrays (`= ANY($n)`), so the statement text, and with
//! it the prepared statement, stays the same whatever a list's length.
//!
//! Under an audience, a version is visible when its grant keys overlap the
//! reader's (`grants && $keys`); `first` and `last` are then the earliest
//! and latest *visible* version of each id: a version flagged first or last
//! overall qualifies at once, any other only if no visible version of its
//! id comes before (after) it, a check served by `objects_id`.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::catalog::collection_key;
use super::{pg_err, rows};
use crate::{
    Cursor, Micros, ObjectQuery, Page, Result, StoredAudience, StoredVersion, VersionStamp,
};

/// A statement under construction, with its numbered parameters.
struct Clause {
    sql: String,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Clause {
    /// Adds a parameter; returns its placeholder.
    fn param(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }

    /// `AND column` is one of `values`; nothing when `values` is empty.
    fn any_of(&mut self, column: &str, values: &[String]) {
        match values {
            [] => {}
            [one] => {
                let p = self.param(one.clone());
                self.sql.push_str(&format!(" AND {column} = {p}"));
            }
            many => {
                let p = self.param(many.to_vec());
                self.sql.push_str(&format!(" AND {column} = ANY({p})"));
            }
        }
    }
}

/// The columns every read returns, in [`version_row`]'s order; `raw` last
/// when wanted.
fn columns(with_raw: bool) -> &'static str {
    if with_raw {
        "o.date_added, o.id, o.type, o.spec_version, o.version_key, o.version_text, o.tlp, \
         o.grants, o.submitter, o.raw"
    } else {
        "o.date_added, o.id, o.type, o.spec_version, o.version_key, o.version_text, o.tlp, \
         o.grants, o.submitter"
    }
}

/// Where a page starts: after the cursor and after `added_after`. Every
/// real `date_added` is at least 1, so 0 means "from the start".
fn lower_bound(query: &ObjectQuery) -> Micros {
    query
        .after
        .map(|c| c.0)
        .into_iter()
        .chain(query.added_after)
        .fold(0, Micros::max)
}

/// The statement for `query` over the collection numbered `collection`
/// (for a reader holding `keys`, when given and non-empty).
fn build(collection: i64, query: &ObjectQuery) -> (Clause, Micros) {
    let bound = lower_bound(query);
    let mut clause = Clause {
        sql: String::new(),
        params: Vec::new(),
    };
    let c = clause.param(collection);
    let b = clause.param(bound);
    clause.sql = format!(
        "SELECT {} FROM objects AS o WHERE o.collection = {c} AND o.date_added > {b}",
        columns(query.with_raw)
    );
    let mut ids = query.ids.clone();
    ids.sort();
    ids.dedup();
    clause.any_of("o.id", &ids);
    let mut types = query.types.clone();
    types.sort();
    types.dedup();
    clause.any_of("o.type", &types);
    clause.any_of("o.spec_version", &query.spec_versions);
    let held = query.audience.as_ref().map(|keys| {
        let mut keys = keys.clone();
        keys.sort();
        keys.dedup();
        let k = clause.param(keys);
        clause.sql.push_str(&format!(" AND o.grants && {k}"));
        k
    });
    let versions = &query.versions;
    if !versions.all {
        let mut terms = Vec::new();
        let mut extreme = |flag: &str, beyond: &str| match &held {
            None => terms.push(format!("o.{flag}")),
            Some(k) => terms.push(format!(
                "(o.{flag} OR NOT EXISTS (
                    SELECT 1 FROM objects AS w
                     WHERE w.id = o.id AND w.collection = o.collection
                       AND w.version_key {beyond} o.version_key AND w.grants && {k}))"
            )),
        };
        if versions.first {
            extreme("is_first", "<");
        }
        if versions.last {
            extreme("is_last", ">");
        }
        match versions.exact.as_slice() {
            [] => {}
            [one] => {
                let p = clause.param(one.clone());
                terms.push(format!("o.version_key = {p}"));
            }
            many => {
                let p = clause.param(many.to_vec());
                terms.push(format!("o.version_key = ANY({p})"));
            }
        }
        match terms.len() {
            0 => clause.sql.push_str(" AND false"),
            1 => clause.sql.push_str(&format!(" AND {}", terms[0])),
            _ => clause
                .sql
                .push_str(&format!(" AND ({})", terms.join(" OR "))),
        }
    }
    // One row more than asked tells whether another page follows.
    let fetch = i64::try_from(query.limit)
        .unwrap_or(i64::MAX)
        .saturating_add(1);
    let l = clause.param(fetch);
    clause
        .sql
        .push_str(&format!(" ORDER BY o.date_added LIMIT {l}"));
    (clause, bound)
}

fn refs(clause: &Clause) -> Vec<&(dyn ToSql + Sync)> {
    clause
        .params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect()
}

/// Runs `query`; see [`ObjectQuery`] and [`Page`].
pub(super) async fn run<C: GenericClient>(c: &C, query: &ObjectQuery) -> Result<Page> {
    let key = collection_key(c, &query.collection, false).await?;
    if query.audience.as_ref().is_some_and(|keys| keys.is_empty()) {
        // A reader holding no key may see nothing.
        return Ok(Page {
            items: Vec::new(),
            next: None,
        });
    }
    let (clause, bound) = build(key.seq, query);
    let context = || format!("querying collection '{}'", query.collection);
    let found = rows(c, &clause.sql, &refs(&clause))
        .await
        .map_err(pg_err(context()))?;
    let mut items = found
        .iter()
        .map(|r| version_row(r, query.with_raw))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(pg_err(context()))?;
    let next = if items.len() > query.limit {
        items.truncate(query.limit);
        Some(Cursor(items.last().map_or(bound, |v| v.date_added)))
    } else {
        None
    };
    Ok(Page { items, next })
}

fn version_row(
    r: &Row,
    with_raw: bool,
) -> std::result::Result<StoredVersion, tokio_postgres::Error> {
    Ok(StoredVersion {
        date_added: r.try_get(0)?,
        id: r.try_get(1)?,
        object_type: r.try_get(2)?,
        spec_version: r.try_get(3)?,
        version: VersionStamp {
            key: r.try_get(4)?,
            text: r.try_get(5)?,
        },
        tlp: r.try_get(6)?,
        grants: r.try_get(7)?,
        submitter: r.try_get(8)?,
        raw: if with_raw {
            r.try_get(9)?
        } else {
            String::new()
        },
    })
}

/// The TLP level and grants of every version of `ids`, in any collection.
pub(super) async fn audiences_of<C: GenericClient>(
    c: &C,
    ids: &[String],
) -> Result<Vec<StoredAudience>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let context = "reading the audiences of stored versions";
    rows(
        c,
        "SELECT id, tlp, grants FROM objects WHERE id = ANY($1)
         ORDER BY id, version_key, collection",
        &[&ids],
    )
    .await
    .and_then(|rows| {
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    })
    .map_err(pg_err(context))
}

/// `EXPLAIN` for the statement [`run`] would issue, one line per line.
pub(super) async fn explain<C: GenericClient>(c: &C, query: &ObjectQuery) -> Result<Vec<String>> {
    let key = collection_key(c, &query.collection, false).await?;
    if query.audience.as_ref().is_some_and(|keys| keys.is_empty()) {
        return Ok(Vec::new());
    }
    let (clause, _) = build(key.seq, query);
    let context = || format!("explaining a query on collection '{}'", query.collection);
    let sql = format!("EXPLAIN {}", clause.sql);
    // Not cached: EXPLAIN is diagnostics, and each text is prepared once.
    let stmt = c.prepare(&sql).await.map_err(pg_err(context()))?;
    c.query(&stmt, &refs(&clause))
        .await
        .and_then(|rows| rows.iter().map(|r| r.try_get::<_, String>(0)).collect())
        .map_err(pg_err(context()))
}
