//! A plain-main bench driver for bench/privacy/run: scans a large file for
//! throughput and writes the detector's findings on the labelled corpus, so
//! the comparison script can score Charter and Presidio on the same lines.
//!
//! ```text
//! privacy_file scan FILE [REPS]     one thread; prints one JSON line of figures
//! privacy_file corpus CORPUS OUT    writes one JSON line of findings per corpus line
//! ```
//!
//! `cargo bench` appends `--bench` to the arguments; it is ignored.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

use charter_policy::privacy::Detector;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["scan", file] => scan(file, 3),
        ["scan", file, reps] => match reps.parse() {
            Ok(n) => scan(file, n),
            Err(_) => Err(format!("REPS must be a number, not {reps:?}")),
        },
        ["corpus", corpus, out] => corpus_findings(corpus, out),
        _ => Err("usage: privacy_file scan FILE [REPS] | corpus CORPUS OUT".to_owned()),
    };
    if let Err(e) = result {
        eprintln!("privacy_file: {e}");
        std::process::exit(2);
    }
}

/// Nanoseconds this thread has spent on a CPU (Linux `schedstat`), so
/// that a busy machine's waiting time is not counted against the scan;
/// `None` where the kernel does not report it.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Runs `f` and returns its result with the wall and CPU seconds it took.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, Option<f64>) {
    let cpu0 = cpu_ns();
    let t = Instant::now();
    let out = f();
    let wall = t.elapsed().as_secs_f64();
    let cpu = cpu0
        .zip(cpu_ns())
        .map(|(a, b)| b.saturating_sub(a) as f64 / 1e9);
    (out, wall, cpu)
}

/// Scans `file` `reps` times, whole and line by line, and prints the best
/// time of each as MB/s (10^6 bytes per second), by wall clock and by CPU
/// time of the scanning thread.
fn scan(file: &str, reps: usize) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let started = Instant::now();
    let detector = Detector::new();
    let compile_ms = started.elapsed().as_secs_f64() * 1e3;

    let (mut best_whole, mut best_whole_cpu) = (f64::INFINITY, f64::INFINITY);
    let mut findings = Vec::new();
    for _ in 0..reps.max(1) {
        let (found, wall, cpu) = timed(|| detector.scan(&text));
        findings = found;
        best_whole = best_whole.min(wall);
        best_whole_cpu = best_whole_cpu.min(cpu.unwrap_or(wall));
    }
    let (mut best_lines, mut best_lines_cpu) = (f64::INFINITY, f64::INFINITY);
    let mut line_findings = 0;
    for _ in 0..reps.max(1) {
        let (n, wall, cpu) = timed(|| text.lines().map(|l| detector.scan(l).len()).sum::<usize>());
        line_findings = n;
        best_lines = best_lines.min(wall);
        best_lines_cpu = best_lines_cpu.min(cpu.unwrap_or(wall));
    }
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &findings {
        *per_kind.entry(f.kind.as_str()).or_default() += 1;
    }
    let mb = text.len() as f64 / 1e6;
    let report = serde_json::json!({
        "bytes": text.len(),
        "lines": text.lines().count(),
        "compile_ms": compile_ms,
        "whole_seconds": best_whole,
        "whole_mb_per_s": mb / best_whole,
        "whole_cpu_seconds": best_whole_cpu,
        "whole_cpu_mb_per_s": mb / best_whole_cpu,
        "lines_seconds": best_lines,
        "lines_mb_per_s": mb / best_lines,
        "lines_cpu_mb_per_s": mb / best_lines_cpu,
        "findings": findings.len(),
        "line_findings": line_findings,
        "per_kind": per_kind,
    });
    println!("{report}");
    Ok(())
}

/// Writes, for each line of the corpus, the findings as
/// `[{"kind": …, "start": …, "end": …}]` with byte offsets.
fn corpus_findings(corpus: &str, out: &str) -> Result<(), String> {
    let data = std::fs::read_to_string(corpus).map_err(|e| format!("{corpus}: {e}"))?;
    let detector = Detector::new();
    let mut w =
        std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?);
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{corpus}: {e}"))?;
        let text = v["text"].as_str().ok_or("a corpus line without text")?;
        let found: Vec<serde_json::Value> = detector
            .scan(text)
            .iter()
            .map(|f| serde_json::json!({"kind": f.kind.as_str(), "start": f.span.start, "end": f.span.end}))
            .collect();
        writeln!(w, "{}", serde_json::Value::Array(found)).map_err(|e| format!("{out}: {e}"))?;
    }
    w.flush().map_err(|e| format!("{out}: {e}"))
}
