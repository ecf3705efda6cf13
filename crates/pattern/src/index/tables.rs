//! The index's tables, laid out for memory: every value lives once in one byte arena and is
//! named by a `u32` offset; indicators are `u32` ordinals; IPv4 addresses are `u32` keys.
//!
//! A hash table maps a seeded 64-bit hash of (field, value) to the head of a chain of
//! entries; each entry names its bytes in the arena, so a lookup confirms the value itself
//! and a hash collision costs a comparison, never a false match. Chains also carry several
//! indicators with the same value. Tables are foldhash with a seed chosen at start, since
//! values come from outside (HashDoS).

use std::hash::{BuildHasher, Hasher};
use std::net::IpAddr;

use foldhash::HashMap;

use super::keys::mask;

/// The end of a chain.
pub(super) const NONE: u32 = u32::MAX;

/// One value of one indicator.
#[derive(Debug, Clone, Copy)]
struct Entry {
    offset: u32,
    ord: u32,
    next: u32,
    len: u16,
    tag: u16,
}

/// A hasher for keys that are already seeded hashes: it passes them through, so a lookup
/// hashes its value once.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed with it; anything else is folded in, never lost.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type HashedMap = std::collections::HashMap<u64, Entry, std::hash::BuildHasherDefault<PassThrough>>;

/// Exact string values by (tag, value), in one arena. The first entry of each key sits in
/// the hash table itself, so a lookup that misses touches its probe group's tags (and a
/// bucket only when a tag agrees) and a hit one more place (its bytes); further entries
/// under the same key (the same value for several indicators, or a hash collision) chain
/// through `overflow`. The table is kept at most half as full as the map would keep it.
#[derive(Debug)]
pub(super) struct StringTable {
    hasher: foldhash::fast::RandomState,
    heads: HashedMap,
    overflow: Vec<Entry>,
    arena: Vec<u8>,
}

impl StringTable {
    /// An empty table whose hash seed is drawn at random.
    pub(super) fn new() -> StringTable {
        StringTable {
            hasher: foldhash::fast::RandomState::default(),
            heads: HashedMap::default(),
            overflow: Vec::new(),
            arena: Vec::new(),
        }
    }

