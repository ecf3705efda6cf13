//! Rendering node-assigned instants as STIX timestamps.
//!
//! Objects without a version of their own (most SCOs) take their
//! `date_added` as their version, so the store must render microseconds
//! since the epoch as STIX text and as the fixed-width sort key. This is the
//! only time arithmetic the store does, so it is a few lines of civil-date
//! conversion rather than a dependency.

use crate::{Micros, VersionStamp};

/// `0000-01-01T00:00:00Z`, the earliest instant a four-digit year can show.
const MIN_MICROS: Micros = -62_167_219_200 * 1_000_000;
/// `9999-12-31T23:59:59.999999Z`, the latest.
const MAX_MICROS: Micros = 253_402_300_800 * 1_000_000 - 1;

impl VersionStamp {
    /// The version stamp of an instant: `text` is
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microsecond precision, as TAXII's
    /// `date_added` is written) and `key` the same instant with nine
    /// fraction digits. Instants outside years 0000–9999 are clamped to that
    /// range, the only one a STIX timestamp can express.
    pub fn from_micros(micros: Micros) -> VersionStamp {
        let micros = micros.clamp(MIN_MICROS, MAX_MICROS);
        let seconds = micros.div_euclid(1_000_000);
        let fraction = micros.rem_euclid(1_000_000);
        let days = seconds.div_euclid(86_400);
        let of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let (hour, minute, second) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
        let head = format!(
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{fraction:06}"
        );
        VersionStamp {
            key: format!("{head}000Z"),
            text: format!("{head}Z"),
        }
    }
}

/// The proleptic Gregorian date of a day count from 1970-01-01, by Howard
/// Hinnant's `civil_from_days` algorithm (eras of 400 years, years starting
/// in March so the leap day comes last).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
