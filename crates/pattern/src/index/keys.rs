//! What the index keys on: the kind of value a property holds (an IP address, a domain name,
//! a URL, an e-mail address, a file hash, or any other property by its path) and the value
//! normalised the way scans compare it.
//!
//! Normalisation follows DESIGN.md "Acting on intelligence": hashes and domain names compare
//! without regard to letter case (a trailing root dot is dropped from domain names), IP
//! addresses compare by value (an IPv6 address written expanded or compressed is one key).
//! URLs and e-mail addresses, like every other property, compare exactly.

use std::borrow::Cow;
use std::net::IpAddr;

use crate::ast::{ObjectPath, PathStepKind};

/// The class of a property for the index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// An IPv4 or IPv6 address (or CIDR block): `ipv4-addr:value`, `ipv6-addr:value`,
    /// `network-traffic:src_ref.value`/`dst_ref.value`, `domain-name:resolves_to_refs[*].value`.
    Ip,
    /// A DNS name: `domain-name:value`.
    Domain,
    /// A URL: `url:value`.
    Url,
    /// An e-mail address: `email-addr:value` and the `_ref(s).value` of `email-message`.
    Email,
    /// A hash of any algorithm: `hashes.*` of any object type.
    Hash,
    /// Any other property, named `type:path` (`process:name`, `file:name`).
    Other(Box<str>),
}

impl Field {
    /// The field of an object path, as a scan of logs sees it.
    pub fn of_path(path: &ObjectPath) -> Field {
        let keys: Vec<&str> = path
            .steps
            .iter()
            .map(|s| match &s.kind {
                PathStepKind::Key { name, .. } => name.as_str(),
                PathStepKind::Index(_) | PathStepKind::AnyIndex => "[*]",
            })
            .collect();
        Field::of_parts(&path.object_type, &keys)
    }

    /// The field of an object type and the keys of a property path (`[*]` for list steps).
    pub fn of_parts(object_type: &str, keys: &[&str]) -> Field {
        match (object_type, keys) {
            ("ipv4-addr" | "ipv6-addr", ["value"]) => Field::Ip,
            ("network-traffic", ["src_ref" | "dst_ref", "value"]) => Field::Ip,
            ("domain-name", ["resolves_to_refs", "[*]", "value"]) => Field::Ip,
            ("domain-name", ["value"]) => Field::Domain,
            ("url", ["value"]) => Field::Url,
            ("email-addr", ["value"]) => Field::Email,
            ("email-message", ["from_ref" | "sender_ref", "value"]) => Field::Email,
            ("email-message", ["to_refs" | "cc_refs" | "bcc_refs", "[*]", "value"]) => Field::Email,
            (_, ["hashes", _]) => Field::Hash,
            _ => Field::Other(format!("{object_type}:{}", keys.join(".")).into_boxed_str()),
        }
    }

    /// A short name for output (`ip`, `domain`, `url`, `email`, `hash`, or the path).
    pub fn name(&self) -> &str {
        match self {
            Field::Ip => "ip",
            Field::Domain => "domain",
            Field::Url => "url",
            Field::Email => "email",
            Field::Hash => "hash",
            Field::Other(path) => path,
        }
    }
}

/// An address or a CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpKey {
    /// One address.
    Addr(IpAddr),
    /// A block: its network address (host bits cleared) and prefix length.
    Net(IpAddr, u8),
}

/// Parses an address or a CIDR block as written in STIX (`198.51.100.0/24`, `2001:db8::1`).
/// A prefix of the address's full length is one address.
pub fn parse_ip(text: &str) -> Option<IpKey> {
    let text = text.trim();
    match text.split_once('/') {
        None => text.parse::<IpAddr>().ok().map(IpKey::Addr),
        Some((addr, len)) => {
            let addr: IpAddr = addr.parse().ok()?;
            // Digits only, no leading zero, so `/024` and `/+24` are refused as typos.
            if len.is_empty()
                || !len.bytes().all(|b| b.is_ascii_digit())
                || (len.len() > 1 && len.starts_with('0'))
            {
                return None;
            }
            let len: u8 = len.parse().ok()?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            if len > max {
                return None;
            }
            if len == max {
                return Some(IpKey::Addr(addr));
            }
            Some(IpKey::Net(mask(addr, len), len))
        }
    }
}

