//! Benchmarks of the pattern language: parse throughput, and evaluation throughput of 1,000
//! simple indicator patterns and of a set of complex ones against 1,000 observations.
//!
//! The workload is generated here, deterministically, and is the single source for
//! `bench/pattern/run`, which runs the same workload through stix2-matcher: with
//! `PATTERN_BENCH_DUMP=FILE` set, this binary writes the workload as JSON to FILE and exits.
//! One "evaluation" is one pattern matched against the whole observation set, end to end
//! (`matches`: gathering the observations, then deciding); the `prepared` variants gather the
//! observations once, as a scan over a fixed set would.
//!
//! Run without `--bench` (as `cargo test --all-targets` does), criterion runs each benchmark
//! once as a test; the workload is then cut to a tenth, so that the check stays cheap in a
//! debug build while every benchmark body still runs.

// `criterion_group!` defines a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Value, json};

/// The workload's size: observations and simple patterns.
#[derive(Clone, Copy)]
struct Size {
    observations: usize,
    simple: usize,
}

const FULL: Size = Size {
    observations: 1000,
    simple: 1000,
};

/// The size used when the binary runs as a test rather than as a benchmark.
const TEST: Size = Size {
    observations: 100,
    simple: 100,
};

fn ip(i: usize) -> String {
    format!("10.{}.{}.{}", i / 65536 % 256, i / 256 % 256, i % 256)
}

fn sha256(i: usize) -> String {
    format!(
        "{:064x}",
        (i as u128 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)
    )
}

fn minute(i: usize) -> String {
    format!(
        "2020-01-{:02}T{:02}:{:02}:00Z",
        1 + i / 1440,
        i / 60 % 24,
        i % 60
    )
}

/// 1,000 observed-data objects a minute apart, each with one to three SCOs: IPv4 addresses,
/// domain names resolving to an address, files with hashes, network traffic to an address.
fn observations(size: Size) -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..size.observations {
        let id = |kind: &str, n: usize| format!("{kind}--00000000-0000-4000-8000-{:06}{n:06}", i);
        let mut refs = Vec::new();
        let mut push = |o: Value, refs: &mut Vec<String>| {
            refs.push(o["id"].as_str().unwrap_or_default().to_owned());
            out.push(o);
        };
        match i % 4 {
            0 => push(
                json!({"type": "ipv4-addr", "id": id("ipv4-addr", 0), "value": ip(i)}),
                &mut refs,
            ),
            1 => {
                push(
                    json!({"type": "ipv4-addr", "id": id("ipv4-addr", 0), "value": ip(i)}),
                    &mut refs,
                );
                let domain = json!({"type": "domain-name", "id": id("domain-name", 1),
                                    "value": format!("d{}.example.com", i % 50), "resolves_to_refs": [id("ipv4-addr", 0)]});
                push(domain, &mut refs);
            }
            2 => {
                let file = json!({"type": "file", "id": id("file", 0), "name": format!("f{i}.exe"), "size": i * 10,
                                  "hashes": {"SHA-256": sha256(i), "MD5": format!("{:032x}", i)}});
                push(file, &mut refs);
            }
            _ => {
                push(
                    json!({"type": "ipv4-addr", "id": id("ipv4-addr", 0), "value": ip(i)}),
                    &mut refs,
                );
                let traffic = json!({"type": "network-traffic", "id": id("network-traffic", 1), "dst_ref": id("ipv4-addr", 0),
                                     "dst_port": if i % 8 == 3 { 443 } else { 80 }, "protocols": ["tcp"]});
                push(traffic, &mut refs);
            }
        }
        out.push(json!({
            "type": "observed-data", "id": id("observed-data", 9), "spec_version": "2.1",
            "created": "2020-01-01T00:00:00Z", "modified": "2020-01-01T00:00:00Z",
            "first_observed": minute(i), "last_observed": minute(i + 1), "number_observed": 1 + i % 3,
            "object_refs": refs,
        }));
    }
    out
}

/// 1,000 equality patterns on `ipv4-addr:value`, `domain-name:value` and
/// `file:hashes.'SHA-256'`; about half name a value the observations hold.
fn simple_patterns(size: Size) -> Vec<String> {
    (0..size.simple)
        .map(|j| {
            let k = j * 7919 % (2 * size.observations);
            match j % 3 {
                0 => format!("[ipv4-addr:value = '{}']", ip(k)),
                1 => format!("[domain-name:value = 'd{}.example.com']", k % 100),
                _ => format!("[file:hashes.'SHA-256' = '{}']", sha256(k)),
            }
        })
        .collect()
}

