//! A compiled matcher over a whole set of indicators, for scanning logs and answering lookups.
//!
//! [`Index::insert`] compiles one pattern and returns its ordinal (a `u32` the caller keeps
//! its own side table by); [`Index::remove`] takes it out again, so the index follows
//! indicators as they arrive and are revoked. Each pattern is filed under *anchors*: values
//! that any observation it matches must carry.
//!
//! * Equality and `IN` on IP addresses (and CIDR blocks, also through `ISSUBSET`), domain
//!   names, URLs, e-mail addresses, hashes of every algorithm and any other property go to
//!   hash tables ([`tables`]); IPv4 keys are `u32`, blocks sit in one table per prefix length.
//!   A Bloom filter ([`filter`]) of every exact IPv4 and string key answers most misses
//!   before any table is read.
//! * `LIKE` and `MATCHES` go to one regex set per property, whose engine runs literal
//!   prefilters before any automaton.
//! * A pattern with no anchor (`file:size > 10`, `NOT`, `!=`) is filed under the object
//!   types it names and evaluated on every observation holding one of them.
//!
//! A pattern made only of anchored tests on one observation (`[ipv4-addr:value = '…' OR
//! domain-name:value = '…']`) is *direct*: an anchor hit is a match. Any other pattern over
//! one observation is confirmed by the general evaluator ([`crate::matches`]) on that
//! observation. A pattern across observations (`AND`, `OR`, `FOLLOWEDBY`, `WITHIN`,
//! `REPEATS`) keeps, per indicator, the recent observations that hit one of its anchors
//! (at most [`WINDOW_OBSERVATIONS`], none older than its longest `WITHIN`) and is decided by
//! the evaluator over them; see [`Scanner`].
//!
//! Anchors compare as DESIGN.md asks of scans and lookups (hashes and domain names without
//! regard to case, IP addresses by value); the general evaluator keeps STIX's exact rules, so
//! a pattern that needs it (an `AND` inside brackets, a regular expression) decides by them.

mod compile;
mod filter;
pub mod keys;
mod scanner;
mod tables;

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use foldhash::HashMap;

use crate::ast::Pattern;
pub use compile::exact_values;
pub use keys::{Field, IpKey, classify, normalise, parse_ip};
pub use scanner::{Hit, Scanner, WINDOW_OBSERVATIONS};

/// How an indicator is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An anchor hit is a match.
    Direct,
    /// An anchor hit (or an observation of a named type) is confirmed by the evaluator.
    Verified,
    /// Across observations: windowed state, then the evaluator.
    Windowed,
}

/// Tags of the string table; values above these name interned `Other` fields.
const TAG_DOMAIN: u16 = 0;
const TAG_URL: u16 = 1;
const TAG_EMAIL: u16 = 2;
const TAG_HASH: u16 = 3;
const TAG_FIRST_OTHER: u16 = 4;

/// A value seen in an observation, as a scan presents it to the index.
#[derive(Debug, Clone, Copy)]
pub struct Probe<'a> {
    /// What kind of value it is.
    pub field: ProbeField<'a>,
    /// The value as written in the log.
    pub value: &'a str,
}

/// The field of a [`Probe`]: [`Field`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeField<'a> {
    /// An IP address.
    Ip,
    /// A DNS name.
    Domain,
    /// A URL.
    Url,
    /// An e-mail address.
    Email,
    /// A hash.
    Hash,
    /// Another property, `type:path`.
    Other(&'a str),
}

impl ProbeField<'_> {
    /// The owned field.
    pub fn to_field(self) -> Field {
        match self {
            ProbeField::Ip => Field::Ip,
            ProbeField::Domain => Field::Domain,
            ProbeField::Url => Field::Url,
            ProbeField::Email => Field::Email,
            ProbeField::Hash => Field::Hash,
            ProbeField::Other(p) => Field::Other(p.into()),
        }
    }
}

