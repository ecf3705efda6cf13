//! Charter's handling rules as pure decisions.
//!
//! The key design decision: **an object version's audience is computed once,
//! when it is written, as a short list of [`Grant`]s**, and a reader is a set
//! of [`Principal`]s. A version is released to a reader exactly when one of
//! its grants names one of the reader's principals. Because both sides are
//! plain strings in indexed form ([`Grant::key`], [`Principal::key`]), the
//! store can filter in the database and pagination stays exact, and the hub
//! re-checks each released version with [`may_release`], the same rule.
//!
//! Nothing here does I/O: every function takes what it decides on.
//!
//! | TLP | audience |
//! | --- | --- |
//! | CLEAR | anyone who may read the collection, public collections included |
//! | GREEN, AMBER, AMBER+STRICT | the collection's community, and the submitter's organisation |
//! | RED | the recipients named at submission, and the submitter's organisation |
//!
//! A collection with no community is reached through explicit rights granted
//! by a node administrator, or by every member if it is public; there GREEN
//! and AMBER reach the holders of explicit rights only, and a public
//! collection shows its CLEAR objects to everyone. Node administrators run the node and hold its database, so
//! reads on their behalf are not filtered; the release record logs them.

pub mod anonymise;
mod audience;
pub mod privacy;

pub use audience::{
    Audience, Grant, PolicyError, Principal, audience, keys_for_collection, may_release,
    resolve_tlp, widens,
};
pub use charter_stix::tlp::TlpLevel;
