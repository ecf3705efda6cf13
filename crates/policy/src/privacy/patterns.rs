//! The candidate patterns, one table for the whole detector.
//!
//! Each row is compiled into the one multi-pattern automaton, and its
//! [`Check`] names the validator that confirms a candidate. Patterns use
//! ASCII classes and ASCII word boundaries (`(?-u:\b)`), never Unicode `\d`,
//! `\s` or `\b`: those would make the lazy DFA give up on non-ASCII text and
//! fall back to a slower engine, and a Unicode digit is no phone number.
//!
//! Where a pattern must start at a punctuation mark (`+44`, `(020)`), it is
//! preceded by `(?-u:\B)`, which holds only when the character before is not
//! a word character either; this is how a look-behind is spelled without one.
//!
//! Row order is priority: when two rows match at the same start, the earlier
//! wins (leftmost-first), and the detector retries the others if its
//! validator rejects the candidate.

use super::PiiKind;

/// The validator a candidate of a row must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Check {
    /// An e-mail address; rejects file names such as `icon@2x.png` and
    /// scp-style remotes such as `git@github.com:org/repo.git`.
    Email,
    /// A user name after `X:\Users\` or `X:\Documents and Settings\`.
    WindowsProfile,
    /// A user name after `/home/` or `/Users/`.
    UnixHome,
    /// Per-country length and mod 97.
    Iban,
    /// Luhn, issuer range, digit grouping.
    Card,
    /// Area/group/serial rules on a separated SSN.
    Ssn,
    /// Area/group/serial rules on the 9 digits that follow an SSN keyword.
    SsnKeyword,
    /// Prefix and suffix rules.
    Nino,
    /// The weighted checksum on a separated TFN.
    Tfn,
    /// The checksum on the 8 or 9 digits that follow a TFN keyword.
    TfnKeyword,
    /// An international number: `+` or `00`, country code, 8 to 15 digits.
    PhoneInternational,
    /// A UK or AU national number with its trunk `0`.
    PhoneNational,
    /// A separated NANP number, optionally with its leading `1`.
    PhoneUs,
    /// An AU `1300` or `1800` number.
    PhoneAuService,
    /// A bare ten-digit NANP number after a phone keyword.
    PhoneKeyword,
    /// A street line: state code and ZIP code when present.
    Address,
    /// A postcode in a real postcode area.
    Postcode,
}

/// One row of the pattern table.
pub(super) struct Row {
    /// What a confirmed candidate is.
    pub kind: PiiKind,
    /// The validator.
    pub check: Check,
    /// The regular expression (regex-syntax dialect).
    pub regex: &'static str,
}

/// Separators inside phone numbers: space, dot, dash.
macro_rules! sep {
    () => {
        r"[ .\-]"
    };
}

/// The street suffixes a US-style street line ends with. Abbreviations may
/// carry a period.
macro_rules! street_suffix {
    () => {
        concat!(
            r"(?:(?:Street|Avenue|Road|Boulevard|Lane|Drive|Court|Place|Terrace|Circle|",
            r"Parkway|Highway|Square|Trail|Plaza|Alley|Way|Loop|Pike|Crescent|Close)(?-u:\b)",
            r"|(?:St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Ter|Cir|Pkwy|Hwy|Sq|Trl|Plz)(?-u:\b)\.?)"
        )
    };
}

