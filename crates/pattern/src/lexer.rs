//! The lexer: pattern text to tokens with byte spans.
//!
//! It follows the STIX 2.1 ANTLR grammar's lexer rules, including their longest-match
//! behaviour: `ANDX` is an identifier, `01` is the two integers `0` and `1`, `.5` is a float,
//! and `t'…'`, `h'…'`, `b'…'` are literals only when the whole literal is well-formed. Where
//! that grammar would fall back to tokens no parser rule accepts (a lone quote, an unknown
//! escape, a `t` followed by a malformed timestamp), the lexer reports the error directly, so
//! the message can say what was wrong with the literal.

use std::borrow::Cow;
use std::ops::Range;

use crate::error::{ErrorKind, PatternError};
use crate::literal::{base64_literal, hex_literal, timestamp_literal};
use crate::timestamp::Timestamp;

/// A token and where it is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token<'a> {
    pub kind: Tok<'a>,
    pub span: Range<usize>,
}

/// Token kinds. Literal tokens carry their decoded values; strings and identifiers borrow
/// from the pattern text where they can, so that the parser allocates each one once, when
/// it moves it into the tree.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok<'a> {
    /// An integer; `negative` tells `IntNegLiteral` from `IntPosLiteral` (which may have `+`).
    Int {
        value: i64,
        negative: bool,
    },
    /// A float; `negative` as for integers.
    Float {
        value: f64,
        negative: bool,
    },
    Str(Cow<'a, str>),
    Bool(bool),
    Timestamp(Timestamp),
    Hex(Vec<u8>),
    Binary(Vec<u8>),
    /// An identifier; `hyphen` is true when it contains `-` (allowed only in object types).
    Ident {
        name: &'a str,
        hyphen: bool,
    },
    Keyword(Keyword),
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    Colon,
    Dot,
    Comma,
    LParen,
    RParen,
    LBrack,
    RBrack,
    Star,
    Eof,
}

/// The grammar's reserved words. They are case-sensitive and never identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keyword {
    And,
    Or,
    Not,
    FollowedBy,
    Like,
    Matches,
    IsSuperset,
    IsSubset,
    Exists,
    Last,
    In,
    Start,
    Stop,
    Seconds,
    Within,
    Repeats,
    Times,
}

impl Keyword {
    fn from_word(word: &str) -> Option<Keyword> {
        Some(match word {
            "AND" => Keyword::And,
            "OR" => Keyword::Or,
            "NOT" => Keyword::Not,
            "FOLLOWEDBY" => Keyword::FollowedBy,
            "LIKE" => Keyword::Like,
            "MATCHES" => Keyword::Matches,
            "ISSUPERSET" => Keyword::IsSuperset,
            "ISSUBSET" => Keyword::IsSubset,
            "EXISTS" => Keyword::Exists,
            "LAST" => Keyword::Last,
            "IN" => Keyword::In,
            "START" => Keyword::Start,
            "STOP" => Keyword::Stop,
            "SECONDS" => Keyword::Seconds,
            "WITHIN" => Keyword::Within,
            "REPEATS" => Keyword::Repeats,
            "TIMES" => Keyword::Times,
            _ => return None,
        })
    }

    /// The keyword as written in patterns.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::And => "AND",
            Keyword::Or => "OR",
            Keyword::Not => "NOT",
            Keyword::FollowedBy => "FOLLOWEDBY",
            Keyword::Like => "LIKE",
            Keyword::Matches => "MATCHES",
            Keyword::IsSuperset => "ISSUPERSET",
            Keyword::IsSubset => "ISSUBSET",
            Keyword::Exists => "EXISTS",
            Keyword::Last => "LAST",
            Keyword::In => "IN",
            Keyword::Start => "START",
            Keyword::Stop => "STOP",
            Keyword::Seconds => "SECONDS",
            Keyword::Within => "WITHIN",
            Keyword::Repeats => "REPEATS",
            Keyword::Times => "TIMES",
        }
    }
}

