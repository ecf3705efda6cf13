//! Users, their per-collection permissions and their API tokens.

use deadpool_postgres::Client;
use tokio_postgres::Row;

use super::catalog::collection_key;
use super::{exec, exists, is_unique_violation, pg_err, row, rows};
use crate::{Account, Error, ErrorKind, Permission, Result, Role, TokenRecord, UserRecord};

/// Creates the user or replaces its fields; its permissions and tokens are
/// kept. Its organisation must exist.
pub(super) async fn put_user(client: &mut Client, user: &UserRecord) -> Result<()> {
    let context = || format!("saving user '{}'", user.username);
    let tx = client.transaction().await.map_err(pg_err(context()))?;
    if let Some(org) = &user.org {
        if !exists(&tx, "SELECT 1 FROM orgs WHERE id = $1", &[org], context()).await? {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "organisation '{org}' not found for user '{}'",
                    user.username
                ),
            ));
        }
    }
    exec(
        &tx,
        "INSERT INTO users (username, password_hash, role, org, disabled)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (username) DO UPDATE SET
             password_hash = excluded.password_hash,
             role = excluded.role,
             org = excluded.org,
             disabled = excluded.disabled",
        &[
            &user.username,
            &user.password_hash,
            &user.role.as_str(),
            &user.org,
            &user.disabled,
        ],
    )
    .await
    .map_err(pg_err(context()))?;
    tx.commit().await.map_err(pg_err(context()))
}

const USER_COLUMNS: &str = "u.username, u.password_hash, u.role, u.org, u.disabled";

fn user_row(r: &Row) -> Result<UserRecord> {
    let context = "reading a user";
    let role: String = r.try_get(2).map_err(pg_err(context))?;
    let role = Role::parse(&role)
        .ok_or_else(|| Error::new(ErrorKind::Backend, format!("unknown role '{role}' stored")))?;
    Ok(UserRecord {
        username: r.try_get(0).map_err(pg_err(context))?,
        password_hash: r.try_get(1).map_err(pg_err(context))?,
        role,
        org: r.try_get(3).map_err(pg_err(context))?,
        disabled: r.try_get(4).map_err(pg_err(context))?,
    })
}

pub(super) async fn user(client: &Client, username: &str) -> Result<Option<UserRecord>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users AS u WHERE username = $1");
    row(client, &sql, &[&username])
        .await
        .map_err(pg_err(format!("reading user '{username}'")))?
        .as_ref()
        .map(user_row)
        .transpose()
}

/// A user with its organisation's communities and its explicit rights, in
/// one statement (every authenticated request asks for it).
pub(super) async fn account(client: &Client, username: &str) -> Result<Option<Account>> {
    let sql = format!(
        "SELECT {USER_COLUMNS},
                ARRAY(SELECT m.community FROM community_members AS m
                      WHERE m.org = u.org ORDER BY m.community),
                ARRAY(SELECT c.id FROM permissions AS p JOIN collections AS c
                      ON c.seq = p.collection WHERE p.username = u.username ORDER BY c.seq),
                ARRAY(SELECT p.can_read FROM permissions AS p JOIN collections AS c
                      ON c.seq = p.collection WHERE p.username = u.username ORDER BY c.seq),
                ARRAY(SELECT p.can_write FROM permissions AS p JOIN collections AS c
                      ON c.seq = p.collection WHERE p.username = u.username ORDER BY c.seq)
         FROM users AS u WHERE u.username = $1"
    );
    let context = || format!("reading the account of '{username}'");
    let Some(r) = row(client, &sql, &[&username])
        .await
        .map_err(pg_err(context()))?
    else {
        return Ok(None);
    };
    let user = user_row(&r)?;
    let columns = (|| {
        Ok::<_, tokio_postgres::Error>((
            r.try_get::<_, Vec<String>>(5)?,
            r.try_get::<_, Vec<String>>(6)?,
            r.try_get::<_, Vec<bool>>(7)?,
            r.try_get::<_, Vec<bool>>(8)?,
        ))
    })()
    .map_err(pg_err(context()))?;
    let (communities, collections, reads, writes) = columns;
    let permissions = collections
        .into_iter()
        .zip(reads.into_iter().zip(writes))
        .map(|(collection, (can_read, can_write))| Permission {
            collection,
            can_read,
            can_write,
        })
        .collect();
    Ok(Some(Account {
        user,
        communities,
        permissions,
    }))
}

pub(super) async fn users(client: &Client) -> Result<Vec<UserRecord>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users AS u ORDER BY username");
    rows(client, &sql, &[])
        .await
        .map_err(pg_err("listing users"))?
        .iter()
        .map(user_row)
        .collect()
}

pub(super) async fn users_of_org(client: &Client, org: &str) -> Result<Vec<UserRecord>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users AS u WHERE org = $1 ORDER BY username");
    rows(client, &sql, &[&org])
        .await
        .map_err(pg_err(format!("listing the users of organisation '{org}'")))?
        .iter()
        .map(user_row)
        .collect()
}

