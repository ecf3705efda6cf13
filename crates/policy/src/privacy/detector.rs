//! The detector: one multi-pattern automaton over the text, then the
//! validators on each candidate.
//!
//! The scan is a loop of leftmost-first searches. A confirmed candidate
//! becomes a [`Finding`] and the search resumes after it, so findings never
//! overlap. A rejected candidate is first re-tried with every other pattern
//! anchored at the same start (a Luhn-failing 16-digit run may still be
//! something else), then the search resumes one character later, so a
//! rejection never hides a later match. Candidate lengths are bounded by
//! the patterns, except an e-mail's local part; a rejected e-mail resumes
//! after its end, since every suffix of it shares its domain.

use std::ops::Range;
use std::sync::LazyLock;

use regex_automata::meta::{self, Regex};
use regex_automata::{Anchored, Input, Match, MatchKind, PatternID, PatternSet};

use super::patterns::{Check, ROWS, Row};
use super::phone::Plan;
use super::{Finding, numbers, phone, places};

/// The compiled detector. Build it once (it compiles every pattern) and
/// share it: it is `Send + Sync`, and [`Detector::shared`] keeps one for
/// the whole process.
#[derive(Debug)]
pub struct Detector {
    /// All rows of the pattern table as one automaton; pattern id = row index.
    automaton: Regex,
    /// The same rows with every match reported, to learn in one anchored
    /// search which other rows match where a candidate was rejected.
    every_row: Regex,
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new()
    }
}

impl Detector {
    /// Compiles the detector.
    pub fn new() -> Detector {
        let sources: Vec<&str> = ROWS.iter().map(|r| r.regex).collect();
        let build = |kind: MatchKind| {
            Regex::builder()
                .configure(
                    meta::Config::new()
                        .match_kind(kind)
                        .hybrid_cache_capacity(8 << 20),
                )
                .build_many(&sources)
                .expect("the pattern table is fixed and its unit test compiles every row")
        };
        Detector {
            automaton: build(MatchKind::LeftmostFirst),
            every_row: build(MatchKind::All),
        }
    }

    /// The process-wide detector, compiled on first use.
    pub fn shared() -> &'static Detector {
        static SHARED: LazyLock<Detector> = LazyLock::new(Detector::new);
        &SHARED
    }

    /// Every piece of personal data in `text`, in order, without overlaps.
    /// Spans are byte ranges on `char` boundaries of `text`.
    pub fn scan(&self, text: &str) -> Vec<Finding> {
        let mut findings = Vec::new();
        if !may_hold_pii(text.as_bytes()) {
            return findings;
        }
        let mut at = 0;
        while at < text.len() {
            let input = Input::new(text).range(at..);
            let Some(m) = self.automaton.search(&input) else {
                break;
            };
            match self.confirm_here(text, m) {
                Some(found) => {
                    at = found.span.end.max(at + 1);
                    findings.push(found);
                }
                None if row(m.pattern()).check == Check::Email => at = m.end(),
                None => at = next_char(text, m.start()),
            }
        }
        findings
    }

    /// Confirms the candidate `m`, or another pattern's candidate at the
    /// same start.
    fn confirm_here(&self, text: &str, m: Match) -> Option<Finding> {
        if let Some(found) = confirm(text, row(m.pattern()), m.range()) {
            return Some(found);
        }
        let mut rows = PatternSet::new(ROWS.len());
        let here = Input::new(text).range(m.start()..).anchored(Anchored::Yes);
        self.every_row.which_overlapping_matches(&here, &mut rows);
        rows.iter()
            .filter(|&pid| pid != m.pattern())
            .find_map(|pid| {
                let input = here.clone().anchored(Anchored::Pattern(pid));
                let other = self.automaton.search(&input)?;
                confirm(text, row(pid), other.range())
            })
    }
}

/// The table row of a pattern id.
fn row(pid: PatternID) -> &'static Row {
    // The automaton is built from ROWS, so every id it reports indexes it.
    &ROWS[pid.as_usize()]
}

/// Every pattern needs a digit, an `@`, a path separator or a defanged
/// `[at]`/`(at)`; text with none of these cannot hold a finding.
fn may_hold_pii(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .any(|&b| b.is_ascii_digit() || matches!(b, b'@' | b'\\' | b'/' | b'[' | b'('))
}

/// The next `char` boundary after `i`.
fn next_char(text: &str, i: usize) -> usize {
    let mut j = i + 1;
    while j < text.len() && !text.is_char_boundary(j) {
        j += 1;
    }
    j
}

