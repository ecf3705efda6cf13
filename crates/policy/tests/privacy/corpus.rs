//! Recall and precision per kind on the labelled corpus
//! (`test_data/privacy/corpus.jsonl`, made by `interop/privacy/gen_corpus.py`),
//! and redaction of every labelled value under the default policy.
//!
//! A finding matches a label when the kinds agree and the spans are equal;
//! for street addresses, whose extent is a matter of judgement (is the city
//! part of it?), overlapping spans match.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use charter_policy::privacy::{Detector, FieldClass, PiiKind, PrivacyPolicy, redact};

/// One corpus line with its labels resolved to spans.
struct Snippet {
    text: String,
    tag: String,
    expect: Vec<(PiiKind, Range<usize>)>,
}

fn load() -> Vec<Snippet> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test_data/privacy/corpus.jsonl"
    );
    let data = std::fs::read_to_string(path).expect("the corpus is part of the repository");
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("corpus lines are JSON");
            let text = v["text"].as_str().expect("text is a string").to_owned();
            let tag = v["tag"].as_str().unwrap_or("").to_owned();
            let mut taken: Vec<Range<usize>> = Vec::new();
            let expect = v["expect"]
                .as_array()
                .expect("expect is a list")
                .iter()
                .map(|e| {
                    let kind = PiiKind::from_name(e["kind"].as_str().expect("kind"))
                        .unwrap_or_else(|| panic!("unknown kind in {line}"));
                    let value = e["value"].as_str().expect("value");
                    // The first occurrence not already claimed by another label.
                    let start = text
                        .match_indices(value)
                        .map(|(i, _)| i)
                        .find(|i| !taken.iter().any(|r| r.start == *i))
                        .unwrap_or_else(|| panic!("{value:?} not in {text:?}"));
                    let span = start..start + value.len();
                    taken.push(span.clone());
                    (kind, span)
                })
                .collect();
            Snippet { text, tag, expect }
        })
        .collect()
}

fn matches(kind: PiiKind, want: &Range<usize>, got: &Range<usize>) -> bool {
    if kind == PiiKind::UsAddress {
        want.start < got.end && got.start < want.end
    } else {
        want == got
    }
}

#[derive(Default)]
struct Tally {
    tp: usize,
    fn_: usize,
    fp: usize,
}

impl Tally {
    fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
}

#[test]
fn recall_and_precision_per_kind() {
    let corpus = load();
    let detector = Detector::new();
    let mut tally: BTreeMap<PiiKind, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    for s in &corpus {
        let found = detector.scan(&s.text);
        let mut used = vec![false; found.len()];
        for (kind, want) in &s.expect {
            let hit = found
                .iter()
                .enumerate()
                .position(|(i, f)| !used[i] && f.kind == *kind && matches(*kind, want, &f.span));
            let t = tally.entry(*kind).or_default();
            match hit {
                Some(i) => {
                    used[i] = true;
                    t.tp += 1;
                }
                None => {
                    t.fn_ += 1;
                    misses.push(format!(
                        "MISS {kind} {:?} in {:?}",
                        &s.text[want.clone()],
                        s.text
                    ));
                }
            }
        }
        for (f, used) in found.iter().zip(&used) {
            if !used {
                tally.entry(f.kind).or_default().fp += 1;
                misses.push(format!(
                    "FP   {} {:?} in {:?} [{}]",
                    f.kind,
                    &s.text[f.span.clone()],
                    s.text,
                    s.tag
                ));
            }
        }
    }
    println!("{} snippets", corpus.len());
    println!(
        "{:<14} {:>5} {:>5} {:>5} {:>8} {:>9}",
        "kind", "tp", "fn", "fp", "recall", "precision"
    );
    for kind in PiiKind::ALL {
        let t = tally.get(&kind).map_or((0, 0, 0, 0.0, 0.0), |t| {
            (t.tp, t.fn_, t.fp, t.recall(), t.precision())
        });
        println!(
            "{:<14} {:>5} {:>5} {:>5} {:>8.3} {:>9.3}",
            kind.as_str(),
            t.0,
            t.1,
            t.2,
            t.3,
            t.4
        );
    }
    for m in &misses {
        println!("{m}");
    }

    assert!(
        corpus.len() >= 500,
        "the corpus has {} snippets",
        corpus.len()
    );
    for kind in PiiKind::ALL {
        let t = tally
            .get(&kind)
            .unwrap_or_else(|| panic!("no {kind} in the corpus"));
        assert!(
            t.tp + t.fn_ >= 50,
            "{kind}: only {} labelled values",
            t.tp + t.fn_
        );
        let (recall, precision) = if kind.is_structured() {
            (0.98, 0.95)
        } else {
            (0.90, 0.90)
        };
        assert!(
            t.recall() >= recall,
            "{kind}: recall {:.3} < {recall}",
            t.recall()
        );
        assert!(
            t.precision() >= precision,
            "{kind}: precision {:.3} < {precision}",
            t.precision()
        );
    }
}

