//! The hub's error type: what went wrong, in terms a caller can map to a
//! response without looking at the cause.

use std::fmt;

/// The result type of hub operations.
pub type Result<T> = std::result::Result<T, Error>;

/// What kind of failure a hub operation met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No valid credentials were presented.
    Unauthenticated,
    /// The principal is known but may not do this.
    Forbidden,
    /// The named API root, collection, object or status does not exist (or
    /// is not visible to the principal).
    NotFound,
    /// The request is malformed: a bad filter value, cursor or envelope.
    InvalidInput,
    /// The request carries more than the node accepts (objects per envelope).
    TooLarge,
    /// The name or id is taken.
    Conflict,
    /// Too many failed sign-ins; [`Error::retry_after`] says how long to wait.
    Throttled,
    /// A failure inside the node (storage, I/O); its cause is logged, never
    /// shown to the client.
    Internal,
}

/// A hub error: a kind, and a message that is safe to show the caller.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    retry_after: Option<std::time::Duration>,
}

impl Error {
    /// An error of `kind` with a message safe to show the caller.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A refusal after too many failed sign-ins, to be retried after `wait`.
    pub fn throttled(wait: std::time::Duration) -> Error {
        Error {
            kind: ErrorKind::Throttled,
            message: format!(
                "too many failed sign-ins; try again in {} s",
                wait.as_secs().max(1)
            ),
            retry_after: Some(wait),
        }
    }

    /// For throttled requests, how long the client should wait.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        self.retry_after
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, safe to show the caller.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn not_found(what: impl fmt::Display) -> Error {
        Error::new(ErrorKind::NotFound, format!("{what} not found"))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidInput, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<charter_store::Error> for Error {
    fn from(err: charter_store::Error) -> Error {
        use charter_store::ErrorKind as K;
        match err.kind() {
            K::Conflict => Error::new(ErrorKind::Conflict, err.to_string()),
            K::NotFound => Error::new(ErrorKind::NotFound, err.to_string()),
            K::InvalidInput => Error::new(ErrorKind::InvalidInput, err.to_string()),
            _ => {
                tracing::error!(error = %err, "store failure");
                Error::new(ErrorKind::Internal, "internal storage error")
            }
        }
    }
}
