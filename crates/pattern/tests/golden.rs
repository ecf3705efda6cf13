//! Golden files: `test_data/ok/NNNN.pattern` must validate and its tree is compared with
//! `NNNN.txt`; `test_data/err/NNNN.pattern` must fail and its rendered error (plus the error
//! kind) is compared with `NNNN.txt`. A single trailing newline of a `.pattern` file is not
//! part of the pattern.

use std::path::{Path, PathBuf};

fn cases(dir: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test_data")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "pattern"));
    files.sort();
    assert!(!files.is_empty(), "no golden cases in {}", root.display());
    files
        .into_iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let text = text.strip_suffix('\n').map(str::to_owned).unwrap_or(text);
            (p, text)
        })
        .collect()
}

/// One check for both directories, so an API change touches one place.
fn check(dir: &str, render: impl Fn(&str) -> Result<String, String>) {
    for (path, pattern) in cases(dir) {
        let actual = match render(&pattern) {
            Ok(text) => text,
            Err(why) => panic!("{}: {why}", path.display()),
        };
        expect_test::expect_file![path.with_extension("txt")].assert_eq(&actual);
    }
}

#[test]
fn ok_patterns_parse_to_their_trees() {
    check("ok", |pattern| match charter_pattern::validate(pattern) {
        Ok(parsed) => Ok(parsed.dump()),
        Err(e) => Err(format!(
            "expected a valid pattern, got:\n{}",
            e.render(pattern)
        )),
    });
}

#[test]
fn err_patterns_render_their_errors() {
    check("err", |pattern| match charter_pattern::validate(pattern) {
        Ok(parsed) => Err(format!("expected an error, got:\n{}", parsed.dump())),
        Err(e) => Ok(format!(
            "{:?} {:?}\n{}\n",
            e.kind(),
            e.span(),
            e.render(pattern)
        )),
    });
}
