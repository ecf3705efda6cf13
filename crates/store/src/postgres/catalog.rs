//! API roots and collections.

use deadpool_postgres::{Client, GenericClient};
use tokio_postgres::Row;

use super::{exec, exists, is_unique_violation, no_collection, pg_err, row, rows};
use crate::{ApiRootRecord, CollectionRecord, Error, ErrorKind, Micros, Result};

/// What the object statements need to know of a collection.
pub(super) struct CollectionKey {
    /// The collection's row number, which object rows reference.
    pub(super) seq: i64,
    /// The greatest `date_added` ever assigned in it.
    pub(super) last_added: Micros,
}

pub(super) async fn create_api_root(client: &mut Client, root: &ApiRootRecord) -> Result<()> {
    let context = || format!("creating API root '{}'", root.name);
    let taken = || {
        Error::new(
            ErrorKind::Conflict,
            format!("API root '{}' already exists", root.name),
        )
    };
    if exists(
        &*client,
        "SELECT 1 FROM api_roots WHERE name = $1",
        &[&root.name],
        context(),
    )
    .await?
    {
        return Err(taken());
    }
    exec(
        &*client,
        "INSERT INTO api_roots (name, title, description) VALUES ($1, $2, $3)",
        &[&root.name, &root.title, &root.description],
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            taken()
        } else {
            Error::backend(context(), e)
        }
    })?;
    Ok(())
}

pub(super) async fn api_roots(client: &Client) -> Result<Vec<ApiRootRecord>> {
    let context = "listing API roots";
    rows(
        client,
        "SELECT name, title, description FROM api_roots ORDER BY name",
        &[],
    )
    .await
    .and_then(|rows| {
        rows.iter()
            .map(|r| {
                Ok(ApiRootRecord {
                    name: r.try_get(0)?,
                    title: r.try_get(1)?,
                    description: r.try_get(2)?,
                })
            })
            .collect()
    })
    .map_err(pg_err(context))
}

pub(super) async fn create_collection(client: &mut Client, c: &CollectionRecord) -> Result<()> {
    let context = || format!("creating collection '{}'", c.id);
    let tx = client.transaction().await.map_err(pg_err(context()))?;
    if !exists(
        &tx,
        "SELECT 1 FROM api_roots WHERE name = $1",
        &[&c.api_root],
        context(),
    )
    .await?
    {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "API root '{}' not found for collection '{}'",
                c.api_root, c.id
            ),
        ));
    }
    let id_taken = || {
        Error::new(
            ErrorKind::Conflict,
            format!("collection '{}' already exists", c.id),
        )
    };
    if exists(
        &tx,
        "SELECT 1 FROM collections WHERE id = $1",
        &[&c.id],
        context(),
    )
    .await?
    {
        return Err(id_taken());
    }
    if let Some(community) = &c.community {
        if !exists(
            &tx,
            "SELECT 1 FROM communities WHERE id = $1",
            &[community],
            context(),
        )
        .await?
        {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "community '{community}' not found for collection '{}'",
                    c.id
                ),
            ));
        }
    }
    let alias_taken = |alias: &str| {
        Error::new(
            ErrorKind::Conflict,
            format!(
                "alias '{alias}' is already used in API root '{}'",
                c.api_root
            ),
        )
    };
    if let Some(alias) = &c.alias {
        if exists(
            &tx,
            "SELECT 1 FROM collections WHERE api_root = $1 AND alias = $2",
            &[&c.api_root, alias],
            context(),
        )
        .await?
        {
            return Err(alias_taken(alias));
        }
    }
    exec(
        &tx,
        "INSERT INTO collections (id, api_root, title, description, alias, media_types,
                                  community, default_tlp, public)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &c.id,
            &c.api_root,
            &c.title,
            &c.description,
            &c.alias,
            &c.media_types,
            &c.community,
            &c.default_tlp,
            &c.public,
        ],
    )
    .await
    .map_err(|e| match (is_unique_violation(&e), &c.alias) {
        // Another server created the same id or alias meanwhile.
        (true, Some(alias)) if !e.to_string().contains("collections_id_key") => alias_taken(alias),
        (true, _) => id_taken(),
        _ => Error::backend(context(), e),
    })?;
    tx.commit().await.map_err(pg_err(context()))
}

const COLLECTION_COLUMNS: &str =
    "id, api_root, title, description, alias, media_types, community, default_tlp, public";

fn collection_row(r: &Row) -> std::result::Result<CollectionRecord, tokio_postgres::Error> {
    Ok(CollectionRecord {
        id: r.try_get(0)?,
        api_root: r.try_get(1)?,
        title: r.try_get(2)?,
        description: r.try_get(3)?,
        alias: r.try_get(4)?,
        media_types: r.try_get(5)?,
        community: r.try_get(6)?,
        default_tlp: r.try_get(7)?,
        public: r.try_get(8)?,
    })
}

