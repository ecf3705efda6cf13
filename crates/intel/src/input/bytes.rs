//! Searching bytes eight at a time: the next line break of a block ([`find_byte`]) and the
//! fields of a line ([`each_field`]), in a word's worth of bytes per step rather than one.
//!
//! Both rest on one test: `x ^ repeat(needle)` has a zero byte exactly where `x` holds the
//! needle, and a zero byte can be flagged with a few word operations.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// Eight bytes of `bytes` from `at` as a little-endian word (the first byte lowest), the
/// missing ones past the end filled with `pad`. Built in registers, never through memory
/// (a word stored a byte at a time and loaded whole stalls the load).
fn word(bytes: &[u8], at: usize, pad: u8) -> u64 {
    let load = |b: &[u8]| u64::from_le_bytes(<[u8; 8]>::try_from(b).unwrap_or_default());
    if let Some(full) = bytes.get(at..at + 8) {
        return load(full);
    }
    let pads = LO * u64::from(pad);
    let n = bytes.len().saturating_sub(at);
    if n == 0 {
        return pads;
    }
    // 1 to 7 bytes are left; `n * 8` is below 64.
    let bits = n * 8;
    match bytes.len().checked_sub(8) {
        // The last eight bytes, shifted down past those already seen.
        Some(last) => (load(&bytes[last..]) >> (64 - bits)) | (pads << bits),
        None => {
            let mut w = pads << bits;
            for (i, &b) in bytes[at..].iter().enumerate() {
                w |= u64::from(b) << (i * 8);
            }
            w
        }
    }
}

/// The high bit of each byte of `w` that equals `needle`, and only those.
fn equal_bytes(w: u64, needle: u8) -> u64 {
    let x = w ^ (LO * u64::from(needle));
    // Adding 0x7f to the low seven bits sets a byte's high bit iff they were not all zero;
    // no carry crosses into the next byte, so the test is exact for every byte.
    !(((x & LOW7).wrapping_add(LOW7)) | x) & HI
}

/// The position of the first `needle` in `hay`.
pub(crate) fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    let pattern = LO * u64::from(needle);
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(chunk).unwrap_or_default());
        // The cheaper test, exact for the lowest byte it flags (a false flag needs a borrow
        // from a true zero below it), which is the first of the slice.
        let x = w ^ pattern;
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == needle)
        .map(|i| at + i)
}

/// Whether `hay` holds `a`, and whether it holds `b`, in one pass.
pub(crate) fn contains_each(hay: &[u8], a: u8, b: u8) -> (bool, bool) {
    // A pad byte that is neither.
    let pad = (0u8..3).find(|p| *p != a && *p != b).unwrap_or_default();
    let (mut found_a, mut found_b) = (0, 0);
    let mut at = 0;
    while at < hay.len() {
        let w = word(hay, at, pad);
        found_a |= equal_bytes(w, a);
        found_b |= equal_bytes(w, b);
        at += 8;
    }
    (found_a != 0, found_b != 0)
}

/// The position of the first `needle` (of any length but empty) in `hay`.
pub(crate) fn find_bytes(needle: &[u8], hay: &[u8]) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    let mut at = 0;
    while let Some(i) = find_byte(first, &hay[at..]) {
        if hay[at + i..].starts_with(needle) {
            return Some(at + i);
        }
        at += i + 1;
    }
    None
}

/// Calls `each` with the index and bytes of each of the first `limit` fields of `line`,
/// split at `separator` as `str::split` splits (a line without it is one field, an empty
/// line one empty field, a separator at the end leaves an empty last field); stops at the
/// first error. A one-byte separator (Zeek's tab) is found eight bytes at a time, in one
/// pass over the line; an empty separator splits nothing.
pub(crate) fn each_field<'a, E>(
    line: &'a [u8],
    separator: &[u8],
    limit: usize,
    mut each: impl FnMut(usize, &'a [u8]) -> Result<(), E>,
) -> Result<(), E> {
    let [sep] = *separator else {
        for (i, field) in Fields::new(line, separator).take(limit).enumerate() {
            each(i, field)?;
        }
        return Ok(());
    };
    let (mut start, mut n, mut at) = (0, 0, 0);
    while at < line.len() && n < limit {
        let mut mask = equal_bytes(word(line, at, !sep), sep);
        while mask != 0 {
            let end = at + (mask.trailing_zeros() / 8) as usize;
            each(n, &line[start..end])?;
            n += 1;
            if n == limit {
                return Ok(());
            }
            start = end + 1;
            mask &= mask - 1;
        }
        at += 8;
    }
    if n < limit {
        each(n, &line[start..])?;
    }
    Ok(())
}

/// The fields of a line split at `separator`, as [`each_field`] splits, one after another.
pub(crate) struct Fields<'a, 's> {
    rest: Option<&'a [u8]>,
    separator: &'s [u8],
}

impl<'a, 's> Fields<'a, 's> {
    /// The fields of `line` split at `separator`.
    pub(crate) fn new(line: &'a [u8], separator: &'s [u8]) -> Fields<'a, 's> {
        Fields {
            rest: Some(line),
            separator,
        }
    }
}

