//! TAXII status resources as the store keeps them: one per write request,
//! recorded in the transaction of the write it describes.

use crate::Micros;

/// A per-object line in a status resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDetail {
    /// The object's id (or a placeholder when the object had no usable id).
    pub id: String,
    /// The object's version text.
    pub version: String,
    /// Why it failed, for failures.
    pub message: Option<String>,
}

/// A TAXII status resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    /// The status id (a UUID in text form).
    pub id: String,
    /// The collection the request wrote to.
    pub collection: String,
    /// The user who made the request.
    pub owner: String,
    /// When the request was received.
    pub request_timestamp: Micros,
    /// Objects stored (or already present).
    pub successes: Vec<StatusDetail>,
    /// Objects rejected, each with its reason.
    pub failures: Vec<StatusDetail>,
    /// Objects not yet processed.
    pub pendings: Vec<StatusDetail>,
}
