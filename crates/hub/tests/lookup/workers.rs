//! Building an index is CPU work that stays off the async workers: the parsing of the
//! indicators and their compiling into the index run on blocking threads, so a task on
//! the same worker keeps its pace while a large index is built.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use charter_hub::{Hub, HubConfig, Role, Viewer};

use super::{Node, V1, add, filter, ip, member, node_with, viewer};

/// Indicators in the collection the index is built over.
const INDICATORS: u32 = 8_000;

/// A node that reads the whole collection in one page: parsing and filing it inline would
/// hold the worker for one long stretch.
async fn big_node() -> Node {
    node_with(HubConfig {
        max_page_size: 10_000,
        default_page_size: 10_000,
        ..HubConfig::default()
    })
    .await
}

/// Runs one lookup of `value` by `viewer` while a ticker on the same runtime asks to run
/// every millisecond; returns how long the lookup took, the ticker's longest gap, and how
/// many indicators matched.
async fn timed_lookup(hub: &Hub, viewer: &Viewer, value: &str) -> (Duration, Duration, usize) {
    let longest = Arc::new(AtomicU64::new(0));
    let ticker = tokio::spawn({
        let longest = Arc::clone(&longest);
        async move {
            let mut interval = tokio::time::interval(Duration::from_millis(1));
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            interval.tick().await;
            let mut last = Instant::now();
            loop {
                interval.tick().await;
                let now = Instant::now();
                let gap = u64::try_from((now - last).as_micros()).unwrap_or(u64::MAX);
                longest.fetch_max(gap, Ordering::Relaxed);
                last = now;
            }
        }
    });
    // Let the ticker start before the lookup takes the worker.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let start = Instant::now();
    let answer = hub
        .lookup(viewer, &filter(), &[value.to_owned()])
        .await
        .expect("lookup")
        .into_inner();
    let took = start.elapsed();
    ticker.abort();
    let longest = Duration::from_micros(longest.load(Ordering::Relaxed));
    (took, longest, answer[0].indicators.len())
}

/// On a runtime of one thread, a ticker asking to run every millisecond waits at most a
/// small part of a large build; parsing on that thread would hold it for most of the
/// build. The bound is relative to the build's own duration, so it holds on slow
/// machines too.
#[tokio::test(flavor = "current_thread")]
async fn a_large_build_leaves_the_worker_free() {
    let n = big_node().await;
    let hub = &n.hub;
    let op = Viewer::node_operator();
    for start in (0..INDICATORS).step_by(1_000) {
        let batch = (start..start + 1_000)
            .map(|i| {
                ip(
                    i,
                    V1,
                    &format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
                )
            })
            .collect();
        add(hub, &op, "default", batch, &[]).await;
    }
    // The first build parses every indicator and files it.
    let (took, longest, found) = timed_lookup(hub, &op, "10.0.1.2").await;
    assert_eq!(found, 1);
    assert_eq!(hub.lookup_cache_stats().builds, 1);
    assert!(
        longest < took / 4,
        "the ticker waited {longest:?} during a build of {took:?}"
    );

    member(hub, "ana", "Grid plc", Role::Analyst).await;
    hub.grant(&op, "ana", "default", "default", true, false)
        .await
        .expect("granted");
    let ana = viewer(hub, "ana").await;
    // A second audience takes the parsed indicators from the first entry: its build is
    // mostly filing, which `State::light` (tested in the state module) sends to a blocking
    // thread at this size. Its duration is too short on a loaded machine for the ticker's
    // gap to tell inline from offloaded work reliably, so only its outcome is checked here.
    let (_, _, found) = timed_lookup(hub, &ana, "10.0.1.2").await;
    assert_eq!(found, 1);
    let stats = hub.lookup_cache_stats();
    assert_eq!((stats.entries, stats.builds), (2, 2), "{stats:?}");
}
