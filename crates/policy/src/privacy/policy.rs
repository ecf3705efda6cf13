//! What to do with findings: the action table per kind and field class, and
//! the redaction that applies it.
//!
//! The defaults are the safe ones. Structured identifiers and user names in
//! paths are redacted in free text and personal SCO values; postcodes and
//! street lines, whose detectors are less certain, go to review; anything
//! found in an attacker-side indicator value goes to review, never silently
//! redacted, because rewriting a phishing sender would break the indicator.

use super::{Finding, PiiKind};

/// What happens to a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Replace the value with a visible marker such as `[REDACTED:email]`.
    Redact,
    /// Keep the value but hold the object for a reviewer.
    Review,
    /// Keep the value; share as is.
    Allow,
}

/// The kind of field a text comes from; the same value can be a victim's
/// data in one field and the attacker's in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldClass {
    /// Descriptions, names, notes, report bodies.
    FreeText,
    /// SCO values that can identify a person: a victim's e-mail address, a
    /// user account, a file path with a profile folder.
    PersonalSco,
    /// Attacker-side values, such as pattern comparison values or the
    /// sender of a phishing mail.
    IndicatorValue,
}

impl FieldClass {
    /// Every field class.
    pub const ALL: [FieldClass; 3] = [
        FieldClass::FreeText,
        FieldClass::PersonalSco,
        FieldClass::IndicatorValue,
    ];

    /// The position of the class in [`ALL`](Self::ALL).
    fn index(self) -> usize {
        self as usize
    }
}

/// The action for every kind in every field class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyPolicy {
    /// `table[kind][class]`.
    table: [[Action; 3]; 10],
}

impl Default for PrivacyPolicy {
    fn default() -> Self {
        let mut table = [[Action::Review; 3]; 10];
        for kind in PiiKind::ALL {
            let personal = if kind.is_structured() {
                Action::Redact
            } else {
                Action::Review
            };
            table[kind.index()] = [personal, personal, Action::Review];
        }
        PrivacyPolicy { table }
    }
}

impl PrivacyPolicy {
    /// The action for a finding of `kind` in a field of `class`.
    pub fn action(&self, kind: PiiKind, class: FieldClass) -> Action {
        self.table[kind.index()][class.index()]
    }

    /// Sets the action for `kind` in fields of `class`.
    pub fn set(&mut self, kind: PiiKind, class: FieldClass, action: Action) {
        self.table[kind.index()][class.index()] = action;
    }
}

/// The outcome of [`redact`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    /// The text with every redacted span replaced by its marker.
    pub text: String,
    /// The findings that were redacted, in text order.
    pub redacted: Vec<Finding>,
    /// The findings a reviewer must see before release, in text order; their
    /// values are still in `text`.
    pub review: Vec<Finding>,
}

impl Redacted {
    /// Whether the text must be held for review before release.
    pub fn needs_review(&self) -> bool {
        !self.review.is_empty()
    }
}

/// The marker that replaces a redacted value of `kind`.
pub fn marker(kind: PiiKind) -> String {
    format!("[REDACTED:{}]", kind.as_str())
}

