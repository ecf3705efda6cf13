//! Formats of string values: encodings, addresses, URIs, identifiers.
//!
//! Hand-written scans rather than regexes: each is short, runs on hot paths,
//! and needs no compiled state.

/// Hexadecimal with an even, non-zero number of digits.
pub(crate) fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.len() % 2 == 0 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Padded standard base64 (RFC 4648 section 4), non-empty.
pub(crate) fn is_base64(s: &str) -> bool {
    let b = s.as_bytes();
    if b.is_empty() || b.len() % 4 != 0 {
        return false;
    }
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return false;
    }
    b[..b.len() - pad]
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// A dictionary key: at most 250 characters of `a-z A-Z 0-9 _ -`.
pub(crate) fn is_dict_key(k: &str) -> bool {
    k.len() <= 250
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Checks a hash value against the form of its algorithm, for the
/// algorithms of the hash-algorithm vocabulary; other names take any string.
pub(crate) fn check_hash(algorithm: &str, value: &str) -> Result<(), &'static str> {
    let hex_len = match algorithm {
        "MD5" => 32,
        "SHA-1" => 40,
        "SHA-256" | "SHA3-256" => 64,
        "SHA-512" | "SHA3-512" => 128,
        "SSDEEP" => {
            let ok = (1..=128).contains(&value.len())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+' | b':' | b'.'));
            return if ok {
                Ok(())
            } else {
                Err("expected an ssdeep digest")
            };
        }
        "TLSH" => {
            let ok = value.len() == 70 && value.bytes().all(|b| b.is_ascii_alphanumeric());
            return if ok {
                Ok(())
            } else {
                Err("expected 70 alphanumeric characters")
            };
        }
        _ => return Ok(()),
    };
    if value.len() == hex_len && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(match hex_len {
            32 => "expected 32 hexadecimal digits",
            40 => "expected 40 hexadecimal digits",
            64 => "expected 64 hexadecimal digits",
            _ => "expected 128 hexadecimal digits",
        })
    }
}

/// A URI per RFC 3986: a scheme, `:`, then only URI characters, with
/// percent signs followed by two hex digits and at most one `#`.
pub(crate) fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let sb = scheme.as_bytes();
    if sb.is_empty()
        || !sb[0].is_ascii_alphabetic()
        || !sb
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return false;
    }
    let (body, fragment) = match rest.split_once('#') {
        Some((body, fragment)) => (body, Some(fragment)),
        None => (rest, None),
    };
    let uri_chars = |part: &str, brackets: bool| {
        let b = part.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'%' {
                match (b.get(i + 1), b.get(i + 2)) {
                    (Some(h), Some(l)) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => i += 3,
                    _ => return false,
                }
                continue;
            }
            let ok = c.is_ascii_alphanumeric()
                || b"-._~:/?@!$&'()*+,;=".contains(&c)
                || (brackets && (c == b'[' || c == b']'));
            if !ok {
                return false;
            }
            i += 1;
        }
        true
    };
    uri_chars(body, true) && fragment.is_none_or(|f| uri_chars(f, false))
}

/// A host name, internationalised or not: dot-separated labels of 1–63
/// characters (letters, digits, hyphens, or lower-case non-ASCII letters),
/// no label starting or ending with a hyphen, at most 253 characters.
pub(crate) fn is_hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    s.split('.').all(|label| {
        let ascii = label.is_ascii();
        let len_ok =
            !label.is_empty() && (!ascii || label.len() <= 63) && label.chars().count() <= 63;
        let b = label.as_bytes();
        len_ok
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
            && !(ascii
                && b.len() >= 4
                && &b[2..4] == b"--"
                && !label[..2].eq_ignore_ascii_case("xn"))
            && label.chars().all(|ch| {
                ch.is_ascii_alphanumeric()
                    || ch == '-'
                    || (!ch.is_ascii() && ch.is_alphanumeric() && !ch.is_uppercase())
            })
    })
}

