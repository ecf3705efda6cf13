//! Instants for the pattern language: `t'…'` literals and the `first_observed`/`last_observed`
//! (and any other timestamp-valued) properties of observations.
//!
//! The crate keeps its own small type rather than borrowing `charter_stix::Timestamp` because
//! the evaluator needs the instant as plain numbers (for `WITHIN` arithmetic in nanoseconds),
//! and the pattern grammar accepts any number of fractional digits where the object model
//! refuses more than nine. Digits past the ninth are dropped: they cannot change an ordering at
//! nanosecond resolution except between instants less than a nanosecond apart.

use std::fmt;

/// A UTC instant with nanosecond resolution, ordered by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// Why a string is not a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampError {
    /// The text is not `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    Format,
    /// The fields are well-formed but name no instant (month 13, 30 February, second 60).
    OutOfRange,
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (upper-case `T` and `Z`, at least one fractional
    /// digit after a dot), checking the calendar.
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let b = text.as_bytes();
        let (Some(head), true) = (b.first_chunk::<19>(), b.len() >= 20) else {
            return Err(TimestampError::Format);
        };
        // `YYYY-MM-DDTHH:MM:SS`: the separators, then the digits (a byte minus '0' above 9 is
        // no digit), checked before any field is read.
        let separators = head[4] == b'-'
            && head[7] == b'-'
            && head[10] == b'T'
            && head[13] == b':'
            && head[16] == b':';
        let d = |i: usize| head[i].wrapping_sub(b'0');
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| d(i) <= 9);
        if !separators || !digits {
            return Err(TimestampError::Format);
        }
        let two = |i: usize| u32::from(d(i)) * 10 + u32::from(d(i + 1));
        let year = two(0) * 100 + two(2);
        let mut at = 19;
        let mut nanos = 0u32;
        if b[at] == b'.' {
            at += 1;
            let digits_start = at;
            while at < b.len() && b[at].is_ascii_digit() {
                if at - digits_start < 9 {
                    nanos = nanos * 10 + u32::from(b[at] - b'0');
                }
                at += 1;
            }
            let digits = at - digits_start;
            if digits == 0 {
                return Err(TimestampError::Format);
            }
            if digits < 9 {
                nanos *= 10u32.pow((9 - digits) as u32);
            }
        }
        if at + 1 != b.len() || b[at] != b'Z' {
            return Err(TimestampError::Format);
        }
        Timestamp::from_fields(year, two(5), two(8), two(11), two(14), two(17), nanos)
            .ok_or(TimestampError::OutOfRange)
    }

    /// Builds an instant from calendar fields, or `None` if they name no instant.
    pub fn from_fields(
        year: u32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        nanos: u32,
    ) -> Option<Timestamp> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
            || nanos >= 1_000_000_000
        {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, day);
        let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Some(Timestamp { secs, nanos })
    }

    /// Nanoseconds since 1970-01-01T00:00:00Z (negative before it).
    pub fn unix_nanos(&self) -> i128 {
        i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )?;
        if self.nanos != 0 {
            let digits = format!("{:09}", self.nanos);
            write!(f, ".{}", digits.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

fn is_leap(year: u32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        for text in [
            "2020-01-01T00:00:00Z",
            "1969-12-31T23:59:59.5Z",
            "2024-02-29T12:34:56.123456789Z",
        ] {
            let ts = Timestamp::parse(text).map(|t| t.to_string());
            assert_eq!(ts.as_deref(), Ok(text));
        }
    }

    #[test]
    fn keeps_order_and_epoch() {
        let a = Timestamp::parse("1970-01-01T00:00:01Z").map(|t| t.unix_nanos());
        assert_eq!(a, Ok(1_000_000_000));
        let early = Timestamp::parse("2020-01-01T00:00:00.1Z");
        let late = Timestamp::parse("2020-01-01T00:00:00.10000000001Z");
        assert_eq!(early, late, "digits past the ninth are dropped");
    }

    #[test]
    fn rejects_impossible_and_malformed() {
        assert_eq!(
            Timestamp::parse("2021-02-29T00:00:00Z"),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(
            Timestamp::parse("2021-01-01T00:00:60Z"),
            Err(TimestampError::OutOfRange)
        );
        assert_eq!(
            Timestamp::parse("2021-01-01t00:00:00Z"),
            Err(TimestampError::Format)
        );
        assert_eq!(
            Timestamp::parse("2021-01-01T00:00:00.Z"),
            Err(TimestampError::Format)
        );
        assert_eq!(
            Timestamp::parse("2021-01-01T00:00:00+00:00"),
            Err(TimestampError::Format)
        );
        assert_eq!(
            Timestamp::parse("2021-01-01T00:00:00ZZ"),
            Err(TimestampError::Format)
        );
    }
}
