//! Criterion benchmarks of the privacy detector: throughput on threat-report
//! text that mixes the labelled corpus with filler (prose, log lines full of
//! IP addresses, hashes and timestamps), on prose with no trigger at all,
//! and field by field as the write pipeline calls it.
//!
//! The 50 MB run against Presidio is bench/privacy/run; this bench keeps a
//! few MB so that it finishes in seconds.

use criterion::{Criterion, Throughput};
use std::hint::black_box;

use charter_policy::privacy::Detector;

const PROSE: &[&str] = &[
    "The actor used spear-phishing with a weaponised document to gain initial access.",
    "Persistence was established through a scheduled task that ran at every logon.",
    "Command and control traffic was tunnelled over HTTPS with a self-signed certificate.",
    "The loader decrypts its payload with a rolling XOR key before reflective loading.",
    "Defenders should block the listed domains at the proxy and hunt for the named pipe.",
    "Lateral movement relied on stolen credentials and remote desktop sessions.",
    "The ransom note demanded payment within three days and threatened a leak site.",
];

/// A small deterministic generator, so the text is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A log line of the kind threat reports quote: timestamp, IP and port,
/// hash, event id; no personal data.
fn log_line(rng: &mut Lcg) -> String {
    let hash: String = (0..64)
        .map(|_| char::from(b"0123456789abcdef"[rng.below(16) as usize]))
        .collect();
    format!(
        "2024-05-{:02}T{:02}:{:02}:{:02}Z 10.{}.{}.{}:{} sha256={} event=4688 pid={} v2.{}.{}",
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(256),
        rng.below(256),
        rng.below(256),
        1024 + rng.below(60000),
        hash,
        rng.below(65536),
        rng.below(20),
        rng.below(100),
    )
}

/// About `target` bytes: one corpus snippet in ten lines, the rest prose
/// and log lines.
fn mixed_text(target: usize) -> String {
    let corpus = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/test_data/privacy/corpus.jsonl"
    ))
    .expect("the corpus is part of the repository");
    let snippets: Vec<String> = corpus
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    let mut rng = Lcg(20240501);
    let mut out = String::with_capacity(target + 1024);
    while out.len() < target {
        match rng.below(10) {
            0 => out.push_str(&snippets[rng.below(snippets.len() as u64) as usize]),
            1..=4 => out.push_str(&log_line(&mut rng)),
            _ => out.push_str(PROSE[rng.below(PROSE.len() as u64) as usize]),
        }
        out.push('\n');
    }
    out
}

fn bench(c: &mut Criterion) {
    let detector = Detector::new();
    // Unoptimised builds only check that the bench runs (as `cargo test
    // --all-targets` does): a few kilobytes are enough for that.
    let size = if cfg!(debug_assertions) {
        64 << 10
    } else {
        4 << 20
    };
    let mixed = mixed_text(size);
    let prose: String = PROSE
        .iter()
        .cycle()
        .take(if cfg!(debug_assertions) { 500 } else { 40_000 })
        .map(|s| format!("{s}\n"))
        .collect();

    let mut group = c.benchmark_group("privacy");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(mixed.len() as u64));
    group.bench_function("scan_mixed_whole", |b| {
        b.iter(|| detector.scan(black_box(&mixed)))
    });
    group.bench_function("scan_mixed_by_line", |b| {
        b.iter(|| {
            mixed
                .lines()
                .map(|l| detector.scan(black_box(l)).len())
                .sum::<usize>()
        })
    });
    group.throughput(Throughput::Bytes(prose.len() as u64));
    group.bench_function("scan_prose_no_trigger", |b| {
        b.iter(|| detector.scan(black_box(&prose)))
    });
    group.finish();

    c.bench_function("privacy/compile", |b| b.iter(Detector::new));
}

// A hand-written main instead of `criterion_group!`/`criterion_main!`,
// whose generated functions carry no doc comments.
fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
