//! STIX timestamps: parsed strictly, kept as written.
//!
//! STIX 2.1 timestamps are RFC 3339 in UTC with an upper-case `T` and `Z` and
//! any number of fractional digits. No date-time crate round-trips them: they
//! drop `.000`, accept offsets and lower case, and pad or truncate fractions.
//! [`Timestamp`] therefore parses `YYYY-MM-DDTHH:MM:SS(.d{1,9})?Z` by hand,
//! keeps the original text for serving back, and orders by the instant.
//! Nine fractional digits (nanoseconds) are the limit: more cannot be ordered
//! or stored faithfully, so they are refused rather than silently truncated.
//! Leap seconds (`:60`) are refused, as the reference validator refuses them.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Longest accepted fraction: nanoseconds.
const MAX_FRACTION_DIGITS: usize = 9;

/// A STIX timestamp: the exact text submitted plus the instant it names.
///
/// Equality, ordering and hashing go by the instant, so `…:00.1Z` and
/// `…:00.100Z` are equal; [`Timestamp::as_str`] still returns each as written.
#[derive(Clone, Debug)]
pub struct Timestamp {
    text: Box<str>,
    secs: i64,
    nanos: u32,
    fraction_digits: u8,
}

/// Why a string is not a STIX timestamp, and at which byte.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.fraction]Z): {reason} at byte {offset}"
)]
pub struct TimestampError {
    text: String,
    reason: &'static str,
    offset: usize,
}

impl TimestampError {
    fn new(text: &str, reason: &'static str, offset: usize) -> TimestampError {
        // Hostile input can be long; the first characters are enough to find it.
        let text: String = text.chars().take(64).collect();
        TimestampError {
            text,
            reason,
            offset,
        }
    }