/// A dotted-quad IPv4 address as a `u32`, parsed by hand (the common case of a scan, four
/// times faster than `IpAddr`'s parser); `None` for anything else, which callers then pass to
/// [`parse_ip`].
pub fn parse_ipv4(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    if b.len() < 7 || b.len() > 15 {
        return None;
    }
    // Each part is checked at its end (digits, range, no leading zero, as `Ipv4Addr`'s
    // parser), so a digit costs a subtraction, a comparison and a multiply-add.
    let part_ok = |part: u32, digits: u32, first: u32| {
        (1..=3).contains(&digits) && part <= 255 && (digits == 1 || first != 0)
    };
    let (mut out, mut part, mut digits, mut first, mut dots) = (0u32, 0u32, 0u32, 0u32, 0u32);
    for &c in b {
        let d = u32::from(c.wrapping_sub(b'0'));
        if d < 10 {
            if digits == 0 {
                first = d;
            }
            // Wrapping: a part of more than three digits is refused at its end anyway.
            part = part.wrapping_mul(10).wrapping_add(d);
            digits += 1;
        } else if c == b'.' && dots < 3 && part_ok(part, digits, first) {
            out = out << 8 | part;
            part = 0;
            digits = 0;
            dots += 1;
        } else {
            return None;
        }
    }
    if dots != 3 || !part_ok(part, digits, first) {
        return None;
    }
    Some(out << 8 | part)
}

/// `addr` with all but its first `len` bits cleared.
pub fn mask(addr: IpAddr, len: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let bits = u32::from(a);
            let m = if len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(len))
            };
            IpAddr::V4((bits & m).into())
        }
        IpAddr::V6(a) => {
            let bits = u128::from(a);
            let m = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len))
            };
            IpAddr::V6((bits & m).into())
        }
    }
}

/// A value of `field` normalised for comparison: lower case for hashes and domain names
/// (domain names also lose a trailing dot), unchanged otherwise. IP values are compared
/// through [`parse_ip`] instead.
pub fn normalise<'a>(field: &Field, value: &'a str) -> Cow<'a, str> {
    match field {
        Field::Domain => {
            let v = value.strip_suffix('.').unwrap_or(value);
            if has_upper(v) {
                Cow::Owned(v.to_ascii_lowercase())
            } else {
                Cow::Borrowed(v)
            }
        }
        Field::Hash => {
            if has_upper(value) {
                Cow::Owned(value.to_ascii_lowercase())
            } else {
                Cow::Borrowed(value)
            }
        }
        _ => Cow::Borrowed(value),
    }
}

/// Whether `value` holds an ASCII capital. Looks at every byte rather than stopping at the
/// first, which lets the compiler test sixteen at a time: values are short and most have
/// none.
fn has_upper(value: &str) -> bool {
    value
        .bytes()
        .fold(false, |any, b| any | b.is_ascii_uppercase())
}

/// Guesses the field of a bare value, for lookups and plain lists of values: an IP address
/// or block, a hash (32, 40, 56, 64, 96 or 128 hex digits), a URL (`scheme://`), an e-mail
/// address (`local@domain`), else a domain name when it looks like one. `None` when it is
/// none of these.
pub fn classify(value: &str) -> Option<Field> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if parse_ip(v).is_some() {
        return Some(Field::Ip);
    }
    if matches!(v.len(), 32 | 40 | 56 | 64 | 96 | 128) && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(Field::Hash);
    }
    if let Some((scheme, _)) = v.split_once("://") {
        if !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        {
            return Some(Field::Url);
        }
    }
    if let Some((local, domain)) = v.rsplit_once('@') {
        if !local.is_empty() && looks_like_domain(domain) {
            return Some(Field::Email);
        }
    }
    if looks_like_domain(v) {
        return Some(Field::Domain);
    }
    None
}

