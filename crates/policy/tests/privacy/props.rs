//! Properties of the detector and of redaction on arbitrary text: the scan
//! never panics, its spans lie inside the text on `char` boundaries, in
//! order and without overlap, and redaction replaces exactly the redacted
//! spans, so no redacted value survives except where the same characters
//! also stand outside every redacted span.

use charter_policy::privacy::{
    Action, Detector, FieldClass, Finding, PiiKind, PrivacyPolicy, marker, redact,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Text that looks like the data the detector hunts for: digits and
/// separators, letters, `@`, path characters, a few multi-byte characters.
fn near_miss_text() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "0",
        "1",
        "4",
        "5",
        "7",
        "9",
        " ",
        "-",
        ".",
        "(",
        ")",
        "+",
        "@",
        "\\",
        "/",
        ":",
        "A",
        "B",
        "G",
        "S",
        "W",
        "Z",
        "a",
        "x",
        "é",
        "Ω",
        "🦀",
        "\n",
        "C:\\Users\\",
        "/home/",
        "+44 ",
        "GB82 ",
        "4111 ",
        "Street",
        " St.",
        ", DC 20500",
        "[at]",
        "[.]",
        ".com",
        "SSN ",
        "TFN ",
        "phone ",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

fn every_kind_redacted() -> PrivacyPolicy {
    let mut policy = PrivacyPolicy::default();
    for kind in PiiKind::ALL {
        for class in [
            FieldClass::FreeText,
            FieldClass::PersonalSco,
            FieldClass::IndicatorValue,
        ] {
            policy.set(kind, class, Action::Redact);
        }
    }
    policy
}

fn check_spans(text: &str, found: &[Finding]) {
    let mut last_end = 0;
    for f in found {
        assert!(f.span.start < f.span.end, "empty span {f:?}");
        assert!(f.span.end <= text.len(), "{f:?} beyond {}", text.len());
        assert!(
            text.is_char_boundary(f.span.start) && text.is_char_boundary(f.span.end),
            "{f:?}"
        );
        assert!(f.span.start >= last_end, "overlap or disorder at {f:?}");
        last_end = f.span.end;
    }
}

/// `text` with each span replaced by `\0`: what stands outside them.
fn outside(text: &str, found: &[Finding]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.span.start]);
        out.push('\0');
        at = f.span.end;
    }
    out.push_str(&text[at..]);
    out
}

fn check_redaction(text: &str, found: &[Finding]) {
    let out = redact(text, found, &every_kind_redacted(), FieldClass::FreeText);
    assert_eq!(out.redacted.as_slice(), found);
    let mut expected = text.to_owned();
    for f in found.iter().rev() {
        expected.replace_range(f.span.clone(), &marker(f.kind));
    }
    assert_eq!(out.text, expected);
    let mut stripped = out.text.clone();
    for kind in PiiKind::ALL {
        stripped = stripped.replace(&marker(kind), "\0");
    }
    let kept = outside(text, found);
    for f in found {
        let value = &text[f.span.clone()];
        assert!(
            !stripped.contains(value) || kept.contains(value),
            "{value:?} survives in {:?}",
            out.text
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        let found = Detector::shared().scan(&text);
        check_spans(&text, &found);
        check_redaction(&text, &found);
    }

    #[test]
    fn near_misses(text in near_miss_text()) {
        let found = Detector::shared().scan(&text);
        check_spans(&text, &found);
        check_redaction(&text, &found);
    }

    #[test]
    fn redact_tolerates_findings_for_another_text(
        text in near_miss_text(),
        spans in prop::collection::vec((0usize..80, 0usize..80), 0..6),
    ) {
        let findings: Vec<Finding> = spans
            .into_iter()
            .map(|(a, b)| Finding { kind: PiiKind::Email, span: a..b })
            .collect();
        let out = redact(&text, &findings, &PrivacyPolicy::default(), FieldClass::FreeText);
        for f in &out.redacted {
            prop_assert!(text.get(f.span.clone()).is_some());
        }
        prop_assert!(out.text.len() <= text.len() + out.redacted.len() * marker(PiiKind::Email).len());
    }
}

#[test]
fn near_miss_strategy_reaches_findings() {
    // The strategy is meant to exercise the validators, not only the
    // no-match path: a fixed sample of it must produce findings.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = near_miss_text();
    let mut with_findings = 0;
    for _ in 0..2000 {
        let text = strategy.new_tree(&mut runner).expect("strategy").current();
        if !Detector::shared().scan(&text).is_empty() {
            with_findings += 1;
        }
    }
    assert!(
        with_findings >= 20,
        "only {with_findings} of 2000 samples had findings"
    );
}
