//! The cost of enforcing the handling rules on reads.
//!
//! One SQLite node (a real file, `synchronous = FULL`) with 1,000
//! organisations, 100 overlapping communities and tens of thousands of
//! indicators at every TLP level (see `handling/world.rs`). The same reads
//! of one community's collection are timed as an analyst of that community,
//! whose reads the store filters by audience and the hub re-checks, and as a
//! node administrator, whose reads are not filtered; both are recorded in the
//! release record. Each read is also timed against the store alone, with
//! the analyst's principal keys and without, which separates the SQL filter
//! from the hub's own work (collection lookup, re-check, release-record
//! append). A last group times those parts on their own.
//!
//! Criterion reports each read; then an interleaved pass (member and
//! administrator alternating, so that machine load falls on both alike)
//! prints the overhead table that `bench/members/run` reports.
//! `HANDLING_INDICATORS` sets the number of indicators (default 60,000),
//! `HANDLING_ROUNDS` the rounds of the interleaved pass (default 40; 0
//! skips it), `HANDLING_REPORT` a file to write its table to, and
//! `HANDLING_EXPLAIN` (any value) prints the query plans instead of timing;
//! `HANDLING_KEEP` (any value) keeps the database folder afterwards.

#[path = "handling/paired.rs"]
mod paired;
#[path = "handling/world.rs"]
mod world;

use std::hint::black_box;
use std::time::Duration;

use charter_hub::ObjectFilter;
use charter_store::{AuditDraft, ObjectQuery, Store};
use criterion::Criterion;
use serde_json::json;
use world::{PAGE, Probes, ROOT, World};

/// The reads compared, each a TAXII request a member makes routinely.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// The first page of objects, TAXII's defaults.
    Page,
    /// The first page of objects with `match[type]=indicator`.
    PageIndicators,
    /// `match[id]` of one object.
    MatchId,
    /// `added_after` leaving the last few hundred versions.
    AddedAfter,
    /// The first manifest page.
    Manifest,
    /// A manifest page from the middle of the collection (`next`).
    ManifestMiddle,
}

impl Shape {
    /// Every read, in report order.
    const ALL: [Shape; 6] = [
        Shape::Page,
        Shape::PageIndicators,
        Shape::MatchId,
        Shape::AddedAfter,
        Shape::Manifest,
        Shape::ManifestMiddle,
    ];

    /// The name in criterion's report and in the table.
    fn name(self) -> &'static str {
        match self {
            Shape::Page => "page",
            Shape::PageIndicators => "page-indicator",
            Shape::MatchId => "match-id",
            Shape::AddedAfter => "added-after",
            Shape::Manifest => "manifest",
            Shape::ManifestMiddle => "manifest-middle",
        }
    }

    fn with_raw(self) -> bool {
        !matches!(self, Shape::Manifest | Shape::ManifestMiddle)
    }

    /// The hub's filter for this read by the principal with `probes`.
    fn filter(self, world: &World, probes: &Probes) -> ObjectFilter {
        let limit = Some(PAGE);
        match self {
            Shape::Page | Shape::Manifest => ObjectFilter {
                limit,
                ..Default::default()
            },
            Shape::PageIndicators => ObjectFilter {
                limit,
                types: vec!["indicator".to_owned()],
                ..Default::default()
            },
            // The member's id, so both principals ask for an object both may see.
            Shape::MatchId => ObjectFilter {
                limit,
                ids: vec![world.member_probes.id.clone()],
                ..Default::default()
            },
            Shape::AddedAfter => ObjectFilter {
                limit,
                added_after: Some(charter_hub::Timestamp::from_unix_micros(world.added_after)),
                ..Default::default()
            },
            Shape::ManifestMiddle => ObjectFilter {
                limit,
                next: probes.hub_middle.clone(),
                ..Default::default()
            },
        }
    }

    /// The store query the hub issues for this read.
    fn query(self, world: &World, probes: &Probes, audience: Option<Vec<String>>) -> ObjectQuery {
        let base = world::base_query(&world.collection, audience, self.with_raw());
        match self {
            Shape::Page | Shape::Manifest => base,
            Shape::PageIndicators => ObjectQuery {
                types: vec!["indicator".to_owned()],
                ..base
            },
            Shape::MatchId => ObjectQuery {
                ids: vec![world.member_probes.id.clone()],
                ..base
            },
            Shape::AddedAfter => ObjectQuery {
                added_after: Some(world.added_after),
                ..base
            },
            Shape::ManifestMiddle => ObjectQuery {
                after: probes.store_middle,
                ..base
            },
        }
    }
}

