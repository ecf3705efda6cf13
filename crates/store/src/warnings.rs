//! Warning-list flags: which MISP warning lists the values of a stored
//! version are on.
//!
//! The store keeps them as it keeps originals: one row per flagged version,
//! keyed by what a read knows of it (collection, id, version key) and going
//! with the version when it is deleted. It neither computes nor interprets
//! them; `hub` does both.

/// The flags of one stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningFlag {
    /// The STIX id.
    pub id: String,
    /// The version's [`crate::VersionStamp::key`].
    pub version_key: String,
    /// The names of the lists, sorted and without repeats as the store
    /// returns them; empty (in [`crate::Store::replace_warnings`]) clears
    /// the version's flags.
    pub lists: Vec<String>,
}

/// `lists` sorted and without repeats, as both backends store them.
pub(crate) fn normalize(lists: &[String]) -> Vec<String> {
    let mut out = lists.to_vec();
    out.sort_unstable();
    out.dedup();
    out
}
