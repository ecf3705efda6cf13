//! The node's identity, organisations and communities.

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::sql_err;
use crate::{CommunityRecord, Error, ErrorKind, NodeRecord, OrgRecord, Result};

pub(super) fn node(conn: &Connection) -> Result<Option<NodeRecord>> {
    conn.prepare_cached("SELECT name, country, identity_id FROM node WHERE only = 1")
        .and_then(|mut stmt| {
            stmt.query_row([], |row| {
                Ok(NodeRecord {
                    name: row.get(0)?,
                    country: row.get(1)?,
                    identity_id: row.get(2)?,
                })
            })
            .optional()
        })
        .map_err(sql_err("reading the node's identity"))
}

pub(super) fn set_node(conn: &Connection, node: &NodeRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO node (only, name, country, identity_id) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (only) DO UPDATE SET
             name = excluded.name, country = excluded.country, identity_id = excluded.identity_id",
    )
    .and_then(|mut stmt| stmt.execute(params![node.name, node.country, node.identity_id]))
    .map_err(sql_err("saving the node's identity"))?;
    Ok(())
}

/// Whether `sql` (a `SELECT 1 … WHERE column = ?1` of this module's own)
/// finds a row for `value`.
fn exists(conn: &Connection, sql: &str, value: &str, context: &str) -> Result<bool> {
    conn.prepare_cached(sql)
        .and_then(|mut stmt| stmt.exists([value]))
        .map_err(sql_err(context))
}

pub(super) fn create_org(conn: &Connection, org: &OrgRecord) -> Result<()> {
    let context = format!("creating organisation '{}'", org.name);
    if exists(conn, "SELECT 1 FROM orgs WHERE id = ?1", &org.id, &context)? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("organisation '{}' already exists", org.id),
        ));
    }
    if exists(
        conn,
        "SELECT 1 FROM orgs WHERE name = ?1",
        &org.name,
        &context,
    )? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("an organisation named '{}' already exists", org.name),
        ));
    }
    let sectors = serde_json::to_string(&org.sectors).map_err(|e| Error::backend(&context, e))?;
    conn.prepare_cached(
        "INSERT INTO orgs (id, name, country, sectors, kind, identity_id, attribution)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            org.id,
            org.name,
            org.country,
            sectors,
            org.kind,
            org.identity_id,
            org.attribution
        ])
    })
    .map_err(sql_err(&context))?;
    Ok(())
}

const ORG_COLUMNS: &str = "id, name, country, sectors, kind, identity_id, attribution";

fn org_row(row: &Row<'_>) -> rusqlite::Result<OrgRecord> {
    let sectors: String = row.get(3)?;
    let sectors = serde_json::from_str(&sectors)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(3, Type::Text, Box::new(e)))?;
    Ok(OrgRecord {
        id: row.get(0)?,
        name: row.get(1)?,
        country: row.get(2)?,
        sectors,
        kind: row.get(4)?,
        identity_id: row.get(5)?,
        attribution: row.get(6)?,
    })
}

/// Sets whether an organisation's submissions are released under its own
/// identity.
pub(super) fn set_org_attribution(conn: &Connection, id: &str, attribution: bool) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE orgs SET attribution = ?2 WHERE id = ?1")
        .and_then(|mut stmt| stmt.execute(params![id, attribution]))
        .map_err(sql_err(format!("updating organisation '{id}'")))?;
    if changed == 0 {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("no organisation '{id}'"),
        ));
    }
    Ok(())
}

pub(super) fn orgs(conn: &Connection) -> Result<Vec<OrgRecord>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM orgs ORDER BY name");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_map([], org_row)?.collect())
        .map_err(sql_err("listing organisations"))
}

/// An organisation by id, else by name.
pub(super) fn org(conn: &Connection, key: &str) -> Result<Option<OrgRecord>> {
    let context = || format!("reading organisation '{key}'");
    for column in ["id", "name"] {
        let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE {column} = ?1");
        let found = conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| stmt.query_row([key], org_row).optional())
            .map_err(sql_err(context()))?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

pub(super) fn remove_org(conn: &Connection, id: &str) -> Result<()> {
    let context = format!("removing organisation '{id}'");
    if !exists(conn, "SELECT 1 FROM orgs WHERE id = ?1", id, &context)? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("organisation '{id}' not found"),
        ));
    }
    if exists(conn, "SELECT 1 FROM users WHERE org = ?1", id, &context)? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("organisation '{id}' still has users; remove them first"),
        ));
    }
    conn.prepare_cached("DELETE FROM community_members WHERE org = ?1")
        .and_then(|mut stmt| stmt.execute([id]))
        .and_then(|_| conn.prepare_cached("DELETE FROM orgs WHERE id = ?1"))
        .and_then(|mut stmt| stmt.execute([id]))
        .map_err(sql_err(&context))?;
    Ok(())
}

