//! API roots and collections.

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{no_collection, sql_err};
use crate::{ApiRootRecord, CollectionRecord, Error, ErrorKind, Micros, Result};

/// What the object statements need to know of a collection.
pub(super) struct CollectionKey {
    /// The collection's row number, which object rows reference.
    pub(super) seq: i64,
    /// The greatest `date_added` ever assigned in it.
    pub(super) last_added: Micros,
}

pub(super) fn create_api_root(conn: &Connection, root: &ApiRootRecord) -> Result<()> {
    let context = || format!("creating API root '{}'", root.name);
    let taken = conn
        .prepare_cached("SELECT 1 FROM api_roots WHERE name = ?1")
        .and_then(|mut stmt| stmt.exists([&root.name]))
        .map_err(sql_err(context()))?;
    if taken {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("API root '{}' already exists", root.name),
        ));
    }
    conn.prepare_cached("INSERT INTO api_roots (name, title, description) VALUES (?1, ?2, ?3)")
        .and_then(|mut stmt| stmt.execute(params![root.name, root.title, root.description]))
        .map_err(sql_err(context()))?;
    Ok(())
}

pub(super) fn api_roots(conn: &Connection) -> Result<Vec<ApiRootRecord>> {
    let mut stmt = conn
        .prepare_cached("SELECT name, title, description FROM api_roots ORDER BY name")
        .map_err(sql_err("listing API roots"))?;
    let rows = stmt
        .query_map([], |row| {
            Ok(ApiRootRecord {
                name: row.get(0)?,
                title: row.get(1)?,
                description: row.get(2)?,
            })
        })
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(sql_err("listing API roots"))?;
    Ok(rows)
}

pub(super) fn create_collection(conn: &Connection, c: &CollectionRecord) -> Result<()> {
    let context = || format!("creating collection '{}'", c.id);
    let root_exists = conn
        .prepare_cached("SELECT 1 FROM api_roots WHERE name = ?1")
        .and_then(|mut stmt| stmt.exists([&c.api_root]))
        .map_err(sql_err(context()))?;
    if !root_exists {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "API root '{}' not found for collection '{}'",
                c.api_root, c.id
            ),
        ));
    }
    let id_taken = conn
        .prepare_cached("SELECT 1 FROM collections WHERE id = ?1")
        .and_then(|mut stmt| stmt.exists([&c.id]))
        .map_err(sql_err(context()))?;
    if id_taken {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("collection '{}' already exists", c.id),
        ));
    }
    if let Some(community) = &c.community {
        let known = conn
            .prepare_cached("SELECT 1 FROM communities WHERE id = ?1")
            .and_then(|mut stmt| stmt.exists([community]))
            .map_err(sql_err(context()))?;
        if !known {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "community '{community}' not found for collection '{}'",
                    c.id
                ),
            ));
        }
    }
    if let Some(alias) = &c.alias {
        let alias_taken = conn
            .prepare_cached("SELECT 1 FROM collections WHERE api_root = ?1 AND alias = ?2")
            .and_then(|mut stmt| stmt.exists([&c.api_root, alias]))
            .map_err(sql_err(context()))?;
        if alias_taken {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!(
                    "alias '{alias}' is already used in API root '{}'",
                    c.api_root
                ),
            ));
        }
    }
    let media_types = serde_json::to_string(&c.media_types)
        .map_err(|e| Error::backend(format!("encoding the media types of '{}'", c.id), e))?;
    conn.prepare_cached(
        "INSERT INTO collections (id, api_root, title, description, alias, media_types,
                                  community, default_tlp, public)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            c.id,
            c.api_root,
            c.title,
            c.description,
            c.alias,
            media_types,
            c.community,
            c.default_tlp,
            c.public
        ])
    })
    .map_err(sql_err(context()))?;
    Ok(())
}

const COLLECTION_COLUMNS: &str =
    "id, api_root, title, description, alias, media_types, community, default_tlp, public";

fn collection_row(row: &Row<'_>) -> rusqlite::Result<CollectionRecord> {
    let media_types: String = row.get(5)?;
    let media_types = serde_json::from_str(&media_types)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(5, Type::Text, Box::new(e)))?;
    Ok(CollectionRecord {
        id: row.get(0)?,
        api_root: row.get(1)?,
        title: row.get(2)?,
        description: row.get(3)?,
        alias: row.get(4)?,
        media_types,
        community: row.get(6)?,
        default_tlp: row.get(7)?,
        public: row.get(8)?,
    })
}

pub(super) fn collections(conn: &Connection, api_root: &str) -> Result<Vec<CollectionRecord>> {
    let context = || format!("listing the collections of API root '{api_root}'");
    let sql =
        format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE api_root = ?1 ORDER BY seq");
    let mut stmt = conn.prepare_cached(&sql).map_err(sql_err(context()))?;
    let rows = stmt
        .query_map([api_root], collection_row)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(sql_err(context()))?;
    Ok(rows)
}

/// A collection by id, else by alias, within one API root.
pub(super) fn collection(
    conn: &Connection,
    api_root: &str,
    key: &str,
) -> Result<Option<CollectionRecord>> {
    let context = || format!("reading collection '{key}' of API root '{api_root}'");
    let sql = format!(
        "SELECT {COLLECTION_COLUMNS} FROM collections
         WHERE api_root = ?1 AND (id = ?2 OR alias = ?2)
         ORDER BY id = ?2 DESC LIMIT 1"
    );
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([api_root, key], collection_row).optional())
        .map_err(sql_err(context()))
}

/// The key of collection `id`, or [`ErrorKind::NotFound`].
pub(super) fn collection_key(conn: &Connection, id: &str) -> Result<CollectionKey> {
    conn.prepare_cached("SELECT seq, last_added FROM collections WHERE id = ?1")
        .and_then(|mut stmt| {
            stmt.query_row([id], |row| {
                Ok(CollectionKey {
                    seq: row.get(0)?,
                    last_added: row.get(1)?,
                })
            })
            .optional()
        })
        .map_err(sql_err(format!("reading collection '{id}'")))?
        .ok_or_else(|| no_collection(id))
}

/// Removes an empty collection and the explicit rights on it.
pub(super) fn remove_collection(conn: &Connection, id: &str) -> Result<()> {
    let key = collection_key(conn, id)?;
    let context = || format!("removing collection '{id}'");
    let holds_objects = conn
        .prepare_cached("SELECT 1 FROM objects INDEXED BY objects_added WHERE collection = ?1")
        .and_then(|mut stmt| stmt.exists([key.seq]))
        .map_err(sql_err(context()))?;
    if holds_objects || super::review::holds_pending(conn, id)? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("collection '{id}' holds objects; delete them first"),
        ));
    }
    conn.prepare_cached("DELETE FROM permissions WHERE collection = ?1")
        .and_then(|mut stmt| stmt.execute([key.seq]))
        .and_then(|_| conn.prepare_cached("DELETE FROM collections WHERE seq = ?1"))
        .and_then(|mut stmt| stmt.execute([key.seq]))
        .map_err(sql_err(context()))?;
    Ok(())
}