/// A compiled set of indicator patterns.
#[derive(Debug)]
pub struct Index {
    strings: tables::StringTable,
    ips: tables::IpTable,
    /// Every exact string and IPv4 key, so that most misses never reach the tables.
    filter: filter::Filter,
    other_tags: HashMap<Box<str>, u16>,
    regexes: Vec<RegexAnchor>,
    regex_sets: OnceLock<HashMap<u16, RegexGroup>>,
    /// Object type to the indicators evaluated on every observation holding it.
    general: HashMap<Box<str>, Vec<u32>>,
    /// The shape of each ordinal; `None` once removed.
    shapes: Vec<Option<Shape>>,
    /// The patterns the evaluator needs (every shape but direct).
    patterns: HashMap<u32, Arc<Pattern>>,
    /// The longest `WITHIN` of windowed patterns, in microseconds.
    windows: HashMap<u32, i64>,
    removed: usize,
}

/// The key a probe is looked up by: an IPv4 address (the common case, parsed by hand), any
/// other address or block, or a normalised string value with its tag and seeded hash.
enum Key<'p> {
    None,
    V4(u32),
    Ip(IpKey),
    String {
        tag: u16,
        hash: u64,
        value: std::borrow::Cow<'p, str>,
    },
}

#[derive(Debug)]
struct RegexAnchor {
    tag: u16,
    regex: regex::Regex,
    ord: u32,
}

#[derive(Debug)]
struct RegexGroup {
    set: regex::RegexSet,
    /// The ordinal of each regex in the set.
    ords: Vec<u32>,
}

impl Default for Index {
    fn default() -> Self {
        Index::new()
    }
}

impl Index {
    /// An empty index.
    pub fn new() -> Index {
        Index {
            strings: tables::StringTable::new(),
            ips: tables::IpTable::default(),
            filter: filter::Filter::default(),
            other_tags: HashMap::default(),
            regexes: Vec::new(),
            regex_sets: OnceLock::new(),
            general: HashMap::default(),
            shapes: Vec::new(),
            patterns: HashMap::default(),
            windows: HashMap::default(),
            removed: 0,
        }
    }

    /// Compiles `pattern` into the index and returns its ordinal, the position in the
    /// caller's side table.
    pub fn insert(&mut self, pattern: &Pattern) -> u32 {
        #[allow(clippy::cast_possible_truncation)] // Far more than any node holds.
        let ord = self.shapes.len() as u32;
        let (shape, window) = compile::compile(self, pattern, ord);
        self.shapes.push(Some(shape));
        if shape != Shape::Direct {
            self.patterns.insert(ord, Arc::new(pattern.clone()));
        }
        if let Some(w) = window {
            self.windows.insert(ord, w);
        }
        ord
    }

    /// Takes indicator `ord` out (revoked, expired, or no longer visible). Its entries stop
    /// matching at once; the tables are compacted when half of what they hold is removed.
    pub fn remove(&mut self, ord: u32) {
        let Some(slot) = self.shapes.get_mut(ord as usize) else {
            return;
        };
        if slot.take().is_none() {
            return;
        }
        self.patterns.remove(&ord);
        self.windows.remove(&ord);
        self.removed += 1;
        let before = self.regexes.len();
        self.regexes.retain(|r| r.ord != ord);
        if self.regexes.len() != before {
            self.regex_sets = OnceLock::new();
        }
        for list in self.general.values_mut() {
            list.retain(|&o| o != ord);
        }
        if self.removed * 2 > self.shapes.len() {
            self.compact();
        }
    }

    fn compact(&mut self) {
        let shapes = std::mem::take(&mut self.shapes);
        let keep = |o: u32| shapes.get(o as usize).is_some_and(Option::is_some);
        self.strings.retain(&keep);
        self.ips.retain(&keep);
        self.shapes = shapes;
        self.removed = 0;
        self.rebuild_filter(0);
    }

    /// Files the hash of an exact key in the filter, growing it first when it is full.
    fn filter_insert(&mut self, hash: u64) {
        if !self.filter.has_room() {
            self.rebuild_filter(1);
        }
        self.filter.insert(hash);
    }

    /// A new filter holding every key of the tables, with room for `more`.
    fn rebuild_filter(&mut self, more: usize) {
        let held = self.strings.keys() + self.ips.v4_keys().len();
        let mut filter = filter::Filter::with_capacity(filter::Filter::grown(held + more));
        for hash in self.strings.hashes() {
            filter.insert(hash);
        }
        for a in self.ips.v4_keys() {
            filter.insert(self.strings.hash_v4(a));
        }
        self.filter = filter;
    }

    /// Whether `ord` is in the index.
    pub fn contains(&self, ord: u32) -> bool {
        self.shape(ord).is_some()
    }