/// The pattern table, in priority order.
pub(super) const ROWS: &[Row] = &[
    Row {
        kind: PiiKind::Email,
        check: Check::Email,
        regex: concat!(
            r"[A-Za-z0-9][A-Za-z0-9._%+'\-]*",
            r"(?:@|\[@\]|\(@\)|\[at\]|\(at\))",
            r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?",
            r"(?:(?:\.|\[\.\]|\[dot\]|\(dot\))[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*",
            r"(?:\.|\[\.\]|\[dot\]|\(dot\))[A-Za-z]{2,24}(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::PathUsername,
        check: Check::WindowsProfile,
        regex: concat!(
            r"(?-u:\b)[A-Za-z]:(?:\\\\?|/)(?i:Users|Documents and Settings)(?:\\\\?|/)",
            r#"(?:[^\\/:*?"<>|\x00-\x20,;'`()\[\]{}]+(?: [^\\/:*?"<>|\x00-\x20,;'`()\[\]{}]+){1,2}"#,
            r"(?:\\|/)",
            r#"|[^\\/:*?"<>|\x00-\x20,;'`()\[\]{}]+)"#
        ),
    },
    Row {
        kind: PiiKind::PathUsername,
        check: Check::UnixHome,
        regex: concat!(
            r"/(?:home|Users)/",
            r"(?:[A-Za-z0-9._\-]+(?: [A-Za-z0-9._\-]+){1,2}/|[A-Za-z0-9._\-]+)"
        ),
    },
    Row {
        kind: PiiKind::Iban,
        check: Check::Iban,
        regex: r"(?-u:\b)[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?-u:\b)",
    },
    Row {
        kind: PiiKind::PaymentCard,
        check: Check::Card,
        regex: concat!(
            r"(?-u:\b)(?:[0-9]{13,19}",
            r"|[0-9]{4}(?: [0-9]{4}){2}(?: [0-9]{1,4})(?: [0-9]{1,3})?",
            r"|[0-9]{4}(?:-[0-9]{4}){2}(?:-[0-9]{1,4})(?:-[0-9]{1,3})?",
            r"|[0-9]{4}[ \-][0-9]{6}[ \-][0-9]{4,5})(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::UsSsn,
        check: Check::Ssn,
        regex: r"(?-u:\b)(?:[0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{3} [0-9]{2} [0-9]{4})(?-u:\b)",
    },
    Row {
        kind: PiiKind::AuTfn,
        check: Check::Tfn,
        regex: r"(?-u:\b)(?:[0-9]{3} [0-9]{3} [0-9]{3}|[0-9]{3}-[0-9]{3}-[0-9]{3})(?-u:\b)",
    },
    Row {
        kind: PiiKind::UkNino,
        check: Check::Nino,
        regex: concat!(
            r"(?-u:\b)(?:[A-Z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D]",
            r"|[a-z]{2}[0-9]{6}[a-d])(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::Phone,
        check: Check::PhoneInternational,
        regex: concat!(
            r"(?:(?-u:\B)\+|(?-u:\b)00)[1-9][0-9]{0,2}(?:",
            sep!(),
            r"?\(0\))?(?:",
            sep!(),
            r"?(?:\([0-9]{1,5}\)|[0-9]{1,5})){1,6}(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::Phone,
        check: Check::PhoneNational,
        regex: concat!(
            r"(?:(?-u:\B)\(0[0-9]{1,4}\)|(?-u:\b)0[0-9]{1,4})(?:",
            sep!(),
            r"?[0-9]{2,4}){1,3}(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::Phone,
        check: Check::PhoneUs,
        regex: concat!(
            r"(?:(?-u:\b)1",
            sep!(),
            r"?)?(?:(?-u:\B)\([2-9][0-9]{2}\)",
            sep!(),
            r"?|(?-u:\b)[2-9][0-9]{2}",
            sep!(),
            r")[0-9]{3}",
            sep!(),
            r"[0-9]{4}(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::Phone,
        check: Check::PhoneAuService,
        regex: concat!(r"(?-u:\b)1[38]00(?:", sep!(), r"?[0-9]{3}){2}(?-u:\b)"),
    },
    Row {
        kind: PiiKind::UsAddress,
        check: Check::Address,
        regex: concat!(
            r"(?-u:\b)[0-9]{1,6}[A-Z]?(?:-[0-9]{1,4})? ",
            r"(?:(?:[NSEW]\.?|North|South|East|West) )?",
            r"(?:(?:[A-Z][a-z]+|[A-Z]{2,}|[0-9]{1,3}(?:st|nd|rd|th)) ){0,3}",
            r"(?:[A-Z][a-z]+|[0-9]{1,3}(?:st|nd|rd|th)) ",
            street_suffix!(),
            r"(?: (?:NW|NE|SW|SE|N|S|E|W)(?-u:\b))?",
            r"(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|Room|Rm)\.? ?[A-Z0-9][A-Za-z0-9\-]{0,5}",
            r"|,? #[A-Z0-9][A-Za-z0-9\-]{0,5})?",
            r"(?:,? [A-Z][a-z]+(?: [A-Z][a-z]+){0,2},? [A-Z]{2}(?: [0-9]{5}(?:-[0-9]{4})?)?(?-u:\b))?"
        ),
    },
    Row {
        kind: PiiKind::UkPostcode,
        check: Check::Postcode,
        regex: concat!(
            r"(?-u:\b)(?:[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}",
            r"|[a-z]{1,2}[0-9][a-z0-9]? ?[0-9][abd-hjlnp-uw-z]{2}|GIR ?0AA)(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::UsSsn,
        check: Check::SsnKeyword,
        regex: concat!(
            r"(?-u:\b)(?i:ssn|ss#|social security (?:number|no\.?|#))",
            r"[^0-9\n]{0,12}[0-9]{9}(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::AuTfn,
        check: Check::TfnKeyword,
        regex: concat!(
            r"(?-u:\b)(?i:tfn|tax file (?:number|no\.?|#))",
            r"[^0-9\n]{0,12}[0-9]{8,9}(?-u:\b)"
        ),
    },
    Row {
        kind: PiiKind::Phone,
        check: Check::PhoneKeyword,
        regex: concat!(
            r"(?-u:\b)(?i:phone|tel|telephone|mobile|mob|cell|call|fax|sms|whatsapp|contact)",
            r"[^0-9\n]{0,16}1?[2-9][0-9]{9}(?-u:\b)"
        ),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_compiles_alone() {
        for row in ROWS {
            let built = regex_automata::meta::Regex::new(row.regex);
            assert!(built.is_ok(), "{:?}: {:?}", row.check, built.err());
        }
    }

    #[test]
    fn every_kind_has_a_row() {
        for kind in PiiKind::ALL {
            assert!(ROWS.iter().any(|r| r.kind == kind), "{kind}");
        }
    }
}
