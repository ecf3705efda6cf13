//! Reads under an audience: only the versions one of the reader's principal
//! keys may see, with `first` and `last` computed among those.
//!
//! A page is a merge of one ordered range of `grants` per key the reader
//! holds, carrying only each version's `date_added` and row number; the
//! page's rows are read once, after the limit:
//!
//! ```text
//! SELECT … FROM (
//!     SELECT g.date_added, g.object FROM grants AS g [CROSS JOIN objects AS o …]
//!      WHERE g.collection = ?1 AND g.grant_key = (key 1) AND g.date_added > ?2 …
//!     UNION
//!     SELECT … (key 2) …
//!     ORDER BY 1 LIMIT ?3) AS p
//! CROSS JOIN objects AS o ON o.seq = p.object
//! ```
//!
//! Each arm reads its index range in `date_added` order and SQLite merges
//! the arms lazily, dropping the copies of a version several keys see, so a
//! page reads about one page of rows per arm in the worst case and one page
//! in all when the keys see different versions. Arms join the version's row
//! only when a filter tests it (spec version, first or last), and never
//! carry it through the merge: copying and comparing whole rows (`raw`
//! included) there cost more than the rest of the read. The cursor is the
//! last `date_added` served, exactly as for unfiltered reads, so pages stay
//! exact. The hub passes only the keys a version of the collection can
//! carry (`charter_policy::keys_for_collection`), so a member of many
//! communities gets as few arms as a member of one.
//!
//! A type filter is tested on the grant rows themselves, which carry the
//! type: rows of other types are skipped without reading their versions
//! (there is no index by type, see the migration), so its cost grows with
//! the reader's rows of other types, not with the collection.
//!
//! **First and last among the visible.** A reader's latest version of an id
//! is the latest among those carrying a key it holds. That version is the
//! latest for each such key, so an arm keeps only rows flagged `is_last` for
//! their key (see `grants`), and then only those with no newer version
//! visible to any of the reader's keys; the check is skipped when the
//! version is the latest of all, as it almost always is. `first` mirrors it.
//!
//! Reads naming ids search `objects_id` as unfiltered reads do and test each
//! version's grants; a reader holding more keys than [`MAX_KEY_ARMS`] scans
//! the collection in order, testing each version the same way.

use rusqlite::types::Value;

use super::query::{Clause, columns, fetch, json_list, lower_bound};
use crate::{Micros, ObjectQuery, VersionFilter};

/// Up to this many keys are merged as one arm each; SQLite allows 500 arms
/// in one compound statement.
const MAX_KEY_ARMS: usize = 128;

/// The primary key of `grants`, as SQLite names it.
const GRANTS_KEY: &str = "sqlite_autoindex_grants_1";

/// The statement reading `query` as a reader holding `keys` (non-empty).
pub(super) fn build(collection: i64, query: &ObjectQuery, keys: &[String]) -> (Clause, Micros) {
    let bound = lower_bound(query);
    let mut keys = keys.to_vec();
    keys.sort();
    keys.dedup();
    let mut types = query.types.clone();
    types.sort();
    types.dedup();
    let mut clause = Clause::new("", vec![Value::Integer(collection), Value::Integer(bound)]);
    let limit = clause.param(Value::Integer(fetch(query)));
    let held = clause.param(Value::Text(json_list(&keys)));
    let page = Page {
        query,
        types: &types,
        held: &held,
        limit: &limit,
    };
    if !query.ids.is_empty() {
        page.by_ids(&mut clause);
    } else if keys.len() <= MAX_KEY_ARMS {
        page.by_grants(&mut clause, &keys);
    } else {
        page.by_scan(&mut clause);
    }
    (clause, bound)
}

/// What every shape shares: the query, its sorted types and the
/// placeholders of the reader's keys and of the limit.
struct Page<'a> {
    query: &'a ObjectQuery,
    types: &'a [String],
    held: &'a str,
    limit: &'a str,
}