    /// How `ord` is answered; `None` when it is not in the index.
    pub fn shape(&self, ord: u32) -> Option<Shape> {
        self.shapes.get(ord as usize).copied().flatten()
    }

    /// The number of indicators in the index.
    pub fn len(&self) -> usize {
        self.shapes.iter().filter(|s| s.is_some()).count()
    }

    /// Whether the index holds no indicator.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `hit` with every indicator one of whose anchors is `probe` (a direct indicator
    /// it matches, or one the evaluator must confirm).
    pub fn candidates(&self, probe: Probe<'_>, hit: &mut dyn FnMut(u32)) {
        self.candidates_of(&[probe], &mut |_, o| hit(o));
    }

    /// [`Self::candidates`] of several probes (an observation's values): calls `hit` with
    /// the position of the probe and the indicator. The keys of a batch of probes are made
    /// first and their lookups run after, one right after another, so that the processor
    /// overlaps their memory reads instead of waiting for each in turn. An exact IPv4 or
    /// string key is tested against the [`filter`] first; the tables are read only when it
    /// passes.
    pub fn candidates_of(&self, probes: &[Probe<'_>], hit: &mut dyn FnMut(usize, u32)) {
        const BATCH: usize = 8;
        let live = |o: u32| self.shapes.get(o as usize).is_some_and(Option::is_some);
        for (b, batch) in probes.chunks(BATCH).enumerate() {
            let mut keys: [Key<'_>; BATCH] = std::array::from_fn(|_| Key::None);
            for (key, probe) in keys.iter_mut().zip(batch) {
                *key = self.key(probe);
            }
            for (i, (key, probe)) in keys.iter().zip(batch).enumerate() {
                let at = b * BATCH + i;
                let mut live_hit = |o: u32| {
                    if live(o) {
                        hit(at, o);
                    }
                };
                match key {
                    Key::None => {}
                    Key::V4(a) => {
                        if self.filter.may_contain(self.strings.hash_v4(*a)) {
                            self.ips.get_v4(*a, &mut live_hit);
                        }
                        self.ips.get_v4_nets(*a, &mut live_hit);
                    }
                    Key::Ip(IpKey::Addr(a)) => self.ips.get(*a, &mut live_hit),
                    Key::Ip(IpKey::Net(n, l)) => self.ips.get_within(*n, *l, &mut live_hit),
                    Key::String { tag, hash, value } => {
                        if self.filter.may_contain(*hash) {
                            self.strings.get_hashed(*hash, *tag, value, &mut live_hit);
                        }
                        if !self.regexes.is_empty() {
                            if let Some(group) = self.regex_groups().get(tag) {
                                // Regexes see the value as written: the evaluator confirms
                                // by STIX's rules.
                                for r in group.set.matches(probe.value).iter() {
                                    live_hit(group.ords[r]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// What `probe` is looked up by.
    fn key<'p>(&self, probe: &Probe<'p>) -> Key<'p> {
        let tag = match probe.field {
            ProbeField::Ip => {
                if let Some(a) = keys::parse_ipv4(probe.value) {
                    return Key::V4(a);
                }
                return parse_ip(probe.value).map_or(Key::None, Key::Ip);
            }
            ProbeField::Domain => TAG_DOMAIN,
            ProbeField::Url => TAG_URL,
            ProbeField::Email => TAG_EMAIL,
            ProbeField::Hash => TAG_HASH,
            ProbeField::Other(name) => match self.other_tags.get(name) {
                Some(&t) => t,
                None => return Key::None,
            },
        };
        let field = probe.field.to_field_ref();
        let value = normalise(&field, probe.value);
        Key::String {
            tag,
            hash: self.strings.key(tag, value.as_bytes()),
            value,
        }
    }

    /// The indicators evaluated on every observation holding an object of `object_type`.
    pub fn general(&self, object_type: &str) -> &[u32] {
        self.general.get(object_type).map_or(&[], Vec::as_slice)
    }

    /// Whether any indicator is evaluated by object type alone.
    pub fn has_general(&self) -> bool {
        !self.general.is_empty()
    }

    /// The pattern of a non-direct indicator.
    pub fn pattern(&self, ord: u32) -> Option<&Arc<Pattern>> {
        self.patterns.get(&ord)
    }

    /// The longest `WITHIN` of a windowed indicator, in microseconds.
    pub fn window(&self, ord: u32) -> Option<i64> {
        self.windows.get(&ord).copied()
    }

    /// Bytes of heap the index holds for its tables (not counting patterns kept for the
    /// evaluator, which only non-direct indicators have).
    pub fn heap_bytes(&self) -> usize {
        self.strings.heap_bytes()
            + self.ips.heap_bytes()
            + self.filter.heap_bytes()
            + self.shapes.capacity() * std::mem::size_of::<Option<Shape>>()
            + self.regexes.len() * std::mem::size_of::<RegexAnchor>()
            + tables::map_bytes(&self.patterns)
            + tables::map_bytes(&self.windows)
            + self
                .general
                .values()
                .map(|v| v.capacity() * 4 + 32)
                .sum::<usize>()
    }

    fn regex_groups(&self) -> &HashMap<u16, RegexGroup> {
        self.regex_sets.get_or_init(|| {
            let mut by_tag: HashMap<u16, (Vec<&str>, Vec<u32>)> = HashMap::default();
            for r in &self.regexes {
                let e = by_tag.entry(r.tag).or_default();
                e.0.push(r.regex.as_str());
                e.1.push(r.ord);
            }
            by_tag
                .into_iter()
                .filter_map(|(tag, (sources, ords))| {
                    // Each source compiled alone already, so the set compiles too; a failure
                    // (a size limit) is logged by leaving the group out, never a panic.
                    regex::RegexSet::new(sources)
                        .ok()
                        .map(|set| (tag, RegexGroup { set, ords }))
                })
                .collect()
        })
    }

    /// The string-table tag of `field`; `None` for IP fields (they have their own table)
    /// and once every tag is taken, when the caller evaluates the indicator generally.
    fn tag_of(&mut self, field: &Field) -> Option<u16> {
        match field {
            Field::Ip => None,
            Field::Domain => Some(TAG_DOMAIN),
            Field::Url => Some(TAG_URL),
            Field::Email => Some(TAG_EMAIL),
            Field::Hash => Some(TAG_HASH),
            Field::Other(name) => {
                if let Some(&t) = self.other_tags.get(name) {
                    return Some(t);
                }
                let t = u16::try_from(self.other_tags.len())
                    .ok()
                    .and_then(|n| n.checked_add(TAG_FIRST_OTHER))?;
                self.other_tags.insert(name.clone(), t);
                Some(t)
            }
        }
    }

    fn add_ip(&mut self, key: IpKey, ord: u32) {
        match key {
            IpKey::Addr(a) => {
                self.ips.insert_addr(a, ord);
                if let IpAddr::V4(v4) = a {
                    self.filter_insert(self.strings.hash_v4(u32::from(v4)));
                }
            }
            IpKey::Net(n, l) => self.ips.insert_net(n, l, ord),
        }
    }

    fn add_string(&mut self, field: &Field, value: &str, ord: u32) -> bool {
        let Some(tag) = self.tag_of(field) else {
            return false;
        };
        let value = normalise(field, value);
        let Some(hash) = self.strings.insert(tag, &value, ord) else {
            return false;
        };
        self.filter_insert(hash);
        true
    }

    fn add_regex(&mut self, field: &Field, regex: regex::Regex, ord: u32) -> bool {
        let Some(tag) = self.tag_of(field) else {
            return false;
        };
        self.regexes.push(RegexAnchor { tag, regex, ord });
        self.regex_sets = OnceLock::new();
        true
    }

    fn add_general(&mut self, object_type: &str, ord: u32) {
        let list = self.general.entry(object_type.into()).or_default();
        if list.last() != Some(&ord) {
            list.push(ord);
        }
    }
}

impl ProbeField<'_> {
    fn to_field_ref(self) -> Field {
        match self {
            ProbeField::Domain => Field::Domain,
            ProbeField::Hash => Field::Hash,
            // Only domains and hashes are normalised; the rest compare as written.
            _ => Field::Url,
        }
    }
}

/// An address of a probe, if it is one.
pub fn probe_addr(probe: &Probe<'_>) -> Option<IpAddr> {
    match (probe.field, parse_ip(probe.value)) {
        (ProbeField::Ip, Some(IpKey::Addr(a))) => Some(a),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
