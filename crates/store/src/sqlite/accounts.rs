//! Users, their per-collection permissions and their API tokens.

use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::catalog::collection_key;
use super::sql_err;
use crate::{Account, Error, ErrorKind, Permission, Result, Role, TokenRecord, UserRecord};

/// Creates the user or replaces its fields; its permissions and tokens are
/// kept. Its organisation must exist.
pub(super) fn put_user(conn: &Connection, user: &UserRecord) -> Result<()> {
    let context = || format!("saving user '{}'", user.username);
    if let Some(org) = &user.org {
        let known = conn
            .prepare_cached("SELECT 1 FROM orgs WHERE id = ?1")
            .and_then(|mut stmt| stmt.exists([org]))
            .map_err(sql_err(context()))?;
        if !known {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!(
                    "organisation '{org}' not found for user '{}'",
                    user.username
                ),
            ));
        }
    }
    conn.prepare_cached(
        "INSERT INTO users (username, password_hash, role, org, disabled)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (username) DO UPDATE SET
             password_hash = excluded.password_hash,
             role = excluded.role,
             org = excluded.org,
             disabled = excluded.disabled",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            user.username,
            user.password_hash,
            user.role.as_str(),
            user.org,
            user.disabled
        ])
    })
    .map_err(sql_err(context()))?;
    Ok(())
}

const USER_COLUMNS: &str = "username, password_hash, role, org, disabled";

fn user_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    let role = row.get_ref(2)?.as_str()?;
    let role = Role::parse(role).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            2,
            Type::Text,
            format!("unknown role '{role}'").into(),
        )
    })?;
    Ok(UserRecord {
        username: row.get(0)?,
        password_hash: row.get(1)?,
        role,
        org: row.get(3)?,
        disabled: row.get(4)?,
    })
}

pub(super) fn user(conn: &Connection, username: &str) -> Result<Option<UserRecord>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([username], user_row).optional())
        .map_err(sql_err(format!("reading user '{username}'")))
}

pub(super) fn users(conn: &Connection) -> Result<Vec<UserRecord>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_map([], user_row)?.collect())
        .map_err(sql_err("listing users"))
}

pub(super) fn users_of_org(conn: &Connection, org: &str) -> Result<Vec<UserRecord>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users INDEXED BY users_org WHERE org = ?1 ORDER BY username"
    );
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_map([org], user_row)?.collect())
        .map_err(sql_err(format!(
            "listing the users of organisation '{org}'"
        )))
}

fn user_exists(conn: &Connection, username: &str, context: &str) -> Result<bool> {
    conn.prepare_cached("SELECT 1 FROM users WHERE username = ?1")
        .and_then(|mut stmt| stmt.exists([username]))
        .map_err(sql_err(context))
}

/// Removes a user with their permissions and tokens.
pub(super) fn remove_user(conn: &Connection, username: &str) -> Result<()> {
    let context = format!("removing user '{username}'");
    if !user_exists(conn, username, &context)? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("user '{username}' not found"),
        ));
    }
    for sql in [
        "DELETE FROM permissions WHERE username = ?1",
        "DELETE FROM tokens WHERE username = ?1",
        "DELETE FROM users WHERE username = ?1",
    ] {
        conn.prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute([username]))
            .map_err(sql_err(&context))?;
    }
    Ok(())
}

/// Sets (or, when both rights are false, removes) a user's rights on a
/// collection; both must exist.
pub(super) fn set_permission(conn: &Connection, username: &str, p: &Permission) -> Result<()> {
    let context = || {
        format!(
            "setting the rights of '{username}' on collection '{}'",
            p.collection
        )
    };
    if !user_exists(conn, username, &context())? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("user '{username}' not found"),
        ));
    }
    let collection = collection_key(conn, &p.collection)?.seq;
    let result = if p.can_read || p.can_write {
        conn.prepare_cached(
            "INSERT INTO permissions (username, collection, can_read, can_write)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (username, collection) DO UPDATE SET
                 can_read = excluded.can_read,
                 can_write = excluded.can_write",
        )
        .and_then(|mut stmt| stmt.execute(params![username, collection, p.can_read, p.can_write]))
    } else {
        conn.prepare_cached("DELETE FROM permissions WHERE username = ?1 AND collection = ?2")
            .and_then(|mut stmt| stmt.execute(params![username, collection]))
    };
    result.map_err(sql_err(context()))?;
    Ok(())
}

