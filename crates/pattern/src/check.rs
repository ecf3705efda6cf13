//! The checks beyond syntax that the STIX 2.1 specification requires of a pattern, and the
//! hash-format check of the OASIS validator (stix2-patterns).
//!
//! Each check reports with the span of the offending part. The list, in the order of
//! [`crate::ErrorKind`]: object type names (`^-?[a-z0-9]+(-[a-z0-9]+)*-?$`, 3–250 characters,
//! not an SDO/SRO type, as the OASIS stix2-validator reads the spec); the first property name
//! (`id`, or `^[a-z0-9_]{3,250}$`); no negative list index, and no list index where a hash
//! algorithm belongs; positive `WITHIN` and `REPEATS`; `START` strictly before `STOP`; no
//! qualifier twice on one bracketed expression; `MATCHES` operands that compile on a
//! linear-time engine; `ISSUBSET`/`ISSUPERSET` operands that are IP addresses or CIDR blocks;
//! hash values of the right form for known algorithms; sets of one type.

use std::net::IpAddr;

use crate::ast::*;
use crate::error::{ErrorKind, PatternError};
use crate::regex::{RegexError, check_matches};

/// Whether `ty` is a type the reference validator knows as an SDO, SRO or meta object: never
/// observable.
fn non_observable(ty: &str) -> bool {
    matches!(
        ty,
        "attack-pattern"
            | "bundle"
            | "campaign"
            | "course-of-action"
            | "extension-definition"
            | "grouping"
            | "identity"
            | "incident"
            | "indicator"
            | "infrastructure"
            | "intrusion-set"
            | "language-content"
            | "location"
            | "malware"
            | "malware-analysis"
            | "marking-definition"
            | "note"
            | "observed-data"
            | "opinion"
            | "relationship"
            | "report"
            | "threat-actor"
            | "tool"
            | "sighting"
            | "vulnerability"
    )
}

/// Runs every check over `pattern`, returning all problems found, in pattern order.
pub fn check(pattern: &Pattern) -> Vec<PatternError> {
    let mut errors = Vec::new();
    observation(&pattern.root, &mut errors);
    errors.sort_by_key(|e| (e.span().start, e.span().end));
    errors
}

fn observation(e: &ObservationExpr, errors: &mut Vec<PatternError>) {
    match &e.kind {
        ObservationKind::Comparison(c) => comparison(c, errors),
        ObservationKind::Group(inner) => observation(inner, errors),
        ObservationKind::And(items)
        | ObservationKind::Or(items)
        | ObservationKind::FollowedBy(items) => {
            items.iter().for_each(|i| observation(i, errors));
        }
        ObservationKind::Qualified { inner, qualifiers } => {
            observation(inner, errors);
            qualifier_checks(inner, qualifiers, errors);
        }
    }
}

fn qualifier_checks(
    inner: &ObservationExpr,
    qualifiers: &[Qualifier],
    errors: &mut Vec<PatternError>,
) {
    let mut seen: Vec<&'static str> = Vec::new();
    for q in qualifiers {
        let name = match &q.kind {
            QualifierKind::Within(seconds) => {
                if !seconds.is_positive() {
                    errors.push(PatternError::new(
                        ErrorKind::NonPositiveQualifier,
                        q.span.clone(),
                        "WITHIN needs a positive number of seconds",
                    ));
                }
                "WITHIN"
            }
            QualifierKind::Repeats(n) => {
                if *n <= 0 {
                    errors.push(PatternError::new(
                        ErrorKind::NonPositiveQualifier,
                        q.span.clone(),
                        "REPEATS needs a positive number of times",
                    ));
                }
                "REPEATS"
            }
            QualifierKind::StartStop { start, stop } => {
                if start >= stop {
                    errors.push(PatternError::new(
                        ErrorKind::StartNotBeforeStop,
                        q.span.clone(),
                        format!("START {start} is not before STOP {stop}"),
                    ));
                }
                "START/STOP"
            }
        };
        // The spec allows one qualifier of each kind on an observation expression; the OASIS
        // validator enforces it for bracketed expressions, and so does Charter.
        let bracketed = matches!(inner.kind, ObservationKind::Comparison(_));
        if bracketed && seen.contains(&name) {
            errors.push(PatternError::new(
                ErrorKind::DuplicateQualifier,
                q.span.clone(),
                format!("{name} is applied twice to the same observation expression"),
            ));
        }
        seen.push(name);
    }
}

fn comparison(e: &ComparisonExpr, errors: &mut Vec<PatternError>) {
    match &e.kind {
        ComparisonKind::And(items) | ComparisonKind::Or(items) => {
            items.iter().for_each(|i| comparison(i, errors))
        }
        ComparisonKind::Group(inner) => comparison(inner, errors),
        ComparisonKind::Test(t) => test(t, errors),
    }
}