impl Page<'_> {
    /// `EXISTS` a grant of the version `alias` among the reader's keys.
    fn visible(&self, alias: &str) -> String {
        format!(
            "EXISTS (SELECT 1 FROM json_each({alias}.grants)
                     WHERE value IN (SELECT value FROM json_each({})))",
            self.held
        )
    }

    /// `AND` the version selection for version `o`, among the versions
    /// the reader may see. `from_grants`: the row comes with its grant row
    /// `g`, whose per-key flags rule out most versions before any check.
    fn versions(&self, clause: &mut Clause, filter: &VersionFilter, from_grants: bool) {
        if filter.all {
            return;
        }
        let mut terms = Vec::new();
        let mut extreme = |flag: &str, beyond: &str| {
            let pre = if from_grants {
                format!("g.{flag} = 1 AND ")
            } else {
                String::new()
            };
            terms.push(format!(
                "({pre}(o.{flag} = 1 OR NOT EXISTS (
                    SELECT 1 FROM objects AS w INDEXED BY objects_id
                     WHERE w.id_hash = o.id_hash AND w.collection = o.collection
                       AND w.id = o.id AND w.version_key {beyond} o.version_key
                       AND {})))",
                self.visible("w")
            ));
        };
        if filter.first {
            extreme("is_first", "<");
        }
        if filter.last {
            extreme("is_last", ">");
        }
        match filter.exact.as_slice() {
            [] => {}
            [one] => {
                let p = clause.param(Value::Text(one.clone()));
                terms.push(format!("o.version_key = {p}"));
            }
            many => {
                let p = clause.param(Value::Text(json_list(many)));
                terms.push(format!(
                    "o.version_key IN (SELECT value FROM json_each({p}))"
                ));
            }
        }
        match terms.len() {
            0 => clause.sql.push_str(" AND 0"),
            1 => clause.sql.push_str(&format!(" AND {}", terms[0])),
            _ => clause
                .sql
                .push_str(&format!(" AND ({})", terms.join(" OR "))),
        }
    }

    /// A few ids: their versions through `objects_id`, each tested.
    fn by_ids(&self, clause: &mut Clause) {
        let columns = columns("o", self.query.with_raw);
        clause.sql = format!(
            "SELECT {columns} FROM objects AS o INDEXED BY objects_id
             WHERE o.collection = ?1 AND o.date_added > ?2"
        );
        clause.ids(&self.query.ids);
        clause.any_of("o.type", self.types);
        clause.any_of("o.spec_version", &self.query.spec_versions);
        clause.sql.push_str(&format!(" AND {}", self.visible("o")));
        self.versions(clause, &self.query.versions, false);
        clause
            .sql
            .push_str(&format!(" ORDER BY o.date_added LIMIT {}", self.limit));
    }

    /// One ordered `grants` range per key, merged on (date_added, seq)
    /// alone; the page's rows are read once, after the limit.
    fn by_grants(&self, clause: &mut Clause, keys: &[String]) {
        let mut shared = Clause::new("", Vec::new());
        std::mem::swap(&mut shared.params, &mut clause.params);
        shared.any_of("g.type", self.types);
        shared.any_of("o.spec_version", &self.query.spec_versions);
        self.versions(&mut shared, &self.query.versions, true);
        std::mem::swap(&mut shared.params, &mut clause.params);
        let filters = shared.sql;
        // The version's row is needed in an arm only to test it (its spec
        // version, or whether a newer or older version is visible).
        let tests_row = !self.query.versions.all || !self.query.spec_versions.is_empty();
        let join = if tests_row {
            "CROSS JOIN objects AS o ON o.seq = g.object"
        } else {
            ""
        };

        // Each arm carries two integers, so the merge copies and compares
        // little, and a version several keys see is dropped on those two.
        let mut arms = Vec::with_capacity(keys.len());
        for key in keys {
            let k = clause.param(Value::Text(key.clone()));
            arms.push(format!(
                "SELECT g.date_added AS page_added, g.object AS page_seq
                 FROM grants AS g INDEXED BY {GRANTS_KEY} {join}
                 WHERE g.collection = ?1
                   AND g.grant_key = (SELECT id FROM grant_keys WHERE key = {k})
                   AND g.date_added > ?2{filters}"
            ));
        }
        // The outer join reads the merged page in order; `query::run`
        // orders the rows it gets, so no plan has to promise it.
        let columns = columns("o", self.query.with_raw);
        clause.sql = format!(
            "SELECT {columns} FROM ({} ORDER BY 1 LIMIT {}) AS p
             CROSS JOIN objects AS o ON o.seq = p.page_seq",
            arms.join(" UNION "),
            self.limit
        );
    }

    /// More keys than arms allow: the collection in order, each version
    /// tested.
    fn by_scan(&self, clause: &mut Clause) {
        let columns = columns("o", self.query.with_raw);
        let index = if self.types.len() == 1 {
            "objects_type"
        } else {
            "objects_added"
        };
        clause.sql = format!(
            "SELECT {columns} FROM objects AS o INDEXED BY {index}
             WHERE o.collection = ?1 AND o.date_added > ?2"
        );
        clause.any_of("o.type", self.types);
        clause.any_of("o.spec_version", &self.query.spec_versions);
        clause.sql.push_str(&format!(" AND {}", self.visible("o")));
        self.versions(clause, &self.query.versions, false);
        clause
            .sql
            .push_str(&format!(" ORDER BY o.date_added LIMIT {}", self.limit));
    }
}
