//! Phase 1: durable ingest, several envelopes in flight, until every status is complete.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::args::Args;
use crate::generate;
use crate::stats::Phase;
use crate::taxii::{Status, Taxii};

/// How often a pending status is polled.
const POLL: Duration = Duration::from_millis(10);

/// The outcome of one envelope: its status id, its size and the time from POST to `complete`.
struct Sent {
    status_id: String,
    objects: u64,
    latency: Duration,
}

/// Ingests `args.count` indicators and checks every status resource afterwards.
pub async fn run(taxii: &Arc<Taxii>, args: &Args) -> Phase {
    let envelopes = args.count.div_ceil(args.batch);
    let next = Arc::new(AtomicU64::new(0));
    let phase = Arc::new(Mutex::new(Phase {
        name: "ingest",
        unit: "objects",
        ..Phase::default()
    }));
    let sent = Arc::new(Mutex::new(Vec::with_capacity(envelopes as usize)));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..args.in_flight {
        let (taxii, next, phase, sent, args) = (
            taxii.clone(),
            next.clone(),
            phase.clone(),
            sent.clone(),
            args.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= envelopes {
                    break;
                }
                let start = k * args.batch;
                let end = (start + args.batch).min(args.count);
                match send(
                    &taxii,
                    generate::envelope(args.seed, start, end),
                    end - start,
                )
                .await
                {
                    Ok(s) => sent.lock().await.push(s),
                    Err(msg) => phase.lock().await.error(format!("envelope {k}: {msg}")),
                }
            }
        }));
    }
    for w in workers {
        if let Err(e) = w.await {
            phase.lock().await.error(format!("worker panicked: {e}"));
        }
    }
    let elapsed = started.elapsed();

    let sent = std::mem::take(&mut *sent.lock().await);
    let mut phase = std::mem::take(&mut *phase.lock().await);
    phase.elapsed = elapsed;
    phase.items = args.count;
    phase.latencies = sent.iter().map(|s| s.latency).collect();
    verify(taxii, &sent, args, &mut phase).await;
    phase
}

/// POSTs one envelope and polls its status until it is complete.
async fn send(taxii: &Taxii, body: Vec<u8>, objects: u64) -> Result<Sent, String> {
    let started = Instant::now();
    let mut status = taxii.add(body).await.map_err(|e| e.to_string())?;
    while status.status != "complete" {
        tokio::time::sleep(POLL).await;
        status = taxii.status(&status.id).await.map_err(|e| e.to_string())?;
    }
    check(&status, objects)?;
    Ok(Sent {
        status_id: status.id,
        objects,
        latency: started.elapsed(),
    })
}

fn check(status: &Status, objects: u64) -> Result<(), String> {
    if status.status != "complete"
        || status.success_count != objects
        || status.failure_count != 0
        || status.pending_count != 0
    {
        return Err(format!(
            "status {} is {} with {} stored, {} failed, {} pending of {objects}",
            status.id,
            status.status,
            status.success_count,
            status.failure_count,
            status.pending_count
        ));
    }
    Ok(())
}

/// Reads every status resource back (untimed): each must still say complete with every object.
async fn verify(taxii: &Arc<Taxii>, sent: &[Sent], args: &Args, phase: &mut Phase) {
    let envelopes = args.count.div_ceil(args.batch);
    if sent.len() as u64 != envelopes {
        phase.error(format!(
            "{} of {envelopes} envelopes acknowledged",
            sent.len()
        ));
    }
    let work: Arc<Vec<(String, u64)>> = Arc::new(
        sent.iter()
            .map(|s| (s.status_id.clone(), s.objects))
            .collect(),
    );
    let next = Arc::new(AtomicU64::new(0));
    let mut checkers = Vec::new();
    for _ in 0..args.in_flight {
        let (taxii, work, next) = (taxii.clone(), work.clone(), next.clone());
        checkers.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            while let Some((id, objects)) = work.get(next.fetch_add(1, Ordering::Relaxed) as usize)
            {
                let outcome = match taxii.status(id).await {
                    Ok(status) => check(&status, *objects),
                    Err(e) => Err(format!("status {id}: {e}")),
                };
                if let Err(msg) = outcome {
                    failures.push(msg);
                }
            }
            failures
        }));
    }
    for c in checkers {
        match c.await {
            Ok(failures) => failures.into_iter().for_each(|f| phase.error(f)),
            Err(e) => phase.error(format!("checker panicked: {e}")),
        }
    }
}
