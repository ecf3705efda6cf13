//! Evaluation semantics on a small fixture: three observations of a host (a file with a
//! parent directory, an IPv4 address seen twice, an e-mail with recipients), plus input
//! errors. Results are one inline table so that a change in semantics shows as a diff.

use charter_pattern::{EvalError, matches, parse, validate};
use expect_test::expect;
use serde_json::{Value, json};

fn observed(n: u32, first: &str, last: &str, count: u64, refs: &[&str]) -> Value {
    json!({
        "type": "observed-data", "id": format!("observed-data--{n}"), "spec_version": "2.1",
        "first_observed": first, "last_observed": last, "number_observed": count, "object_refs": refs,
    })
}

fn fixture() -> Vec<Value> {
    vec![
        observed(
            1,
            "2020-01-01T00:00:00Z",
            "2020-01-01T00:00:10Z",
            1,
            &["file--1", "directory--1"],
        ),
        json!({"type": "file", "id": "file--1", "name": "evil.exe", "size": 5, "magic_number_hex": "4d5a",
               "hashes": {"SHA-256": "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f"},
               "parent_directory_ref": "directory--1", "x_tags": ["a", "b"], "ctime": "2019-12-31T23:00:00Z"}),
        json!({"type": "directory", "id": "directory--1", "path": "C:\\Temp"}),
        json!({"type": "bundle", "id": "bundle--1", "objects": [
            observed(2, "2020-01-01T00:01:00Z", "2020-01-01T00:02:00Z", 2, &["ipv4-addr--1"]),
            {"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.7"},
        ]}),
        observed(
            3,
            "2020-01-01T01:00:00Z",
            "2020-01-01T01:00:00Z",
            1,
            &["email-message--1", "email-addr--1", "email-addr--2"],
        ),
        json!({"type": "email-message", "id": "email-message--1", "is_multipart": false,
               "to_refs": ["email-addr--1", "email-addr--2", "email-addr--9"]}),
        json!({"type": "email-addr", "id": "email-addr--1", "value": "alice@example.com"}),
        json!({"type": "email-addr", "id": "email-addr--2", "value": "bob@example.org"}),
    ]
}

fn table(patterns: &[&str]) -> String {
    let data = fixture();
    let mut out = String::new();
    for p in patterns {
        let verdict = match validate(p) {
            Ok(parsed) => match matches(&parsed, &data) {
                Ok(b) => b.to_string(),
                Err(e) => format!("error: {e}"),
            },
            Err(e) => format!("invalid: {}", e.message()),
        };
        out.push_str(&format!("{verdict:5} {p}\n"));
    }
    out
}

