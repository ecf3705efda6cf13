//! The one error type of the pattern language: a kind, a byte span into the pattern and a
//! message, plus the caret rendering used by the command line and by ingest diagnostics.

use std::fmt;
use std::ops::Range;

/// What went wrong with a pattern. Syntax errors come from [`crate::parse`]; the other kinds
/// come from the checks that [`crate::validate`] adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text does not follow the STIX 2.1 pattern grammar.
    Syntax,
    /// Parentheses and brackets nest deeper than [`crate::MAX_DEPTH`].
    DepthLimit,
    /// An integer literal does not fit in 64 bits.
    NumberOutOfRange,
    /// A timestamp literal names a date or time that does not exist (30 February, second 60).
    InvalidTimestamp,
    /// An object type is not a well-formed STIX Cyber-observable Object type name.
    InvalidObjectType,
    /// The first property of an object path is not a well-formed STIX property name.
    InvalidPropertyName,
    /// A list index is negative.
    NegativeIndex,
    /// A `WITHIN` or `REPEATS` number is not positive.
    NonPositiveQualifier,
    /// `START` is not strictly before `STOP`.
    StartNotBeforeStop,
    /// The same qualifier is applied twice to one bracketed observation expression.
    DuplicateQualifier,
    /// A `MATCHES` operand is not a valid regular expression.
    InvalidRegex,
    /// A `MATCHES` operand uses look-around, back-references or another construct that needs a
    /// backtracking engine, which Charter does not run on partner input.
    UnsupportedRegex,
    /// An `ISSUBSET`/`ISSUPERSET` operand is not an IPv4 or IPv6 address or CIDR block.
    InvalidAddress,
    /// A value compared with a known hash algorithm is not a hash of that algorithm.
    InvalidHash,
    /// A set literal mixes values of different types.
    MixedSet,
}

/// An error in a pattern, located by a byte span into the pattern text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    kind: ErrorKind,
    span: Range<usize>,
    message: String,
}

impl PatternError {
    /// Creates an error of `kind` covering `span` with a one-line `message`.
    pub fn new(kind: ErrorKind, span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            kind,
            span,
            message: message.into(),
        }
    }

    /// What kind of problem this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The one-line message, e.g. `expected ']' after comparison expression, found end of pattern`.
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// The byte range of the offending text in the pattern (empty at the end of input).
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The message, the pattern line holding the error and a caret line under the offending
    /// text, e.g.
    ///
    /// ```text
    /// error: expected a literal after '=', found ']'
    ///   [file:name = ]
    ///                ^
    /// ```
    pub fn render(&self, pattern: &str) -> String {
        let start = clamp_to_boundary(pattern, self.span.start);
        let end = clamp_to_boundary(pattern, self.span.end.max(start));
        let line_start = pattern[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = pattern[start..]
            .find('\n')
            .map_or(pattern.len(), |i| start + i);
        let line = &pattern[line_start..line_end];
        let line_no = pattern[..start].matches('\n').count() + 1;
        let column = display_width(&pattern[line_start..start]);
        let width = display_width(&pattern[start..end.min(line_end)]).max(1);
        let mut out = format!("error: {}\n", self.message);
        if line_no > 1 || line_end < pattern.len() {
            out.push_str(&format!("  (line {line_no})\n"));
        }
        out.push_str("  ");
        out.push_str(&line.replace('\t', " "));
        out.push_str("\n  ");
        out.push_str(&" ".repeat(column));
        out.push_str(&"^".repeat(width));
        out
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.span.start)
    }
}

impl std::error::Error for PatternError {}

/// Moves `at` back to the nearest char boundary so that slicing never panics, whatever span a
/// caller hands over.
fn clamp_to_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Counts columns as characters: patterns are short single lines in practice, and a terminal
/// shows most characters one column wide.
fn display_width(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    #[test]
    fn render_points_at_the_span() {
        let pattern = "[file:name = ]";
        let err = PatternError::new(ErrorKind::Syntax, 13..14, "expected a literal after '='");
        expect![[r#"
            error: expected a literal after '='
              [file:name = ]
                           ^"#]]
        .assert_eq(&err.render(pattern));
    }

    #[test]
    fn render_handles_end_of_input_and_second_lines() {
        let pattern = "[a:b = 1]\nAND";
        let err = PatternError::new(ErrorKind::Syntax, 14..14, "expected '[' or '(' after AND");
        expect![[r#"
            error: expected '[' or '(' after AND
              (line 2)
              AND
                 ^"#]]
        .assert_eq(&err.render(pattern));
    }

    #[test]
    fn render_survives_spans_inside_characters() {
        let err = PatternError::new(ErrorKind::Syntax, 2..3, "bad");
        let rendered = err.render("é");
        assert!(rendered.starts_with("error: bad"), "{rendered}");
    }
}