fn looks_like_domain(v: &str) -> bool {
    let v = v.strip_suffix('.').unwrap_or(v);
    v.contains('.')
        && v.len() <= 253
        && v.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_paths() {
        assert_eq!(Field::of_parts("ipv4-addr", &["value"]), Field::Ip);
        assert_eq!(
            Field::of_parts("network-traffic", &["dst_ref", "value"]),
            Field::Ip
        );
        assert_eq!(Field::of_parts("file", &["hashes", "SHA-256"]), Field::Hash);
        assert_eq!(
            Field::of_parts("email-message", &["to_refs", "[*]", "value"]),
            Field::Email
        );
        assert_eq!(
            Field::of_parts("process", &["name"]),
            Field::Other("process:name".into())
        );
    }

    #[test]
    fn ips_by_value() {
        assert_eq!(parse_ip("2001:db8::1"), parse_ip("2001:0db8:0:0:0:0:0:1"));
        assert_eq!(
            parse_ip("10.1.2.3/8"),
            Some(IpKey::Net("10.0.0.0".parse().expect("test value"), 8))
        );
        assert_eq!(
            parse_ip("10.1.2.3/32"),
            Some(IpKey::Addr("10.1.2.3".parse().expect("test value")))
        );
        assert_eq!(parse_ip("10.1.2.3/33"), None);
        assert_eq!(parse_ip("10.1.2.3/024"), None);
        assert_eq!(parse_ip("example.com"), None);
    }

    #[test]
    fn the_fast_ipv4_parser_agrees_with_the_standard_one() {
        for text in [
            "1.2.3.4",
            "255.255.255.255",
            "0.0.0.0",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1..2.3",
            "1.2.3.4 ",
            "a.b.c.d",
            "10.0.0.10",
            "1.2.3.0004",
            "1.2.3.004",
            "1.2.3.00",
            "1.2.3.0",
            "0.0.0.00",
            "99999.1.1.1",
            "1.2.3.255",
            "1.2.3.256",
            "1.2.3.4.",
            ".1.2.3",
            "1.2..3.4",
            "1.2.3.4/8",
            "1.2.3.-4",
            "1.2.3.+4",
            "١.2.3.4",
            "999999999999999",
            "1.2.3.99999999999",
            "4294967296.1.1.1",
        ] {
            let std = text.parse::<std::net::Ipv4Addr>().ok().map(u32::from);
            assert_eq!(parse_ipv4(text), std, "{text}");
        }
        // And every string of up to seven characters from the bytes that matter, some
        // padded to the shortest address.
        let alphabet = b"0125.9x";
        let mut text = Vec::new();
        for n in 0..=7u32 {
            for mut code in 0..7usize.pow(n) {
                text.clear();
                for _ in 0..n {
                    text.push(alphabet[code % 7]);
                    code /= 7;
                }
                for padded in [text.clone(), [&text[..], b".1.1"].concat()] {
                    let s = std::str::from_utf8(&padded).expect("test value");
                    let std = s.parse::<std::net::Ipv4Addr>().ok().map(u32::from);
                    assert_eq!(parse_ipv4(s), std, "{s}");
                }
            }
        }
    }

    #[test]
    fn case_folding_only_where_designed() {
        assert_eq!(
            normalise(&Field::Domain, "Evil.EXAMPLE.com."),
            "evil.example.com"
        );
        assert_eq!(normalise(&Field::Hash, "ABCDEF"), "abcdef");
        assert_eq!(normalise(&Field::Url, "http://A/B"), "http://A/B");
    }

    #[test]
    fn classification() {
        assert_eq!(classify("198.51.100.7"), Some(Field::Ip));
        assert_eq!(classify("2001:db8::/32"), Some(Field::Ip));
        assert_eq!(classify(&"a".repeat(64)), Some(Field::Hash));
        assert_eq!(classify("https://x.example/p"), Some(Field::Url));
        assert_eq!(classify("bob@x.example"), Some(Field::Email));
        assert_eq!(classify("x.example"), Some(Field::Domain));
        assert_eq!(classify("not a value"), None);
    }
}
