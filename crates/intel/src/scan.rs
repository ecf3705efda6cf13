//! One scan loop for every front end: `charter scan` and `POST /api/v1/scan` both stream
//! an input through [`scan`], which reads its records, matches each against the indicator
//! index and hands the records with hits to a [`Sink`].
//!
//! The loop allocates nothing per record: the [`Record`], the vector of hits and the
//! vector of probes are reused from one record to the next (the probes through
//! [`reuse`], since they borrow the record). A malformed record is counted and skipped,
//! its message kept among the first [`MAX_ERRORS`]; any other reader error ends the scan.
//!
//! [`Tally`] aggregates the hits of a scan per indicator (how many, first and last seen),
//! the numbers a sighting reports.

use charter_pattern::Pattern;
use charter_pattern::index::Probe;
pub use charter_pattern::index::{Hit, Index, Scanner};

pub use crate::input::{Reader, Record};
pub use crate::{Error, ErrorKind};

/// How many bad-record messages a scan keeps; the others are only counted.
pub const MAX_ERRORS: usize = 20;

/// How many records pass between two calls of [`Sink::progress`].
pub const PROGRESS_EVERY: u64 = 65_536;

/// What a scan counted, over one input or several.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Records read (bad ones not included).
    pub records: u64,
    /// Values in those records.
    pub values: u64,
    /// Hits: one per indicator matching a record.
    pub matches: u64,
    /// Malformed records, skipped.
    pub bad_records: u64,
    /// The messages of the first [`MAX_ERRORS`] malformed records, in input order.
    pub errors: Vec<String>,
}

/// Where a scan sends what it finds.
pub trait Sink {
    /// The error that ends a scan; reader errors convert into it.
    type Error: From<Error>;

    /// `record` matched the indicators of `hits` (never empty), each once.
    fn hits(&mut self, record: &Record, hits: &[Hit]) -> Result<(), Self::Error>;

    /// A malformed record was skipped; `kept` tells whether its message is among the
    /// [`MAX_ERRORS`] kept in [`Totals::errors`].
    fn bad_record(&mut self, error: &Error, kept: bool) {
        let _ = (error, kept);
    }

    /// Every [`PROGRESS_EVERY`] records: the bytes of input read so far.
    fn progress(&mut self, bytes_read: u64) {
        let _ = bytes_read;
    }
}

/// The index over `patterns`, in order: the ordinal of a [`Hit`] is the position of its
/// pattern in `patterns`.
pub fn index<'a>(patterns: impl IntoIterator<Item = &'a Pattern>) -> Index {
    let mut index = Index::new();
    for pattern in patterns {
        index.insert(pattern);
    }
    index
}

/// Scans every record of `reader` with `scanner`, adding to `totals` and handing each
/// record with hits to `sink`. Returns at the end of the input, at the first reader error
/// that is not a bad record, or at the first error of the sink.
pub fn scan<S: Sink>(
    reader: &mut dyn Reader,
    scanner: &mut Scanner<'_>,
    totals: &mut Totals,
    sink: &mut S,
) -> Result<(), S::Error> {
    let mut record = Record::default();
    let mut spare: Vec<Probe<'static>> = Vec::new();
    let mut hits = Vec::new();
    loop {
        match reader.next_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) if e.kind() == ErrorKind::BadRecord => {
                totals.bad_records += 1;
                let kept = totals.errors.len() < MAX_ERRORS;
                if kept {
                    totals.errors.push(e.message().to_owned());
                }
                sink.bad_record(&e, kept);
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        totals.records += 1;
        totals.values += record.len() as u64;
        hits.clear();
        let mut probes = reuse(std::mem::take(&mut spare));
        record.probes(&mut probes);
        scanner.observe(
            &probes,
            record.types(),
            record.time,
            &mut || record.to_stix(),
            &mut hits,
        );
        spare = reuse(probes);
        if !hits.is_empty() {
            totals.matches += hits.len() as u64;
            sink.hits(&record, &hits)?;
        }
        if totals.records % PROGRESS_EVERY == 0 {
            sink.progress(reader.bytes_read());
        }
    }
}

/// An empty vector of probes with the allocation of `v`, for a new borrow of the record:
/// the buffer is reused from record to record without copying (the collect of an empty
/// iterator into a vector of the same layout keeps the allocation).
// `filter_map` is one of the adapters std collects in place; a plain `filter` would not
// change the element type.
#[allow(clippy::unnecessary_filter_map)]
fn reuse<'b>(mut v: Vec<Probe<'_>>) -> Vec<Probe<'b>> {
    v.clear();
    v.into_iter().filter_map(|_| None::<Probe<'b>>).collect()
}