    /// The seeded hash `value` is filed under with `tag`.
    pub(super) fn key(&self, tag: u16, value: &[u8]) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write_u16(tag);
        h.write(value);
        h.finish()
    }

    /// The seeded hash of an IPv4 key, for the filter in front of the address table.
    pub(super) fn hash_v4(&self, a: u32) -> u64 {
        self.hasher.hash_one(a)
    }

    /// The number of distinct keys held.
    pub(super) fn keys(&self) -> usize {
        self.heads.len()
    }

    /// The hash of every distinct key held.
    pub(super) fn hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.heads.keys().copied()
    }

    /// Adds `value` under `tag` for indicator `ord` and returns the hash it is filed under
    /// (for the filter). `None` when the value is too long for the table (over 65,535
    /// bytes) or the arena is full; the caller then evaluates the indicator generally.
    pub(super) fn insert(&mut self, tag: u16, value: &str, ord: u32) -> Option<u64> {
        let bytes = value.as_bytes();
        let (Ok(len), Ok(offset)) = (u16::try_from(bytes.len()), u32::try_from(self.arena.len()))
        else {
            return None;
        };
        if self.overflow.len() >= (NONE as usize) - 1 {
            return None;
        }
        let key = self.key(tag, bytes);
        // Room for twice the keys held: at most 7/16 of the buckets full rather than 7/8.
        // A miss then finds another key's 7-bit tag in its probe group half as often, and
        // each such false tag costs a read of a bucket from memory. In the scan benchmark
        // lookups took a fifth less time for 26 more bytes per indicator (66 to 92).
        if self.heads.capacity() < self.heads.len() * 2 + 1 {
            self.heads.reserve(self.heads.len() + 1);
        }
        let Some(head) = self.heads.get(&key).copied() else {
            self.arena.extend_from_slice(bytes);
            self.heads.insert(
                key,
                Entry {
                    offset,
                    ord,
                    next: NONE,
                    len,
                    tag,
                },
            );
            return Some(key);
        };
        // Reuse the bytes of an equal value already stored.
        let offset = match self.find(head, tag, bytes) {
            Some(e) => e.offset,
            None => {
                self.arena.extend_from_slice(bytes);
                offset
            }
        };
        #[allow(clippy::cast_possible_truncation)] // Checked against NONE above.
        let index = self.overflow.len() as u32;
        self.overflow.push(Entry {
            offset,
            ord,
            next: head.next,
            len,
            tag,
        });
        if let Some(h) = self.heads.get_mut(&key) {
            h.next = index;
        }
        Some(key)
    }

    fn find(&self, head: Entry, tag: u16, bytes: &[u8]) -> Option<Entry> {
        let mut e = head;
        loop {
            if e.tag == tag && self.bytes(e) == bytes {
                return Some(e);
            }
            if e.next == NONE {
                return None;
            }
            e = self.overflow[e.next as usize];
        }
    }

    fn bytes(&self, e: Entry) -> &[u8] {
        &self.arena[e.offset as usize..e.offset as usize + e.len as usize]
    }

    /// Calls `hit` with every indicator that has `value` under `tag`.
    #[cfg(test)]
    pub(super) fn get(&self, tag: u16, value: &str, hit: &mut dyn FnMut(u32)) {
        self.get_hashed(self.key(tag, value.as_bytes()), tag, value, hit);
    }

    /// [`Self::get`] with the value's hash made beforehand by [`Self::key`].
    pub(super) fn get_hashed(&self, key: u64, tag: u16, value: &str, hit: &mut dyn FnMut(u32)) {
        let bytes = value.as_bytes();
        let Some(&head) = self.heads.get(&key) else {
            return;
        };
        let mut e = head;
        loop {
            if e.tag == tag && self.bytes(e) == bytes {
                hit(e.ord);
            }
            if e.next == NONE {
                return;
            }
            e = self.overflow[e.next as usize];
        }
    }

    /// Drops every entry whose indicator `keep` refuses, and the arena bytes only they used.
    pub(super) fn retain(&mut self, keep: &dyn Fn(u32) -> bool) {
        let old_heads = std::mem::take(&mut self.heads);
        let old_overflow = std::mem::take(&mut self.overflow);
        let old_arena = std::mem::take(&mut self.arena);
        let all = old_heads
            .values()
            .copied()
            .chain(old_overflow.iter().copied());
        for e in all {
            if keep(e.ord) {
                let bytes = &old_arena[e.offset as usize..e.offset as usize + e.len as usize];
                let value = String::from_utf8_lossy(bytes);
                self.insert(e.tag, &value, e.ord);
            }
        }
        self.overflow.shrink_to_fit();
        self.arena.shrink_to_fit();
    }

    pub(super) fn heap_bytes(&self) -> usize {
        map_bytes(&self.heads)
            + self.overflow.capacity() * std::mem::size_of::<Entry>()
            + self.arena.capacity()
    }
}

/// IP addresses and CIDR blocks: IPv4 as `u32` keys, IPv6 as `u128`, blocks in one table per
/// prefix length (a lookup probes only the lengths in use, longest first).
#[derive(Debug, Default)]
pub(super) struct IpTable {
    v4: HashMap<u32, u32>,
    v6: HashMap<u128, u32>,
    nets4: Vec<(u8, HashMap<u32, u32>)>,
    nets6: Vec<(u8, HashMap<u128, u32>)>,
    /// (indicator, next) chains.
    chain: Vec<(u32, u32)>,
}

impl IpTable {
    fn push(&mut self, head: Option<u32>, ord: u32) -> u32 {
        #[allow(clippy::cast_possible_truncation)] // Ordinals and chains are u32 by design.
        let index = self.chain.len() as u32;
        self.chain.push((ord, head.unwrap_or(NONE)));
        index
    }

    pub(super) fn insert_addr(&mut self, addr: IpAddr, ord: u32) {
        match addr {
            IpAddr::V4(a) => {
                let key = u32::from(a);
                let head = self.v4.get(&key).copied();
                let index = self.push(head, ord);
                self.v4.insert(key, index);
            }
            IpAddr::V6(a) => {
                let key = u128::from(a);
                let head = self.v6.get(&key).copied();
                let index = self.push(head, ord);
                self.v6.insert(key, index);
            }
        }
    }

