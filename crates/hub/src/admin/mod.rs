//! Node administration: the first start, this node's identity,
//! organisations, users, API tokens, communities and collections.
//!
//! Node administrators may do everything; an organisation's administrator
//! manages the users and tokens of its own organisation. Every act is
//! appended to the release record.

mod accounts;

use charter_store::{
    ApiRootRecord, CollectionRecord, CommunityRecord, NodeRecord, OrgRecord, Permission, Role,
    UserRecord,
};
use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::vocab::{validate_country, validate_kind, validate_sector};
use crate::{Hub, STIX_MEDIA_TYPE, TlpLevel, Viewer, auth};

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
    /// The user's role.
    pub role: Role,
    /// The user's organisation id.
    pub org: Option<String>,
    /// Whether the user is refused.
    pub disabled: bool,
    /// Explicit rights per collection.
    pub permissions: Vec<Permission>,
}

/// A new organisation.
#[derive(Debug, Clone)]
pub struct NewOrg {
    /// Its name, unique on the node.
    pub name: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country: String,
    /// Sectors from the STIX industry-sector vocabulary.
    pub sectors: Vec<String>,
    /// `government`, `cert` or `private`.
    pub kind: String,
    /// Whether its submissions are released under its own identity rather
    /// than the node's pseudonym for its sector and country.
    pub attribution: bool,
}

/// A new user.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub username: String,
    /// Initial password (at least 8 characters).
    pub password: String,
    /// The organisation, by id or name; required for every role but
    /// node administrator and auditor.
    pub org: Option<String>,
    /// The role.
    pub role: Role,
}

/// A new collection.
#[derive(Debug, Clone)]
pub struct NewCollection {
    /// The API root.
    pub api_root: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Alias, unique within the API root.
    pub alias: Option<String>,
    /// The community the collection belongs to, by id or name.
    pub community: Option<String>,
    /// The TLP level of objects that carry no TLP marking.
    pub default_tlp: TlpLevel,
    /// Whether every member of the node may open the collection. They see
    /// its CLEAR objects; GREEN and AMBER in a collection of no community
    /// reach only the holders of explicit rights on it.
    pub public: bool,
}

impl Default for NewCollection {
    fn default() -> Self {
        NewCollection {
            api_root: DEFAULT_API_ROOT.to_owned(),
            title: String::new(),
            description: None,
            alias: None,
            community: None,
            default_tlp: TlpLevel::Amber,
            public: false,
        }
    }
}

pub(super) fn require_admin(viewer: &Viewer) -> Result<()> {
    if viewer.is_admin() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Forbidden,
            "this needs a node administrator",
        ))
    }
}

fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 24];
    rand::fill(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

fn identity_id() -> String {
    format!("identity--{}", uuid::Uuid::new_v4())
}

impl Hub {
    /// Prepares a new node: its identity, the default API root and
    /// collection and the `admin` user, each only if missing. The admin's
    /// password is `admin_password` if given, else generated; a generated
    /// password is returned so it can be shown once.
    pub async fn bootstrap(&self, admin_password: Option<String>) -> Result<Option<String>> {
        let store = self.store();
        if store.node().await?.is_none() {
            let config = self.config();
            store
                .set_node(NodeRecord {
                    name: config.node_name.clone(),
                    country: config.node_country.clone(),
                    identity_id: identity_id(),
                })
                .await?;
        }
        // Several servers may start together on one new database: the one
        // whose root is refused as taken leaves the rest to the other.
        let created = match store.api_roots().await?.is_empty() {
            false => false,
            true => match store
                .create_api_root(ApiRootRecord {
                    name: DEFAULT_API_ROOT.to_owned(),
                    title: format!("{} default API root", self.config().title),
                    description: Some("The node's default API root".to_owned()),
                })
                .await
            {
                Ok(()) => true,
                Err(e) if e.kind() == charter_store::ErrorKind::Conflict => false,
                Err(e) => return Err(e.into()),
            },
        };
        if created {
            store
                .create_collection(CollectionRecord {
                    id: uuid::Uuid::new_v4().to_string(),
                    api_root: DEFAULT_API_ROOT.to_owned(),
                    title: "Default".to_owned(),
                    description: Some("The node's default collection".to_owned()),
                    alias: Some(DEFAULT_COLLECTION_ALIAS.to_owned()),
                    media_types: vec![STIX_MEDIA_TYPE.to_owned()],
                    community: None,
                    default_tlp: TlpLevel::Amber.as_str().to_owned(),
                    public: false,
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
        let password_hash = auth::hash_secret(&password)?;
        store
            .put_user(UserRecord {
                username: ADMIN_USER.to_owned(),
                password_hash,
                role: Role::NodeAdmin,
                org: None,
                disabled: false,
            })
            .await?;
        self.record(
            &Viewer::node_operator(),
            "admin",
            json!({ "op": "node.bootstrap" }),
        )
        .await?;
        Ok(generated.then_some(password))
    }

    /// This node's identity.
    pub async fn node(&self) -> Result<NodeRecord> {
        self.store()
            .node()
            .await?
            .ok_or_else(|| Error::new(ErrorKind::Internal, "the node has no identity yet"))
    }

    async fn org_by(&self, id_or_name: &str) -> Result<OrgRecord> {
        self.store()
            .org(id_or_name)
            .await?
            .ok_or_else(|| Error::not_found(format!("organisation '{id_or_name}'")))
    }

    async fn community_by(&self, id_or_name: &str) -> Result<CommunityRecord> {
        self.store()
            .community(id_or_name)
            .await?
            .ok_or_else(|| Error::not_found(format!("community '{id_or_name}'")))
    }

    /// Adds an organisation.
    pub async fn add_org(&self, viewer: &Viewer, new: NewOrg) -> Result<OrgRecord> {
        require_admin(viewer)?;
        if new.name.trim().is_empty() || new.name.len() > 200 {
            return Err(Error::invalid("name: must be 1-200 characters"));
        }
        validate_country(&new.country)?;
        validate_kind(&new.kind)?;
        for sector in &new.sectors {
            validate_sector(sector)?;
        }
        let record = OrgRecord {
            id: uuid::Uuid::new_v4().to_string(),
            name: new.name,
            country: new.country,
            sectors: new.sectors,
            kind: new.kind,
            identity_id: identity_id(),
            attribution: new.attribution,
        };
        self.store().create_org(record.clone()).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "org.add", "org": record.id, "name": record.name }),
        )
        .await?;
        Ok(record)
    }

    /// All organisations.
    pub async fn orgs(&self, viewer: &Viewer) -> Result<Vec<OrgRecord>> {
        require_admin(viewer)?;
        Ok(self.store().orgs().await?)
    }

    /// Sets whether an organisation's submissions are released under its own
    /// identity (`true`) or the node's pseudonym for its sector and country.
    pub async fn set_org_attribution(
        &self,
        viewer: &Viewer,
        id_or_name: &str,
        attribution: bool,
    ) -> Result<OrgRecord> {
        require_admin(viewer)?;
        let mut org = self.org_by(id_or_name).await?;
        self.store()
            .set_org_attribution(&org.id, attribution)
            .await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "org.attribution", "org": org.id, "attribution": attribution }),
        )
        .await?;
        org.attribution = attribution;
        Ok(org)
    }

    /// Removes an organisation that has no users.
    pub async fn remove_org(&self, viewer: &Viewer, id_or_name: &str) -> Result<()> {
        require_admin(viewer)?;
        let org = self.org_by(id_or_name).await?;
        self.store().remove_org(&org.id).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "org.remove", "org": org.id }),
        )
        .await
    }

    /// Adds a community of organisations (by id or name).
    pub async fn add_community(
        &self,
        viewer: &Viewer,
        name: &str,
        members: &[String],
    ) -> Result<CommunityRecord> {
        require_admin(viewer)?;
        if name.trim().is_empty() || name.len() > 200 {
            return Err(Error::invalid("name: must be 1-200 characters"));
        }
        let mut ids = Vec::new();
        for m in members {
            ids.push(self.org_by(m).await?.id);
        }
        ids.sort();
        ids.dedup();
        let record = CommunityRecord {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_owned(),
            members: ids,
        };
        self.store().create_community(record.clone()).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "community.add", "community": record.id, "name": name, "members": record.members }),
        )
        .await?;
        Ok(record)
    }

    /// All communities.
    pub async fn communities(&self, viewer: &Viewer) -> Result<Vec<CommunityRecord>> {
        require_admin(viewer)?;
        Ok(self.store().communities().await?)
    }

    /// Adds an organisation to a community, or removes it.
    pub async fn set_community_member(
        &self,
        viewer: &Viewer,
        community: &str,
        org: &str,
        member: bool,
    ) -> Result<()> {
        require_admin(viewer)?;
        let c = self.community_by(community).await?;
        let o = self.org_by(org).await?;
        self.store()
            .set_community_member(&c.id, &o.id, member)
            .await?;
        let op = if member {
            "community.add-member"
        } else {
            "community.remove-member"
        };
        self.record(
            viewer,
            "admin",
            json!({ "op": op, "community": c.id, "org": o.id }),
        )
        .await
    }

    /// Removes a community no collection belongs to.
    pub async fn remove_community(&self, viewer: &Viewer, id_or_name: &str) -> Result<()> {
        require_admin(viewer)?;
        let c = self.community_by(id_or_name).await?;
        self.store().remove_community(&c.id).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "community.remove", "community": c.id }),
        )
        .await
    }

    /// Adds a collection and returns it.
    pub async fn add_collection(
        &self,
        viewer: &Viewer,
        new: NewCollection,
    ) -> Result<CollectionRecord> {
        require_admin(viewer)?;
        if new.title.trim().is_empty() {
            return Err(Error::invalid("title: must not be empty"));
        }
        if let Some(alias) = &new.alias {
            validate_alias(alias)?;
        }
        self.api_root(viewer, &new.api_root).await?;
        let community = match &new.community {
            Some(c) => Some(self.community_by(c).await?.id),
            None => None,
        };
        let record = CollectionRecord {
            id: uuid::Uuid::new_v4().to_string(),
            api_root: new.api_root,
            title: new.title,
            description: new.description,
            alias: new.alias,
            media_types: vec![STIX_MEDIA_TYPE.to_owned()],
            community,
            default_tlp: new.default_tlp.as_str().to_owned(),
            public: new.public,
        };
        self.store().create_collection(record.clone()).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "collection.add", "collection": record.id, "community": record.community,
                    "default_tlp": record.default_tlp, "public": record.public }),
        )
        .await?;
        Ok(record)
    }

    /// Removes an empty collection.
    pub async fn remove_collection(
        &self,
        viewer: &Viewer,
        api_root: &str,
        id_or_alias: &str,
    ) -> Result<()> {
        require_admin(viewer)?;
        let record = self
            .store()
            .collection(api_root, id_or_alias)
            .await?
            .ok_or_else(|| Error::not_found(format!("collection '{id_or_alias}'")))?;
        self.store().remove_collection(&record.id).await?;
        self.record(
            viewer,
            "admin",
            json!({ "op": "collection.remove", "collection": record.id }),
        )
        .await
    }
}

fn validate_alias(alias: &str) -> Result<()> {
    let ok = !alias.is_empty()
        && alias.len() <= 64
        && alias
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok && uuid::Uuid::parse_str(alias).is_err() {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "alias '{alias}': use 1-64 characters among lowercase letters, digits, - and _ (not a UUID)"
        )))
    }
}