/// The user's rights, in collection creation order; empty for an unknown user.
pub(super) fn permissions(conn: &Connection, username: &str) -> Result<Vec<Permission>> {
    conn.prepare_cached(
        "SELECT c.id, p.can_read, p.can_write
         FROM permissions AS p JOIN collections AS c ON c.seq = p.collection
         WHERE p.username = ?1 ORDER BY c.seq",
    )
    .and_then(|mut stmt| {
        stmt.query_map([username], |row| {
            Ok(Permission {
                collection: row.get(0)?,
                can_read: row.get(1)?,
                can_write: row.get(2)?,
            })
        })?
        .collect()
    })
    .map_err(sql_err(format!("reading the rights of '{username}'")))
}

/// A user with its organisation's communities and its rights, on one
/// connection: one trip through the read pool per authenticated request.
pub(super) fn account(conn: &Connection, username: &str) -> Result<Option<Account>> {
    let Some(user) = user(conn, username)? else {
        return Ok(None);
    };
    let communities = match &user.org {
        Some(org) => super::members::communities_of(conn, org)?,
        None => Vec::new(),
    };
    let permissions = permissions(conn, username)?;
    Ok(Some(Account {
        user,
        communities,
        permissions,
    }))
}

pub(super) fn create_token(conn: &Connection, t: &TokenRecord) -> Result<()> {
    let context = format!("creating a token for '{}'", t.username);
    if !user_exists(conn, &t.username, &context)? {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("user '{}' not found", t.username),
        ));
    }
    let taken = conn
        .prepare_cached("SELECT 1 FROM tokens WHERE id = ?1")
        .and_then(|mut stmt| stmt.exists([&t.id]))
        .map_err(sql_err(&context))?;
    if taken {
        return Err(Error::new(
            ErrorKind::Conflict,
            format!("token '{}' already exists", t.id),
        ));
    }
    conn.prepare_cached(
        "INSERT INTO tokens (id, username, secret_hash, label, created, expires, revoked)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            t.id,
            t.username,
            t.secret_hash,
            t.label,
            t.created,
            t.expires,
            t.revoked
        ])
    })
    .map_err(sql_err(&context))?;
    Ok(())
}

const TOKEN_COLUMNS: &str = "id, username, secret_hash, label, created, expires, revoked";

fn token_row(row: &Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        id: row.get(0)?,
        username: row.get(1)?,
        secret_hash: row.get(2)?,
        label: row.get(3)?,
        created: row.get(4)?,
        expires: row.get(5)?,
        revoked: row.get(6)?,
    })
}

pub(super) fn token(conn: &Connection, id: &str) -> Result<Option<TokenRecord>> {
    let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?1");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([id], token_row).optional())
        .map_err(sql_err(format!("reading token '{id}'")))
}

/// The tokens of `username`, or of everyone, in the order they were issued.
pub(super) fn tokens(conn: &Connection, username: Option<&str>) -> Result<Vec<TokenRecord>> {
    let result = match username {
        Some(user) => {
            let sql = format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens INDEXED BY tokens_user
                 WHERE username = ?1 ORDER BY created, id"
            );
            conn.prepare_cached(&sql)
                .and_then(|mut stmt| stmt.query_map([user], token_row)?.collect())
        }
        None => {
            let sql = format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created, id");
            conn.prepare_cached(&sql)
                .and_then(|mut stmt| stmt.query_map([], token_row)?.collect())
        }
    };
    result.map_err(sql_err("listing tokens"))
}

pub(super) fn revoke_token(conn: &Connection, id: &str) -> Result<()> {
    let changed = conn
        .prepare_cached("UPDATE tokens SET revoked = 1 WHERE id = ?1")
        .and_then(|mut stmt| stmt.execute([id]))
        .map_err(sql_err(format!("revoking token '{id}'")))?;
    if changed == 0 {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("token '{id}' not found"),
        ));
    }
    Ok(())
}