    pub(super) fn insert_net(&mut self, net: IpAddr, len: u8, ord: u32) {
        match net {
            IpAddr::V4(a) => {
                let key = u32::from(a);
                let pos = position(&mut self.nets4, len);
                let head = self.nets4[pos].1.get(&key).copied();
                let index = self.push(head, ord);
                self.nets4[pos].1.insert(key, index);
            }
            IpAddr::V6(a) => {
                let key = u128::from(a);
                let pos = position(&mut self.nets6, len);
                let head = self.nets6[pos].1.get(&key).copied();
                let index = self.push(head, ord);
                self.nets6[pos].1.insert(key, index);
            }
        }
    }

    fn walk(&self, mut at: u32, hit: &mut dyn FnMut(u32)) {
        while at != NONE {
            let (ord, next) = self.chain[at as usize];
            hit(ord);
            at = next;
        }
    }

    /// Every IPv4 address held (not blocks).
    pub(super) fn v4_keys(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.v4.keys().copied()
    }

    /// The indicators naming exactly the IPv4 address `a` (given as its `u32`).
    pub(super) fn get_v4(&self, a: u32, hit: &mut dyn FnMut(u32)) {
        if let Some(&h) = self.v4.get(&a) {
            self.walk(h, hit);
        }
    }

    /// The indicators naming an IPv4 block that holds `a`.
    pub(super) fn get_v4_nets(&self, a: u32, hit: &mut dyn FnMut(u32)) {
        for (len, table) in &self.nets4 {
            let m = if *len == 0 {
                0
            } else {
                u32::MAX << (32 - u32::from(*len))
            };
            if let Some(&h) = table.get(&(a & m)) {
                self.walk(h, hit);
            }
        }
    }

    /// Calls `hit` with every indicator naming `addr` or a block that holds it.
    pub(super) fn get(&self, addr: IpAddr, hit: &mut dyn FnMut(u32)) {
        match addr {
            IpAddr::V4(a) => {
                if let Some(&h) = self.v4.get(&u32::from(a)) {
                    self.walk(h, hit);
                }
                for (len, table) in &self.nets4 {
                    if let IpAddr::V4(n) = mask(addr, *len) {
                        if let Some(&h) = table.get(&u32::from(n)) {
                            self.walk(h, hit);
                        }
                    }
                }
            }
            IpAddr::V6(a) => {
                if let Some(&h) = self.v6.get(&u128::from(a)) {
                    self.walk(h, hit);
                }
                for (len, table) in &self.nets6 {
                    if let IpAddr::V6(n) = mask(addr, *len) {
                        if let Some(&h) = table.get(&u128::from(n)) {
                            self.walk(h, hit);
                        }
                    }
                }
            }
        }
    }

    /// Calls `hit` with every indicator whose block lies inside `net`/`len` or whose address
    /// does, for lookups of a block.
    pub(super) fn get_within(&self, net: IpAddr, len: u8, hit: &mut dyn FnMut(u32)) {
        let inside = |a: IpAddr| mask(a, len) == net;
        for (&k, &h) in &self.v4 {
            if inside(IpAddr::V4(k.into())) {
                self.walk(h, hit);
            }
        }
        for (&k, &h) in &self.v6 {
            if inside(IpAddr::V6(k.into())) {
                self.walk(h, hit);
            }
        }
        for (l, table) in &self.nets4 {
            for (&k, &h) in table {
                if *l >= len && inside(IpAddr::V4(k.into())) {
                    self.walk(h, hit);
                }
            }
        }
        for (l, table) in &self.nets6 {
            for (&k, &h) in table {
                if *l >= len && inside(IpAddr::V6(k.into())) {
                    self.walk(h, hit);
                }
            }
        }
    }

