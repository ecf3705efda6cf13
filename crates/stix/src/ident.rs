//! Names and identifiers: object types, `type--UUID` ids, property names.
//!
//! All checks here are hand-written byte scans: the validator runs them on
//! every property of every object, and they are simple enough that a regex
//! would only add start-up cost and a dependency.

/// The STIX Domain Object types of STIX 2.1.
pub const SDO_TYPES: &[&str] = &[
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
];

/// The STIX Relationship Object types of STIX 2.1.
pub const SRO_TYPES: &[&str] = &["relationship", "sighting"];

/// The STIX Cyber-observable Object types of STIX 2.1.
pub const SCO_TYPES: &[&str] = &[
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// The STIX Meta Object types, plus `bundle`.
pub const META_TYPES: &[&str] = &[
    "marking-definition",
    "language-content",
    "extension-definition",
    "bundle",
];

/// Object type names the specification reserves; no object may use them.
pub const RESERVED_TYPES: &[&str] = &["action"];

/// Property names the specification reserves on every object.
pub const RESERVED_PROPERTIES: &[&str] = &["severity", "action", "username", "phone_numbers"];

/// True for an SDO type.
pub fn is_sdo(t: &str) -> bool {
    SDO_TYPES.contains(&t)
}

/// True for an SRO type.
pub fn is_sro(t: &str) -> bool {
    SRO_TYPES.contains(&t)
}

/// True for an SCO type defined by the specification.
pub fn is_sco(t: &str) -> bool {
    SCO_TYPES.contains(&t)
}

/// True for a type the specification defines (SDO, SRO, SCO, meta, bundle).
pub fn is_predefined(t: &str) -> bool {
    is_sdo(t) || is_sro(t) || is_sco(t) || META_TYPES.contains(&t)
}

/// Checks an object type name: 3–250 characters of `a-z`, `0-9` and `-`,
/// starting with a letter, with no leading, trailing or doubled hyphen.
pub fn check_type_name(t: &str) -> Result<(), &'static str> {
    let b = t.as_bytes();
    if b.len() < 3 || b.len() > 250 {
        return Err("must be 3 to 250 characters long");
    }
    if !b[0].is_ascii_lowercase() {
        return Err("must start with a lower-case letter a-z");
    }
    if !b
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        return Err("may contain only a-z, 0-9 and '-'");
    }
    if b[b.len() - 1] == b'-' {
        return Err("must not end with '-'");
    }
    if t.contains("--") {
        return Err("must not contain '--'");
    }
    Ok(())
}

/// Checks a property name: 3–250 characters of `a-z`, `0-9` and `_`,
/// starting with a letter (`id` is the one shorter name).
pub fn check_property_name(name: &str) -> Result<(), &'static str> {
    if name == "id" {
        return Ok(());
    }
    let b = name.as_bytes();
    if b.len() < 3 || b.len() > 250 {
        return Err("must be 3 to 250 characters long");
    }
    if !b[0].is_ascii_lowercase() {
        return Err("must start with a lower-case letter a-z");
    }
    if !b
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
    {
        return Err("may contain only a-z, 0-9 and '_'");
    }
    Ok(())
}

/// An identifier split into its type and UUID parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identifier<'a> {
    /// The part before `--`.
    pub object_type: &'a str,
    /// The UUID text after `--`.
    pub uuid: &'a str,
    /// The UUID version (1–5).
    pub version: u8,
}

/// Parses `type--UUID`: a valid type name, then an RFC 4122 UUID (variant
/// bits `10`, version 1–5) in the hyphenated 36-character form.
pub fn parse_identifier(s: &str) -> Result<Identifier<'_>, &'static str> {
    if s.len() < 36 + 2 + 3 || !s.is_char_boundary(s.len() - 36) {
        return Err("must be type--UUID");
    }
    let (head, uuid) = s.split_at(s.len() - 36);
    let Some(object_type) = head.strip_suffix("--") else {
        return Err("must be type--UUID");
    };
    if check_type_name(object_type).is_err() {
        return Err("does not start with a valid object type name");
    }
    let version = check_uuid(uuid)?;
    Ok(Identifier {
        object_type,
        uuid,
        version,
    })
}

/// Checks the hyphenated form of an RFC 4122 UUID and returns its version.
pub fn check_uuid(u: &str) -> Result<u8, &'static str> {
    let b = u.as_bytes();
    if b.len() != 36 {
        return Err("UUID must be 36 characters");
    }
    for (i, &c) in b.iter().enumerate() {
        let hyphen = matches!(i, 8 | 13 | 18 | 23);
        if hyphen != (c == b'-') || (!hyphen && !c.is_ascii_hexdigit()) {
            return Err("UUID must be 8-4-4-4-12 hexadecimal digits");
        }
    }
    let version = b[14];
    if !(b'1'..=b'5').contains(&version) {
        return Err("UUID version must be 1 to 5 (RFC 4122)");
    }
    if !matches!(b[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B') {
        return Err("UUID variant must be RFC 4122 (8, 9, a or b)");
    }
    Ok(version - b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        for ok in ["abc", "x-mitre-tactic", "attack-pattern", "a1b", "x-foo-2"] {
            assert_eq!(check_type_name(ok), Ok(()), "{ok}");
        }
        let long = "a".repeat(251);
        for bad in [
            "ab",
            "Abc",
            "x_foo",
            "-abc",
            "abc-",
            "x--foo",
            "1abc",
            long.as_str(),
        ] {
            assert!(check_type_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn property_names() {
        for ok in ["id", "x_mitre_version", "abc", "a12", "payload_bin"] {
            assert_eq!(check_property_name(ok), Ok(()), "{ok}");
        }
        for bad in ["ab", "Abc", "abC", "x-foo", "_abc", "1abc", ""] {
            assert!(check_property_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identifiers() {
        let id =
            parse_identifier("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f").expect("valid");
        assert_eq!(id.object_type, "indicator");
        assert_eq!(id.version, 4);
        assert!(parse_identifier("x-mitre-tactic--8E2E2D2B-17D4-4CBF-938F-98EE46B3CD3F").is_ok());
        for bad in [
            "indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f",
            "indicator--8e2e2d2b-17d4-6cbf-938f-98ee46b3cd3f",
            "indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f",
            "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3g",
            "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "x-foo---8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cdé",
        ] {
            assert!(parse_identifier(bad).is_err(), "{bad}");
        }
    }
}
