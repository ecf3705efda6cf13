//! Prepared observations decide exactly as a one-shot `matches` does. `matches_prepared`
//! narrows each bracketed expression through indexes (objects by type, objects by string
//! value at a path) built on first use; `matches` scans every object. Both run here over
//! patterns chosen to reach every way of narrowing (equality at top-level and nested keys,
//! `OR` across types, `AND` with the equality first or last, values that are not strings,
//! reference steps the index must not take), and the verdicts are one inline table.

use charter_pattern::{Observations, matches, matches_prepared, parse};
use expect_test::expect;
use serde_json::{Value, json};

fn observed(n: u32, minute: u32, count: u64, refs: &[&str]) -> Value {
    json!({
        "type": "observed-data", "id": format!("observed-data--{n}"),
        "first_observed": format!("2020-01-01T00:{minute:02}:00Z"),
        "last_observed": format!("2020-01-01T00:{minute:02}:30Z"),
        "number_observed": count, "object_refs": refs,
    })
}

/// Four observations; the last names twenty objects, so that it gets its own id index, and
/// refers to one id twice. Two files share a name; one address appears in two observations.
fn fixture() -> Vec<Value> {
    let mut out = vec![
        observed(1, 0, 1, &["file--1", "ipv4-addr--1"]),
        json!({"type": "file", "id": "file--1", "name": "evil.exe", "size": 5,
               "hashes": {"SHA-256": "aa", "MD5": "bb"}, "parent_directory_ref": "directory--1"}),
        json!({"type": "directory", "id": "directory--1", "path": "C:\\Temp"}),
        json!({"type": "ipv4-addr", "id": "ipv4-addr--1", "value": "198.51.100.7"}),
        observed(2, 1, 2, &["file--2", "directory--1", "ipv4-addr--1"]),
        json!({"type": "file", "id": "file--2", "name": "evil.exe", "size": "5",
               "hashes": {"SHA-256": "cc"}, "parent_directory_ref": "directory--1"}),
        observed(3, 2, 1, &["domain-name--1", "ipv4-addr--2"]),
        json!({"type": "domain-name", "id": "domain-name--1", "value": "example.com",
               "resolves_to_refs": ["ipv4-addr--2", "ipv4-addr--1"]}),
        json!({"type": "ipv4-addr", "id": "ipv4-addr--2", "value": "203.0.113.9"}),
    ];
    let mut refs: Vec<String> = (0..20).map(|i| format!("url--{i}")).collect();
    refs.push("url--3".to_owned());
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    out.push(observed(4, 3, 1, &refs));
    for i in 0..20 {
        out.push(json!({"type": "url", "id": format!("url--{i}"), "value": format!("http://h{}/", i % 7)}));
    }
    out
}

const PATTERNS: &[&str] = &[
    "[file:name = 'evil.exe']",
    "[file:name = 'calc.exe']",
    "[file:hashes.'SHA-256' = 'cc']",
    "[file:hashes.MD5 = 'bb']",
    "[file:hashes.'SHA-256' = 'bb']",
    "[file:size = 5]",
    "[file:size = '5']",
    "[file:name = 'evil.exe' AND file:size = 5]",
    "[file:size = 5 AND file:name = 'evil.exe']",
    "[file:name = 'evil.exe' AND ipv4-addr:value = '198.51.100.7']",
    "[file:name = 'nothing' OR ipv4-addr:value = '203.0.113.9']",
    "[file:name = 'evil.exe' OR domain-name:value = 'example.com']",
    "[file:name = 'evil.exe' OR file:size > 4]",
    "[file:name != 'evil.exe']",
    "[file:name NOT = 'evil.exe']",
    "[file:parent_directory_ref.path = 'C:\\\\Temp']",
    "[domain-name:resolves_to_refs[*].value = '198.51.100.7']",
    "[domain-name:resolves_to_refs[0].value = '198.51.100.7']",
    "[url:value = 'http://h3/']",
    "[url:value = 'http://h3/'] REPEATS 2 TIMES",
    "[ipv4-addr:value = '198.51.100.7'] REPEATS 3 TIMES",
    "[ipv4-addr:value = '198.51.100.7'] REPEATS 4 TIMES",
    "[file:name = 'evil.exe'] FOLLOWEDBY [domain-name:value = 'example.com']",
    "[domain-name:value = 'example.com'] FOLLOWEDBY [file:name = 'evil.exe']",
    "([file:hashes.'SHA-256' = 'aa'] AND [ipv4-addr:value = '203.0.113.9']) WITHIN 90 SECONDS",
    "([file:hashes.'SHA-256' = 'aa'] AND [ipv4-addr:value = '203.0.113.9']) WITHIN 60 SECONDS",
    "[ipv4-addr:value = '198.51.100.7'] START t'2020-01-01T00:01:00Z' STOP t'2020-01-01T00:02:00Z'",
    "[ipv4-addr:value = '198.51.100.7' OR url:value = 'http://h0/'] REPEATS 4 TIMES",
    "[observed-data:number_observed = 1]",
];

