//! The requesting principal of every read and write.

use std::collections::HashMap;

use charter_policy::Principal;
use charter_store::{CollectionRecord, Permission, Role};

/// The way a request reached the node, recorded in the release record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// TAXII 2.1.
    Taxii,
    /// The JSON API.
    Api,
    /// A `charter` command on the node's data folder.
    Cli,
}

impl Channel {
    /// The name recorded in the release record.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Taxii => "taxii",
            Channel::Api => "api",
            Channel::Cli => "cli",
        }
    }
}

/// Who is asking: an authenticated user with their organisation, role,
/// communities and explicit rights, or the local node operator (a
/// `charter` command run on the data folder, whose authority comes from
/// holding the folder).
///
/// A `Viewer` can only be made by the hub (by authenticating, or for a
/// node operator), so every read names a principal the hub vouched for.
#[derive(Debug, Clone)]
pub struct Viewer {
    username: String,
    role: Role,
    org: Option<String>,
    communities: Vec<String>,
    principal_keys: Vec<String>,
    permissions: HashMap<String, Permission>,
    channel: Channel,
}

impl Viewer {
    pub(crate) fn user(
        username: String,
        role: Role,
        org: Option<String>,
        communities: Vec<String>,
        permissions: Vec<Permission>,
    ) -> Viewer {
        let readable: Vec<String> = permissions
            .iter()
            .filter(|p| p.can_read)
            .map(|p| p.collection.clone())
            .collect();
        let principal_keys = Principal::set_for(org.as_deref(), &communities, &readable)
            .iter()
            .map(Principal::key)
            .collect();
        let permissions = permissions
            .into_iter()
            .map(|p| (p.collection.clone(), p))
            .collect();
        Viewer {
            username,
            role,
            org,
            communities,
            principal_keys,
            permissions,
            channel: Channel::Taxii,
        }
    }

    /// The node operator: a node administrator acting through the command
    /// line on the data folder it holds.
    pub fn node_operator() -> Viewer {
        Viewer {
            username: "node-operator".to_owned(),
            role: Role::NodeAdmin,
            org: None,
            communities: Vec::new(),
            principal_keys: Vec::new(),
            permissions: HashMap::new(),
            channel: Channel::Cli,
        }
    }

    /// The same principal, recorded as acting through `channel`.
    pub fn via(mut self, channel: Channel) -> Viewer {
        self.channel = channel;
        self
    }

    /// The principal's name, recorded as the owner of the statuses it creates.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The principal's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The principal's organisation id, if it belongs to one.
    pub fn org(&self) -> Option<&str> {
        self.org.as_deref()
    }

    /// The channel the principal acts through.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Whether the principal administers the node.
    pub fn is_admin(&self) -> bool {
        self.role == Role::NodeAdmin
    }

    /// Whether the principal decides on versions held for privacy review
    /// (node administrators and reviewers), seeing them in both forms.
    pub fn can_review(&self) -> bool {
        matches!(self.role, Role::NodeAdmin | Role::Reviewer)
    }

    /// Whether the principal may read the release record.
    pub fn can_audit(&self) -> bool {
        matches!(self.role, Role::NodeAdmin | Role::Auditor)
    }

    /// The grant keys a stored version must carry to be released to this
    /// principal; `None` for node administrators, whose reads are not
    /// filtered (they hold the database) but are recorded like any other.
    pub(crate) fn audience_filter(&self) -> Option<&[String]> {
        if self.is_admin() {
            None
        } else {
            Some(&self.principal_keys)
        }
    }

    fn member_of(&self, collection: &CollectionRecord) -> bool {
        collection
            .community
            .as_ref()
            .is_some_and(|c| self.communities.contains(c))
    }

    fn explicit(&self, collection: &CollectionRecord) -> Option<&Permission> {
        self.permissions.get(&collection.id)
    }

    /// Whether the principal may read objects of `collection` at all (which
    /// versions it sees is then the audience's business).
    pub fn can_read(&self, collection: &CollectionRecord) -> bool {
        match self.role {
            Role::NodeAdmin => true,
            Role::Auditor | Role::Reviewer => false,
            Role::OrgAdmin | Role::Analyst | Role::Reader => {
                self.explicit(collection).is_some_and(|p| p.can_read)
                    || collection.public
                    || self.member_of(collection)
            }
        }
    }

    /// Whether the principal may add objects to `collection`.
    pub fn can_write(&self, collection: &CollectionRecord) -> bool {
        match self.role {
            Role::NodeAdmin => true,
            Role::Auditor | Role::Reviewer => false,
            Role::Reader => self.explicit(collection).is_some_and(|p| p.can_write),
            Role::OrgAdmin | Role::Analyst => {
                self.explicit(collection).is_some_and(|p| p.can_write) || self.member_of(collection)
            }
        }
    }
}
