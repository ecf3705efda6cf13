//! Phase 3: many concurrent clients making filtered GETs, each answer checked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::generate;
use crate::stats::Phase;
use crate::taxii::{Taxii, encode};

/// Objects asked for by the `match[type]` query.
const TYPE_LIMIT: usize = 10;
/// Objects asked for by the `added_after` query.
const SINCE_LIMIT: usize = 100;

/// The three kinds of query, taken in turn, as named in the report.
const KINDS: [&str; 3] = ["by-id", "by-type", "since"];

/// A small, fast, seeded generator (xorshift64*): the benchmark needs spread, not secrecy.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// `args.queries` GETs from `args.clients` clients: by id, by type, and since a cursor.
pub async fn run(taxii: &Arc<Taxii>, args: &Args, cursors: &[String]) -> Phase {
    let cursors = Arc::new(cursors.to_vec());
    let per_client = args.queries.div_ceil(args.clients as u64);
    let started = Instant::now();
    let mut clients = Vec::new();
    for c in 0..args.clients {
        let (taxii, cursors, args) = (taxii.clone(), cursors.clone(), args.clone());
        clients.push(tokio::spawn(async move {
            // Distinct per client and per run; `| 1` keeps xorshift's state away from zero.
            let mut rng = Rng((0x9E37_79B9_7F4A_7C15
                ^ ((c as u64 + 1) * 0x1000_0001)
                ^ (u64::from(args.seed) << 32))
                | 1);
            let mut latencies: [Vec<Duration>; 3] = Default::default();
            let mut errors: Vec<String> = Vec::new();
            for i in 0..per_client {
                match one(&taxii, &args, &cursors, &mut rng, i).await {
                    Ok(latency) => latencies[(i % 3) as usize].push(latency),
                    Err(msg) => errors.push(msg),
                }
            }
            (latencies, errors)
        }));
    }
    let mut phase = Phase {
        name: "queries",
        unit: "requests",
        ..Phase::default()
    };
    phase.breakdown = KINDS.iter().map(|k| (*k, Vec::new())).collect();
    for client in clients {
        match client.await {
            Ok((latencies, errors)) => {
                for (k, l) in latencies.into_iter().enumerate() {
                    phase.latencies.extend_from_slice(&l);
                    phase.breakdown[k].1.extend(l);
                }
                errors.into_iter().for_each(|e| phase.error(e));
            }
            Err(e) => phase.error(format!("client panicked: {e}")),
        }
    }
    phase.elapsed = started.elapsed();
    phase.items = per_client * args.clients as u64;
    phase
}

/// One request, chosen by `i` in turn, and the check of its answer.
async fn one(
    taxii: &Taxii,
    args: &Args,
    cursors: &[String],
    rng: &mut Rng,
    i: u64,
) -> Result<Duration, String> {
    let kind = i % 3;
    let (query, want_id) = match kind {
        0 => {
            let id = generate::id(args.seed, rng.below(args.count));
            (format!("match%5Bid%5D={}", encode(&id)), Some(id))
        }
        1 => (
            format!("match%5Btype%5D=indicator&limit={TYPE_LIMIT}"),
            None,
        ),
        _ => {
            // Cursors short of the last page, so every `added_after` query has answers.
            let usable = cursors.len().saturating_sub(1).max(1) as u64;
            let cursor = cursors
                .get(rng.below(usable) as usize)
                .ok_or("the read-back saw no X-TAXII-Date-Added-Last")?;
            (
                format!("added_after={}&limit={SINCE_LIMIT}", encode(cursor)),
                None,
            )
        }
    };
    let started = Instant::now();
    let page = taxii
        .objects(&query)
        .await
        .map_err(|e| format!("{query}: {e}"))?;
    let latency = started.elapsed();
    let objects = &page.envelope.objects;
    let ok = match kind {
        0 => objects.len() == 1 && want_id.as_deref() == Some(objects[0].id.as_str()),
        1 => {
            objects.len() == TYPE_LIMIT.min(args.count as usize)
                && objects.iter().all(|o| o.id.starts_with("indicator--"))
        }
        _ => !objects.is_empty() && objects.len() <= SINCE_LIMIT,
    };
    if ok {
        Ok(latency)
    } else {
        Err(format!("{query}: {} objects in the answer", objects.len()))
    }
}