/// Applies `policy` to the `findings` in `text` (a field of `class`):
/// redacted spans become `[REDACTED:kind]`, review findings are listed and
/// left in place, allowed ones are dropped.
///
/// Findings need not be sorted. A finding whose span does not fit `text`
/// (out of bounds, or not on `char` boundaries) is ignored rather than
/// trusted. Where redacted spans overlap, the union is redacted, so no
/// byte of any redacted value survives.
pub fn redact(
    text: &str,
    findings: &[Finding],
    policy: &PrivacyPolicy,
    class: FieldClass,
) -> Redacted {
    let mut usable: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.span.start < f.span.end && text.get(f.span.clone()).is_some())
        .collect();
    usable.sort_by_key(|f| (f.span.start, std::cmp::Reverse(f.span.end)));

    let mut out = String::with_capacity(text.len());
    let mut redacted = Vec::new();
    let mut review = Vec::new();
    // Everything before `copied` is already in `out`, as text or as a marker.
    let mut copied = 0;
    for finding in usable {
        match policy.action(finding.kind, class) {
            Action::Allow => {}
            Action::Review => review.push(finding.clone()),
            Action::Redact => {
                if finding.span.end <= copied {
                    // Inside a span already redacted.
                    redacted.push(finding.clone());
                    continue;
                }
                let start = finding.span.start.max(copied);
                out.push_str(&text[copied..start]);
                out.push_str(&marker(finding.kind));
                copied = finding.span.end;
                redacted.push(finding.clone());
            }
        }
    }
    out.push_str(&text[copied..]);
    Redacted {
        text: out,
        redacted,
        review,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(kind: PiiKind, span: std::ops::Range<usize>) -> Finding {
        Finding { kind, span }
    }

    #[test]
    fn defaults_are_safe() {
        let p = PrivacyPolicy::default();
        for kind in PiiKind::ALL {
            assert_eq!(
                p.action(kind, FieldClass::IndicatorValue),
                Action::Review,
                "{kind}"
            );
        }
        assert_eq!(
            p.action(PiiKind::Email, FieldClass::FreeText),
            Action::Redact
        );
        assert_eq!(
            p.action(PiiKind::PathUsername, FieldClass::PersonalSco),
            Action::Redact
        );
        assert_eq!(
            p.action(PiiKind::UkPostcode, FieldClass::FreeText),
            Action::Review
        );
        assert_eq!(
            p.action(PiiKind::UsAddress, FieldClass::PersonalSco),
            Action::Review
        );
    }

    #[test]
    fn set_changes_one_cell() {
        let mut p = PrivacyPolicy::default();
        p.set(PiiKind::Phone, FieldClass::FreeText, Action::Allow);
        assert_eq!(
            p.action(PiiKind::Phone, FieldClass::FreeText),
            Action::Allow
        );
        assert_eq!(
            p.action(PiiKind::Phone, FieldClass::PersonalSco),
            Action::Redact
        );
    }

    #[test]
    fn redacts_reviews_and_allows() {
        let text = "mail a@b.com from SW1A 1AA";
        let findings = [f(PiiKind::UkPostcode, 18..26), f(PiiKind::Email, 5..12)];
        let out = redact(
            text,
            &findings,
            &PrivacyPolicy::default(),
            FieldClass::FreeText,
        );
        assert_eq!(out.text, "mail [REDACTED:email] from SW1A 1AA");
        assert_eq!(out.redacted, vec![f(PiiKind::Email, 5..12)]);
        assert_eq!(out.review, vec![f(PiiKind::UkPostcode, 18..26)]);
        assert!(out.needs_review());

        let out = redact(
            text,
            &findings,
            &PrivacyPolicy::default(),
            FieldClass::IndicatorValue,
        );
        assert_eq!(out.text, text);
        assert_eq!(out.review.len(), 2);
    }

    #[test]
    fn path_keeps_its_shape() {
        let text = r"C:\Users\jsmith\AppData";
        let out = redact(
            text,
            &[f(PiiKind::PathUsername, 9..15)],
            &PrivacyPolicy::default(),
            FieldClass::PersonalSco,
        );
        assert_eq!(out.text, r"C:\Users\[REDACTED:path-username]\AppData");
    }

    #[test]
    fn overlapping_and_bad_spans() {
        let text = "0123456789 é";
        let findings = [
            f(PiiKind::Phone, 0..6),
            f(PiiKind::PaymentCard, 4..10),
            f(PiiKind::Email, 2..3),
            f(PiiKind::Email, 11..12),
            f(PiiKind::Email, 5..99),
        ];
        let out = redact(
            text,
            &findings,
            &PrivacyPolicy::default(),
            FieldClass::FreeText,
        );
        assert_eq!(out.text, "[REDACTED:phone][REDACTED:payment-card] é");
        assert_eq!(out.redacted.len(), 3);
    }
}
