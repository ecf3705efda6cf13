//! The STIX 2.1 patterning language: a hand-written lexer and recursive-descent parser that
//! keeps byte spans, the checks the specification adds to the grammar, and an evaluator that
//! decides whether a pattern matches a set of observations.
//!
//! # Design
//!
//! * **Parse, then check.** [`parse`] accepts exactly the language of the OASIS ANTLR grammar
//!   (and so agrees with the stix2-patterns validator on syntax); [`validate`] adds the
//!   specification's other rules (see [`check`]). Ingest uses [`validate`].
//! * **Precedence from the grammar.** `FOLLOWEDBY` binds loosest, then `OR`, then `AND`, then
//!   the qualifiers; inside brackets `OR` is looser than `AND`. Chains are kept flat in the
//!   tree (see [`ast`]).
//! * **Hostile input is bounded.** Nesting is limited to [`MAX_DEPTH`]; evaluation is limited
//!   to [`MAX_EVAL_STEPS`] search steps; regular expressions run on the linear-time `regex`
//!   engine and constructs that need backtracking are refused.
//! * **Reference semantics.** The evaluator follows the OASIS stix2-matcher: an observation is
//!   one observed-data object, counted `number_observed` times; `first_observed` and
//!   `last_observed` bound each observation in time for `WITHIN`, `START`/`STOP` and
//!   `FOLLOWEDBY`; comparisons between values of different types are false. Where Charter
//!   deliberately differs (IPv6 CIDR tests, `EXISTS`, embedded `objects`), the crate README
//!   says so.
//! * **Gather once, match many.** [`Observations::new`] reads the input once, borrowing it;
//!   [`matches_prepared`] then decides each bracketed expression only on the objects it can
//!   hold for, through indexes by type and by string value that are built on first use and
//!   kept. A one-shot [`matches`] scans instead.
//!
//! Limits, in one place: [`MAX_DEPTH`] nested `(`/`[`; integer literals in 64 bits;
//! [`MAX_EVAL_STEPS`] evaluation steps.

pub mod ast;
mod check;
mod dump;
mod error;
mod eval;
pub mod index;
mod lexer;
mod literal;
mod parser;
mod regex;
mod timestamp;

pub use ast::Pattern;
pub use check::check;
pub use error::{ErrorKind, PatternError};
pub use eval::{EvalError, Observations, matches, matches_prepared};
pub use timestamp::{Timestamp, TimestampError};

/// Deepest nesting of parentheses and brackets a pattern may use. Real patterns nest a few
/// levels; the limit keeps recursive walks over hostile input far from the stack's end.
pub const MAX_DEPTH: usize = 64;

/// Most search steps one evaluation may take before it gives up with
/// [`EvalError::TooComplex`]. Deciding `REPEATS`, `AND` and `FOLLOWEDBY` over many
/// observations is a combinatorial search; the limit bounds its time (a few hundred
/// milliseconds at most) whatever the pattern and the observations.
pub const MAX_EVAL_STEPS: u64 = 2_000_000;

/// Parses a pattern, checking its syntax only.
pub fn parse(pattern: &str) -> Result<Pattern, PatternError> {
    parser::parse(pattern)
}

/// Parses a pattern and runs every check; the error is the first problem in the pattern.
/// This is the function ingest uses for an indicator's `pattern`.
pub fn validate(pattern: &str) -> Result<Pattern, PatternError> {
    let parsed = parse(pattern)?;
    match check(&parsed).into_iter().next() {
        Some(first) => Err(first),
        None => Ok(parsed),
    }
}