impl Tok<'_> {
    /// How the token is named in "found …" parts of messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Int { value, .. } => format!("number {value}"),
            Tok::Float { value, .. } => format!("number {value}"),
            Tok::Str(_) => "a string".to_owned(),
            Tok::Bool(b) => format!("'{b}'"),
            Tok::Timestamp(_) => "a timestamp".to_owned(),
            Tok::Hex(_) => "a hex literal".to_owned(),
            Tok::Binary(_) => "a binary literal".to_owned(),
            Tok::Ident { name, .. } => format!("'{name}'"),
            Tok::Keyword(k) => k.as_str().to_owned(),
            Tok::Eq => "'='".to_owned(),
            Tok::Neq => "'!='".to_owned(),
            Tok::Lt => "'<'".to_owned(),
            Tok::Le => "'<='".to_owned(),
            Tok::Gt => "'>'".to_owned(),
            Tok::Ge => "'>='".to_owned(),
            Tok::Colon => "':'".to_owned(),
            Tok::Dot => "'.'".to_owned(),
            Tok::Comma => "','".to_owned(),
            Tok::LParen => "'('".to_owned(),
            Tok::RParen => "')'".to_owned(),
            Tok::LBrack => "'['".to_owned(),
            Tok::RBrack => "']'".to_owned(),
            Tok::Star => "'*'".to_owned(),
            Tok::Eof => "end of pattern".to_owned(),
        }
    }
}

/// Splits `src` into tokens, ending with [`Tok::Eof`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token<'_>>, PatternError> {
    let mut lexer = Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        // Tokens average about six bytes of pattern (string literals are long); a vector of
        // that many usually serves, and stays small enough for the allocator's fast path.
        out: Vec::with_capacity(src.len() / 6 + 4),
    };
    lexer.run()?;
    Ok(lexer.out)
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    out: Vec<Token<'a>>,
}

/// The grammar's `WS` rule: ASCII white space plus the Unicode spaces it lists.
fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '\r'
            | '\n'
            | '\u{0B}'
            | '\u{0C}'
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

fn syntax(span: Range<usize>, message: impl Into<String>) -> PatternError {
    PatternError::new(ErrorKind::Syntax, span, message)
}

