//! The privacy filter: detectors for personal data in free text and SCO
//! values, and the policy that turns findings into redactions or review.
//!
//! The key design decision: **one pass of one multi-pattern automaton finds
//! candidates for every kind, and exact validators decide**. The automaton
//! (`regex-automata`'s meta engine, built from the table in `patterns`) is
//! deliberately a little generous; the validators then apply the rules a
//! regular expression cannot express — Luhn and issuer ranges for cards,
//! mod 97 and per-country lengths for IBANs, the area/group/serial rules for
//! SSNs, the NINO prefix rules, the TFN weights, numbering plans for phones,
//! postcode areas and state codes — and the context rules that keep hashes,
//! IP addresses, versions, timestamps, CVE and ATT&CK ids, ports and UUIDs
//! from firing. A rejected candidate does not hide a valid one of another
//! kind at the same place: the detector retries the other patterns anchored
//! there before it moves on.
//!
//! Findings are byte spans with a [`PiiKind`]. What happens to them is a
//! separate, pure decision: a [`PrivacyPolicy`] maps each kind and
//! [`FieldClass`] to an [`Action`], and [`redact`] applies it, replacing each
//! redacted span with a visible marker such as `[REDACTED:email]`. For a user
//! name inside a path only the name is a finding, so the path keeps its
//! shape: `C:\Users\[REDACTED:path-username]\AppData`.
//!
//! Values on the attacker's side (a phishing sender in an indicator pattern)
//! are never redacted silently: under the default policy every kind found in
//! a [`FieldClass::IndicatorValue`] goes to review.
//!
//! What is deliberately not found, because the bare form is too often
//! something else in threat reports (event ids, sizes, error codes): a bare
//! 9-digit SSN or TFN and a bare 10-digit US phone number, unless a keyword
//! (`SSN`, `TFN`, `phone`, `tel`, `call`, …) comes just before it. National
//! formats other than the UK's, the US's and Australia's are found only in
//! international form (`+33 …`, `0033 …`). Street lines are found in the US
//! shape only (number, name, suffix); PO boxes are not.

mod detector;
mod numbers;
mod object;
mod patterns;
mod phone;
mod places;
mod policy;

use std::fmt;
use std::ops::Range;

pub use detector::Detector;
pub use object::{Context, FieldFinding, Filtered, filter_object};
pub use policy::{Action, FieldClass, PrivacyPolicy, Redacted, marker, redact};

/// A kind of personal data the detector recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PiiKind {
    /// An e-mail address, also in the defanged forms `[@]`, `[at]`, `[.]`.
    Email,
    /// A phone number: E.164 (`+44 20 7946 0958`), or a UK, US or AU
    /// national number.
    Phone,
    /// A US Social Security number that obeys the area/group/serial rules.
    UsSsn,
    /// A UK National Insurance number with an allocatable prefix.
    UkNino,
    /// An Australian Tax File Number whose weighted checksum holds.
    AuTfn,
    /// A payment card number: Luhn-valid, in a known issuer range.
    PaymentCard,
    /// An IBAN of the right length for its country whose mod-97 check holds.
    Iban,
    /// A UK postcode in a real postcode area.
    UkPostcode,
    /// A US-style street line: house number, street name, suffix, and the
    /// city, state and ZIP code when they follow. UK lines of the same shape
    /// (`14 Station Road`) are found too.
    UsAddress,
    /// The user name inside a profile path (`C:\Users\NAME\…`,
    /// `/home/NAME/…`, `/Users/NAME/…`); the finding covers the name only.
    /// Profiles that belong to no person (`Public`, `Default`, `%USERNAME%`,
    /// the default accounts of cloud images such as `ubuntu`) and paths
    /// inside URLs are not findings.
    PathUsername,
}

impl PiiKind {
    /// Every kind, in declaration order.
    pub const ALL: [PiiKind; 10] = [
        PiiKind::Email,
        PiiKind::Phone,
        PiiKind::UsSsn,
        PiiKind::UkNino,
        PiiKind::AuTfn,
        PiiKind::PaymentCard,
        PiiKind::Iban,
        PiiKind::UkPostcode,
        PiiKind::UsAddress,
        PiiKind::PathUsername,
    ];

    /// The stable name used in redaction markers, corpora and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            PiiKind::Email => "email",
            PiiKind::Phone => "phone",
            PiiKind::UsSsn => "us-ssn",
            PiiKind::UkNino => "uk-nino",
            PiiKind::AuTfn => "au-tfn",
            PiiKind::PaymentCard => "payment-card",
            PiiKind::Iban => "iban",
            PiiKind::UkPostcode => "uk-postcode",
            PiiKind::UsAddress => "us-address",
            PiiKind::PathUsername => "path-username",
        }
    }

    /// The kind with the given [`as_str`](Self::as_str) name, if any.
    pub fn from_name(name: &str) -> Option<PiiKind> {
        PiiKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the kind has a fixed structure and a check that makes false
    /// positives rare (everything except postcodes and street addresses).
    pub fn is_structured(self) -> bool {
        !matches!(self, PiiKind::UkPostcode | PiiKind::UsAddress)
    }

    /// The position of the kind in [`ALL`](Self::ALL), for table lookups.
    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of personal data found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    /// What was found.
    pub kind: PiiKind,
    /// Where, in bytes; both ends lie on `char` boundaries of the scanned text.
    pub span: Range<usize>,
}

impl Finding {
    /// The found value, or `None` if the span does not fit `text` (a finding
    /// applied to a different text than the one scanned).
    pub fn value<'t>(&self, text: &'t str) -> Option<&'t str> {
        text.get(self.span.clone())
    }
}
