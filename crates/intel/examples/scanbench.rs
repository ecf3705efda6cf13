//! The scan benchmark's driver (`bench/scan/run`): builds the indicator index over
//! 1,000,000 indicators (the IPsum addresses plus generated domains, URLs and hashes), writes
//! a Zeek-style log of 10,000,000 observables with planted hits, and times, on one core:
//!
//! 1. `end-to-end`: reading the log file with the Zeek reader and deciding every record with
//!    the index (what `charter scan` does, without output);
//! 2. `reader`: the Zeek reader alone over the same file;
//! 3. `index`: deciding the same observables, already in memory, with the index (`Scanner`);
//! 4. `bare`: a bare `foldhash` set lookup of the same observable strings in a set of every
//!    indicator value (the practical limit).
//!
//! It prints the figures as `key=value` lines, and writes the values (one per line) for the
//! `grep -F -f` run in the script. Usage: `scanbench IPSUM OUTDIR [INDICATORS] [OBSERVABLES]`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

use charter_intel::input::{self, InputFormat, Record};
use charter_intel::scan;
use charter_pattern::index::{Field, Index, Probe, ProbeField, Scanner};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(n);
        s
    }
}

/// Interleaved passes of each timed loop; the best is reported, since the machine is shared
/// and its slowest passes measure other work.
const PASSES: usize = 5;

fn rss_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<usize>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// Counts the hits a scan hands it.
struct Count(u64);

impl scan::Sink for Count {
    type Error = charter_intel::Error;
    fn hits(&mut self, _: &Record, hits: &[scan::Hit]) -> Result<(), Self::Error> {
        self.0 += hits.len() as u64;
        Ok(())
    }
}

/// The Zeek reader and the index over the log file through `scan::scan`, the loop
/// `charter scan` and `POST /api/v1/scan` run (without writing matches): the observables,
/// the matches, the seconds.
fn end_to_end(path: &std::path::Path, index: &Index) -> (u64, u64, f64) {
    let t = Instant::now();
    let file = std::fs::File::open(path).expect("web.log");
    let mut reader = input::reader(
        InputFormat::Zeek,
        input::open_input(Box::new(file)).expect("input"),
        None,
    )
    .expect("reader");
    let mut scanner = Scanner::new(index);
    let mut totals = scan::Totals::default();
    let mut count = Count(0);
    scan::scan(reader.as_mut(), &mut scanner, &mut totals, &mut count).expect("records read");
    (totals.values, count.0, t.elapsed().as_secs_f64())
}