    /// What was wrong, e.g. "day out of range for the month".
    pub fn reason(&self) -> &'static str {
        self.reason
    }

    /// Byte offset in the input where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS(.d{1,9})?Z`, checking the calendar date.
    pub fn parse(s: &str) -> Result<Timestamp, TimestampError> {
        let b = s.as_bytes();
        let fail = |reason, offset| Err(TimestampError::new(s, reason, offset));
        if b.len() < 20 {
            return fail("too short", b.len());
        }
        let digits = |at: usize, n: usize| -> Result<u32, TimestampError> {
            let mut v = 0u32;
            for i in at..at + n {
                match b.get(i) {
                    Some(d @ b'0'..=b'9') => v = v * 10 + u32::from(d - b'0'),
                    _ => return Err(TimestampError::new(s, "expected a digit", i)),
                }
            }
            Ok(v)
        };
        let sep = |at: usize, want: u8, reason| -> Result<(), TimestampError> {
            if b.get(at) == Some(&want) {
                Ok(())
            } else {
                Err(TimestampError::new(s, reason, at))
            }
        };
        let year = digits(0, 4)?;
        sep(4, b'-', "expected '-' after the year")?;
        let month = digits(5, 2)?;
        sep(7, b'-', "expected '-' after the month")?;
        let day = digits(8, 2)?;
        sep(10, b'T', "expected upper-case 'T' between date and time")?;
        let hour = digits(11, 2)?;
        sep(13, b':', "expected ':' after the hour")?;
        let minute = digits(14, 2)?;
        sep(16, b':', "expected ':' after the minute")?;
        let second = digits(17, 2)?;
        if !(1..=12).contains(&month) {
            return fail("month out of range", 5);
        }
        if day == 0 || day > days_in_month(year, month) {
            return fail("day out of range for the month", 8);
        }
        if hour > 23 {
            return fail("hour out of range", 11);
        }
        if minute > 59 {
            return fail("minute out of range", 14);
        }
        if second > 59 {
            return fail("second out of range (leap seconds are not accepted)", 17);
        }
        let mut at = 19;
        let mut nanos = 0u32;
        let mut fraction_digits = 0usize;
        if b.get(at) == Some(&b'.') {
            at += 1;
            while let Some(d @ b'0'..=b'9') = b.get(at) {
                fraction_digits += 1;
                if fraction_digits > MAX_FRACTION_DIGITS {
                    return fail("more than 9 fractional digits", at);
                }
                nanos = nanos * 10 + u32::from(d - b'0');
                at += 1;
            }
            if fraction_digits == 0 {
                return fail("expected a digit after '.'", at);
            }
            nanos *= 10u32.pow((MAX_FRACTION_DIGITS - fraction_digits) as u32);
        }
        if b.get(at) != Some(&b'Z') {
            return fail("expected upper-case 'Z' (UTC) at the end", at);
        }
        if at + 1 != b.len() {
            return fail("unexpected text after 'Z'", at + 1);
        }
        let days = days_from_civil(i64::from(year), month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Ok(Timestamp {
            text: s.into(),
            secs,
            nanos,
            fraction_digits: fraction_digits as u8,
        })
    }

    /// The original text, exactly as submitted.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Fixed-width `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`: sorts as text in time order.
    pub fn sort_key(&self) -> String {
        let (y, mo, d, h, mi, s) = civil_parts(self.secs);
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:09}Z",
            self.nanos
        )
    }

    /// The timestamp `us` microseconds after the Unix epoch, written with six
    /// fractional digits (`YYYY-MM-DDTHH:MM:SS.ffffffZ`).
    ///
    /// Instants outside years 0000–9999 are clamped to that range, the only
    /// one the STIX format can write.
    pub fn from_unix_micros(us: i64) -> Timestamp {
        const MIN_SECS: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
        const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
        let mut secs = us.div_euclid(1_000_000);
        let mut micros = us.rem_euclid(1_000_000) as u32;
        if secs < MIN_SECS {
            (secs, micros) = (MIN_SECS, 0);
        } else if secs > MAX_SECS {
            (secs, micros) = (MAX_SECS, 999_999);
        }
        let (y, mo, d, h, mi, s) = civil_parts(secs);
        let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{micros:06}Z");
        Timestamp {
            text: text.into(),
            secs,
            nanos: micros * 1000,
            fraction_digits: 6,
        }
    }

    /// Microseconds since the Unix epoch; digits below a microsecond are dropped.
    pub fn unix_micros(&self) -> i64 {
        self.secs * 1_000_000 + i64::from(self.nanos / 1000)
    }

    /// How many fractional-second digits the text carries (0 when none).
    pub fn fraction_digits(&self) -> usize {
        usize::from(self.fraction_digits)
    }

    fn instant(&self) -> (i64, u32) {
        (self.secs, self.nanos)
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.instant() == other.instant()
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.instant().cmp(&other.instant())
    }
}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.instant().hash(state);
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Timestamp, TimestampError> {
        Timestamp::parse(s)
    }
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`], plus the time of day.
fn civil_parts(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day, rem / 3600, rem / 60 % 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_precision_exactly() {
        for text in [
            "2016-04-06T20:03:00Z",
            "2016-04-06T20:03:00.000Z",
            "2016-04-06T20:03:00.1Z",
            "2016-04-06T20:03:00.123456789Z",
            "2000-02-29T23:59:59.999Z",
        ] {
            let ts = Timestamp::parse(text).expect("valid timestamp");
            assert_eq!(ts.as_str(), text);
            assert_eq!(ts.to_string(), text);
        }
    }

    #[test]
    fn orders_by_instant() {
        let a = Timestamp::parse("2016-04-06T20:03:00.1Z").expect("valid");
        let b = Timestamp::parse("2016-04-06T20:03:00.100Z").expect("valid");
        let c = Timestamp::parse("2016-04-06T20:03:00.100000001Z").expect("valid");
        assert_eq!(a, b);
        assert!(b < c);
        assert!(a.sort_key() < c.sort_key());
        assert_eq!(a.sort_key(), "2016-04-06T20:03:00.100000000Z");
    }

    #[test]
    fn sort_key_sorts_like_time() {
        let texts = [
            "1969-12-31T23:59:59.999Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "1970-01-01T00:00:00Z",
            "2024-02-29T12:00:00.5Z",
        ];
        let mut by_key: Vec<Timestamp> = texts
            .iter()
            .map(|t| Timestamp::parse(t).expect("valid"))
            .collect();
        let mut by_ord = by_key.clone();
        by_key.sort_by_key(|t| t.sort_key());
        by_ord.sort();
        assert_eq!(by_key, by_ord);
        assert_eq!(by_ord[0].as_str(), "0001-01-01T00:00:00Z");
    }

    #[test]
    fn unix_micros_round_trip() {
        let ts = Timestamp::parse("2016-04-06T20:03:00.123456789Z").expect("valid");
        assert_eq!(ts.unix_micros(), 1_459_972_980_123_456);
        let back = Timestamp::from_unix_micros(ts.unix_micros());
        assert_eq!(back.as_str(), "2016-04-06T20:03:00.123456Z");
        let before_epoch = Timestamp::from_unix_micros(-1);
        assert_eq!(before_epoch.as_str(), "1969-12-31T23:59:59.999999Z");
        assert_eq!(before_epoch.unix_micros(), -1);
        assert_eq!(
            Timestamp::from_unix_micros(0).as_str(),
            "1970-01-01T00:00:00.000000Z"
        );
    }

    #[test]
    fn rejects_malformed() {
        let cases = [
            (
                "2016-04-06t20:03:00Z",
                "expected upper-case 'T' between date and time",
            ),
            (
                "2016-04-06T20:03:00z",
                "expected upper-case 'Z' (UTC) at the end",
            ),
            (
                "2016-04-06T20:03:00+00:00",
                "expected upper-case 'Z' (UTC) at the end",
            ),
            ("2016-02-30T20:03:00Z", "day out of range for the month"),
            ("2015-02-29T20:03:00Z", "day out of range for the month"),
            ("2016-13-01T20:03:00Z", "month out of range"),
            ("2016-04-06T24:00:00Z", "hour out of range"),
            (
                "2016-04-06T23:59:60Z",
                "second out of range (leap seconds are not accepted)",
            ),
            ("2016-04-06T20:03:00.Z", "expected a digit after '.'"),
            (
                "2016-04-06T20:03:00.1234567890Z",
                "more than 9 fractional digits",
            ),
            (
                "2016-04-06 20:03:00Z",
                "expected upper-case 'T' between date and time",
            ),
            ("16-04-06T20:03:00Z", "too short"),
            ("2016-04-06T20:03:00ZZ", "unexpected text after 'Z'"),
        ];
        for (text, reason) in cases {
            let err = Timestamp::parse(text).expect_err(text);
            assert_eq!(err.reason(), reason, "{text}");
        }
        let err = Timestamp::parse("2016-04-06T20:03:00").expect_err("no zone");
        assert_eq!(
            err.to_string(),
            "\"2016-04-06T20:03:00\" is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.fraction]Z): too short at byte 19"
        );
    }

    #[test]
    fn leap_years() {
        assert!(Timestamp::parse("2000-02-29T00:00:00Z").is_ok());
        assert!(Timestamp::parse("1900-02-29T00:00:00Z").is_err());
        assert!(Timestamp::parse("2024-02-29T00:00:00Z").is_ok());
    }
}
