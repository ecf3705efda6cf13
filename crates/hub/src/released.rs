//! The capability type for data that passed the release check.

/// A value the release check has cleared for one viewer.
///
/// Only this crate can construct a `Released<T>`; renderers accept nothing
/// else, so a read path that skips the check does not compile.
#[derive(Debug, Clone)]
pub struct Released<T>(T);

impl<T> Released<T> {
    /// Wraps a value that the release check has cleared. Crate-private on
    /// purpose: this is the one place a release is granted.
    pub(crate) fn grant(value: T) -> Released<T> {
        Released(value)
    }

    /// The released value.
    pub fn get(&self) -> &T {
        &self.0
    }

    /// The released value, by value.
    pub fn into_inner(self) -> T {
        self.0
    }
}
