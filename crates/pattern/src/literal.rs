//! Decoding of the prefixed literals `t'…'`, `h'…'` and `b'…'`, following the grammar's
//! `TimestampLiteral`, `HexLiteral` and `BinaryLiteral` rules exactly.

use std::ops::Range;

use crate::error::{ErrorKind, PatternError};
use crate::timestamp::Timestamp;

fn syntax(span: Range<usize>, message: impl Into<String>) -> PatternError {
    PatternError::new(ErrorKind::Syntax, span, message)
}

/// Checks a `t'…'` body against the grammar's `TimestampLiteral` shape, then the calendar.
pub(crate) fn timestamp_literal(body: &str, span: Range<usize>) -> Result<Timestamp, PatternError> {
    let shape = "malformed timestamp literal: expected t'YYYY-MM-DDTHH:MM:SS[.fraction]Z'";
    let b = body.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let is = |i: usize, c: u8| b.get(i) == Some(&c);
    let fixed = (0..4).all(digit)
        && is(4, b'-')
        && digit(5)
        && digit(6)
        && is(7, b'-')
        && digit(8)
        && digit(9)
        && is(10, b'T')
        && digit(11)
        && digit(12)
        && is(13, b':')
        && digit(14)
        && digit(15)
        && is(16, b':')
        && digit(17)
        && digit(18);
    if !fixed {
        return Err(syntax(span, shape));
    }
    let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    let (month, day, hour, minute, second) = (two(5), two(8), two(11), two(14), two(17));
    // The grammar's own ranges: month 01-12, day 01-31, hour 00-23, minute 00-59, second 00-60.
    let grammar_ok = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60;
    let mut at = 19;
    if is(at, b'.') {
        at += 1;
        let from = at;
        while digit(at) {
            at += 1;
        }
        if at == from {
            return Err(syntax(span, shape));
        }
    }
    if !grammar_ok || !is(at, b'Z') || at + 1 != b.len() {
        return Err(syntax(span, shape));
    }
    Timestamp::parse(body).map_err(|_| {
        PatternError::new(
            ErrorKind::InvalidTimestamp,
            span,
            format!("timestamp {body} names no instant (day past the end of the month, or a leap second)"),
        )
    })
}

pub(crate) fn hex_literal(body: &str) -> Option<Vec<u8>> {
    let b = body.as_bytes();
    if b.len() % 2 != 0 {
        return None;
    }
    b.chunks(2)
        .map(|pair| {
            let hi = char::from(pair[0]).to_digit(16)?;
            let lo = char::from(pair[1]).to_digit(16)?;
            Some((hi * 16 + lo) as u8)
        })
        .collect()
}

/// Decodes the grammar's `BinaryLiteral` body: groups of four base64 characters, the last of
/// which may end in `=` or `==`; at least one group.
pub(crate) fn base64_literal(body: &str) -> Option<Vec<u8>> {
    let b = body.as_bytes();
    if b.is_empty() || b.len() % 4 != 0 {
        return None;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    let mut acc = 0u32;
    let data = &b[..b.len() - pad];
    for (i, &c) in data.iter().enumerate() {
        acc = (acc << 6) | u32::from(base64_value(c)?);
        if i % 4 == 3 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
        }
    }
    match pad {
        1 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        2 => out.push((acc >> 4) as u8),
        _ => {}
    }
    Some(out)
}

/// The value of one base64 character, shared with the evaluator's `_bin` decoding.
pub(crate) fn base64_value(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_groups_and_padding() {
        assert_eq!(base64_literal("YWJj"), Some(b"abc".to_vec()));
        assert_eq!(base64_literal("YWI="), Some(b"ab".to_vec()));
        assert_eq!(base64_literal("YQ=="), Some(b"a".to_vec()));
        assert_eq!(base64_literal("YQ"), None);
        assert_eq!(base64_literal(""), None);
        assert_eq!(hex_literal(""), Some(Vec::new()));
        assert_eq!(hex_literal("0g"), None);
    }

    #[test]
    fn timestamps_follow_the_grammar_then_the_calendar() {
        let kind = |body: &str| {
            timestamp_literal(body, 0..1)
                .map(|_| ())
                .map_err(|e| e.kind())
        };
        assert_eq!(kind("2020-01-01T00:00:00.123456789123Z"), Ok(()));
        assert_eq!(kind("2020-01-01T24:00:00Z"), Err(ErrorKind::Syntax));
        assert_eq!(kind("2020-00-01T00:00:00Z"), Err(ErrorKind::Syntax));
        assert_eq!(
            kind("2020-01-01T00:00:60Z"),
            Err(ErrorKind::InvalidTimestamp)
        );
        assert_eq!(
            kind("2020-04-31T00:00:00Z"),
            Err(ErrorKind::InvalidTimestamp)
        );
    }
}
