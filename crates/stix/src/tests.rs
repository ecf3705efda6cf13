//! Whole-crate tests: the golden files under `test_data/` and the ATT&CK
//! for ICS bundles under the repository's `tests/data/`.

use std::path::{Path, PathBuf};

use crate::{Severity, StixObject, check, split_document, validate};

fn data_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(kind)
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("test_data directory exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Every diagnostic of every object of a document, one per line.
fn diagnostics_of(text: &str) -> String {
    let mut out = String::new();
    let parts = split_document(text).expect("golden documents split");
    for raw in parts {
        let (_, diags) = check(raw.get());
        for d in diags {
            out.push_str(&d.to_string());
            out.push('\n');
        }
    }
    out
}

#[test]
fn golden_ok_files_have_no_errors() {
    let files = json_files(&data_dir("ok"));
    assert!(
        files.len() >= 10,
        "expected the ok corpus, found {}",
        files.len()
    );
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable golden file");
        for raw in split_document(&text).expect("golden documents split") {
            let (obj, diags) = check(raw.get());
            assert!(obj.is_some(), "{}: did not parse", file.display());
            let errors: Vec<String> = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(ToString::to_string)
                .collect();
            assert!(
                errors.is_empty(),
                "{}:\n{}",
                file.display(),
                errors.join("\n")
            );
        }
    }
}

/// Each `err/NNNN.json` has its diagnostics in `err/NNNN.txt`;
/// `UPDATE_EXPECT=1 cargo test` rewrites them.
#[test]
fn golden_err_files_match_their_diagnostics() {
    let files = json_files(&data_dir("err"));
    assert!(
        files.len() >= 15,
        "expected the err corpus, found {}",
        files.len()
    );
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable golden file");
        let actual = diagnostics_of(&text);
        assert!(
            actual.contains("]\n"),
            "{}: expected at least one diagnostic",
            file.display()
        );
        expect_test::expect_file![file.with_extension("txt")].assert_eq(&actual);
    }
}

fn check_attack(name: &str, expected_objects: usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("ATT&CK bundle in tests/data");
    let parts = split_document(&text).expect("the bundle splits");
    assert_eq!(parts.len(), expected_objects);
    let mut errors = Vec::new();
    for raw in parts {
        let original = raw.get().to_owned();
        let obj = StixObject::parse(raw).expect("every ATT&CK object parses");
        assert_eq!(obj.raw().get(), original, "raw text is kept verbatim");
        errors.extend(
            validate(&obj)
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.to_string()),
        );
    }
    assert!(
        errors.is_empty(),
        "{name}: {} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
}

#[test]
fn attack_ics_17_1_is_valid() {
    check_attack("ics-attack-17.1.json", 1651);
}

#[test]
fn attack_ics_18_1_is_valid() {
    check_attack("ics-attack-18.1.json", 1826);
}
