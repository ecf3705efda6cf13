//! Administration of accounts: users, their explicit rights, and API
//! tokens. Node administrators manage every account; an organisation's
//! administrator manages its own organisation's.

use charter_store::{Permission, Role, TokenRecord, UserRecord};
use serde_json::json;

use super::{NewUser, UserSummary, require_admin};
use crate::error::{Error, ErrorKind, Result};
use crate::objects::now_micros;
use crate::{Hub, Viewer, auth};

impl Hub {
    /// Adds a user. Node administrators may add any user; an
    /// organisation's administrator may add analysts, readers and other
    /// organisation administrators to its own organisation.
    pub async fn add_user(&self, viewer: &Viewer, new: NewUser) -> Result<()> {
        validate_username(&new.username)?;
        if new.password.chars().count() < 8 {
            return Err(Error::invalid("password: must be at least 8 characters"));
        }
        let org = match &new.org {
            Some(o) => Some(self.org_by(o).await?.id),
            None => None,
        };
        let needs_org = !matches!(new.role, Role::NodeAdmin | Role::Auditor | Role::Reviewer);
        if needs_org && org.is_none() {
            return Err(Error::invalid(format!(
                "org: a user with role {} belongs to an organisation",
                new.role
            )));
        }
        if !viewer.is_admin() {
            let own =
                viewer.role() == Role::OrgAdmin && org.is_some() && org.as_deref() == viewer.org();
            if !own || !matches!(new.role, Role::OrgAdmin | Role::Analyst | Role::Reader) {
                return Err(Error::new(
                    ErrorKind::Forbidden,
                    "you may add members of your own organisation only",
                ));
            }
        }
        if self.store().user(&new.username).await?.is_some() {
            return Err(Error::new(
                ErrorKind::Conflict,
                format!("user '{}' already exists", new.username),
            ));
        }
        let password_hash = auth::hash_secret(&new.password)?;
        self.store()
            .put_user(UserRecord {
                username: new.username.clone(),
                password_hash,
                role: new.role,
                org: org.clone(),
                disabled: false,
            })
            .await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "user.add", "user": new.username, "role": new.role.as_str(), "org": org }),
        )
        .await
    }

    /// Checks that `viewer` may manage `username`, and returns the user.
    async fn managed_user(&self, viewer: &Viewer, username: &str) -> Result<UserRecord> {
        let user = self
            .store()
            .user(username)
            .await?
            .ok_or_else(|| Error::not_found(format!("user '{username}'")))?;
        let own_org = viewer.role() == Role::OrgAdmin
            && user.org.is_some()
            && user.org.as_deref() == viewer.org();
        if viewer.is_admin()
            || (own_org && user.role != Role::NodeAdmin)
            || viewer.username() == username
        {
            Ok(user)
        } else {
            Err(Error::new(
                ErrorKind::Forbidden,
                "you may manage members of your own organisation only",
            ))
        }
    }

    /// Removes a user and its tokens.
    pub async fn remove_user(&self, viewer: &Viewer, username: &str) -> Result<()> {
        self.managed_user(viewer, username).await?;
        if username == viewer.username() {
            return Err(Error::invalid("you may not remove yourself"));
        }
        self.store().remove_user(username).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "user.remove", "user": username }),
        )
        .await
    }

    /// Enables or disables a user; a disabled user is refused at once.
    pub async fn set_user_disabled(
        &self,
        viewer: &Viewer,
        username: &str,
        disabled: bool,
    ) -> Result<()> {
        let mut user = self.managed_user(viewer, username).await?;
        user.disabled = disabled;
        self.store().put_user(user).await?;
        let op = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        self.record(viewer, "admin", json!({ "op": op, "user": username }))
            .await
    }

    /// Sets a user's explicit rights on a collection (named by id or alias).
    pub async fn grant(
        &self,
        viewer: &Viewer,
        username: &str,
        api_root: &str,
        collection: &str,
        can_read: bool,
        can_write: bool,
    ) -> Result<()> {
        require_admin(viewer)?;
        if self.store().user(username).await?.is_none() {
            return Err(Error::not_found(format!("user '{username}'")));
        }
        let record = self
            .store()
            .collection(api_root, collection)
            .await?
            .ok_or_else(|| Error::not_found(format!("collection '{collection}'")))?;
        self.store()
            .set_permission(
                username,
                Permission {
                    collection: record.id.clone(),
                    can_read,
                    can_write,
                },
            )
            .await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "user.grant", "user": username, "collection": record.id, "read": can_read, "write": can_write }),
        )
        .await
    }

    /// Lists users and their rights (an organisation's administrator sees
    /// its own organisation's).
    pub async fn users(&self, viewer: &Viewer) -> Result<Vec<UserSummary>> {
        if !viewer.is_admin() && viewer.role() != Role::OrgAdmin {
            return Err(Error::new(
                ErrorKind::Forbidden,
                "this needs an administrator",
            ));
        }
        let mut out = Vec::new();
        for user in self.store().users().await? {
            if !viewer.is_admin() && user.org.as_deref() != viewer.org() {
                continue;
            }
            let permissions = self.store().permissions(&user.username).await?;
            out.push(UserSummary {
                username: user.username,
                role: user.role,
                org: user.org,
                disabled: user.disabled,
                permissions,
            });
        }
        Ok(out)
    }

    /// Issues an API token for `username`, valid for `lifetime` (or until
    /// revoked). Returns the record and the token itself, shown once: only
    /// its argon2 hash is kept.
    pub async fn add_token(
        &self,
        viewer: &Viewer,
        username: &str,
        label: Option<String>,
        lifetime: Option<std::time::Duration>,
    ) -> Result<(TokenRecord, String)> {
        self.managed_user(viewer, username).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let secret = auth::new_token_secret();
        let now = now_micros();
        let expires =
            lifetime.map(|d| now.saturating_add(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)));
        let record = TokenRecord {
            id: id.clone(),
            username: username.to_owned(),
            secret_hash: auth::hash_secret(&secret)?,
            label,
            created: now,
            expires,
            revoked: false,
        };
        self.store().create_token(record.clone()).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "token.add", "user": username, "token": id, "expires": expires }),
        )
        .await?;
        Ok((record, format!("{}{id}_{secret}", auth::TOKEN_PREFIX)))
    }

    /// Lists tokens (never their secrets), of one user or of all.
    pub async fn tokens(
        &self,
        viewer: &Viewer,
        username: Option<&str>,
    ) -> Result<Vec<TokenRecord>> {
        match username {
            Some(u) => {
                self.managed_user(viewer, u).await?;
            }
            None => require_admin(viewer)?,
        }
        Ok(self.store().tokens(username.map(str::to_owned)).await?)
    }

    /// Revokes a token; it is refused from the next request on.
    pub async fn revoke_token(&self, viewer: &Viewer, id: &str) -> Result<()> {
        let token = self
            .store()
            .token(id)
            .await?
            .ok_or_else(|| Error::not_found(format!("token '{id}'")))?;
        self.managed_user(viewer, &token.username).await?;
        self.store().revoke_token(id).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "token.revoke", "token": id, "user": token.username }),
        )
        .await
    }
}

fn validate_username(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "username '{name}': use 1-64 characters among letters, digits and - _ . @"
        )))
    }
}