/// An e-mail address of the shape `local@domain.tld`.
pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let Some((first, rest)) = domain.split_once('.') else {
        return false;
    };
    !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-'))
        && !first.is_empty()
        && first
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn decimal_without_leading_zero(s: &str, max: u32) -> bool {
    !s.is_empty()
        && s.len() <= 3
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'))
        && s.parse::<u32>().is_ok_and(|n| n <= max)
}

/// An IPv4 address or CIDR block, dotted decimal without leading zeros.
pub(crate) fn is_ipv4_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let octets: Vec<&str> = addr.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| decimal_without_leading_zero(o, 255))
        && prefix.is_none_or(|p| decimal_without_leading_zero(p, 32))
}

/// An IPv6 address or CIDR block.
pub(crate) fn is_ipv6_cidr(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    addr.parse::<std::net::Ipv6Addr>().is_ok()
        && prefix.is_none_or(|p| decimal_without_leading_zero(p, 128))
}

/// A MAC address: six lower-case hex pairs separated by colons.
pub(crate) fn is_mac(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, &c)| {
            if i % 3 == 2 {
                c == b':'
            } else {
                c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
            }
        })
}

/// `CVE-YYYY-NNNN`, the sequence number four or more digits.
pub(crate) fn is_cve_id(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("CVE-") else {
        return false;
    };
    let Some((year, seq)) = rest.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && seq.len() >= 4
        && seq.bytes().all(|b| b.is_ascii_digit())
        && !(seq.len() > 4 && seq.starts_with('0'))
}

/// `CAPEC-N`.
pub(crate) fn is_capec_id(s: &str) -> bool {
    s.strip_prefix("CAPEC-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn selector_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'
}

/// A granular-marking selector: `name(.name|.[N])*`, or `id`.
pub(crate) fn is_selector(s: &str) -> bool {
    if s == "id" {
        return true;
    }
    let mut parts = s.split('.');
    let first = parts.next().unwrap_or_default();
    if first.len() < 3 || first.len() > 249 || !first.bytes().all(selector_char) {
        return false;
    }
    parts.all(|p| {
        let index = p
            .strip_prefix('[')
            .and_then(|x| x.strip_suffix(']'))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        index || (!p.is_empty() && p.len() <= 250 && p.bytes().all(selector_char))
    })
}

/// A predefined-style extension name: a type-like name ending in `-ext`.
pub(crate) fn is_extension_name(s: &str) -> bool {
    let Some(stem) = s.strip_suffix("-ext") else {
        return false;
    };
    !stem.is_empty()
        && stem.as_bytes()[0].is_ascii_lowercase()
        && stem.split('-').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A media type of the shape `type/subtype` with a registered top-level type.
pub(crate) fn is_mime_type(s: &str) -> bool {
    const TOP: &[&str] = &[
        "application",
        "audio",
        "font",
        "image",
        "message",
        "model",
        "multipart",
        "text",
        "video",
    ];
    let Some((top, sub)) = s.split_once('/') else {
        return false;
    };
    TOP.contains(&top)
        && !sub.is_empty()
        && sub
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'_' | b'-'))
}

/// A character-set name of the shape IANA registers (2–250 characters).
pub(crate) fn is_charset(s: &str) -> bool {
    (2..=250).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'+' | b'_' | b':' | b'-')
        })
}

/// A CPE 2.3 formatted string: `cpe:2.3:` then eleven colon-separated
/// components (backslash escapes allowed), the first being `a`, `o`, `h`,
/// `*` or `-`.
pub(crate) fn is_cpe23(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("cpe:2.3:") else {
        return false;
    };
    let mut fields: Vec<String> = vec![String::new()];
    let mut chars = rest.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some(esc) if esc.is_ascii_punctuation() => {
                    let last = fields.last_mut();
                    if let Some(f) = last {
                        f.push('\\');
                        f.push(esc);
                    }
                }
                _ => return false,
            },
            ':' => fields.push(String::new()),
            _ => {
                if let Some(f) = fields.last_mut() {
                    f.push(ch);
                }
            }
        }
    }
    if fields.len() != 11 || !matches!(fields[0].as_str(), "a" | "o" | "h" | "*" | "-") {
        return false;
    }
    fields[1..].iter().all(|f| {
        // Escapes were kept as `\x` pairs above; anything else must be a
        // plain component character.
        let mut prev_escape = false;
        !f.is_empty()
            && f.chars().all(|ch| {
                let ok = prev_escape
                    || ch == '\\'
                    || ch.is_ascii_alphanumeric()
                    || matches!(ch, '-' | '.' | '_' | '*' | '?');
                prev_escape = ch == '\\' && !prev_escape;
                ok
            })
    })
}

