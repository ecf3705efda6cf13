//! Phone number validators: numbering-plan rules for E.164 numbers and for
//! UK, US and AU national numbers.
//!
//! A candidate from the automaton may have swallowed a following number
//! (`+44 20 7946 0958 2024`), because the pattern cannot count digits across
//! groups. Each validator therefore tries the whole candidate and then each
//! shorter prefix that ends where a digit group ends, longest first, and
//! returns the length it accepted.

use std::ops::Range;

/// Which numbering rules a candidate is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    /// `+` and a country code.
    International,
    /// UK or AU, with the trunk prefix `0`.
    National,
    /// NANP, separated, optionally with the leading `1`.
    Us,
    /// AU `1300`/`1800` numbers; the pattern already fixes their shape.
    AuService,
}

/// The longest prefix of `candidate` that is a phone number under `plan`,
/// as a byte length.
pub(super) fn accept(plan: Plan, candidate: &str) -> Option<usize> {
    let bytes = candidate.as_bytes();
    // Ends of digit groups, longest first: the whole candidate, then every
    // position where a digit is followed by a separator or a parenthesis.
    let mut ends: Vec<usize> = vec![candidate.len()];
    for i in (1..bytes.len()).rev() {
        if bytes[i - 1].is_ascii_digit() && !bytes[i].is_ascii_digit() && bytes[i] != b')' {
            ends.push(i);
        }
    }
    ends.into_iter().find(|&end| {
        let prefix = &candidate[..end];
        balanced(prefix)
            && match plan {
                Plan::International => international(prefix),
                Plan::National => national(prefix),
                Plan::Us => us(prefix),
                Plan::AuService => true,
            }
    })
}

/// The bare NANP number at the end of a keyword match (`phone: 2025550143`,
/// `tel:+12025550143`), as a byte range of `candidate`.
pub(super) fn after_keyword(candidate: &str) -> Option<Range<usize>> {
    let start = candidate
        .bytes()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let number = &candidate[start..];
    let with_plus = start > 0 && candidate.as_bytes()[start - 1] == b'+';
    if with_plus {
        (number.starts_with('1') && us(number)).then_some(start - 1..candidate.len())
    } else {
        us(number).then_some(start..candidate.len())
    }
}

/// Parentheses pair up and do not nest.
fn balanced(s: &str) -> bool {
    let mut open = false;
    for b in s.bytes() {
        match b {
            b'(' if open => return false,
            b'(' => open = true,
            b')' if !open => return false,
            b')' => open = false,
            _ => {}
        }
    }
    !open
}

/// The ASCII digits of `s`, as bytes.
fn digits(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).collect()
}

/// `+CC …` or `00CC …`: lengths by plan for +1, +44 and +61, and E.164's
/// 8 to 15 digits elsewhere. A `(0)` trunk marker is not a digit of the
/// number, nor is the `00` international prefix.
fn international(s: &str) -> bool {
    let cleaned = s.replacen("(0)", "", 1);
    let cleaned = cleaned.strip_prefix("00").unwrap_or(&cleaned);
    let ds = digits(cleaned);
    match ds.as_slice() {
        [b'1', rest @ ..] => rest.len() == 10 && nanp(rest),
        [b'4', b'4', rest @ ..] => {
            let national = rest.strip_prefix(b"0").unwrap_or(rest);
            matches!(national.len(), 9 | 10) && national[0] != b'0'
        }
        [b'6', b'1', rest @ ..] => {
            let national = rest.strip_prefix(b"0").unwrap_or(rest);
            national.len() == 9 && matches!(national[0], b'2' | b'3' | b'4' | b'7' | b'8')
        }
        _ => (8..=15).contains(&ds.len()),
    }
}

/// `0…`: UK numbers have 11 digits (10 for some 01, 05 and 08 numbers), AU
/// numbers 10; the digit after the trunk `0` is never `0`.
fn national(s: &str) -> bool {
    let ds = digits(s);
    match ds.as_slice() {
        [b'0', second, ..] if ds.len() == 11 => {
            matches!(second, b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9')
        }
        [b'0', second, ..] if ds.len() == 10 => {
            matches!(second, b'1' | b'2' | b'3' | b'4' | b'5' | b'7' | b'8')
        }
        _ => false,
    }
}

/// A separated NANP number, with or without the leading `1`.
fn us(s: &str) -> bool {
    let ds = digits(s);
    match ds.as_slice() {
        [b'1', rest @ ..] if rest.len() == 10 => nanp(rest),
        rest if rest.len() == 10 => nanp(rest),
        _ => false,
    }
}

/// NANP area codes start with 2–9 and are not N11 service codes.
fn nanp(ten: &[u8]) -> bool {
    matches!(ten, [a, b, c, ..] if (b'2'..=b'9').contains(a) && !(*b == b'1' && *c == b'1'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(plan: Plan, s: &str) -> bool {
        accept(plan, s) == Some(s.len())
    }

    #[test]
    fn international_numbers() {
        assert!(whole(Plan::International, "+44 20 7946 0958"));
        assert!(whole(Plan::International, "+44 (0)20 7946 0958"));
        assert!(whole(Plan::International, "+1 (555) 123-4567"));
        assert!(whole(Plan::International, "+61 412 345 678"));
        assert!(whole(Plan::International, "+33 1 23 45 67 89"));
        assert!(!whole(Plan::International, "+1 (555 123-4567"));
        assert_eq!(
            accept(Plan::International, "+44 20 7946 0958 2024"),
            Some(16)
        );
        assert_eq!(accept(Plan::International, "+1234"), None);
        assert!(whole(Plan::International, "0044 20 7946 0958"));
    }

    #[test]
    fn national_numbers() {
        assert!(whole(Plan::National, "020 7946 0958"));
        assert!(whole(Plan::National, "(02) 9876 5432"));
        assert!(whole(Plan::National, "0412 345 678"));
        assert!(!whole(Plan::National, "01.05.2024"));
        assert!(!whole(Plan::National, "0000 000 0000"));
    }

    #[test]
    fn us_numbers() {
        assert!(whole(Plan::Us, "(555) 123-4567"));
        assert!(whole(Plan::Us, "1-800-555-0199"));
        assert!(!whole(Plan::Us, "911-555-0199"));
        assert_eq!(after_keyword("phone: 2025550143"), Some(7..17));
        assert_eq!(after_keyword("phone: 1025550143"), None);
        assert_eq!(after_keyword("tel:+14155552671"), Some(4..16));
    }
}
