//! Phase 2: the whole collection read back in pages, following `next`.

use std::collections::HashSet;
use std::time::Instant;

use crate::args::Args;
use crate::generate;
use crate::stats::Phase;
use crate::taxii::{Taxii, encode};

/// The read-back's measurements and the `added_after` cursors it saw, for the query phase.
pub struct Read {
    /// Timing and errors.
    pub phase: Phase,
    /// The `X-TAXII-Date-Added-Last` of each page, in order.
    pub cursors: Vec<String>,
}

/// Reads every object once; every generated id must come back exactly once.
pub async fn run(taxii: &Taxii, args: &Args) -> Read {
    let mut phase = Phase {
        name: "read",
        unit: "objects",
        ..Phase::default()
    };
    let mut cursors = Vec::new();
    let mut seen = HashSet::with_capacity(args.count as usize);
    let mut duplicates = 0u64;
    let mut next: Option<String> = None;
    let started = Instant::now();
    loop {
        let mut query = format!("limit={}", args.page);
        if let Some(token) = &next {
            query.push_str("&next=");
            query.push_str(&encode(token));
        }
        let t = Instant::now();
        let page = match taxii.objects(&query).await {
            Ok(p) => p,
            Err(e) => {
                phase.error(format!("page after {} objects: {e}", seen.len()));
                break;
            }
        };
        phase.latencies.push(t.elapsed());
        if page.envelope.objects.len() as u64 > args.page {
            phase.error(format!(
                "a page of {} objects for limit={}",
                page.envelope.objects.len(),
                args.page
            ));
        }
        for o in page.envelope.objects {
            if !seen.insert(o.id) {
                duplicates += 1;
            }
        }
        if let Some(c) = page.date_added_last {
            cursors.push(c);
        }
        match (page.envelope.more, page.envelope.next) {
            (true, Some(token)) => next = Some(token),
            (true, None) => {
                phase.error("more is true but there is no next token");
                break;
            }
            (false, _) => break,
        }
    }
    phase.elapsed = started.elapsed();
    phase.items = seen.len() as u64 + duplicates;
    if duplicates > 0 {
        phase.error(format!("{duplicates} objects came back more than once"));
    }
    let missing = (0..args.count)
        .filter(|&n| !seen.contains(&generate::id(args.seed, n)))
        .count();
    if missing > 0 {
        phase.error(format!("{missing} ingested objects never came back"));
    }
    if seen.len() as u64 != args.count {
        phase.error(format!(
            "{} objects read, {} ingested",
            seen.len(),
            args.count
        ));
    }
    Read { phase, cursors }
}
