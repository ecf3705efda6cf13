//! The integration tests of `charter-policy`, one binary in modules.
//!
//! `privacy` holds the tests that need the labelled corpus in
//! `test_data/privacy/` or run the detector on generated input.

mod privacy;