/// The Zeek reader alone over the log file: the values read, the seconds.
fn reader_alone(path: &std::path::Path) -> (u64, f64) {
    let t = Instant::now();
    let file = std::fs::File::open(path).expect("web.log");
    let mut reader = input::reader(
        InputFormat::Zeek,
        input::open_input(Box::new(file)).expect("input"),
        None,
    )
    .expect("reader");
    let mut record = Record::default();
    let mut values = 0u64;
    while reader.next_record(&mut record).expect("records read") {
        values += record.len() as u64;
    }
    (values, t.elapsed().as_secs_f64())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ipsum = args
        .get(1)
        .expect("usage: scanbench IPSUM OUTDIR [INDICATORS] [OBSERVABLES]");
    let out = std::path::PathBuf::from(args.get(2).expect("OUTDIR"));
    let total: usize = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let observables: usize = args
        .get(4)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);

    // The indicator values: IPsum, then domains, URLs and hashes in equal parts.
    let mut values: Vec<(Field, String)> = std::fs::read_to_string(ipsum)
        .expect("ipsum readable")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            l.split_whitespace()
                .next()
                .map(|ip| (Field::Ip, ip.to_owned()))
        })
        .take(total)
        .collect();
    let ips = values.len();
    let rest = total - ips;
    for i in 0..rest {
        let v = match i % 3 {
            0 => (
                Field::Domain,
                format!("{}.{}.example", rng.hex(10), rng.hex(6)),
            ),
            1 => (
                Field::Url,
                format!(
                    "http://{}.web{}.example/p/{}",
                    rng.hex(8),
                    i % 97,
                    rng.hex(12)
                ),
            ),
            _ => {
                let len = [32, 40, 64][(i / 3) % 3];
                (Field::Hash, rng.hex(len))
            }
        };
        values.push(v);
    }
    let patterns: Vec<String> = values
        .iter()
        .map(|(f, v)| match f {
            Field::Ip => format!("[ipv4-addr:value = '{v}']"),
            Field::Domain => format!("[domain-name:value = '{v}']"),
            Field::Url => format!("[url:value = '{v}']"),
            _ => {
                let alg = match v.len() {
                    32 => "MD5",
                    40 => "'SHA-1'",
                    _ => "'SHA-256'",
                };
                format!("[file:hashes.{alg} = '{v}']")
            }
        })
        .collect();

    let rss_before = rss_bytes();
    let t = Instant::now();
    let mut index = Index::new();
    for p in &patterns {
        let parsed = charter_pattern::parse(p).expect("generated patterns parse");
        index.insert(&parsed);
    }
    let build = t.elapsed().as_secs_f64();
    let rss_after = rss_bytes();
    drop(patterns);
    println!("indicators={}", index.len());
    println!("indicators_ipsum={ips}");
    println!("index_build_s={build:.2}");
    println!("index_heap_bytes={}", index.heap_bytes());
    println!(
        "index_bytes_per_indicator={:.1}",
        index.heap_bytes() as f64 / index.len() as f64
    );
    println!(
        "index_rss_bytes_per_indicator={:.1}",
        rss_after.saturating_sub(rss_before) as f64 / index.len() as f64
    );

    // The values file for grep -F -f, and the bare set.
    let mut set: foldhash::HashSet<String> = foldhash::HashSet::default();
    let mut vf =
        std::io::BufWriter::new(std::fs::File::create(out.join("values.txt")).expect("values.txt"));
    for (_, v) in &values {
        writeln!(vf, "{v}").expect("write");
        set.insert(v.clone());
    }
    vf.flush().expect("flush");

    // The log: ts uid id.orig_h id.resp_h host uri sha1; five observables a line (the
    // host, the URL it makes with uri, two addresses and a hash). About one value in 200 is
    // an indicator's.
    let lines = observables / 5;
    let mut of_field: std::collections::HashMap<&Field, Vec<&String>> = Default::default();
    for (f, v) in &values {
        of_field.entry(f).or_default().push(v);
    }
    let pick = |rng: &mut Rng, field: &Field| -> Option<String> {
        if rng.next() % 200 == 0 {
            let start = (rng.next() % values.len() as u64) as usize;
            of_field
                .get(field)
                .map(|list| list[start % list.len()].clone())
        } else {
            None
        }
    };
    let mut log = String::with_capacity(lines * 140);
    log.push_str("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tweb\n#fields\tts\tuid\tid.orig_h\tid.resp_h\thost\turi\tsha1\n");
    let mut planted = 0u64;
    for i in 0..lines {
        let b = rng.next().to_be_bytes();
        let orig = format!("10.{}.{}.{}", b[0], b[1], 1 + b[2] % 254);
        let resp = pick(&mut rng, &Field::Ip)
            .inspect(|_| planted += 1)
            .unwrap_or_else(|| {
                let b = rng.next().to_be_bytes();
                format!("{}.{}.{}.{}", 1 + b[0] % 223, b[1], b[2], 1 + b[3] % 254)
            });
        let (host, uri) = match pick(&mut rng, &Field::Url) {
            Some(url) => {
                planted += 1;
                let rest = &url["http://".len()..];
                let slash = rest.find('/').unwrap_or(rest.len());
                (rest[..slash].to_owned(), rest[slash..].to_owned())
            }
            None => {
                let host = pick(&mut rng, &Field::Domain)
                    .inspect(|_| planted += 1)
                    .unwrap_or_else(|| format!("www.{}.test", rng.hex(8)));
                (host, format!("/q/{}", rng.hex(10)))
            }
        };
        let hash = pick(&mut rng, &Field::Hash)
            .inspect(|_| planted += 1)
            .unwrap_or_else(|| rng.hex(40));
        let _ = writeln!(
            log,
            "{}.{:06}\tC{i:x}\t{orig}\t{resp}\t{host}\t{uri}\t{hash}",
            1_767_225_600 + i as u64 / 100,
            i % 1_000_000
        );
    }
    std::fs::write(out.join("web.log"), &log).expect("web.log");
    println!("log_lines={lines}");
    println!("log_bytes={}", log.len());
    println!("planted={planted}");

    // 1. End to end: the log file through the reader and the index, as `charter scan`
    // reads it; 2. the reader alone over the same file. Interleaved, best of `PASSES` passes
    // each, since the machine is shared.
    let path = out.join("web.log");
    let (mut e2e, mut read) = (f64::MAX, f64::MAX);
    let (mut seen, mut matched, mut read_values) = (0, 0, 0);
    for _ in 0..PASSES {
        let (s, m, t) = end_to_end(&path, &index);
        (seen, matched, e2e) = (s, m, e2e.min(t));
        let (v, t) = reader_alone(&path);
        (read_values, read) = (v, read.min(t));
    }
    assert_eq!(
        read_values, seen,
        "the reader alone reads what the scan reads"
    );
    println!("observables={seen}");
    println!("end_to_end_matches={matched}");
    println!("end_to_end_s={e2e:.3}");
    println!("end_to_end_obs_per_s={:.0}", seen as f64 / e2e);
    println!("reader_s={read:.3}");
    println!("reader_obs_per_s={:.0}", seen as f64 / read);

    // The observables in memory, for the index and bare loops.
    let mut record = Record::default();
    let mut hits = Vec::new();
    let mut scanner = Scanner::new(&index);
    let mut flat: Vec<(ProbeField<'static>, String)> = Vec::with_capacity(seen as usize);
    let source = Box::new(std::io::Cursor::new(log.into_bytes()));
    let mut reader = input::reader(
        InputFormat::Zeek,
        input::open_input(source).expect("input"),
        None,
    )
    .expect("reader");
    let mut bounds = Vec::with_capacity(lines);
    while reader.next_record(&mut record).expect("records read") {
        let start = flat.len();
        for (f, v) in record.values() {
            let pf = match f {
                Field::Ip => ProbeField::Ip,
                Field::Domain => ProbeField::Domain,
                Field::Url => ProbeField::Url,
                _ => ProbeField::Hash,
            };
            flat.push((pf, v.to_owned()));
        }
        bounds.push(start..flat.len());
    }

    // 3. The index alone, record by record through the scanner; 4. the bare loop: one set
    // lookup per observable. Interleaved, best of `PASSES` passes each, since the machine is
    // shared.
    let (mut idx, mut bare) = (f64::MAX, f64::MAX);
    let (mut matched_index, mut matched_bare) = (0u64, 0u64);
    let mut probes: Vec<Probe<'_>> = Vec::with_capacity(8);
    let no_types: [&str; 0] = [];
    for _ in 0..PASSES {
        let t = Instant::now();
        matched_index = 0;
        for b in &bounds {
            probes.clear();
            for (f, v) in &flat[b.clone()] {
                probes.push(Probe {
                    field: *f,
                    value: v,
                });
            }
            hits.clear();
            scanner.observe(
                &probes,
                &no_types,
                0,
                &mut || serde_json::Value::Null,
                &mut hits,
            );
            matched_index += hits.len() as u64;
        }
        idx = idx.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        matched_bare = 0;
        for (_, v) in &flat {
            if set.contains(v.as_str()) {
                matched_bare += 1;
            }
        }
        bare = bare.min(t.elapsed().as_secs_f64());
    }
    println!("index_matches={matched_index}");
    println!("index_s={idx:.3}");
    println!("index_obs_per_s={:.0}", seen as f64 / idx);

    println!("bare_matches={matched_bare}");
    println!("bare_s={bare:.3}");
    println!("bare_obs_per_s={:.0}", seen as f64 / bare);
    println!("ratio_index_to_bare={:.2}", idx / bare);
}