/// Patterns with qualifiers, `FOLLOWEDBY` and reference traversal.
fn complex_patterns() -> Vec<String> {
    vec![
        format!("[ipv4-addr:value = '{}'] FOLLOWEDBY [domain-name:value = 'd7.example.com']", ip(400)),
        format!("[domain-name:value = 'd7.example.com'] FOLLOWEDBY [ipv4-addr:value = '{}']", ip(400)),
        "([ipv4-addr:value = '10.0.1.4'] AND [domain-name:value = 'd13.example.com']) WITHIN 600 SECONDS".to_owned(),
        "([ipv4-addr:value = '10.0.1.4'] AND [domain-name:value = 'd14.example.com']) WITHIN 60 SECONDS".to_owned(),
        "[domain-name:value = 'd21.example.com'] REPEATS 5 TIMES".to_owned(),
        "[domain-name:value = 'd21.example.com'] REPEATS 50 TIMES WITHIN 3600 SECONDS".to_owned(),
        format!("[domain-name:resolves_to_refs[*].value = '{}']", ip(901)),
        "[network-traffic:dst_ref.value ISSUBSET '10.0.3.0/24' AND network-traffic:dst_port = 443]".to_owned(),
        "[network-traffic:dst_ref.value ISSUBSET '10.9.0.0/16' AND network-traffic:dst_port = 443]".to_owned(),
        "[file:name LIKE 'f9%.exe' AND file:size > 5000] START t'2020-01-01T10:00:00Z' STOP t'2020-01-01T12:00:00Z'".to_owned(),
        "[file:name MATCHES '^f[0-9]+7\\\\.exe$'] REPEATS 3 TIMES".to_owned(),
        format!("[file:hashes.'SHA-256' = '{}'] FOLLOWEDBY ([network-traffic:dst_port = 443] REPEATS 2 TIMES)", sha256(2)),
        "([ipv4-addr:value = '10.0.0.0'] OR [ipv4-addr:value = '10.0.0.4']) FOLLOWEDBY [file:size >= 9000]".to_owned(),
        "[ipv4-addr:value = '10.255.0.1'] AND [domain-name:value = 'd1.example.com']".to_owned(),
    ]
}

fn dump_workload(path: &str) {
    let workload = json!({
        "observations": observations(FULL),
        "simple": simple_patterns(FULL),
        "complex": complex_patterns(),
    });
    if let Err(e) = std::fs::write(path, workload.to_string()) {
        eprintln!("cannot write {path}: {e}");
        std::process::exit(1);
    }
}

fn parsed(patterns: &[String]) -> Vec<charter_pattern::Pattern> {
    patterns
        .iter()
        .filter_map(|p| charter_pattern::validate(p).ok())
        .collect()
}

fn benches(c: &mut Criterion) {
    if let Ok(path) = std::env::var("PATTERN_BENCH_DUMP") {
        dump_workload(&path);
        std::process::exit(0);
    }
    // Criterion benchmarks only when given `--bench`; otherwise it runs each body once.
    let size = if std::env::args().any(|a| a == "--bench") {
        FULL
    } else {
        TEST
    };
    let observed = observations(size);
    let simple = simple_patterns(size);
    let complex = complex_patterns();
    let all: Vec<String> = simple.iter().chain(&complex).cloned().collect();
    let bytes: usize = all.iter().map(String::len).sum();

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("validate_1014_patterns", |b| {
        b.iter(|| {
            all.iter()
                .filter(|p| charter_pattern::validate(black_box(p)).is_ok())
                .count()
        })
    });
    group.finish();

    let simple_parsed = parsed(&simple);
    let complex_parsed = parsed(&complex);
    assert_eq!(
        (simple_parsed.len(), complex_parsed.len()),
        (simple.len(), complex.len()),
        "workload patterns are valid"
    );
    let Ok(prepared) = charter_pattern::Observations::new(&observed) else {
        panic!("the workload's observations are valid");
    };
    let mut group = c.benchmark_group("eval");
    group.sample_size(10);
    group.throughput(Throughput::Elements(simple_parsed.len() as u64));
    group.bench_function("simple_1000x1000", |b| {
        b.iter(|| {
            simple_parsed
                .iter()
                .filter(|p| charter_pattern::matches(p, black_box(&observed)) == Ok(true))
                .count()
        })
    });
    group.bench_function("simple_1000x1000_prepared", |b| {
        b.iter(|| {
            simple_parsed
                .iter()
                .filter(|p| charter_pattern::matches_prepared(p, black_box(&prepared)) == Ok(true))
                .count()
        })
    });
    group.throughput(Throughput::Elements(complex_parsed.len() as u64));
    group.bench_function("complex_x1000", |b| {
        b.iter(|| {
            complex_parsed
                .iter()
                .filter(|p| charter_pattern::matches(p, black_box(&observed)) == Ok(true))
                .count()
        })
    });
    group.bench_function("complex_x1000_prepared", |b| {
        b.iter(|| {
            complex_parsed
                .iter()
                .filter(|p| charter_pattern::matches_prepared(p, black_box(&prepared)) == Ok(true))
                .count()
        })
    });
    group.finish();
}

criterion_group!(pattern_benches, benches);
criterion_main!(pattern_benches);