/// How often one indicator was seen: the numbers of its sighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The indicator's ordinal in the index.
    pub ord: u32,
    /// How many records it matched.
    pub count: u64,
    /// The earliest record time, in microseconds since the epoch.
    pub first_seen: i64,
    /// The latest record time, in microseconds since the epoch.
    pub last_seen: i64,
}

/// The hits of a scan aggregated per indicator, for sightings.
#[derive(Debug, Clone)]
pub struct Tally {
    slots: Vec<Option<Seen>>,
    now: i64,
}

impl Tally {
    /// A tally for an index of `len` indicators; a record without a time counts as seen
    /// at `now` (microseconds since the epoch).
    pub fn new(len: usize, now: i64) -> Tally {
        Tally {
            slots: vec![None; len],
            now,
        }
    }

    /// Counts `hits` of one record, observed at `time` (0 when the input says not).
    pub fn add(&mut self, time: i64, hits: &[Hit]) {
        let seen = if time == 0 { self.now } else { time };
        for hit in hits {
            let Some(slot) = self.slots.get_mut(hit.ord as usize) else {
                continue;
            };
            match slot {
                Some(s) => {
                    s.count += 1;
                    s.first_seen = s.first_seen.min(seen);
                    s.last_seen = s.last_seen.max(seen);
                }
                None => {
                    *slot = Some(Seen {
                        ord: hit.ord,
                        count: 1,
                        first_seen: seen,
                        last_seen: seen,
                    });
                }
            }
        }
    }

    /// The indicators seen, in ordinal order.
    pub fn seen(&self) -> impl Iterator<Item = &Seen> {
        self.slots.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{self, InputFormat};

    struct Collect(Vec<(u64, u32, String)>, Vec<bool>);

    impl Sink for Collect {
        type Error = Error;
        fn hits(&mut self, record: &Record, hits: &[Hit]) -> Result<(), Error> {
            for h in hits {
                self.0.push((record.position, h.ord, h.value.clone()));
            }
            Ok(())
        }
        fn bad_record(&mut self, _: &Error, kept: bool) {
            self.1.push(kept);
        }
    }

    fn pattern(text: &str) -> Pattern {
        charter_pattern::parse(text).expect("test pattern")
    }

    #[test]
    fn counts_hits_and_skips_bad_records_keeping_the_first_messages() {
        let patterns = [
            pattern("[ipv4-addr:value = '203.0.113.7']"),
            pattern("[domain-name:value = 'evil.example']"),
        ];
        let index = index(&patterns);
        let mut text =
            String::from("{\"id.orig_h\": \"203.0.113.7\", \"query\": \"EVIL.example\"}\n");
        for _ in 0..25 {
            text.push_str("{not json\n");
        }
        text.push_str("{\"id.orig_h\": \"198.51.100.1\"}\n");
        let source = Box::new(std::io::Cursor::new(text.into_bytes()));
        let mut reader = input::reader(
            InputFormat::Json,
            input::open_input(source).expect("opens"),
            None,
        )
        .expect("reader");
        let mut scanner = Scanner::new(&index);
        let mut totals = Totals::default();
        let mut sink = Collect(Vec::new(), Vec::new());
        scan(&mut *reader, &mut scanner, &mut totals, &mut sink).expect("scan");
        assert_eq!(totals.records, 2);
        assert_eq!(totals.values, 3);
        assert_eq!(totals.matches, 2);
        assert_eq!(totals.bad_records, 25);
        assert_eq!(totals.errors.len(), MAX_ERRORS);
        assert!(totals.errors[0].contains("line 2"), "{:?}", totals.errors);
        assert_eq!(sink.1.iter().filter(|k| **k).count(), MAX_ERRORS);
        let mut found = sink.0.clone();
        found.sort();
        assert_eq!(
            found,
            [
                (1, 0, "203.0.113.7".to_owned()),
                (1, 1, "EVIL.example".to_owned())
            ]
        );
    }

    #[test]
    fn the_tally_keeps_counts_and_the_time_range_per_indicator() {
        let hit = |ord| Hit {
            ord,
            value: String::new(),
        };
        let mut tally = Tally::new(3, 500);
        tally.add(100, &[hit(2)]);
        tally.add(0, &[hit(2), hit(0)]);
        tally.add(50, &[hit(2), hit(7)]);
        let seen: Vec<Seen> = tally.seen().copied().collect();
        assert_eq!(
            seen,
            [
                Seen {
                    ord: 0,
                    count: 1,
                    first_seen: 500,
                    last_seen: 500
                },
                Seen {
                    ord: 2,
                    count: 3,
                    first_seen: 50,
                    last_seen: 500
                },
            ]
        );
    }
}
