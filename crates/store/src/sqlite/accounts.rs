//! Users and their per-collection permissions.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::catalog::collection_key;
use super::sql_err;
use crate::{Error, ErrorKind, Permission, Result, UserRecord};

/// Creates the user or replaces its fields; its permissions are kept.
pub(super) fn put_user(conn: &Connection, user: &UserRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO users (username, password_hash, is_admin, disabled) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (username) DO UPDATE SET
             password_hash = excluded.password_hash,
             is_admin = excluded.is_admin,
             disabled = excluded.disabled",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![user.username, user.password_hash, user.is_admin, user.disabled])
    })
    .map_err(sql_err(format!("saving user '{}'", user.username)))?;
    Ok(())
}

fn user_row(row: &Row<'_>) -> rusqlite::Result<UserRecord> {
    Ok(UserRecord {
        username: row.get(0)?,
        password_hash: row.get(1)?,
        is_admin: row.get(2)?,
        disabled: row.get(3)?,
    })
}

pub(super) fn user(conn: &Connection, username: &str) -> Result<Option<UserRecord>> {
    conn.prepare_cached(
        "SELECT username, password_hash, is_admin, disabled FROM users WHERE username = ?1",
    )
    .and_then(|mut stmt| stmt.query_row([username], user_row).optional())
    .map_err(sql_err(format!("reading user '{username}'")))
}

pub(super) fn users(conn: &Connection) -> Result<Vec<UserRecord>> {
    conn.prepare_cached(
        "SELECT username, password_hash, is_admin, disabled FROM users ORDER BY username",
    )
    .and_then(|mut stmt| stmt.query_map([], user_row)?.collect())
    .map_err(sql_err("listing users"))
}

/// Sets (or, when both rights are false, removes) a user's rights on a
/// collection; both must exist.
pub(super) fn set_permission(conn: &Connection, username: &str, p: &Permission) -> Result<()> {
    let context = || format!("setting the rights of '{username}' on collection '{}'", p.collection);
    let known = conn
        .prepare_cached("SELECT 1 FROM users WHERE username = ?1")
        .and_then(|mut stmt| stmt.exists([username]))
        .map_err(sql_err(context()))?;
    if !known {
        return Err(Error::new(ErrorKind::NotFound, format!("user '{username}' not found")));
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
