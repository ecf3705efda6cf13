//! The requesting principal of every read and write.

use std::collections::HashMap;

use charter_store::Permission;

/// Who is asking: an authenticated user with their rights, or the local
/// node operator (the `charter` command run against the data folder, whose
/// authority comes from access to the folder itself).
#[derive(Debug, Clone)]
pub struct Viewer {
    username: String,
    is_admin: bool,
    permissions: HashMap<String, Permission>,
}

impl Viewer {
    pub(crate) fn user(username: String, is_admin: bool, permissions: Vec<Permission>) -> Viewer {
        let permissions = permissions.into_iter().map(|p| (p.collection.clone(), p)).collect();
        Viewer { username, is_admin, permissions }
    }

    /// The node operator: full rights, used by local administration commands
    /// (ingest, export, user and collection management) that already hold the
    /// data folder.
    pub fn node_operator() -> Viewer {
        Viewer { username: "node-operator".to_owned(), is_admin: true, permissions: HashMap::new() }
    }

    /// The principal's name, recorded as the owner of the statuses it creates.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Whether the principal administers the node.
    pub fn is_admin(&self) -> bool {
        self.is_admin
    }

    /// Whether the principal may read objects of `collection`.
    pub fn can_read(&self, collection: &str) -> bool {
        self.is_admin || self.permissions.get(collection).is_some_and(|p| p.can_read)
    }

    /// Whether the principal may add objects to `collection`.
    pub fn can_write(&self, collection: &str) -> bool {
        self.is_admin || self.permissions.get(collection).is_some_and(|p| p.can_write)
    }
}
