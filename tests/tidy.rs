//! Checks that what the docs promise about the code holds: every source file
//! says what it is for, no test is skipped, nothing unfinished is left, and
//! dependencies point the way ARCHITECTURE.md says.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "corpus" && name != "artifacts"
            {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["crates", "tests", "bench"] {
        rust_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 20, "found the sources: {}", files.len());
    files
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let missing: Vec<_> = sources()
        .into_iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            !text.trim_start().starts_with("//!") && !text.trim_start().starts_with("#![")
        })
        .collect();
    assert!(missing.is_empty(), "files without a //! doc: {missing:?}");
}

#[test]
fn no_test_is_skipped_and_nothing_is_left_unfinished() {
    // Spelt in pieces so this file does not match itself.
    let banned = [
        format!("#[{}", "ignore"),
        format!("#[{}", "should_panic"),
        format!("{}!(", "todo"),
        format!("{}!(", "unimplemented"),
        format!("{}{}", "TO", "DO"),
        format!("{}{}", "FIX", "ME"),
    ];
    let mut found = Vec::new();
    for path in sources() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            for b in &banned {
                if line.contains(b.as_str()) {
                    found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The normal (non-dev) dependencies of one workspace package.
fn dependencies(package: &str) -> Vec<String> {
    let dir = match package {
        "charter" => root(),
        other => root()
            .join("crates")
            .join(other.trim_start_matches("charter-")),
    };
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).expect("manifest readable");
    let manifest: toml::Table = toml::from_str(&text).expect("manifest parses");
    manifest
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn dependencies_point_downward_and_protocols_stay_in_their_crate() {
    let internal = |deps: &[String]| -> Vec<String> {
        deps.iter()
            .filter(|d| d.starts_with("charter-"))
            .cloned()
            .collect()
    };
    let allowed: &[(&str, &[&str])] = &[
        ("charter-stix", &[]),
        ("charter-pattern", &["charter-stix"]),
        ("charter-policy", &["charter-stix"]),
        ("charter-store", &["charter-stix"]),
        ("charter-intel", &["charter-stix", "charter-pattern"]),
        (
            "charter-hub",
            &[
                "charter-stix",
                "charter-pattern",
                "charter-intel",
                "charter-policy",
                "charter-store",
            ],
        ),
        ("charter-server", &["charter-hub", "charter-stix"]),
    ];
    for (package, may_use) in allowed {
        let deps = dependencies(package);
        for dep in internal(&deps) {
            assert!(
                may_use.contains(&dep.as_str()),
                "{package} must not depend on {dep}"
            );
        }
    }
    for (dep, owner) in [
        ("rusqlite", "charter-store"),
        ("tokio-postgres", "charter-store"),
        ("axum", "charter-server"),
    ] {
        for (package, _) in allowed {
            if *package != owner {
                assert!(
                    !dependencies(package).iter().any(|d| d == dep),
                    "{dep} belongs to {owner}, not {package}"
                );
            }
        }
        assert!(
            !dependencies("charter").iter().any(|d| d == dep),
            "{dep} belongs to {owner}, not the binary"
        );
    }
}
