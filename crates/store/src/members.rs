//! The records of a node's members: its own identity, organisations,
//! communities, users with their roles, API tokens and explicit rights.
//!
//! These are plain data. What a role may do, which names are valid and who
//! may receive an object are decided in `hub` and `policy`; the store only
//! keeps the records and the links between them consistent (an organisation
//! with users cannot be removed, a community bound to a collection cannot
//! be removed, and so on).

use std::fmt;

use crate::Micros;

/// What a user may do on the node. Stored by its [`Role::as_str`] name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Runs the node: every collection, every member, the release record.
    NodeAdmin,
    /// Manages the users and tokens of its own organisation, and works as
    /// an analyst.
    OrgAdmin,
    /// Reads and submits intelligence for its organisation.
    Analyst,
    /// Reads only.
    Reader,
    /// Oversight: reads the release record and the policy, never object
    /// content.
    Auditor,
    /// Privacy review: decides on the object versions held for review, and
    /// sees them in both forms; reads no collection.
    Reviewer,
}

impl Role {
    /// Every role, in order of authority.
    pub const ALL: [Role; 6] = [
        Role::NodeAdmin,
        Role::OrgAdmin,
        Role::Analyst,
        Role::Reader,
        Role::Auditor,
        Role::Reviewer,
    ];

    /// The stored and displayed name: `node-admin`, `org-admin`, `analyst`,
    /// `reader`, `auditor` or `reviewer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::NodeAdmin => "node-admin",
            Role::OrgAdmin => "org-admin",
            Role::Analyst => "analyst",
            Role::Reader => "reader",
            Role::Auditor => "auditor",
            Role::Reviewer => "reviewer",
        }
    }

    /// The role named `name` (exactly as [`Role::as_str`] writes it).
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// Unique login name.
    pub username: String,
    /// The password hash in PHC string form (argon2id).
    pub password_hash: String,
    /// What the user may do.
    pub role: Role,
    /// The id of the user's organisation, if it belongs to one.
    pub org: Option<String>,
    /// A disabled user is refused at once.
    pub disabled: bool,
}

/// A user with what its requests are decided on: its organisation's
/// communities and its explicit rights ([`Store::account`]).
///
/// [`Store::account`]: crate::Store::account
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The user.
    pub user: UserRecord,
    /// The ids of the communities the user's organisation belongs to, sorted.
    pub communities: Vec<String>,
    /// The user's explicit rights, as [`Store::permissions`] lists them.
    ///
    /// [`Store::permissions`]: crate::Store::permissions
    pub permissions: Vec<Permission>,
}

impl UserRecord {
    /// Whether the user is a node administrator, who may read and write
    /// every collection.
    pub fn is_admin(&self) -> bool {
        self.role == Role::NodeAdmin
    }
}

/// A user's explicit rights on one collection, beyond what its
/// organisation's communities give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// The collection id.
    pub collection: String,
    /// May read objects.
    pub can_read: bool,
    /// May add objects.
    pub can_write: bool,
}

/// This node's own identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRecord {
    /// The node's name.
    pub name: String,
    /// The node's country (ISO 3166-1 alpha-2).
    pub country: String,
    /// The STIX `identity` id the node signs as.
    pub identity_id: String,
}

/// A member organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRecord {
    /// The organisation's id, unique on the node.
    pub id: String,
    /// Its name, unique on the node.
    pub name: String,
    /// Its country (ISO 3166-1 alpha-2).
    pub country: String,
    /// Its sectors.
    pub sectors: Vec<String>,
    /// `government`, `cert` or `private`.
    pub kind: String,
    /// The STIX `identity` id of the organisation.
    pub identity_id: String,
    /// Whether its submissions are released under its own identity. Off by
    /// default: released forms name the node's pseudonymous identity for
    /// the organisation's sector and country instead.
    pub attribution: bool,
}

/// A community: a set of organisations that share a collection's objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityRecord {
    /// The community's id, unique on the node.
    pub id: String,
    /// Its name, unique on the node.
    pub name: String,
    /// The ids of its member organisations, sorted and without repeats
    /// (as the store returns them; any order is accepted on creation).
    pub members: Vec<String>,
}

/// An API token. The secret itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The token's id, the public half of the token.
    pub id: String,
    /// The user the token acts as.
    pub username: String,
    /// The hash of the secret half.
    pub secret_hash: String,
    /// What the token is for, as its owner described it.
    pub label: Option<String>,
    /// When it was issued.
    pub created: Micros,
    /// When it stops working, if ever.
    pub expires: Option<Micros>,
    /// A revoked token is refused at once.
    pub revoked: bool,
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(role.to_string(), role.as_str());
        }
        assert_eq!(Role::parse("Node-Admin"), None, "names are exact");
        assert_eq!(Role::parse("admin"), None);
    }
}