    /// Drops every chain link whose indicator `keep` refuses.
    pub(super) fn retain(&mut self, keep: &dyn Fn(u32) -> bool) {
        let old = std::mem::take(self);
        let collect = |head: u32| {
            let mut out = Vec::new();
            let mut at = head;
            while at != NONE {
                let (ord, next) = old.chain[at as usize];
                if keep(ord) {
                    out.push(ord);
                }
                at = next;
            }
            out
        };
        for (&k, &h) in &old.v4 {
            for ord in collect(h) {
                self.insert_addr(IpAddr::V4(k.into()), ord);
            }
        }
        for (&k, &h) in &old.v6 {
            for ord in collect(h) {
                self.insert_addr(IpAddr::V6(k.into()), ord);
            }
        }
        for (len, table) in &old.nets4 {
            for (&k, &h) in table {
                for ord in collect(h) {
                    self.insert_net(IpAddr::V4(k.into()), *len, ord);
                }
            }
        }
        for (len, table) in &old.nets6 {
            for (&k, &h) in table {
                for ord in collect(h) {
                    self.insert_net(IpAddr::V6(k.into()), *len, ord);
                }
            }
        }
        self.chain.shrink_to_fit();
    }

    pub(super) fn heap_bytes(&self) -> usize {
        map_bytes(&self.v4)
            + map_bytes(&self.v6)
            + self.nets4.iter().map(|(_, t)| map_bytes(t)).sum::<usize>()
            + self.nets6.iter().map(|(_, t)| map_bytes(t)).sum::<usize>()
            + self.chain.capacity() * 8
    }
}

/// The slot of prefix length `len`, kept longest first, created if missing.
fn position<K>(list: &mut Vec<(u8, HashMap<K, u32>)>, len: u8) -> usize {
    if let Some(p) = list.iter().position(|(l, _)| *l == len) {
        return p;
    }
    let p = list
        .iter()
        .position(|(l, _)| *l < len)
        .unwrap_or(list.len());
    list.insert(p, (len, HashMap::default()));
    p
}

/// The heap a hash map holds: its buckets (key and value) and one control byte per bucket.
pub(super) fn map_bytes<K, V, S>(map: &std::collections::HashMap<K, V, S>) -> usize {
    // hashbrown allocates a power of two of buckets at least 8/7 of the capacity.
    let buckets = if map.capacity() == 0 {
        0
    } else {
        (map.capacity() * 8 / 7).next_power_of_two()
    };
    buckets * (std::mem::size_of::<(K, V)>() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(t: &StringTable, tag: u16, v: &str) -> Vec<u32> {
        let mut out = Vec::new();
        t.get(tag, v, &mut |o| out.push(o));
        out.sort_unstable();
        out
    }

    #[test]
    fn strings_share_bytes_and_chain() {
        let mut t = StringTable::new();
        assert!(t.insert(1, "evil.example", 3).is_some());
        assert!(t.insert(1, "evil.example", 9).is_some());
        assert!(t.insert(2, "evil.example", 4).is_some());
        assert_eq!(t.arena.len(), "evil.example".len() * 2);
        assert_eq!(collect(&t, 1, "evil.example"), vec![3, 9]);
        assert_eq!(collect(&t, 2, "evil.example"), vec![4]);
        assert!(collect(&t, 1, "evil.exampl").is_empty());
        t.retain(&|o| o != 3);
        assert_eq!(collect(&t, 1, "evil.example"), vec![9]);
    }

    #[test]
    fn ips_and_blocks() {
        let mut t = IpTable::default();
        t.insert_addr("198.51.100.7".parse().expect("test value"), 1);
        t.insert_net("10.0.0.0".parse().expect("test value"), 8, 2);
        t.insert_net("10.1.0.0".parse().expect("test value"), 16, 3);
        t.insert_addr("2001:db8::1".parse().expect("test value"), 4);
        let get = |a: &str| {
            let mut out = Vec::new();
            t.get(a.parse().expect("test value"), &mut |o| out.push(o));
            out.sort_unstable();
            out
        };
        assert_eq!(get("198.51.100.7"), vec![1]);
        assert_eq!(get("10.1.2.3"), vec![2, 3]);
        assert_eq!(get("10.2.2.3"), vec![2]);
        assert_eq!(get("11.0.0.1"), Vec::<u32>::new());
        assert_eq!(get("2001:0db8:0000::1"), vec![4]);
    }
}