#[test]
fn comparisons_paths_and_types() {
    let actual = table(&[
        "[file:name = 'evil.exe']",
        "[file:name = 'evil.exe' AND file:size = 5.0]",
        "[file:name = 'evil.exe' AND ipv4-addr:value = '198.51.100.7']",
        "[file:size != 'five']",
        "[file:size > 'a']",
        "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        "[file:magic_number_hex = h'4d5a']",
        "[file:magic_number_hex = 'MZ']",
        "[file:parent_directory_ref.path = 'C:\\\\Temp']",
        "[file:x_tags[1] = 'b']",
        "[file:x_tags[*] = 'b']",
        "[file:x_tags = 'b']",
        "[file:ctime < t'2020-01-01T00:00:00Z']",
        "[file:ctime IN (t'2019-12-31T23:00:00.000Z')]",
        "[file:size IN (4, 5.0)]",
        "[email-message:is_multipart IN (0)]",
        "[email-message:to_refs[*].value LIKE '%@example.org']",
        "[email-message:to_refs[1].value = 'bob@example.org']",
        "[email-message:to_refs[2].value = 'bob@example.org']",
        "[email-message:to_refs[*].value NOT LIKE '%@example.com']",
        "[email-message:to_refs[*].value MATCHES '^b.b@']",
        "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
        "[ipv4-addr:value ISSUBSET '2001:db8::/32']",
        "[EXISTS file:parent_directory_ref]",
        "[NOT EXISTS file:size]",
        "[file:name LIKE 'EVIL%']",
    ]);
    expect![[r#"
        true  [file:name = 'evil.exe']
        true  [file:name = 'evil.exe' AND file:size = 5.0]
        false [file:name = 'evil.exe' AND ipv4-addr:value = '198.51.100.7']
        true  [file:size != 'five']
        false [file:size > 'a']
        true  [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']
        true  [file:magic_number_hex = h'4d5a']
        true  [file:magic_number_hex = 'MZ']
        true  [file:parent_directory_ref.path = 'C:\\Temp']
        true  [file:x_tags[1] = 'b']
        true  [file:x_tags[*] = 'b']
        false [file:x_tags = 'b']
        true  [file:ctime < t'2020-01-01T00:00:00Z']
        true  [file:ctime IN (t'2019-12-31T23:00:00.000Z')]
        true  [file:size IN (4, 5.0)]
        true  [email-message:is_multipart IN (0)]
        true  [email-message:to_refs[*].value LIKE '%@example.org']
        true  [email-message:to_refs[1].value = 'bob@example.org']
        false [email-message:to_refs[2].value = 'bob@example.org']
        true  [email-message:to_refs[*].value NOT LIKE '%@example.com']
        true  [email-message:to_refs[*].value MATCHES '^b.b@']
        true  [ipv4-addr:value ISSUBSET '198.51.100.0/24']
        false [ipv4-addr:value ISSUBSET '2001:db8::/32']
        true  [EXISTS file:parent_directory_ref]
        false [NOT EXISTS file:size]
        false [file:name LIKE 'EVIL%']
    "#]]
    .assert_eq(&actual);
}

#[test]
fn observation_operators_and_qualifiers() {
    let actual = table(&[
        "[file:name = 'evil.exe'] AND [ipv4-addr:value = '198.51.100.7']",
        "[file:name = 'evil.exe'] AND [file:name = 'evil.exe']",
        "[ipv4-addr:value = '198.51.100.7'] AND [ipv4-addr:value = '198.51.100.7']",
        "[ipv4-addr:value = '198.51.100.7'] REPEATS 2 TIMES",
        "[ipv4-addr:value = '198.51.100.7'] REPEATS 3 TIMES",
        "[file:name = 'evil.exe'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']",
        "[ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY [file:name = 'evil.exe']",
        "[file:name = 'x'] OR [ipv4-addr:value = '198.51.100.7']",
        "([file:name = 'evil.exe'] AND [ipv4-addr:value = '198.51.100.7']) WITHIN 50 SECONDS",
        "([file:name = 'evil.exe'] AND [ipv4-addr:value = '198.51.100.7']) WITHIN 49.5 SECONDS",
        "[file:name = 'evil.exe'] START t'2020-01-01T00:00:10Z' STOP t'2020-01-02T00:00:00Z'",
        "[file:name = 'evil.exe'] START t'2019-12-31T00:00:00Z' STOP t'2020-01-01T00:00:00Z'",
        "([ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']) REPEATS 1 TIMES",
        "([file:name = 'evil.exe'] OR [ipv4-addr:value = '198.51.100.7']) REPEATS 3 TIMES",
        "([file:name = 'evil.exe'] OR [ipv4-addr:value = '198.51.100.7']) REPEATS 4 TIMES",
        "[file:name = 'evil.exe'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY [email-addr:value = 'alice@example.com']",
        "[email-addr:value = 'alice@example.com'] FOLLOWEDBY [file:name = 'evil.exe'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']",
    ]);
    expect![[r#"
        true  [file:name = 'evil.exe'] AND [ipv4-addr:value = '198.51.100.7']
        false [file:name = 'evil.exe'] AND [file:name = 'evil.exe']
        true  [ipv4-addr:value = '198.51.100.7'] AND [ipv4-addr:value = '198.51.100.7']
        true  [ipv4-addr:value = '198.51.100.7'] REPEATS 2 TIMES
        false [ipv4-addr:value = '198.51.100.7'] REPEATS 3 TIMES
        true  [file:name = 'evil.exe'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']
        false [ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY [file:name = 'evil.exe']
        true  [file:name = 'x'] OR [ipv4-addr:value = '198.51.100.7']
        true  ([file:name = 'evil.exe'] AND [ipv4-addr:value = '198.51.100.7']) WITHIN 50 SECONDS
        false ([file:name = 'evil.exe'] AND [ipv4-addr:value = '198.51.100.7']) WITHIN 49.5 SECONDS
        true  [file:name = 'evil.exe'] START t'2020-01-01T00:00:10Z' STOP t'2020-01-02T00:00:00Z'
        false [file:name = 'evil.exe'] START t'2019-12-31T00:00:00Z' STOP t'2020-01-01T00:00:00Z'
        true  ([ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']) REPEATS 1 TIMES
        true  ([file:name = 'evil.exe'] OR [ipv4-addr:value = '198.51.100.7']) REPEATS 3 TIMES
        false ([file:name = 'evil.exe'] OR [ipv4-addr:value = '198.51.100.7']) REPEATS 4 TIMES
        true  [file:name = 'evil.exe'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7'] FOLLOWEDBY [email-addr:value = 'alice@example.com']
        false [email-addr:value = 'alice@example.com'] FOLLOWEDBY [file:name = 'evil.exe'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.7']
    "#]]
    .assert_eq(&actual);
}

#[test]
fn bad_observations_and_operands_are_errors() {
    let pattern = parse("[file:name = 'x']").map_err(|e| e.message());
    let Ok(pattern) = pattern else {
        panic!("{pattern:?}")
    };
    let no_count = json!({"type": "observed-data", "id": "observed-data--9", "first_observed": "2020-01-01T00:00:00Z",
                          "last_observed": "2020-01-01T00:00:00Z", "object_refs": []});
    assert!(matches!(
        matches(&pattern, &[no_count]),
        Err(EvalError::Input(_))
    ));
    let backwards = observed(9, "2020-01-02T00:00:00Z", "2020-01-01T00:00:00Z", 1, &[]);
    assert!(matches!(
        matches(&pattern, &[backwards]),
        Err(EvalError::Input(_))
    ));
    assert_eq!(matches(&pattern, &[]), Ok(false));
    // Patterns that only parse still evaluate safely: bad operands are errors, not panics.
    for p in [
        "[file:name MATCHES '(?=x)']",
        "[file:size IN (1, 'x')]",
        "[file:name = 'x'] WITHIN 0 SECONDS",
    ] {
        let parsed = parse(p).map_err(|e| e.message());
        let Ok(parsed) = parsed else {
            panic!("{parsed:?}")
        };
        assert!(
            matches!(
                matches(&parsed, &fixture()),
                Err(EvalError::InvalidPattern(_))
            ),
            "{p}"
        );
    }
}

#[test]
fn hostile_searches_stop_with_an_error() {
    let many: Vec<Value> = (0..200)
        .flat_map(|i| {
            let sco = format!("ipv4-addr--{i}");
            [
                observed(
                    i,
                    "2020-01-01T00:00:00Z",
                    "2020-01-01T00:00:00Z",
                    1,
                    &[sco.as_str()],
                ),
                json!({"type": "ipv4-addr", "id": sco, "value": "10.0.0.1"}),
            ]
        })
        .collect();
    let p = "([ipv4-addr:value = '10.0.0.1'] AND [ipv4-addr:value = '10.0.0.1'] AND [ipv4-addr:value = '10.0.0.1'] \
             AND [ipv4-addr:value = '10.0.0.2']) REPEATS 5 TIMES";
    let parsed = validate(p).map_err(|e| e.message());
    let Ok(parsed) = parsed else {
        panic!("{parsed:?}")
    };
    assert!(matches!(
        matches(&parsed, &many),
        Ok(false) | Err(EvalError::TooComplex(_))
    ));
    let deep =
        validate("[ipv4-addr:value = '10.0.0.1'] REPEATS 150 TIMES").map_err(|e| e.message());
    let Ok(deep) = deep else { panic!("{deep:?}") };
    assert_eq!(matches(&deep, &many), Ok(true));
}