/// Runs the row's validator on the candidate at `m` and returns the finding
/// (whose span may be narrower than `m`: the name inside a path, the
/// digits after a keyword, a phone without a trailing group).
fn confirm(text: &str, row: &Row, m: Range<usize>) -> Option<Finding> {
    let candidate = text.get(m.clone())?;
    let relative: Range<usize> = match row.check {
        Check::Email => {
            places::email(candidate, text.get(m.end..)?).then_some(0..candidate.len())?
        }
        Check::WindowsProfile => places::windows_profile(candidate)?,
        Check::UnixHome => places::unix_home(text.get(..m.start)?, candidate)?,
        Check::Iban => 0..numbers::iban(candidate)?,
        Check::Card => numbers::card(candidate).then_some(0..candidate.len())?,
        Check::Ssn => numbers::ssn(candidate).then_some(0..candidate.len())?,
        Check::SsnKeyword => {
            let digits = trailing_digits(candidate);
            numbers::ssn(&candidate[digits.clone()]).then_some(digits)?
        }
        Check::Nino => numbers::nino(candidate).then_some(0..candidate.len())?,
        Check::Tfn => numbers::tfn(candidate).then_some(0..candidate.len())?,
        Check::TfnKeyword => {
            let digits = trailing_digits(candidate);
            numbers::tfn(&candidate[digits.clone()]).then_some(digits)?
        }
        Check::PhoneInternational => 0..phone::accept(Plan::International, candidate)?,
        Check::PhoneNational => 0..phone::accept(Plan::National, candidate)?,
        Check::PhoneUs => 0..phone::accept(Plan::Us, candidate)?,
        Check::PhoneAuService => 0..phone::accept(Plan::AuService, candidate)?,
        Check::PhoneKeyword => phone::after_keyword(candidate)?,
        Check::Address => places::address(candidate).then_some(0..candidate.len())?,
        Check::Postcode => places::postcode(candidate).then_some(0..candidate.len())?,
    };
    let span = m.start + relative.start..m.start + relative.end;
    let needs_standalone = !matches!(
        row.check,
        Check::Email | Check::WindowsProfile | Check::UnixHome | Check::Address
    );
    if needs_standalone && !standalone(text.as_bytes(), &span) {
        return None;
    }
    Some(Finding {
        kind: row.kind,
        span,
    })
}

/// The run of ASCII digits that ends `s`.
fn trailing_digits(s: &str) -> Range<usize> {
    let start = s
        .bytes()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    start..s.len()
}

/// Whether a number at `span` stands alone rather than being one part of a
/// longer dotted or dashed token: `1.2.555-123-4567`, `…4567.8`,
/// `0958-12`, `4567:8443`. A trailing full stop or colon before a space is
/// punctuation and allowed.
fn standalone(text: &[u8], span: &Range<usize>) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    if span.start > 0 {
        let before = text[span.start - 1];
        if word(before) {
            return false;
        }
        if matches!(before, b'.' | b'-') && span.start >= 2 && word(text[span.start - 2]) {
            return false;
        }
    }
    if let Some(&after) = text.get(span.end) {
        if word(after) {
            return false;
        }
        if matches!(after, b'.' | b'-' | b':')
            && text.get(span.end + 1).is_some_and(u8::is_ascii_digit)
        {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::PiiKind;

    fn found(text: &str) -> Vec<(PiiKind, &str)> {
        Detector::shared()
            .scan(text)
            .into_iter()
            .map(|f| (f.kind, &text[f.span]))
            .collect()
    }

    #[test]
    fn finds_one_of_each_kind() {
        let text = "Mail j.smith@hospital.nhs.uk or call +44 20 7946 0958; SSN 536-22-8726, \
                    NI AB 12 34 56 C, TFN 123 456 782, card 4111 1111 1111 1111, \
                    IBAN GB82 WEST 1234 5698 7654 32, post to SW1A 1AA or 742 Evergreen Terrace, \
                    dropped in C:\\Users\\jsmith\\AppData.";
        assert_eq!(
            found(text),
            vec![
                (PiiKind::Email, "j.smith@hospital.nhs.uk"),
                (PiiKind::Phone, "+44 20 7946 0958"),
                (PiiKind::UsSsn, "536-22-8726"),
                (PiiKind::UkNino, "AB 12 34 56 C"),
                (PiiKind::AuTfn, "123 456 782"),
                (PiiKind::PaymentCard, "4111 1111 1111 1111"),
                (PiiKind::Iban, "GB82 WEST 1234 5698 7654 32"),
                (PiiKind::UkPostcode, "SW1A 1AA"),
                (PiiKind::UsAddress, "742 Evergreen Terrace"),
                (PiiKind::PathUsername, "jsmith"),
            ]
        );
    }

    #[test]
    fn hard_negatives_stay_quiet() {
        let text = "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 \
                    from 10.0.0.1:8443 running v2.3.14 at 2024-05-01T12:00:00Z exploiting \
                    CVE-2024-3400 via T1566.001, id 123e4567-e89b-12d3-a456-426614174000, \
                    number 4111 1111 1111 1112, IBAN GB83 WEST 1234 5698 7654 32, port 443.";
        assert_eq!(found(text), vec![]);
    }

    #[test]
    fn a_rejected_candidate_does_not_hide_another_kind() {
        // A 16-digit run that fails Luhn, then a valid phone right after.
        assert_eq!(
            found("ref 1234567812345678 then 020 7946 0958"),
            vec![(PiiKind::Phone, "020 7946 0958")]
        );
        // An IBAN with a bad checksum, then a postcode.
        assert_eq!(
            found("GB83 WEST 1234 5698 7654 32 at SW1A 1AA."),
            vec![(PiiKind::UkPostcode, "SW1A 1AA")]
        );
    }

    #[test]
    fn text_without_triggers_is_skipped() {
        assert!(!may_hold_pii(b"no digits, no at sign, no separators here"));
        assert!(found("plain words only").is_empty());
    }
}
