//! The interleaved pass: every read in every variant, round after round,
//! with the order rotated each round, so that load from other work on the
//! machine falls on the member's and the administrator's reads alike. The
//! overhead is the ratio of the medians.
//!
//! In each round a variant runs a block of reads sized to take about
//! [`BLOCK`], and the block is measured twice: wall time, and the CPU time
//! of the whole process (every thread: the caller, the runtime's workers,
//! the store's readers, its writer and its checkpointer), summed from
//! `/proc/self/task/*/schedstat`. On a shared machine the CPU time is the
//! steadier figure; the wall time also holds the release-record commit's
//! wait for the disk, which no CPU figure shows. Per-read figures are the
//! block's divided by its length. The runtime keeps its blocking threads
//! alive for the whole run (see `main`), so no thread's CPU time is lost.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use super::world::World;
use super::{Part, PartInputs, Shape, Variant, part, read};

/// Nanoseconds on a CPU of every thread of this process so far (threads
/// that have exited are not counted; the pool's threads outlive a round).
fn process_cpu() -> Duration {
    let mut total = 0u64;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            let text = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
            total += text
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_nanos(total)
}

/// One measurement: wall time and process CPU time.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    wall: Duration,
    cpu: Duration,
}

/// The time a block of reads aims at.
const BLOCK: Duration = Duration::from_millis(50);

/// Runs `run` `n` times; returns its last value and the per-run sample.
fn measure<T>(n: usize, mut run: impl FnMut() -> T) -> (T, Sample) {
    let cpu = process_cpu();
    let started = Instant::now();
    let mut value = run();
    for _ in 1..n {
        value = run();
    }
    let wall = started.elapsed();
    let per = |d: Duration| d / u32::try_from(n).unwrap_or(u32::MAX);
    (
        value,
        Sample {
            wall: per(wall),
            cpu: per(process_cpu().saturating_sub(cpu)),
        },
    )
}

/// How many runs make a block: from the time of one warm run.
fn block_len(run: impl FnOnce()) -> usize {
    let started = Instant::now();
    run();
    let one = started.elapsed().max(Duration::from_micros(1));
    usize::try_from(BLOCK.as_nanos() / one.as_nanos())
        .unwrap_or(1)
        .clamp(1, 5_000)
}

fn median(samples: &[Sample], pick: fn(&Sample) -> Duration) -> Duration {
    let mut values: Vec<Duration> = samples.iter().map(pick).collect();
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}

/// Microseconds or milliseconds, three significant digits.
fn show(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1_000.0)
    }
}

fn percent(numerator: Duration, denominator: Duration) -> String {
    let (n, d) = (numerator.as_secs_f64(), denominator.as_secs_f64());
    if d == 0.0 {
        "—".to_owned()
    } else {
        format!("{:+.1} %", (n / d - 1.0) * 100.0)
    }
}

/// The samples of one read: per variant, and the rows each returned.
struct Measured {
    shape: Shape,
    rows: [usize; 4],
    samples: Vec<Vec<Sample>>,
}

fn table(out: &mut String, title: &str, measured: &[Measured], pick: fn(&Sample) -> Duration) {
    let _ = writeln!(out, "{title}\n");
    let _ = writeln!(
        out,
        "| read | rows member/admin | hub member | hub admin | enforcement overhead | store member | \
         store admin | SQL filter | hub − store, member | hub − store, admin |"
    );
    let _ = writeln!(
        out,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for m in measured {
        let v: Vec<Duration> = m.samples.iter().map(|s| median(s, pick)).collect();
        let (hub_member, hub_admin, store_member, store_admin) = (v[0], v[1], v[2], v[3]);
        let _ = writeln!(
            out,
            "| {} | {}/{} | {} | {} | {} | {} | {} | {} | {} | {} |",
            m.shape.name(),
            m.rows[0],
            m.rows[1],
            show(hub_member),
            show(hub_admin),
            percent(hub_member, hub_admin),
            show(store_member),
            show(store_admin),
            percent(store_member, store_admin),
            show(hub_member.saturating_sub(store_member)),
            show(hub_admin.saturating_sub(store_admin)),
        );
    }
    let _ = writeln!(out);
}

/// Runs `rounds` rounds and returns the tables, in Markdown.
pub fn run(
    rt: &tokio::runtime::Runtime,
    world: &World,
    inputs: &PartInputs,
    rounds: usize,
) -> String {
    let mut measured = Vec::new();
    for shape in Shape::ALL {
        let mut samples: Vec<Vec<Sample>> = vec![Vec::with_capacity(rounds); Variant::ALL.len()];
        let mut rows = [0usize; 4];
        // One untimed run warms the statement caches and the page cache;
        // a second sizes the blocks.
        let lens: Vec<usize> = Variant::ALL
            .iter()
            .map(|&variant| {
                rt.block_on(read(world, shape, variant));
                block_len(|| {
                    rt.block_on(read(world, shape, variant));
                })
            })
            .collect();
        for round in 0..rounds {
            for k in 0..Variant::ALL.len() {
                let i = (k + round) % Variant::ALL.len();
                let (n, sample) =
                    measure(lens[i], || rt.block_on(read(world, shape, Variant::ALL[i])));
                rows[i] = n;
                samples[i].push(sample);
            }
        }
        measured.push(Measured {
            shape,
            rows,
            samples,
        });
    }
    let mut parts = Vec::new();
    for p in Part::ALL {
        rt.block_on(part(world, inputs, p));
        let len = block_len(|| {
            rt.block_on(part(world, inputs, p));
        });
        let samples: Vec<Sample> = (0..rounds)
            .map(|_| measure(len, || rt.block_on(part(world, inputs, p))).1)
            .collect();
        parts.push((p, samples));
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Interleaved medians over {rounds} rounds of ~50 ms blocks per variant; {} indicators on the node, {} in the measured collection \
         (analyst sees {}, administrator {}); enforcement overhead = hub member / hub admin − 1, SQL filter = \
         store member / store admin − 1.\n",
        world.indicators, world.size, world.member_probes.visible, world.admin_probes.visible
    );
    table(&mut out, "Wall time per read:", &measured, |s| s.wall);
    table(
        &mut out,
        "CPU time per read (all threads of the process):",
        &measured,
        |s| s.cpu,
    );
    let _ = writeln!(out, "| part of a hub read | wall | CPU |");
    let _ = writeln!(out, "| --- | ---: | ---: |");
    for (p, samples) in &parts {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            p.name(),
            show(median(samples, |s| s.wall)),
            show(median(samples, |s| s.cpu))
        );
    }
    out
}