/// Removes a user with their permissions and tokens.
pub(super) async fn remove_user(client: &mut Client, username: &str) -> Result<()> {
    let context = format!("removing user '{username}'");
    let tx = client.transaction().await.map_err(pg_err(&context))?;
    let mut removed = 0;
    for sql in [
        "DELETE FROM permissions WHERE username = $1",
        "DELETE FROM tokens WHERE username = $1",
        "DELETE FROM users WHERE username = $1",
    ] {
        removed = exec(&tx, sql, &[&username])
            .await
            .map_err(pg_err(&context))?;
    }
    if removed == 0 {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("user '{username}' not found"),
        ));
    }
    tx.commit().await.map_err(pg_err(&context))
}

/// Sets (or, when both rights are false, removes) a user's rights on a
/// collection; both must exist.
pub(super) async fn set_permission(
    client: &mut Client,
    username: &str,
    p: &Permission,
) -> Result<()> {
    let context = || {
        format!(
            "setting the rights of '{username}' on collection '{}'",
            p.collection
        )
    };
    let tx = client.transaction().await.map_err(pg_err(context()))?;
    if !exists(
        &tx,
        "SELECT 1 FROM users WHERE username = $1",
        &[&username],
        context(),
    )
    .await?
    {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("user '{username}' not found"),
        ));
    }
    let collection = collection_key(&tx, &p.collection, false).await?.seq;
    let result = if p.can_read || p.can_write {
        exec(
            &tx,
            "INSERT INTO permissions (username, collection, can_read, can_write)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (username, collection) DO UPDATE SET
                 can_read = excluded.can_read,
                 can_write = excluded.can_write",
            &[&username, &collection, &p.can_read, &p.can_write],
        )
        .await
    } else {
        exec(
            &tx,
            "DELETE FROM permissions WHERE username = $1 AND collection = $2",
            &[&username, &collection],
        )
        .await
    };
    result.map_err(pg_err(context()))?;
    tx.commit().await.map_err(pg_err(context()))
}

/// The user's rights, in collection creation order; empty for an unknown user.
pub(super) async fn permissions(client: &Client, username: &str) -> Result<Vec<Permission>> {
    rows(
        client,
        "SELECT c.id, p.can_read, p.can_write
         FROM permissions AS p JOIN collections AS c ON c.seq = p.collection
         WHERE p.username = $1 ORDER BY c.seq",
        &[&username],
    )
    .await
    .and_then(|rows| {
        rows.iter()
            .map(|r| {
                Ok(Permission {
                    collection: r.try_get(0)?,
                    can_read: r.try_get(1)?,
                    can_write: r.try_get(2)?,
                })
            })
            .collect()
    })
    .map_err(pg_err(format!("reading the rights of '{username}'")))
}

pub(super) async fn create_token(client: &mut Client, t: &TokenRecord) -> Result<()> {
    let context = format!("creating a token for '{}'", t.username);
    let tx = client.transaction().await.map_err(pg_err(&context))?;
    if !exists(
        &tx,
        "SELECT 1 FROM users WHERE username = $1",
        &[&t.username],
        &context,
    )
    .await?
    {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("user '{}' not found", t.username),
        ));
    }
    let taken = || {
        Error::new(
            ErrorKind::Conflict,
            format!("token '{}' already exists", t.id),
        )
    };
    if exists(
        &tx,
        "SELECT 1 FROM tokens WHERE id = $1",
        &[&t.id],
        &context,
    )
    .await?
    {
        return Err(taken());
    }
    exec(
        &tx,
        "INSERT INTO tokens (id, username, secret_hash, label, created, expires, revoked)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &t.id,
            &t.username,
            &t.secret_hash,
            &t.label,
            &t.created,
            &t.expires,
            &t.revoked,
        ],
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            taken()
        } else {
            Error::backend(&context, e)
        }
    })?;
    tx.commit().await.map_err(pg_err(&context))
}

const TOKEN_COLUMNS: &str = "id, username, secret_hash, label, created, expires, revoked";

fn token_row(r: &Row) -> std::result::Result<TokenRecord, tokio_postgres::Error> {
    Ok(TokenRecord {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        secret_hash: r.try_get(2)?,
        label: r.try_get(3)?,
        created: r.try_get(4)?,
        expires: r.try_get(5)?,
        revoked: r.try_get(6)?,
    })
}

pub(super) async fn token(client: &Client, id: &str) -> Result<Option<TokenRecord>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = $1");
    row(client, &sql, &[&id])
        .await
        .and_then(|r| r.as_ref().map(token_row).transpose())
        .map_err(pg_err(format!("reading token '{id}'")))
}

/// The tokens of `username`, or of everyone, in the order they were issued.
pub(super) async fn tokens(client: &Client, username: Option<&str>) -> Result<Vec<TokenRecord>> {
    let found = match username {
        Some(user) => {
            let sql = format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE username = $1 ORDER BY created, id"
            );
            rows(client, &sql, &[&user]).await
        }
        None => {
            let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created, id");
            rows(client, &sql, &[]).await
        }
    };
    found
        .and_then(|rows| rows.iter().map(token_row).collect())
        .map_err(pg_err("listing tokens"))
}

pub(super) async fn revoke_token(client: &Client, id: &str) -> Result<()> {
    let changed = exec(
        client,
        "UPDATE tokens SET revoked = true WHERE id = $1",
        &[&id],
    )
    .await
    .map_err(pg_err(format!("revoking token '{id}'")))?;
    if changed == 0 {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("token '{id}' not found"),
        ));
    }
    Ok(())
}
