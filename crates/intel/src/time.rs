//! Instants as written in logs, to microseconds since the Unix epoch.

/// Microseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh[:]mm)` (RFC 3339,
/// STIX, and Suricata's `+0000` form); `None` when it is not one.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut micros = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let mut scale = 100_000i64;
        for c in frac[..digits].bytes().take(6) {
            micros += i64::from(c - b'0') * scale;
            scale /= 10;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let t = rest[1..].replace(':', "");
            if t.len() != 4 || !t.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let oh: i64 = t[..2].parse().ok()?;
            let om: i64 = t[2..].parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    let days = days_from_civil(y, mo, d);
    let secs = days * 86_400 + h * 3600 + mi * 60 + sec - offset;
    Some(secs * 1_000_000 + micros)
}

/// Microseconds since the epoch of Zeek's `ts` (seconds with a fraction).
pub fn parse_epoch_seconds(s: &str) -> Option<i64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let secs: i64 = whole.parse().ok()?;
    let mut micros = 0i64;
    let mut scale = 100_000i64;
    for c in frac.bytes().take(6) {
        if !c.is_ascii_digit() {
            return None;
        }
        micros += i64::from(c - b'0') * scale;
        scale /= 10;
    }
    secs.checked_mul(1_000_000)?.checked_add(micros)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_agree() {
        let z = parse_rfc3339("2024-03-01T12:00:00.5Z");
        assert_eq!(z, Some(1_709_294_400_500_000));
        assert_eq!(parse_rfc3339("2024-03-01T13:00:00.500000+0100"), z);
        assert_eq!(parse_rfc3339("2024-03-01T13:00:00.5+01:00"), z);
        assert_eq!(parse_epoch_seconds("1709294400.500000"), z);
        assert_eq!(parse_rfc3339("2024-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