fn test(t: &PropTest, errors: &mut Vec<PatternError>) {
    path(&t.path, errors);
    match &t.op {
        TestOp::Matches(re) => match check_matches(&re.value) {
            Ok(_) => {}
            Err(RegexError::Invalid(why)) => errors.push(PatternError::new(
                ErrorKind::InvalidRegex,
                re.span.clone(),
                format!("MATCHES operand is not a valid regular expression: {why}"),
            )),
            Err(RegexError::Unsupported(why)) => errors.push(PatternError::new(
                ErrorKind::UnsupportedRegex,
                re.span.clone(),
                why,
            )),
        },
        TestOp::IsSubset(s) | TestOp::IsSuperset(s) if parse_ip_or_net(&s.value).is_none() => {
            errors.push(PatternError::new(
                ErrorKind::InvalidAddress,
                s.span.clone(),
                format!("'{}' is not an IPv4 or IPv6 address or CIDR block", s.value),
            ));
        }
        TestOp::In(items) => set(items, errors),
        _ => {}
    }
    hash(t, errors);
}

/// An address or CIDR block, as `ISSUBSET`/`ISSUPERSET` take them.
/// Only a block has a `/` and only an address lacks one, so one parse decides.
pub(crate) fn parse_ip_or_net(s: &str) -> Option<ipnet::IpNet> {
    if s.contains('/') {
        s.parse::<ipnet::IpNet>().ok()
    } else {
        s.parse::<IpAddr>().ok().map(ipnet::IpNet::from)
    }
}

