//! Node administration: the first start, users, rights and collections.
//! Every act needs an administrator.

use charter_store::{ApiRootRecord, CollectionRecord, Permission, UserRecord};

use crate::error::{Error, ErrorKind, Result};
use crate::{auth, Hub, Viewer, STIX_MEDIA_TYPE};

/// The API root a new node creates.
pub const DEFAULT_API_ROOT: &str = "default";
/// The alias of the collection a new node creates.
pub const DEFAULT_COLLECTION_ALIAS: &str = "default";
/// The name of the administrator a new node creates.
pub const ADMIN_USER: &str = "admin";

/// A user as administration commands list it (never with its hash).
#[derive(Debug, Clone)]
pub struct UserSummary {
    /// Login name.
    pub username: String,
    /// Whether the user administers the node.
    pub is_admin: bool,
    /// Whether the user is refused.
    pub disabled: bool,
    /// Rights per collection.
    pub permissions: Vec<Permission>,
}

fn require_admin(viewer: &Viewer) -> Result<()> {
    if viewer.is_admin() {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::Forbidden, "this needs a node administrator"))
    }
}

fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 24];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

impl Hub {
    /// Prepares a new node: the default API root and collection and the
    /// `admin` user, each only if missing. The admin's password is
    /// `admin_password` if given, else generated; a generated password is
    /// returned so it can be shown once.
    pub async fn bootstrap(&self, admin_password: Option<String>) -> Result<Option<String>> {
        let store = self.store();
        if store.api_roots().await?.is_empty() {
            store
                .create_api_root(ApiRootRecord {
                    name: DEFAULT_API_ROOT.to_owned(),
                    title: format!("{} default API root", self.config().title),
                    description: Some("The node's default API root".to_owned()),
                })
                .await?;
            store
                .create_collection(CollectionRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    api_root: DEFAULT_API_ROOT.to_owned(),
                    title: "Default".to_owned(),
                    description: Some("The node's default collection".to_owned()),
                    alias: Some(DEFAULT_COLLECTION_ALIAS.to_owned()),
                    media_types: vec![STIX_MEDIA_TYPE.to_owned()],
                })
                .await?;
        }
        if store.user(ADMIN_USER).await?.is_some() {
            return Ok(None);
        }
        let (password, generated) = match admin_password {
            Some(p) if !p.is_empty() => (p, false),
            _ => (generate_password(), true),
        };
        let password_hash = auth::hash_password(&password)?;
        store
            .put_user(UserRecord { username: ADMIN_USER.to_owned(), password_hash, is_admin: true, disabled: false })
            .await?;
        Ok(generated.then_some(password))
    }

    /// Adds a user; fails with a conflict if the name is taken.
    pub async fn add_user(&self, viewer: &Viewer, username: &str, password: &str, is_admin: bool) -> Result<()> {
        require_admin(viewer)?;
        validate_username(username)?;
        if password.len() < 8 {
            return Err(Error::invalid("password: must be at least 8 characters"));
        }
        if self.store().user(username).await?.is_some() {
            return Err(Error::new(ErrorKind::Conflict, format!("user '{username}' already exists")));
        }
        let password_hash = auth::hash_password(password)?;
        self.store()
            .put_user(UserRecord { username: username.to_owned(), password_hash, is_admin, disabled: false })
            .await?;
        Ok(())
    }

    /// Enables or disables a user; a disabled user is refused at once.
    pub async fn set_user_disabled(&self, viewer: &Viewer, username: &str, disabled: bool) -> Result<()> {
        require_admin(viewer)?;
        let mut user = self
            .store()
            .user(username)
            .await?
            .ok_or_else(|| Error::not_found(format!("user '{username}'")))?;
        user.disabled = disabled;
        self.store().put_user(user).await?;
        Ok(())
    }

    /// Sets a user's rights on a collection (named by id or alias).
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
            .set_permission(username, Permission { collection: record.id, can_read, can_write })
            .await?;
        Ok(())
    }

    /// Lists users and their rights.
    pub async fn users(&self, viewer: &Viewer) -> Result<Vec<UserSummary>> {
        require_admin(viewer)?;
        let mut out = Vec::new();
        for user in self.store().users().await? {
            let permissions = self.store().permissions(&user.username).await?;
            out.push(UserSummary {
                username: user.username,
                is_admin: user.is_admin,
                disabled: user.disabled,
                permissions,
            });
        }
        Ok(out)
    }

    /// Adds a collection to an API root and returns it.
    pub async fn add_collection(
        &self,
        viewer: &Viewer,
        api_root: &str,
        title: &str,
        description: Option<String>,
        alias: Option<String>,
    ) -> Result<CollectionRecord> {
        require_admin(viewer)?;
        if title.trim().is_empty() {
            return Err(Error::invalid("title: must not be empty"));
        }
        if let Some(alias) = &alias {
            validate_alias(alias)?;
        }
        self.api_root(viewer, api_root).await?;
        let record = CollectionRecord {
            id: uuid::Uuid::new_v4().to_string(),
            api_root: api_root.to_owned(),
            title: title.to_owned(),
            description,
            alias,
            media_types: vec![STIX_MEDIA_TYPE.to_owned()],
        };
        self.store().create_collection(record.clone()).await?;
        Ok(record)
    }
}

fn validate_username(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "username '{name}': use 1-64 characters among letters, digits and - _ . @"
        )))
    }
}

fn validate_alias(alias: &str) -> Result<()> {
    let ok = !alias.is_empty()
        && alias.len() <= 64
        && alias.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok && uuid::Uuid::parse_str(alias).is_err() {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "alias '{alias}': use 1-64 characters among lowercase letters, digits, - and _ (not a UUID)"
        )))
    }
}
