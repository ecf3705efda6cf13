//! The store's one error type: a kind callers branch on, a message that
//! says what failed and where, and the backend's own error as the source.

use std::fmt;

/// The boxed cause of an [`Error`].
type Source = Box<dyn std::error::Error + Send + Sync>;

/// An error from a [`Store`](crate::Store) operation.
///
/// `Display` prints the message (what failed, on which collection, object
/// or file) followed by the backend's error when there is one, so a log
/// line that prints only this error still shows the backend's reason. The
/// backend's error is also available through [`std::error::Error::source`].
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Source>,
}

/// What kind of failure an [`Error`] is. Callers map kinds to responses
/// (`hub` turns them into its own error kinds); new kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A record with the same key already exists: an API root name, a
    /// collection id or alias, a status id.
    Conflict,
    /// A record the operation needs does not exist: the collection of an
    /// `add_objects`, `query` or `delete_object`, the API root of a new
    /// collection, the user or collection of a permission.
    NotFound,
    /// The request cannot be stored as given (for example a value the
    /// backend cannot represent).
    InvalidInput,
    /// The database was written by a newer Charter whose schema this code
    /// does not know; it is left untouched.
    SchemaTooNew,
    /// The backend failed: I/O, corruption, a lock held too long, a stopped
    /// writer. Details belong in logs, not in responses to clients.
    Backend,
}

impl Error {
    /// An error of `kind` with a message saying what failed and where.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl Into<Source>) -> Error {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// This error's own message, without its source.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A [`ErrorKind::Backend`] error: `context` says what was being done
    /// and where, `source` is the backend's error.
    pub(crate) fn backend(context: impl fmt::Display, source: impl Into<Source>) -> Error {
        Error::new(ErrorKind::Backend, context.to_string()).with_source(source)
    }

    /// Names the database file in a backend error's message, so logs say
    /// where a failure happened; other kinds are returned unchanged.
    pub(crate) fn in_file(mut self, path: &std::path::Path) -> Error {
        if self.kind == ErrorKind::Backend {
            self.message = format!("{} (in {})", self.message, path.display());
        }
        self
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(source) = &self.source {
            d.field("source", &format_args!("{source}"));
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match &self.source {
            Some(source) => write!(f, ": {source}"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Conflict => "conflict",
            ErrorKind::NotFound => "not found",
            ErrorKind::InvalidInput => "invalid input",
            ErrorKind::SchemaTooNew => "schema too new",
            ErrorKind::Backend => "backend failure",
        })
    }
}