/// Who reads, and through which layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// The analyst, through the hub: filter, re-check, release record.
    HubMember,
    /// The administrator, through the hub: release record only.
    HubAdmin,
    /// The store alone with the analyst's principal keys, as the hub passes them.
    StoreMember,
    /// The store alone without an audience.
    StoreAdmin,
}

impl Variant {
    /// Every variant, in report order.
    const ALL: [Variant; 4] = [
        Variant::HubMember,
        Variant::HubAdmin,
        Variant::StoreMember,
        Variant::StoreAdmin,
    ];

    /// The name in criterion's report.
    fn name(self) -> &'static str {
        match self {
            Variant::HubMember => "hub-member",
            Variant::HubAdmin => "hub-admin",
            Variant::StoreMember => "store-member",
            Variant::StoreAdmin => "store-admin",
        }
    }
}

/// Runs one read; returns how many versions it returned.
async fn read(world: &World, shape: Shape, variant: Variant) -> usize {
    let (viewer, probes) = match variant {
        Variant::HubMember | Variant::StoreMember => (&world.member, &world.member_probes),
        Variant::HubAdmin | Variant::StoreAdmin => (&world.admin, &world.admin_probes),
    };
    match variant {
        Variant::HubMember | Variant::HubAdmin => {
            let filter = shape.filter(world, probes);
            let page = world
                .hub
                .objects(viewer, ROOT, &world.collection, filter, shape.with_raw())
                .await;
            page.expect("the principal may read the collection")
                .get()
                .objects
                .len()
        }
        Variant::StoreMember | Variant::StoreAdmin => {
            let audience = (variant == Variant::StoreMember).then(|| world.member_keys.clone());
            let page = world
                .store
                .query(shape.query(world, probes, audience))
                .await;
            page.expect("the collection exists").items.len()
        }
    }
}

/// The parts of a hub read timed on their own.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// The collection lookup every read starts with (API root, collection, rights).
    Lookup,
    /// `may_release` over the grants of a member's page of 1,000.
    Recheck,
    /// Appending the release-record entry of a page of 1,000.
    AuditPage,
    /// Appending an entry naming one object: the commit wait alone.
    AuditOne,
}

impl Part {
    /// Every part, in report order.
    const ALL: [Part; 4] = [Part::Lookup, Part::Recheck, Part::AuditPage, Part::AuditOne];

    /// The name in criterion's report.
    fn name(self) -> &'static str {
        match self {
            Part::Lookup => "lookup",
            Part::Recheck => "recheck-page",
            Part::AuditPage => "audit-append-page",
            Part::AuditOne => "audit-append-one",
        }
    }
}

/// What the parts work on, read once.
struct PartInputs {
    /// The grant lists of the member's first page.
    grants: Vec<Vec<String>>,
    /// The release entry of the administrator's first page, as the hub writes it.
    page_entry: String,
    /// A release entry naming one object.
    one_entry: String,
}

impl PartInputs {
    /// Reads the pages the parts need.
    async fn load(world: &World) -> PartInputs {
        let member = world.store.query(world::base_query(
            &world.collection,
            Some(world.member_keys.clone()),
            false,
        ));
        let grants = member
            .await
            .expect("readable")
            .items
            .into_iter()
            .map(|v| v.grants)
            .collect();
        let admin = world
            .store
            .query(world::base_query(&world.collection, None, false))
            .await
            .expect("readable");
        let pairs: Vec<(&str, &str)> = admin
            .items
            .iter()
            .map(|v| (v.id.as_str(), v.version.text.as_str()))
            .collect();
        let entry = |objects: &[(&str, &str)]| {
            json!({ "collection": world.collection, "form": "objects", "decision": "released", "objects": objects })
                .to_string()
        };
        PartInputs {
            grants,
            page_entry: entry(&pairs),
            one_entry: entry(&pairs[..pairs.len().min(1)]),
        }
    }
}