impl<'a> Lexer<'a> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.pos + ahead).copied()
    }

    fn push(&mut self, kind: Tok<'a>, start: usize) {
        self.out.push(Token {
            kind,
            span: start..self.pos,
        });
    }

    fn run(&mut self) -> Result<(), PatternError> {
        while let Some(&byte) = self.b.get(self.pos) {
            let start = self.pos;
            // ASCII is the common case; decode a whole character only when there is one.
            let c = if byte.is_ascii() {
                if matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C) {
                    self.pos += 1;
                    continue;
                }
                char::from(byte)
            } else {
                let Some(c) = self.src[start..].chars().next() else {
                    break;
                };
                if is_space(c) {
                    self.pos += c.len_utf8();
                    continue;
                }
                c
            };
            match c {
                '/' if self.peek(1) == Some(b'*') => match self.src[start + 2..].find("*/") {
                    Some(end) => self.pos = start + 2 + end + 2,
                    None => {
                        return Err(syntax(
                            start..start + 2,
                            "unterminated comment: '/*' without '*/'",
                        ));
                    }
                },
                '/' if self.peek(1) == Some(b'/') => {
                    self.pos = self.src[start..]
                        .find(['\r', '\n'])
                        .map_or(self.src.len(), |i| start + i);
                }
                '\'' => {
                    let value = self.string()?;
                    self.push(Tok::Str(value), start);
                }
                't' | 'h' | 'b' if self.peek(1) == Some(b'\'') => self.prefixed_literal(c)?,
                'a'..='z' | 'A'..='Z' | '_' => self.word(),
                '0'..='9' | '+' | '-' => self.number()?,
                '.' if self.peek(1).is_some_and(|d| d.is_ascii_digit()) => self.number()?,
                _ => self.punct(c)?,
            }
        }
        self.out.push(Token {
            kind: Tok::Eof,
            span: self.pos..self.pos,
        });
        Ok(())
    }

    fn punct(&mut self, c: char) -> Result<(), PatternError> {
        let start = self.pos;
        let two = |l: &Self, second: u8| l.peek(1) == Some(second);
        let (kind, len) = match c {
            '=' if two(self, b'=') => (Tok::Eq, 2),
            '=' => (Tok::Eq, 1),
            '!' if two(self, b'=') => (Tok::Neq, 2),
            '<' if two(self, b'>') => (Tok::Neq, 2),
            '<' if two(self, b'=') => (Tok::Le, 2),
            '<' => (Tok::Lt, 1),
            '>' if two(self, b'=') => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            ':' => (Tok::Colon, 1),
            '.' => (Tok::Dot, 1),
            ',' => (Tok::Comma, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '[' => (Tok::LBrack, 1),
            ']' => (Tok::RBrack, 1),
            '*' => (Tok::Star, 1),
            '"' => {
                return Err(syntax(
                    start..start + 1,
                    "unexpected '\"': STIX 2.1 strings and quoted keys use single quotes",
                ));
            }
            other => {
                let end = start + other.len_utf8();
                return Err(syntax(
                    start..end,
                    format!("unexpected character {other:?}"),
                ));
            }
        };
        self.pos += len;
        self.push(kind, start);
        Ok(())
    }

    /// An identifier, keyword or boolean: `[a-zA-Z_][a-zA-Z0-9_-]*`, classified as a whole.
    fn word(&mut self) {
        let start = self.pos;
        let len = self.b[start..]
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'-'))
            .unwrap_or(self.b.len() - start);
        self.pos = start + len;
        let word = &self.src[start..self.pos];
        let hyphen = word.contains('-');
        // Every keyword is upper-case: identifiers (mostly lower-case) skip the keyword table.
        let keyword = if self.b[start].is_ascii_uppercase() {
            Keyword::from_word(word)
        } else {
            None
        };
        let kind = if let Some(k) = keyword {
            Tok::Keyword(k)
        } else if word == "true" || word == "false" {
            Tok::Bool(word == "true")
        } else {
            Tok::Ident { name: word, hyphen }
        };
        self.push(kind, start);
    }

    /// A string literal body after its opening quote; only `\'` and `\\` are escapes.
    /// A literal without escapes is borrowed from the pattern.
    fn string(&mut self) -> Result<Cow<'a, str>, PatternError> {
        let start = self.pos;
        let body = start + 1;
        let mut at = body;
        // The quote and the backslash are ASCII, so a byte scan finds them in any UTF-8.
        while let Some(&c) = self.b.get(at) {
            match c {
                b'\'' => {
                    self.pos = at + 1;
                    return Ok(Cow::Borrowed(&self.src[body..at]));
                }
                b'\\' => break,
                _ => at += 1,
            }
        }
        let mut value = String::from(&self.src[body..at]);
        self.pos = at;
        loop {
            let Some(c) = self.src[self.pos..].chars().next() else {
                return Err(syntax(
                    start..self.pos,
                    "unterminated string literal: missing closing quote",
                ));
            };
            match c {
                '\'' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(value));
                }
                '\\' => match self.peek(1) {
                    Some(e @ (b'\'' | b'\\')) => {
                        value.push(char::from(e));
                        self.pos += 2;
                    }
                    _ => {
                        let end = self.pos
                            + 1
                            + self.src[self.pos + 1..]
                                .chars()
                                .next()
                                .map_or(0, char::len_utf8);
                        return Err(syntax(
                            self.pos..end,
                            "invalid escape in string literal: only \\' and \\\\ are allowed",
                        ));
                    }
                },
                _ => {
                    value.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// `t'…'`, `h'…'` or `b'…'`.
    fn prefixed_literal(&mut self, prefix: char) -> Result<(), PatternError> {
        let start = self.pos;
        let body_start = start + 2;
        let Some(close) = self.src[body_start..].find('\'') else {
            return Err(syntax(
                start..self.src.len(),
                "unterminated literal: missing closing quote",
            ));
        };
        let body = &self.src[body_start..body_start + close];
        let end = body_start + close + 1;
        let kind = match prefix {
            't' => Tok::Timestamp(timestamp_literal(body, start..end)?),
            'h' => Tok::Hex(hex_literal(body).ok_or_else(|| {
                syntax(
                    start..end,
                    "malformed hex literal: expected pairs of hex digits inside h'…'",
                )
            })?),
            _ => Tok::Binary(base64_literal(body).ok_or_else(|| {
                syntax(
                    start..end,
                    "malformed binary literal: expected non-empty padded base64 inside b'…'",
                )
            })?),
        };
        self.pos = end;
        self.push(kind, start);
        Ok(())
    }

    /// Integer and float literals, with the grammar's longest-match rules.
    fn number(&mut self) -> Result<(), PatternError> {
        let start = self.pos;
        let sign = match self.peek(0) {
            Some(s @ (b'+' | b'-')) => Some(s),
            _ => None,
        };
        let digits_start = start + usize::from(sign.is_some());
        let mut at = digits_start;
        while self.b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        let int_end = at;
        let is_float =
            self.b.get(at) == Some(&b'.') && self.b.get(at + 1).is_some_and(u8::is_ascii_digit);
        if is_float {
            at += 1;
            while self.b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            self.pos = at;
            let text = &self.src[start..at];
            let value: f64 = text
                .parse()
                .map_err(|_| syntax(start..at, format!("malformed number {text}")))?;
            self.push(
                Tok::Float {
                    value,
                    negative: sign == Some(b'-'),
                },
                start,
            );
            return Ok(());
        }
        if int_end == digits_start {
            let found = if sign == Some(b'-') { "'-'" } else { "'+'" };
            return Err(syntax(
                start..start + 1,
                format!("unexpected {found}: expected a number after the sign"),
            ));
        }
        // `0` is a whole integer token: `01` lexes as `0` then `1`, as in the grammar.
        let end = if self.b[digits_start] == b'0' {
            digits_start + 1
        } else {
            int_end
        };
        self.pos = end;
        let text = &self.src[start..end];
        let value: i64 = text.parse().map_err(|_| {
            PatternError::new(
                ErrorKind::NumberOutOfRange,
                start..end,
                format!("integer {text} is out of range (64-bit signed)"),
            )
        })?;
        self.push(
            Tok::Int {
                value,
                negative: sign == Some(b'-'),
            },
            start,
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok<'_>> {
        lex(src)
            .map(|t| t.into_iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    #[test]
    fn longest_match_rules() {
        assert_eq!(
            kinds("01 .5 -0 ANDX AND x-y"),
            vec![
                Tok::Int {
                    value: 0,
                    negative: false
                },
                Tok::Int {
                    value: 1,
                    negative: false
                },
                Tok::Float {
                    value: 0.5,
                    negative: false
                },
                Tok::Int {
                    value: 0,
                    negative: true
                },
                Tok::Ident {
                    name: "ANDX",
                    hyphen: false
                },
                Tok::Keyword(Keyword::And),
                Tok::Ident {
                    name: "x-y",
                    hyphen: true
                },
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn literals_decode() {
        assert_eq!(
            kinds(r"'a\'b\\' h'00fF' b'YQ==' true"),
            vec![
                Tok::Str("a'b\\".into()),
                Tok::Hex(vec![0, 255]),
                Tok::Binary(b"a".to_vec()),
                Tok::Bool(true),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn comments_and_unicode_space_are_skipped() {
        assert_eq!(
            kinds("/* x */ :\u{3000}// y\n,"),
            vec![Tok::Colon, Tok::Comma, Tok::Eof]
        );
    }

    #[test]
    fn bad_literals_are_errors() {
        for src in [
            "'abc",
            r"'\n'",
            "t'2020-13-01T00:00:00Z'",
            "h'0'",
            "b''",
            "/* x",
            "\"a\"",
            "+",
            "!",
        ] {
            assert!(lex(src).is_err(), "{src}");
        }
        let feb30 = lex("t'2020-02-30T00:00:00Z'").map_err(|e| e.kind());
        assert_eq!(feb30, Err(ErrorKind::InvalidTimestamp));
        let big = lex("99999999999999999999").map_err(|e| e.kind());
        assert_eq!(big, Err(ErrorKind::NumberOutOfRange));
    }
}
