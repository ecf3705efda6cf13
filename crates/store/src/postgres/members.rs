//! The node's identity, organisations and communities.

use deadpool_postgres::{Client, GenericClient};
use tokio_postgres::Row;

use super::{exec, exists, is_unique_violation, pg_err, row, rows};
use crate::{CommunityRecord, Error, ErrorKind, NodeRecord, OrgRecord, Result};

pub(super) async fn node(client: &Client) -> Result<Option<NodeRecord>> {
    row(
        client,
        "SELECT name, country, identity_id FROM node WHERE singleton = 1",
        &[],
    )
    .await
    .and_then(|r| {
        r.map(|r| {
            Ok(NodeRecord {
                name: r.try_get(0)?,
                country: r.try_get(1)?,
                identity_id: r.try_get(2)?,
            })
        })
        .transpose()
    })
    .map_err(pg_err("reading the node's identity"))
}

pub(super) async fn set_node(client: &Client, node: &NodeRecord) -> Result<()> {
    exec(
        client,
        "INSERT INTO node (singleton, name, country, identity_id) VALUES (1, $1, $2, $3)
         ON CONFLICT (singleton) DO UPDATE SET
             name = excluded.name, country = excluded.country, identity_id = excluded.identity_id",
        &[&node.name, &node.country, &node.identity_id],
    )
    .await
    .map_err(pg_err("saving the node's identity"))?;
    Ok(())
}

pub(super) async fn create_org(client: &mut Client, org: &OrgRecord) -> Result<()> {
    let context = format!("creating organisation '{}'", org.name);
    let id_taken = || {
        Error::new(
            ErrorKind::Conflict,
            format!("organisation '{}' already exists", org.id),
        )
    };
    let name_taken = || {
        Error::new(
            ErrorKind::Conflict,
            format!("an organisation named '{}' already exists", org.name),
        )
    };
    if exists(
        &*client,
        "SELECT 1 FROM orgs WHERE id = $1",
        &[&org.id],
        &context,
    )
    .await?
    {
        return Err(id_taken());
    }
    if exists(
        &*client,
        "SELECT 1 FROM orgs WHERE name = $1",
        &[&org.name],
        &context,
    )
    .await?
    {
        return Err(name_taken());
    }
    exec(
        &*client,
        "INSERT INTO orgs (id, name, country, sectors, kind, identity_id, attribution)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &org.id,
            &org.name,
            &org.country,
            &org.sectors,
            &org.kind,
            &org.identity_id,
            &org.attribution,
        ],
    )
    .await
    .map_err(|e| match is_unique_violation(&e) {
        true if e.to_string().contains("orgs_name_key") => name_taken(),
        true => id_taken(),
        false => Error::backend(&context, e),
    })?;
    Ok(())
}

const ORG_COLUMNS: &str = "id, name, country, sectors, kind, identity_id, attribution";

fn org_row(r: &Row) -> std::result::Result<OrgRecord, tokio_postgres::Error> {
    Ok(OrgRecord {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        country: r.try_get(2)?,
        sectors: r.try_get(3)?,
        kind: r.try_get(4)?,
        identity_id: r.try_get(5)?,
        attribution: r.try_get(6)?,
    })
}

/// Sets whether an organisation's submissions are released under its own
/// identity.
pub(super) async fn set_org_attribution(
    client: &Client,
    id: &str,
    attribution: bool,
) -> Result<()> {
    let changed = exec(
        client,
        "UPDATE orgs SET attribution = $2 WHERE id = $1",
        &[&id, &attribution],
    )
    .await
    .map_err(pg_err(format!("updating organisation '{id}'")))?;
    if changed == 0 {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("no organisation '{id}'"),
        ));
    }
    Ok(())
}

pub(super) async fn orgs(client: &Client) -> Result<Vec<OrgRecord>> {
    let sql = format!("SELECT {ORG_COLUMNS} FROM orgs ORDER BY name");
    rows(client, &sql, &[])
        .await
        .and_then(|rows| rows.iter().map(org_row).collect())
        .map_err(pg_err("listing organisations"))
}

/// An organisation by id, else by name.
pub(super) async fn org(client: &Client, key: &str) -> Result<Option<OrgRecord>> {
    let context = || format!("reading organisation '{key}'");
    for column in ["id", "name"] {
        let sql = format!("SELECT {ORG_COLUMNS} FROM orgs WHERE {column} = $1");
        let found = row(client, &sql, &[&key])
            .await
            .and_then(|r| r.as_ref().map(org_row).transpose())
            .map_err(pg_err(context()))?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

pub(super) async fn remove_org(client: &mut Client, id: &str) -> Result<()> {
    let context = format!("removing organisation '{id}'");
    let tx = client.transaction().await.map_err(pg_err(&context))?;
    if !exists(
        &tx,
        "SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE",
        &[&id],
        &context,
    )
    .await?
    {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("organisation '{id}' not found"),
        ));
    }
    if exists(&tx, "SELECT 1 FROM users WHERE org = $1", &[&id], &context).await? {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("organisation '{id}' still has users; remove them first"),
        ));
    }
    for sql in [
        "DELETE FROM community_members WHERE org = $1",
        "DELETE FROM orgs WHERE id = $1",
    ] {
        exec(&tx, sql, &[&id]).await.map_err(pg_err(&context))?;
    }
    tx.commit().await.map_err(pg_err(&context))
}

