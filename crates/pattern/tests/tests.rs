//! The crate's one integration-test binary. `golden` walks `test_data/` (parse trees and
//! rendered errors, rewritten with `UPDATE_EXPECT=1`); `eval` checks evaluation semantics on
//! small hand-made observations; `prepared` checks that prepared observations decide as a
//! one-shot `matches` does.

mod eval;
mod golden;
mod prepared;