pub(crate) use super::lang::is_language_tag;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert!(is_hex("00ff") && !is_hex("0") && !is_hex("zz") && !is_hex(""));
        assert!(
            is_base64("VGhpcyBpcyBhIHRlc3Q=")
                && is_base64("YQ==")
                && !is_base64("YQ")
                && !is_base64("Y?==")
        );
        assert!(check_hash("MD5", "3773a88f65a5e780c8dff9cdc3a056f3").is_ok());
        assert!(check_hash("SHA-256", "abc").is_err());
        assert!(check_hash("x-custom", "anything").is_ok());
    }

    #[test]
    fn uris() {
        for ok in [
            "https://attack.mitre.org/techniques/T0800",
            "urn:isbn:123",
            "mailto:a@b",
            "http://[::1]/",
            "http://x/a%20b",
        ] {
            assert!(is_uri(ok), "{ok}");
        }
        for bad in [
            "not a uri",
            "http://x/a b",
            "foo",
            "1http://x",
            "http://x/%zz",
            "http://x#a#b",
            "https://example.com/ü",
            "http://x/{a}",
        ] {
            assert!(!is_uri(bad), "{bad}");
        }
    }

    #[test]
    fn hosts_and_addresses() {
        for ok in [
            "example.com",
            "Example.COM",
            "xn--bcher-kva.ch",
            "bücher.ch",
            "example.com.",
            "localhost",
        ] {
            assert!(is_hostname(ok), "{ok}");
        }
        for bad in [
            "_dmarc.example.com",
            "a-.com",
            "-a.com",
            "ab--cd.com",
            "a..b",
            "ex ample.com",
            "ÄBC.com",
            "",
        ] {
            assert!(!is_hostname(bad), "{bad}");
        }
        assert!(is_email("john@example.com") && !is_email("john@localhost") && !is_email("john"));
        assert!(
            is_ipv4_cidr("198.51.100.0/24")
                && is_ipv4_cidr("0.0.0.0")
                && !is_ipv4_cidr("01.2.3.4")
                && !is_ipv4_cidr("1.2.3.256")
        );
        assert!(
            is_ipv6_cidr("2001:db8::/32")
                && is_ipv6_cidr("::1")
                && !is_ipv6_cidr("2001:db8::g")
                && !is_ipv6_cidr("::1/129")
        );
        assert!(
            is_mac("d2:fb:49:24:37:18")
                && !is_mac("D2:FB:49:24:37:18")
                && !is_mac("d2-fb-49-24-37-18")
        );
    }

    #[test]
    fn misc_formats() {
        assert!(
            is_cve_id("CVE-2021-44228")
                && is_cve_id("CVE-1999-0001")
                && !is_cve_id("CVE-2021-123")
                && !is_cve_id("CVE-2021-01234")
        );
        assert!(is_capec_id("CAPEC-66") && !is_capec_id("CAPEC-"));
        assert!(
            is_selector("external_references.[0].url")
                && is_selector("id")
                && !is_selector("ab")
                && !is_selector("Name")
        );
        assert!(
            is_extension_name("archive-ext")
                && is_extension_name("x-acme-ext")
                && !is_extension_name("-ext")
                && !is_extension_name("x--a-ext")
        );
        assert!(
            is_mime_type("application/pdf") && !is_mime_type("pdf") && !is_mime_type("foo/bar")
        );
        assert!(
            is_cpe23("cpe:2.3:a:microsoft:word:2000:*:*:*:*:*:*:*")
                && !is_cpe23("cpe:/a:microsoft:word:2000")
                && !is_cpe23("cpe:2.3:x:a:b:c:*:*:*:*:*:*:*")
        );
        assert!(is_charset("UTF-8") && !is_charset("U"));
    }
}
