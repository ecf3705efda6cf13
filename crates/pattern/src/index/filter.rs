//! A register-blocked Bloom filter in front of the exact-value tables.
//!
//! Nearly every value a scan looks up is in no indicator, so what a miss costs is what a scan
//! costs. A hash table answers a miss by reading its probe group (one byte per bucket, about
//! 2 MB at a million keys) and, whenever another key's tag agrees, a bucket from memory. The
//! filter answers most misses from one 64-bit word: each key sets five bits of one word chosen
//! by its hash, about ten bits per key at its fullest, so a million keys take about 1.2 MB and
//! a miss reads one word that is most likely in the processor's cache. The tables are read
//! only for the few values that pass (those in an indicator, and about two in a hundred that
//! are not).
//!
//! A filter cannot forget a key: a removed value keeps its bits until the index is compacted
//! or the filter grows, and passes to the tables meanwhile, which then find nothing. It grows
//! by half again when its keys pass its capacity, rebuilt from the tables' hashes.

/// Bits of filter per key at full capacity.
const BITS_PER_KEY: usize = 10;

/// Bits each key sets (and a lookup tests) in its word.
const BITS_SET: u32 = 5;

/// The fewest keys a non-empty filter is sized for.
const MIN_CAPACITY: usize = 1024;

/// The filter: one word per about six keys.
#[derive(Debug, Default, Clone)]
pub(super) struct Filter {
    words: Vec<u64>,
    keys: usize,
    capacity: usize,
}

impl Filter {
    /// An empty filter sized for `capacity` keys.
    pub(super) fn with_capacity(capacity: usize) -> Filter {
        let capacity = capacity.max(MIN_CAPACITY);
        Filter {
            words: vec![0; (capacity * BITS_PER_KEY).div_ceil(64)],
            keys: 0,
            capacity,
        }
    }

    /// Whether one more key fits without raising the share of false passes above what the
    /// filter is sized for; when not, the caller rebuilds it with [`Self::grown`].
    pub(super) fn has_room(&self) -> bool {
        self.keys < self.capacity
    }

    /// The capacity a rebuilt filter holding `keys` keys should have.
    pub(super) fn grown(keys: usize) -> usize {
        (keys + keys / 2).max(MIN_CAPACITY)
    }

    /// The word of `hash` and the bits it sets there. The word is chosen by the upper half
    /// of the hash (multiplied down to the word count, so any count works), the bits by five
    /// six-bit fields of the lower half.
    #[inline]
    fn place(&self, hash: u64) -> (usize, u64) {
        #[allow(clippy::cast_possible_truncation)] // The product's upper half is < len.
        let word = (((hash >> 32) * self.words.len() as u64) >> 32) as usize;
        let mut mask = 0u64;
        for i in 0..BITS_SET {
            mask |= 1u64 << ((hash >> (6 * i)) & 63);
        }
        (word, mask)
    }

    /// Adds a key by its hash.
    pub(super) fn insert(&mut self, hash: u64) {
        if self.words.is_empty() {
            *self = Filter::with_capacity(MIN_CAPACITY);
        }
        let (word, mask) = self.place(hash);
        if let Some(w) = self.words.get_mut(word) {
            *w |= mask;
        }
        self.keys += 1;
    }

    /// Whether a key of this hash may be held: `false` means certainly not.
    #[inline]
    pub(super) fn may_contain(&self, hash: u64) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let (word, mask) = self.place(hash);
        self.words.get(word).is_some_and(|w| w & mask == mask)
    }

    /// Bytes of heap the filter holds.
    pub(super) fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A well-mixed stream of 64-bit hashes (SplitMix64), as the index's seeded hashes are.
    fn hashes(seed: u64) -> impl Iterator<Item = u64> {
        let mut s = seed;
        std::iter::repeat_with(move || {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    #[test]
    fn every_key_passes_and_few_others_do() {
        let n = 100_000;
        let mut f = Filter::with_capacity(n);
        let keys: Vec<u64> = hashes(1).take(n).collect();
        for &k in &keys {
            f.insert(k);
        }
        assert!(!f.has_room(), "sized for exactly n keys");
        assert!(keys.iter().all(|&k| f.may_contain(k)), "no false negative");
        let others = 1_000_000;
        let passed = hashes(2).take(others).filter(|&h| f.may_contain(h)).count();
        let rate = passed as f64 / others as f64;
        // Five bits in one word at ten bits per key: about 1.5 % by the Poisson estimate.
        assert!(rate < 0.03, "false passes {rate}");
        assert!(rate > 0.001, "a filter this small must pass some: {rate}");
        assert_eq!(f.heap_bytes(), (n * BITS_PER_KEY).div_ceil(64) * 8);
    }

    #[test]
    fn an_empty_filter_passes_nothing_and_grows_on_insert() {
        let mut f = Filter::default();
        assert!(!f.may_contain(42));
        f.insert(42);
        assert!(f.may_contain(42));
        assert!(f.has_room());
        assert_eq!(Filter::grown(10), MIN_CAPACITY);
        assert_eq!(Filter::grown(10_000), 15_000);
    }
}