fn path(p: &ObjectPath, errors: &mut Vec<PatternError>) {
    let ty = &p.object_type;
    let well_formed = (3..=250).contains(&ty.len()) && type_format(ty);
    if !well_formed {
        errors.push(PatternError::new(
            ErrorKind::InvalidObjectType,
            p.type_span.clone(),
            format!("'{ty}' is not a valid object type: use 3-250 lower-case letters, digits and hyphens"),
        ));
    } else if non_observable(ty) {
        errors.push(PatternError::new(
            ErrorKind::InvalidObjectType,
            p.type_span.clone(),
            format!("'{ty}' is not a cyber-observable type: patterns match observed objects"),
        ));
    }
    if let Some(PathStep {
        kind: PathStepKind::Key { name, .. },
        span,
    }) = p.steps.first()
    {
        let ok = name == "id"
            || ((3..=250).contains(&name.len())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        if !ok {
            errors.push(PatternError::new(
                ErrorKind::InvalidPropertyName,
                span.clone(),
                format!("'{name}' is not a valid property name: use 3-250 lower-case letters, digits and '_'"),
            ));
        }
    }
    for step in &p.steps {
        if let PathStepKind::Index(n) = step.kind {
            if n < 0 {
                errors.push(PatternError::new(
                    ErrorKind::NegativeIndex,
                    step.span.clone(),
                    format!("list index {n} is negative"),
                ));
            }
        }
    }
    let in_hashes = p
        .steps
        .iter()
        .any(|s| matches!(&s.kind, PathStepKind::Key { name, .. } if name == "hashes"));
    if let Some(
        last @ PathStep {
            kind: PathStepKind::Index(_),
            ..
        },
    ) = p.steps.last()
    {
        if in_hashes {
            errors.push(PatternError::new(
                ErrorKind::InvalidHash,
                last.span.clone(),
                "hashes is a dictionary: select a hash by algorithm name, not by list index",
            ));
        }
    }
}

/// `^-?[a-z0-9]+(-[a-z0-9]+)*-?$`: runs of lower-case letters and digits joined by single
/// hyphens, optionally with one hyphen at either end.
fn type_format(ty: &str) -> bool {
    let core = ty.strip_prefix('-').unwrap_or(ty);
    let core = core.strip_suffix('-').unwrap_or(core).as_bytes();
    // Runs are non-empty exactly when no hyphen starts or ends the core or follows another.
    let (Some(&first), Some(&last)) = (core.first(), core.last()) else {
        return false;
    };
    first != b'-'
        && last != b'-'
        && !core.windows(2).any(|w| w == b"--")
        && core
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn set(items: &[Literal], errors: &mut Vec<PatternError>) {
    let Some(first) = items.first() else { return };
    for item in &items[1..] {
        if !same_set_type(&first.value, &item.value) {
            errors.push(PatternError::new(
                ErrorKind::MixedSet,
                item.span.clone(),
                format!(
                    "set mixes {} and {} values: every member must have the same type",
                    first.value.type_name(),
                    item.value.type_name()
                ),
            ));
            return;
        }
    }
}

/// Whether two set members have one type: numbers (integer or float) are one type, and so
/// are binary values written in hex or base64.
pub(crate) fn same_set_type(a: &LiteralValue, b: &LiteralValue) -> bool {
    let class = |v: &LiteralValue| match v {
        LiteralValue::Int(_) | LiteralValue::Float(_) => 0,
        LiteralValue::Str(_) => 1,
        LiteralValue::Bool(_) => 2,
        LiteralValue::Timestamp(_) => 3,
        LiteralValue::Hex(_) | LiteralValue::Binary(_) => 4,
    };
    class(a) == class(b)
}

/// The hash algorithms whose value format the OASIS validator checks, keyed by the name
/// upper-cased without hyphens, with the allowed value lengths (hex digits) or `None` for
/// SSDEEP.
const HASH_FORMATS: &[(&str, Option<&[usize]>)] = &[
    ("MD5", Some(&[32])),
    ("MD6", Some(&[32, 40, 56, 64, 96, 128])),
    ("RIPEMD160", Some(&[40])),
    ("SHA1", Some(&[40])),
    ("SHA224", Some(&[56])),
    ("SHA256", Some(&[64])),
    ("SHA384", Some(&[96])),
    ("SHA512", Some(&[128])),
    ("SHA3224", Some(&[56])),
    ("SHA3256", Some(&[64])),
    ("SHA3384", Some(&[96])),
    ("SHA3512", Some(&[128])),
    ("SSDEEP", None),
    ("WHIRLPOOL", Some(&[128])),
];

/// The value lengths [`HASH_FORMATS`] gives for `algorithm` upper-cased without hyphens, if
/// it lists it. ASCII names, the usual ones, are normalised on the stack; others take
/// Unicode upper-casing, under which e.g. `ſ` becomes `S`.
fn hash_format(algorithm: &str) -> Option<Option<&'static [usize]>> {
    let find = |name: &[u8]| {
        HASH_FORMATS
            .iter()
            .find(|(known, _)| known.as_bytes() == name)
            .map(|&(_, lengths)| lengths)
    };
    if !algorithm.is_ascii() {
        return find(algorithm.to_uppercase().replace('-', "").as_bytes());
    }
    // Longer than any listed name once normalised: not listed.
    let mut name = [0u8; 16];
    let mut len = 0;
    for b in algorithm.bytes().filter(|&b| b != b'-') {
        *name.get_mut(len)? = b.to_ascii_uppercase();
        len += 1;
    }
    find(&name[..len])
}

fn hash(t: &PropTest, errors: &mut Vec<PatternError>) {
    let steps = &t.path.steps;
    if !steps
        .iter()
        .any(|s| matches!(&s.kind, PathStepKind::Key { name, .. } if name == "hashes"))
    {
        return;
    }
    let Some(PathStep {
        kind: PathStepKind::Key {
            name: algorithm, ..
        },
        ..
    }) = steps.last()
    else {
        return;
    };
    let Some(lengths) = hash_format(algorithm) else {
        return;
    };
    let literals: &[Literal] = match &t.op {
        TestOp::Compare(_, lit) => std::slice::from_ref(lit),
        TestOp::In(items) => items,
        _ => return,
    };
    for lit in literals {
        let ok = match &lit.value {
            LiteralValue::Str(s) => match lengths {
                Some(lengths) => {
                    lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
                }
                None => {
                    (1..=128).contains(&s.len())
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"/+:.".contains(&b))
                }
            },
            _ => false,
        };
        if !ok {
            errors.push(PatternError::new(
                ErrorKind::InvalidHash,
                lit.span.clone(),
                format!("value is not a valid {algorithm} hash"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_names_are_normalised_as_the_validator_does() {
        assert_eq!(hash_format("SHA-256"), Some(Some(&[64][..])));
        assert_eq!(hash_format("sha-2-5-6"), Some(Some(&[64][..])));
        assert_eq!(hash_format("ssdeep"), Some(None));
        assert_eq!(hash_format("\u{17f}ha256"), Some(Some(&[64][..])));
        assert_eq!(hash_format("SHA-256-but-much-longer"), None);
        assert_eq!(hash_format("TLSH"), None);
    }

    #[test]
    fn object_type_format() {
        for ok in ["ipv4-addr", "-x-custom-", "a1", "x"] {
            assert!(type_format(ok), "{ok}");
        }
        for bad in ["", "-", "--", "a--b", "A", "a_b", "--a", "a--"] {
            assert!(!type_format(bad), "{bad}");
        }
        assert!(non_observable("indicator") && !non_observable("ipv4-addr"));
    }
}