impl<'a> Iterator for Fields<'a, '_> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        let found = match self.separator {
            [one] => find_byte(*one, rest),
            many => find_bytes(many, rest),
        };
        match found {
            Some(i) => {
                self.rest = Some(&rest[i + self.separator.len()..]);
                Some(&rest[..i])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_byte_agrees_with_a_plain_search() {
        let hay: Vec<u8> = (0..100u8).map(|i| i.wrapping_mul(37)).collect();
        for needle in [0u8, 1, 9, 10, 0x80, 0xff, 37, 200] {
            for start in 0..20 {
                for end in start..hay.len() {
                    let h = &hay[start..end];
                    assert_eq!(
                        find_byte(needle, h),
                        h.iter().position(|&b| b == needle),
                        "{needle} in {start}..{end}"
                    );
                }
            }
        }
        // Bytes one above the needle after a match must not hide it, nor fake one.
        assert_eq!(
            find_byte(b'\t', b"\x0a\x0a\x09\x0a\x0a\x0a\x0a\x0a"),
            Some(2)
        );
        assert_eq!(
            find_byte(0, b"\x01\x00\x01\x01\x01\x01\x01\x01\x00"),
            Some(1)
        );
        assert_eq!(find_byte(b'\n', b""), None);
    }

    #[test]
    fn words_past_the_end_are_padded() {
        let bytes: Vec<u8> = (1..=20).collect();
        for len in 0..bytes.len() {
            for at in 0..len + 2 {
                let mut want = [0xee_u8; 8];
                for (i, w) in want.iter_mut().enumerate() {
                    if let Some(&b) = bytes[..len].get(at + i) {
                        *w = b;
                    }
                }
                assert_eq!(
                    word(&bytes[..len], at, 0xee),
                    u64::from_le_bytes(want),
                    "{len} {at}"
                );
            }
        }
    }

    #[test]
    fn contains_each_agrees_with_contains() {
        let hay: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(7)).collect();
        for (a, b) in [
            (0, 1),
            (1, 0),
            (2, 0),
            (b',', b':'),
            (7, 14),
            (0xff, 0x80),
            (3, 3),
        ] {
            for end in 0..hay.len() {
                let h = &hay[..end];
                assert_eq!(
                    contains_each(h, a, b),
                    (h.contains(&a), h.contains(&b)),
                    "{a} {b} in {end}"
                );
            }
        }
    }

    #[test]
    fn find_bytes_finds_overlapping_starts() {
        assert_eq!(find_bytes(b"ab", b"aab"), Some(1));
        assert_eq!(find_bytes(b"||", b"a|b||c"), Some(3));
        assert_eq!(find_bytes(b"||", b"a|b|c|"), None);
        assert_eq!(find_bytes(b"", b"abc"), None);
    }

    /// The fields by both ways of splitting, checked to agree, and with a limit.
    fn split<'a>(line: &'a [u8], sep: &'a [u8]) -> Vec<&'a [u8]> {
        let mut fields = Vec::new();
        each_field(line, sep, usize::MAX, |i, f| {
            assert_eq!(i, fields.len());
            fields.push(f);
            Ok::<_, ()>(())
        })
        .expect("test value");
        let iterated: Vec<&[u8]> = Fields::new(line, sep).collect();
        assert_eq!(fields, iterated, "{line:?}");
        for limit in 0..fields.len() + 2 {
            let mut first = Vec::new();
            each_field(line, sep, limit, |_, f| {
                first.push(f);
                Ok::<_, ()>(())
            })
            .expect("test value");
            assert_eq!(first, fields[..limit.min(fields.len())], "{line:?} {limit}");
        }
        fields
    }

    #[test]
    fn fields_agree_with_str_split() {
        let lines = [
            "",
            "\t",
            "a",
            "a\tb",
            "\ta\t\tb\t",
            "1767225600.000000\tC1\t10.1.2.3\t198.51.100.7\twww.x.test\t/q/abc\tdeadbeef",
            "exactly8\texactly8\t",
            "1234567\t1234567\t1234567\t",
            "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t",
            "é\tü\t€𝄞\t",
        ];
        for line in lines {
            let want: Vec<&[u8]> = line.split('\t').map(str::as_bytes).collect();
            assert_eq!(split(line.as_bytes(), b"\t"), want, "{line:?}");
            let comma = line.replace('\t', ",");
            let want: Vec<&[u8]> = comma.split(',').map(str::as_bytes).collect();
            assert_eq!(split(comma.as_bytes(), b","), want, "{comma:?}");
            let long = line.replace('\t', "<>");
            let want: Vec<&[u8]> = long.split("<>").map(str::as_bytes).collect();
            assert_eq!(split(long.as_bytes(), b"<>"), want, "{long:?}");
        }
    }

    #[test]
    fn fields_of_bytes_that_are_not_utf8_and_separators_at_every_offset() {
        let line = b"\xff\xfe\t\x80\t\t\xc3";
        assert_eq!(
            split(line, b"\t"),
            [&b"\xff\xfe"[..], b"\x80", b"", b"\xc3"]
        );
        // A separator byte at each position of a 40-byte line, and its neighbours' values.
        for at in 0..40 {
            let mut line = vec![b'x'; 40];
            line[at] = 0xff;
            let fields = split(&line, b"\xff");
            assert_eq!(fields, [&line[..at], &line[at + 1..]], "at {at}");
        }
        // The pad byte of a short last word is never taken for a separator.
        for sep in [0u8, 9, 0xff] {
            assert_eq!(split(b"abc", &[sep]), [b"abc"]);
        }
    }

    #[test]
    fn each_field_stops_at_the_first_error() {
        let mut seen = Vec::new();
        let result = each_field(b"a\tb\tc\td", b"\t", 10, |i, f| {
            seen.push(f);
            if i == 1 { Err(i) } else { Ok(()) }
        });
        assert_eq!(result, Err(1));
        assert_eq!(seen, [b"a", b"b"]);
    }
}
