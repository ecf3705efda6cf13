//! STIX 2.1 for Charter: objects, their validator, ids, timestamps and TLP.
//!
//! The key design decision: an object is kept as the exact JSON text it
//! arrived as ([`StixObject::raw`]), and parsed alongside into a
//! `serde_json::Value` plus typed common properties. What is stored and
//! served is always the original text, so nothing Charter does (key order,
//! number formatting, timestamp precision) can alter an object in transit;
//! the parsed forms exist only to validate and to index.
//!
//! Validation ([`validate`], [`check`]) reports every broken MUST of the
//! specification as a [`Diagnostic`] naming the object id, the JSON path of
//! the property and the rule; it never stops at the first problem. It does
//! not check indicator pattern syntax, which is the `pattern` crate's job.
//!
//! The crate does no IO and holds no global state beyond constants.

mod diagnostic;
mod document;
mod ident;
mod object;
mod sco_id;
mod timestamp;
pub mod tlp;
mod validate;

pub use diagnostic::{Diagnostic, Severity, rules};
pub use document::{DocumentError, split_document};
pub use ident::{
    Identifier, META_TYPES, SCO_TYPES, SDO_TYPES, SRO_TYPES, check_property_name, check_type_name,
    parse_identifier,
};
pub use object::{CommonProperties, ExternalReference, GranularMarking, ObjectKind, StixObject};
pub use sco_id::{SCO_ID_NAMESPACE, id_contributing_properties, sco_id};
pub use timestamp::{Timestamp, TimestampError};
pub use validate::{check, is_valid, validate};

#[cfg(test)]
mod tests;