pub(super) async fn create_community(client: &mut Client, c: &CommunityRecord) -> Result<()> {
    let context = format!("creating community '{}'", c.name);
    let tx = client.transaction().await.map_err(pg_err(&context))?;
    let id_taken = || {
        Error::new(
            ErrorKind::Conflict,
            format!("community '{}' already exists", c.id),
        )
    };
    let name_taken = || {
        Error::new(
            ErrorKind::Conflict,
            format!("a community named '{}' already exists", c.name),
        )
    };
    if exists(
        &tx,
        "SELECT 1 FROM communities WHERE id = $1",
        &[&c.id],
        &context,
    )
    .await?
    {
        return Err(id_taken());
    }
    if exists(
        &tx,
        "SELECT 1 FROM communities WHERE name = $1",
        &[&c.name],
        &context,
    )
    .await?
    {
        return Err(name_taken());
    }
    for org in &c.members {
        if !exists(&tx, "SELECT 1 FROM orgs WHERE id = $1", &[org], &context).await? {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("organisation '{org}' not found for community '{}'", c.name),
            ));
        }
    }
    exec(
        &tx,
        "INSERT INTO communities (id, name) VALUES ($1, $2)",
        &[&c.id, &c.name],
    )
    .await
    .map_err(|e| match is_unique_violation(&e) {
        true if e.to_string().contains("communities_name_key") => name_taken(),
        true => id_taken(),
        false => Error::backend(&context, e),
    })?;
    exec(
        &tx,
        "INSERT INTO community_members (community, org)
         SELECT $1, m FROM unnest($2::text[]) AS m ON CONFLICT DO NOTHING",
        &[&c.id, &c.members],
    )
    .await
    .map_err(pg_err(&context))?;
    tx.commit().await.map_err(pg_err(&context))
}

/// Every community with its members, in one statement.
pub(super) async fn communities(client: &Client) -> Result<Vec<CommunityRecord>> {
    let context = "listing communities";
    let found = rows(
        client,
        "SELECT c.id, c.name, m.org FROM communities AS c
         LEFT JOIN community_members AS m ON m.community = c.id
         ORDER BY c.name, m.org",
        &[],
    )
    .await
    .map_err(pg_err(context))?;
    let mut list: Vec<CommunityRecord> = Vec::new();
    for r in &found {
        let (id, name, org) = (|| {
            Ok::<(String, String, Option<String>), tokio_postgres::Error>((
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
            ))
        })()
        .map_err(pg_err(context))?;
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
pub(super) async fn community(client: &Client, key: &str) -> Result<Option<CommunityRecord>> {
    let context = || format!("reading community '{key}'");
    for column in ["id", "name"] {
        let sql = format!(
            "SELECT c.id, c.name,
                    ARRAY(SELECT org FROM community_members WHERE community = c.id ORDER BY org)
             FROM communities AS c WHERE c.{column} = $1"
        );
        let found = row(client, &sql, &[&key])
            .await
            .and_then(|r| {
                r.map(|r| {
                    Ok(CommunityRecord {
                        id: r.try_get(0)?,
                        name: r.try_get(1)?,
                        members: r.try_get(2)?,
                    })
                })
                .transpose()
            })
            .map_err(pg_err(context()))?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

pub(super) async fn remove_community(client: &mut Client, id: &str) -> Result<()> {
    let context = format!("removing community '{id}'");
    let tx = client.transaction().await.map_err(pg_err(&context))?;
    if !exists(
        &tx,
        "SELECT 1 FROM communities WHERE id = $1 FOR UPDATE",
        &[&id],
        &context,
    )
    .await?
    {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("community '{id}' not found"),
        ));
    }
    if exists(
        &tx,
        "SELECT 1 FROM collections WHERE community = $1",
        &[&id],
        &context,
    )
    .await?
    {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("community '{id}' has collections; remove or rebind them first"),
        ));
    }
    for sql in [
        "DELETE FROM community_members WHERE community = $1",
        "DELETE FROM communities WHERE id = $1",
    ] {
        exec(&tx, sql, &[&id]).await.map_err(pg_err(&context))?;
    }
    tx.commit().await.map_err(pg_err(&context))
}

pub(super) async fn set_member(
    client: &mut Client,
    community: &str,
    org: &str,
    member: bool,
) -> Result<()> {
    let context = format!("changing the members of community '{community}'");
    let tx = client.transaction().await.map_err(pg_err(&context))?;
    if !exists(
        &tx,
        "SELECT 1 FROM communities WHERE id = $1",
        &[&community],
        &context,
    )
    .await?
    {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("community '{community}' not found"),
        ));
    }
    if !exists(&tx, "SELECT 1 FROM orgs WHERE id = $1", &[&org], &context).await? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("organisation '{org}' not found"),
        ));
    }
    let sql = if member {
        "INSERT INTO community_members (community, org) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM community_members WHERE community = $1 AND org = $2"
    };
    exec(&tx, sql, &[&community, &org])
        .await
        .map_err(pg_err(&context))?;
    tx.commit().await.map_err(pg_err(&context))
}

/// The ids of the communities `org` belongs to, sorted.
pub(super) async fn communities_of<C: GenericClient>(c: &C, org: &str) -> Result<Vec<String>> {
    rows(
        c,
        "SELECT community FROM community_members WHERE org = $1 ORDER BY community",
        &[&org],
    )
    .await
    .and_then(|rows| rows.iter().map(|r| r.try_get(0)).collect())
    .map_err(pg_err(format!(
        "reading the communities of organisation '{org}'"
    )))
}
