//! The crate's one integration-test binary. `golden` walks `test_data/` (parse trees and
//! rendered errors, rewritten with `UPDATE_EXPECT=1`); `eval` checks evaluation semantics on
//! small hand-made observations.

mod eval;
mod golden;