pub(super) async fn collections(client: &Client, api_root: &str) -> Result<Vec<CollectionRecord>> {
    let context = || format!("listing the collections of API root '{api_root}'");
    let sql =
        format!("SELECT {COLLECTION_COLUMNS} FROM collections WHERE api_root = $1 ORDER BY seq");
    rows(client, &sql, &[&api_root])
        .await
        .and_then(|rows| rows.iter().map(collection_row).collect())
        .map_err(pg_err(context()))
}

/// A collection by id, else by alias, within one API root.
pub(super) async fn collection(
    client: &Client,
    api_root: &str,
    key: &str,
) -> Result<Option<CollectionRecord>> {
    let context = || format!("reading collection '{key}' of API root '{api_root}'");
    let sql = format!(
        "SELECT {COLLECTION_COLUMNS} FROM collections
         WHERE api_root = $1 AND (id = $2 OR alias = $2)
         ORDER BY id = $2 DESC LIMIT 1"
    );
    row(client, &sql, &[&api_root, &key])
        .await
        .and_then(|r| r.as_ref().map(collection_row).transpose())
        .map_err(pg_err(context()))
}

/// The key of collection `id`, or [`ErrorKind::NotFound`]. `lock`: take
/// the collection's row lock, which serialises its writers until the
/// transaction ends.
pub(super) async fn collection_key<C: GenericClient>(
    c: &C,
    id: &str,
    lock: bool,
) -> Result<CollectionKey> {
    let sql = if lock {
        "SELECT seq, last_added FROM collections WHERE id = $1 FOR NO KEY UPDATE"
    } else {
        "SELECT seq, last_added FROM collections WHERE id = $1"
    };
    let found = row(c, sql, &[&id])
        .await
        .and_then(|r| {
            r.map(|r| {
                Ok(CollectionKey {
                    seq: r.try_get(0)?,
                    last_added: r.try_get(1)?,
                })
            })
            .transpose()
        })
        .map_err(pg_err(format!("reading collection '{id}'")))?;
    found.ok_or_else(|| no_collection(id))
}

/// Removes an empty collection and the explicit rights on it.
pub(super) async fn remove_collection(client: &mut Client, id: &str) -> Result<()> {
    let context = || format!("removing collection '{id}'");
    let tx = client.transaction().await.map_err(pg_err(context()))?;
    let key = collection_key(&tx, id, true).await?;
    if exists(
        &tx,
        "SELECT 1 FROM objects WHERE collection = $1 LIMIT 1",
        &[&key.seq],
        context(),
    )
    .await?
        || super::review::holds_pending(&tx, id).await?
    {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("collection '{id}' holds objects; delete them first"),
        ));
    }
    exec(
        &tx,
        "DELETE FROM permissions WHERE collection = $1",
        &[&key.seq],
    )
    .await
    .map_err(pg_err(context()))?;
    exec(&tx, "DELETE FROM collections WHERE seq = $1", &[&key.seq])
        .await
        .map_err(pg_err(context()))?;
    tx.commit().await.map_err(pg_err(context()))
}

/// A table of per-version rows beside the object versions, keyed by collection, id and
/// version key: `warnings` (the flags) and `originals` (the submitted forms).
#[derive(Debug, Clone, Copy)]
pub(super) enum VersionTable {
    /// `warnings`, whose value is the `lists` column.
    Warnings,
    /// `originals`, whose value is the `raw` column.
    Originals,
}

/// The `(id, version key, value)` rows of `table` for the given `(id, version key)` pairs
/// of `collection`, in one statement; pairs without a row are left out. `what` names the
/// rows in an error.
pub(super) async fn of_versions<T>(
    client: &Client,
    collection: &str,
    versions: &[(String, String)],
    table: VersionTable,
    what: &str,
) -> Result<Vec<(String, String, T)>>
where
    T: for<'a> tokio_postgres::types::FromSql<'a>,
{
    let key = collection_key(client, collection, false).await?;
    let (ids, keys): (Vec<&str>, Vec<&str>) = versions
        .iter()
        .map(|(id, key)| (id.as_str(), key.as_str()))
        .unzip();
    let sql = match table {
        VersionTable::Warnings => {
            "SELECT t.id, t.version_key, t.lists
             FROM unnest($2::text[], $3::text[]) AS n (id, version_key)
             JOIN warnings AS t
               ON t.collection = $1 AND t.id = n.id AND t.version_key = n.version_key"
        }
        VersionTable::Originals => {
            "SELECT t.id, t.version_key, t.raw
             FROM unnest($2::text[], $3::text[]) AS n (id, version_key)
             JOIN originals AS t
               ON t.collection = $1 AND t.id = n.id AND t.version_key = n.version_key"
        }
    };
    rows(client, sql, &[&key.seq, &ids, &keys])
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                .collect()
        })
        .map_err(pg_err(format!(
            "reading {what} in collection '{collection}'"
        )))
}