#[test]
fn every_hard_negative_family_is_present_and_quiet() {
    let corpus = load();
    let detector = Detector::shared();
    let families = [
        "sha256",
        "sha1",
        "md5",
        "ip-port",
        "ip-cidr",
        "ipv6",
        "version",
        "timestamp",
        "cve",
        "attack-id",
        "port",
        "uuid",
        "luhn-fail",
        "iban-bad-checksum",
        "ssn-invalid",
        "nino-invalid",
        "tfn-bad-checksum",
        "builtin-profile",
    ];
    let present: BTreeSet<&str> = corpus
        .iter()
        .filter_map(|s| s.tag.strip_prefix("neg:"))
        .collect();
    for family in families {
        assert!(
            present.contains(family),
            "no hard negatives tagged {family}"
        );
    }
    let negatives: Vec<&Snippet> = corpus
        .iter()
        .filter(|s| s.tag.starts_with("neg:"))
        .collect();
    let firing: Vec<String> = negatives
        .iter()
        .filter(|s| !detector.scan(&s.text).is_empty())
        .map(|s| s.text.clone())
        .collect();
    // At most one hard negative in a hundred may fire at all.
    assert!(
        firing.len() * 100 <= negatives.len(),
        "{} of {} fire: {firing:#?}",
        firing.len(),
        negatives.len()
    );
}

#[test]
fn redaction_removes_labelled_structured_values() {
    let detector = Detector::shared();
    let policy = PrivacyPolicy::default();
    let (mut checked, mut survived) = (0, Vec::new());
    for s in load() {
        let found = detector.scan(&s.text);
        let out = redact(&s.text, &found, &policy, FieldClass::FreeText);
        assert!(
            out.review.iter().all(|f| !f.kind.is_structured()),
            "{:?}",
            s.text
        );
        // Names in paths can be short words found elsewhere in a sentence;
        // the other structured values are distinctive enough to search for.
        let distinctive = |k: PiiKind| k.is_structured() && k != PiiKind::PathUsername;
        for f in out.redacted.iter().filter(|f| distinctive(f.kind)) {
            let value = &s.text[f.span.clone()];
            assert!(
                !out.text.contains(value),
                "{value:?} survives in {:?}",
                out.text
            );
        }
        for (_, span) in s.expect.iter().filter(|(k, _)| distinctive(*k)) {
            checked += 1;
            if out.text.contains(&s.text[span.clone()]) {
                survived.push(s.text[span.clone()].to_owned());
            }
        }
    }
    assert!(checked >= 400, "only {checked} values checked");
    // What survives is exactly what the detector missed: within its recall.
    assert!(
        survived.len() * 50 <= checked,
        "{} of {checked} survive: {survived:?}",
        survived.len()
    );
}

#[test]
fn path_redaction_keeps_the_path() {
    let text =
        r"The dropper wrote C:\Users\jsmith\AppData\Local\Temp\a.exe and /home/akhan/.ssh/id_rsa.";
    let out = redact(
        text,
        &Detector::shared().scan(text),
        &PrivacyPolicy::default(),
        FieldClass::PersonalSco,
    );
    assert_eq!(
        out.text,
        r"The dropper wrote C:\Users\[REDACTED:path-username]\AppData\Local\Temp\a.exe and /home/[REDACTED:path-username]/.ssh/id_rsa."
    );
}

#[test]
fn indicator_values_go_to_review_untouched() {
    let text = "[email-addr:value = 'ceo.office@payroll-update.example.com']";
    let found = Detector::shared().scan(text);
    assert_eq!(found.len(), 1);
    let out = redact(
        text,
        &found,
        &PrivacyPolicy::default(),
        FieldClass::IndicatorValue,
    );
    assert_eq!(out.text, text);
    assert_eq!(out.review, found);
    assert!(out.redacted.is_empty());
}