fn verdicts(data: &[Value]) -> String {
    let Ok(prepared) = Observations::new(data) else {
        panic!("the fixture is valid")
    };
    let mut out = String::new();
    // Twice over, so that the second pass uses indexes the first built.
    for round in 0..2 {
        for p in PATTERNS {
            let Ok(parsed) = parse(p) else {
                panic!("{p} parses")
            };
            let once = matches(&parsed, data);
            let again = matches_prepared(&parsed, &prepared);
            assert_eq!(once, again, "{p}");
            if round == 0 {
                let verdict = once.map_or_else(|e| format!("error: {e}"), |b| b.to_string());
                out.push_str(&format!("{verdict:5} {p}\n"));
            }
        }
    }
    out
}

#[test]
fn prepared_and_one_shot_agree() {
    let actual = verdicts(&fixture());
    expect![[r#"
        true  [file:name = 'evil.exe']
        false [file:name = 'calc.exe']
        true  [file:hashes.'SHA-256' = 'cc']
        true  [file:hashes.MD5 = 'bb']
        false [file:hashes.'SHA-256' = 'bb']
        true  [file:size = 5]
        true  [file:size = '5']
        true  [file:name = 'evil.exe' AND file:size = 5]
        true  [file:size = 5 AND file:name = 'evil.exe']
        false [file:name = 'evil.exe' AND ipv4-addr:value = '198.51.100.7']
        true  [file:name = 'nothing' OR ipv4-addr:value = '203.0.113.9']
        true  [file:name = 'evil.exe' OR domain-name:value = 'example.com']
        true  [file:name = 'evil.exe' OR file:size > 4]
        false [file:name != 'evil.exe']
        false [file:name NOT = 'evil.exe']
        true  [file:parent_directory_ref.path = 'C:\\Temp']
        false [domain-name:resolves_to_refs[*].value = '198.51.100.7']
        false [domain-name:resolves_to_refs[0].value = '198.51.100.7']
        true  [url:value = 'http://h3/']
        false [url:value = 'http://h3/'] REPEATS 2 TIMES
        true  [ipv4-addr:value = '198.51.100.7'] REPEATS 3 TIMES
        false [ipv4-addr:value = '198.51.100.7'] REPEATS 4 TIMES
        true  [file:name = 'evil.exe'] FOLLOWEDBY [domain-name:value = 'example.com']
        false [domain-name:value = 'example.com'] FOLLOWEDBY [file:name = 'evil.exe']
        true  ([file:hashes.'SHA-256' = 'aa'] AND [ipv4-addr:value = '203.0.113.9']) WITHIN 90 SECONDS
        false ([file:hashes.'SHA-256' = 'aa'] AND [ipv4-addr:value = '203.0.113.9']) WITHIN 60 SECONDS
        true  [ipv4-addr:value = '198.51.100.7'] START t'2020-01-01T00:01:00Z' STOP t'2020-01-01T00:02:00Z'
        true  [ipv4-addr:value = '198.51.100.7' OR url:value = 'http://h0/'] REPEATS 4 TIMES
        false [observed-data:number_observed = 1]
    "#]]
    .assert_eq(&actual);
}

#[test]
fn prepared_answers_do_not_depend_on_pattern_order() {
    let data = fixture();
    let Ok(prepared) = Observations::new(&data) else {
        panic!("the fixture is valid")
    };
    let mut forward = Vec::new();
    for p in PATTERNS {
        let parsed = parse(p).map_err(|e| e.message());
        forward.push(parsed.map(|p| matches_prepared(&p, &prepared)));
    }
    let Ok(fresh) = Observations::new(&data) else {
        panic!("the fixture is valid")
    };
    let mut backward = Vec::new();
    for p in PATTERNS.iter().rev() {
        let parsed = parse(p).map_err(|e| e.message());
        backward.push(parsed.map(|p| matches_prepared(&p, &fresh)));
    }
    backward.reverse();
    assert_eq!(forward, backward);
    assert!(forward.iter().any(|v| v == &Ok(Ok(true))));
    assert!(forward.iter().any(|v| v == &Ok(Ok(false))));
}