pub(super) fn create_community(conn: &Connection, c: &CommunityRecord) -> Result<()> {
    let context = format!("creating community '{}'", c.name);
    if exists(
        conn,
        "SELECT 1 FROM communities WHERE id = ?1",
        &c.id,
        &context,
    )? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("community '{}' already exists", c.id),
        ));
    }
    if exists(
        conn,
        "SELECT 1 FROM communities WHERE name = ?1",
        &c.name,
        &context,
    )? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("a community named '{}' already exists", c.name),
        ));
    }
    for org in &c.members {
        if !exists(conn, "SELECT 1 FROM orgs WHERE id = ?1", org, &context)? {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("organisation '{org}' not found for community '{}'", c.name),
            ));
        }
    }
    conn.prepare_cached("INSERT INTO communities (id, name) VALUES (?1, ?2)")
        .and_then(|mut stmt| stmt.execute([&c.id, &c.name]))
        .map_err(sql_err(&context))?;
    let mut add = conn
        .prepare_cached("INSERT OR IGNORE INTO community_members (community, org) VALUES (?1, ?2)")
        .map_err(sql_err(&context))?;
    for org in &c.members {
        add.execute([&c.id, org]).map_err(sql_err(&context))?;
    }
    Ok(())
}

/// The members of one community, sorted.
fn members_of(conn: &Connection, community: &str) -> rusqlite::Result<Vec<String>> {
    conn.prepare_cached("SELECT org FROM community_members WHERE community = ?1 ORDER BY org")?
        .query_map([community], |row| row.get(0))?
        .collect()
}

/// Every community with its members, in one statement.
pub(super) fn communities(conn: &Connection) -> Result<Vec<CommunityRecord>> {
    let mut list: Vec<CommunityRecord> = Vec::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.id, c.name, m.org FROM communities AS c
             LEFT JOIN community_members AS m ON m.community = c.id
             ORDER BY c.name, m.org",
        )
        .map_err(sql_err("listing communities"))?;
    let mut rows = stmt.query([]).map_err(sql_err("listing communities"))?;
    while let Some(row) = rows.next().map_err(sql_err("listing communities"))? {
        let read = || -> rusqlite::Result<(String, String, Option<String>)> {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        };
        let (id, name, org) = read().map_err(sql_err("listing communities"))?;
        if list.last().is_none_or(|c| c.id != id) {
            list.push(CommunityRecord {
                id,
                name,
                members: Vec::new(),
            });
        }
        if let (Some(org), Some(c)) = (org, list.last_mut()) {
            c.members.push(org);
        }
    }
    Ok(list)
}

/// A community by id, else by name.
pub(super) fn community(conn: &Connection, key: &str) -> Result<Option<CommunityRecord>> {
    let context = || format!("reading community '{key}'");
    for column in ["id", "name"] {
        let sql = format!("SELECT id, name FROM communities WHERE {column} = ?1");
        let found: Option<(String, String)> = conn
            .prepare_cached(&sql)
            .and_then(|mut stmt| {
                stmt.query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()
            })
            .map_err(sql_err(context()))?;
        if let Some((id, name)) = found {
            let members = members_of(conn, &id).map_err(sql_err(context()))?;
            return Ok(Some(CommunityRecord { id, name, members }));
        }
    }
    Ok(None)
}

pub(super) fn remove_community(conn: &Connection, id: &str) -> Result<()> {
    let context = format!("removing community '{id}'");
    if !exists(
        conn,
        "SELECT 1 FROM communities WHERE id = ?1",
        id,
        &context,
    )? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("community '{id}' not found"),
        ));
    }
    if exists(
        conn,
        "SELECT 1 FROM collections WHERE community = ?1",
        id,
        &context,
    )? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("community '{id}' has collections; remove or rebind them first"),
        ));
    }
    conn.prepare_cached("DELETE FROM community_members WHERE community = ?1")
        .and_then(|mut stmt| stmt.execute([id]))
        .and_then(|_| conn.prepare_cached("DELETE FROM communities WHERE id = ?1"))
        .and_then(|mut stmt| stmt.execute([id]))
        .map_err(sql_err(&context))?;
    Ok(())
}

pub(super) fn set_member(
    conn: &Connection,
    community: &str,
    org: &str,
    member: bool,
) -> Result<()> {
    let context = format!("changing the members of community '{community}'");
    if !exists(
        conn,
        "SELECT 1 FROM communities WHERE id = ?1",
        community,
        &context,
    )? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("community '{community}' not found"),
        ));
    }
    if !exists(conn, "SELECT 1 FROM orgs WHERE id = ?1", org, &context)? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("organisation '{org}' not found"),
        ));
    }
    let sql = if member {
        "INSERT OR IGNORE INTO community_members (community, org) VALUES (?1, ?2)"
    } else {
        "DELETE FROM community_members WHERE community = ?1 AND org = ?2"
    };
    conn.prepare_cached(sql)
        .and_then(|mut stmt| stmt.execute([community, org]))
        .map_err(sql_err(&context))?;
    Ok(())
}

/// The ids of the communities `org` belongs to, sorted.
pub(super) fn communities_of(conn: &Connection, org: &str) -> Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT community FROM community_members INDEXED BY community_members_org
         WHERE org = ?1 ORDER BY community",
    )
    .and_then(|mut stmt| stmt.query_map([org], |row| row.get(0))?.collect())
    .map_err(sql_err(format!(
        "reading the communities of organisation '{org}'"
    )))
}