fn draft(detail: &str) -> AuditDraft {
    AuditDraft {
        at: 1_767_225_600_000_000,
        actor: "node-admin".to_owned(),
        action: "release".to_owned(),
        channel: "cli".to_owned(),
        detail: detail.to_owned(),
    }
}

/// Runs one part once.
async fn part(world: &World, inputs: &PartInputs, part: Part) -> usize {
    match part {
        Part::Lookup => {
            let info = world
                .hub
                .collection(&world.member, ROOT, &world.collection)
                .await
                .expect("visible");
            usize::from(info.get().can_read)
        }
        Part::Recheck => inputs
            .grants
            .iter()
            .filter(|g| charter_policy::may_release(g, &world.member_keys))
            .count(),
        Part::AuditPage => {
            world
                .store
                .append_audit(vec![draft(&inputs.page_entry)])
                .await
                .expect("appended");
            1
        }
        Part::AuditOne => {
            world
                .store
                .append_audit(vec![draft(&inputs.one_entry)])
                .await
                .expect("appended");
            1
        }
    }
}

/// Prints the plan SQLite chose for each read, with and without the
/// analyst's keys (`HANDLING_EXPLAIN`), instead of timing anything.
fn explain(rt: &tokio::runtime::Runtime, world: &World) {
    for shape in Shape::ALL {
        for (who, probes, audience) in [
            (
                "member",
                &world.member_probes,
                Some(world.member_keys.clone()),
            ),
            ("admin", &world.admin_probes, None),
        ] {
            let plan = rt.block_on(
                world
                    .store
                    .explain_query(shape.query(world, probes, audience)),
            );
            println!("{} as {who}:", shape.name());
            for line in plan.expect("the query has a plan") {
                println!("    {line}");
            }
        }
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Blocking threads (the store's reads) stay for the whole run, so
        // the CPU time summed over live threads loses none of them.
        .thread_keep_alive(Duration::from_secs(24 * 3600))
        .enable_all()
        .build()
        .expect("a tokio runtime starts");
    // Listing the benches (`--list`, as test runners do) and unoptimised
    // builds (`cargo test --all-targets`) only check that the bench runs:
    // a small node, and no interleaved pass.
    let quick = cfg!(debug_assertions) || std::env::args().any(|a| a == "--list");
    let indicators = env_usize(
        "HANDLING_INDICATORS",
        if quick {
            600
        } else {
            world::DEFAULT_INDICATORS
        },
    );
    let started = std::time::Instant::now();
    let world = rt.block_on(world::build(indicators));
    let inputs = rt.block_on(PartInputs::load(&world));
    eprintln!(
        "node built in {:.1} s: {} indicators; measured collection {} versions, community of {} organisations; \
         analyst sees {} ({} principal keys passed to the store), administrator {}",
        started.elapsed().as_secs_f64(),
        world.indicators,
        world.size,
        world.community_size,
        world.member_probes.visible,
        world.member_keys.len(),
        world.admin_probes.visible,
    );
    if std::env::var_os("HANDLING_EXPLAIN").is_some() {
        explain(&rt, &world);
        keep(world);
        return;
    }

    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    for shape in Shape::ALL {
        let mut group = criterion.benchmark_group(format!("handling-{}", shape.name()));
        for variant in Variant::ALL {
            group.bench_function(variant.name(), |b| {
                b.iter(|| black_box(rt.block_on(read(&world, shape, variant))))
            });
        }
        group.finish();
    }
    let mut group = criterion.benchmark_group("handling-parts");
    for p in Part::ALL {
        group.bench_function(p.name(), |b| {
            b.iter(|| black_box(rt.block_on(part(&world, &inputs, p))))
        });
    }
    group.finish();
    criterion.final_summary();

    let rounds = if quick {
        0
    } else {
        env_usize("HANDLING_ROUNDS", 40)
    };
    if rounds > 0 {
        let table = paired::run(&rt, &world, &inputs, rounds);
        println!("\n{table}");
        if let Ok(path) = std::env::var("HANDLING_REPORT") {
            std::fs::write(&path, &table).expect("the report file is writable");
        }
    }
    keep(world);
}

/// With `HANDLING_KEEP` set, keeps the database for inspection.
fn keep(world: World) {
    if std::env::var_os("HANDLING_KEEP").is_some() {
        eprintln!("database kept in {}", world.keep().display());
    }
}
