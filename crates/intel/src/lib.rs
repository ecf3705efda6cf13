//! Acting on shared intelligence, away from STIX storage and HTTP: the log readers a scan
//! reads (JSON Lines of STIX, Zeek, Suricata EVE, CSV, plain values; gzip or not), the
//! export formats sensors load (Suricata rules, the Zeek Intel framework, plain blocklists,
//! CSV), MISP warning lists of known-benign values, and the scan loop ([`scan`]) that
//! `charter scan` and the JSON API's scan share.
//!
//! # Design
//!
//! * **Streaming, constant memory.** A reader hands out one [`Record`] at a time, reusing its
//!   buffers; nothing grows with the input except counters (and, for STIX input, a bounded
//!   cache of recent SCOs so that `object_refs` resolve).
//! * **One vocabulary with the index.** Records carry their values as
//!   [`charter_pattern::index::Field`]s, the same classes the indicator index files patterns
//!   under, so a reader needs to know only what a log field holds, never the patterns.
//! * **Bad input is reported per record** ([`Error`] names the line and what was wrong), and
//!   the reader goes on with the next record.

pub mod export;
pub mod input;
pub mod scan;
pub mod time;
pub mod warninglists;

pub use input::{InputFormat, Reader, Record, open_input};

/// What went wrong, in kinds a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input could not be read (IO, or a broken gzip stream).
    Io,
    /// One record was malformed; reading can go on with the next.
    BadRecord,
    /// A configuration value (a column mapping, a warning list) is wrong.
    BadConfig,
}

/// An error with its kind and where it happened.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, naming where the problem is.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, Error>;
