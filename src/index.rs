//! The in-memory near-duplicate index: winnowed fingerprint → blocks.
//! Owned by the single writer (`commit::Committer`); rebuilt from the
//! store's `x` payloads at start-up ([`Builder`]), never persisted itself
//! (the store is the truth; sled posting keys measured ten times slower
//! than one record per block, see `docs/DEDUP.md`).
//!
//! Layout, chosen for a small and flat cost per block (about 8 bytes per
//! fingerprint plus 16 per block, ~100 bytes for a 30-word paragraph):
//! - `slots`: dense block number → [`BlockId`] (16 B each).
//! - `base`: one sorted `Vec<u64>` of `fingerprint << 32 | block number`,
//!   with `dir`, the start of every run of fingerprints sharing their top
//!   bits (about one entry per eight postings, half a byte per posting): a
//!   lookup is one directory read and a search over a few entries, instead
//!   of a cache-missing binary search over millions.
//! - `delta`: postings added since the last merge, in an `FxHashMap`; merged
//!   into `base` (in place, from the back) when it grows past a sixteenth of
//!   it, so insertion stays amortised O(1) and `base` never holds slack.
//!
//! Determinism: candidates depend only on the *set* of indexed blocks, not
//! on insertion order (a restart renumbers blocks): over-common
//! fingerprints are skipped by their count, never truncated, and
//! candidates are ranked by shared fingerprints, then by [`BlockId`].

pub mod matcher;

use crate::model::BlockId;
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

/// A candidate block with the number of fingerprints it shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The stored block.
    pub id: BlockId,
    /// Fingerprints shared with the query.
    pub shared: u32,
}

/// Reusable buffers for [`Index::candidates`].
#[derive(Debug, Default)]
pub struct QueryScratch {
    /// Shared fingerprints per block number (zero between queries).
    counts: Vec<u16>,
    /// Block numbers with a non-zero count, for counting without a sort of
    /// every posting and for resetting only what was touched.
    touched: Vec<u32>,
    hits: Vec<(u32, u32)>,
}

/// Sizes of the index, for `stats`, logs and the memory report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct IndexStats {
    /// Indexed blocks.
    pub blocks: u64,
    /// Postings (fingerprint, block) in all.
    pub postings: u64,
    /// Heap bytes held by the index structures (capacity, not length).
    pub heap_bytes: u64,
}

/// The index. See the module documentation.
#[derive(Debug, Default)]
pub struct Index {
    slots: Vec<BlockId>,
    /// Fingerprints per block (saturating), parallel to `slots`: what the
    /// share filter in [`Index::candidates`] compares against.
    sizes: Vec<u16>,
    /// `slots[..sorted]` are in [`BlockId`] order (as rebuilt from a scan).
    sorted: usize,
    base: Vec<u64>,
    /// `dir[t]` is the first index of `base` whose fingerprint's top
    /// `dir_bits` bits are `t` or more (`dir.len() == 2^dir_bits + 1`).
    dir: Vec<u32>,
    dir_bits: u32,
    delta: FxHashMap<u32, SmallVec<[u32; 2]>>,
    delta_len: usize,
}

const MIN_MERGE: usize = 1 << 15;

/// A candidate must share at least one in `MIN_SHARE` of the smaller side's
/// fingerprints to be verified. Winnowing keeps the fingerprints of every
/// window that lies inside a shared run, so a pair at Jaccard ≥ 0.6 or
/// containment ≥ 0.9 shares far more than a quarter of them (on the peers'
/// 200k stream, no verified pair shared under 0.3 of them, while 53% of
/// the verifications it saves failed there); the filter spares those
/// payload reads. Over-common fingerprints skipped by the query count as
/// shared, so skipping can never hide a candidate.
const MIN_SHARE: u64 = 4;

fn key(fp: u32, doc: u32) -> u64 {
    (u64::from(fp) << 32) | u64::from(doc)
}

#[allow(clippy::cast_possible_truncation)]
fn doc_of(k: u64) -> u32 {
    k as u32
}

impl Index {
    /// An empty index.
    #[must_use]
    pub fn new() -> Index {
        Index::default()
    }

    /// Indexed blocks.
    #[must_use]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether nothing is indexed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Adds a block under its fingerprints (sorted or not; duplicates are
    /// the caller's business: payload fingerprints are unique). Past 2^32
    /// blocks the index stops growing (block numbers are 32-bit); the exact
    /// tier still sees every block.
    pub fn insert(&mut self, id: BlockId, fps: impl Iterator<Item = u32>) {
        let Ok(doc) = u32::try_from(self.slots.len()) else {
            return;
        };
        self.slots.push(id);
        let mut n = 0u16;
        for fp in fps {
            self.delta.entry(fp).or_default().push(doc);
            self.delta_len += 1;
            n = n.saturating_add(1);
        }
        self.sizes.push(n);
        if self.delta_len > MIN_MERGE.max(self.base.len() / 16) {
            self.merge();
        }
    }

    /// Moves `delta` into `base`, merging from the back in place.
    fn merge(&mut self) {
        let mut add: Vec<u64> = Vec::with_capacity(self.delta_len);
        for (fp, docs) in self.delta.drain() {
            add.extend(docs.iter().map(|d| key(fp, *d)));
        }
        self.delta_len = 0;
        self.delta.shrink_to(0);
        add.sort_unstable();
        let (n, m) = (self.base.len(), add.len());
        self.base.reserve_exact(m);
        self.base.resize(n + m, 0);
        let (mut i, mut j, mut k) = (n, m, n + m);
        while j > 0 {
            if i > 0 && self.base[i - 1] > add[j - 1] {
                self.base[k - 1] = self.base[i - 1];
                i -= 1;
            } else {
                self.base[k - 1] = add[j - 1];
                j -= 1;
            }
            k -= 1;
        }
        self.build_dir();
    }

    /// Rebuilds the directory over `base` (about eight postings a slot).
    fn build_dir(&mut self) {
        let want = (self.base.len() / 8).max(1).next_power_of_two();
        self.dir_bits = want.trailing_zeros().clamp(4, 24);
        let shift = 32 - self.dir_bits;
        let slots = 1usize << self.dir_bits;
        self.dir.clear();
        self.dir.reserve_exact(slots + 1);
        let mut at = 0usize;
        for t in 0..=slots {
            while at < self.base.len() && ((self.base[at] >> 32) >> shift) < t as u64 {
                at += 1;
            }
            self.dir.push(u32::try_from(at).unwrap_or(u32::MAX));
        }
    }

    fn base_range(&self, fp: u32) -> &[u64] {
        if self.base.is_empty() {
            return &[];
        }
        let t = (fp >> (32 - self.dir_bits)) as usize;
        let (from, to) = (self.dir[t] as usize, self.dir[t + 1] as usize);
        let run = &self.base[from..to];
        let lo = run.partition_point(|k| *k < key(fp, 0));
        let len = run[lo..]
            .iter()
            .take_while(|k| (*k >> 32) == u64::from(fp))
            .count();
        &run[lo..lo + len]
    }

    /// How many blocks hold this fingerprint.
    #[must_use]
    pub fn postings_of(&self, fp: u32) -> usize {
        self.base_range(fp).len() + self.delta.get(&fp).map_or(0, SmallVec::len)
    }

    /// Blocks sharing fingerprints with a query, ranked by shared count
    /// (descending) then block id; at most `max` of them. Fingerprints held
    /// by more than `max_postings` blocks are skipped. A query with more
    /// than ten fingerprints needs two shared ones (one shared 6-word run
    /// cannot make a long block a near-duplicate), and every candidate
    /// must share a quarter of the smaller side's fingerprints (see
    /// `MIN_SHARE`).
    pub fn candidates(
        &self,
        fps: impl Iterator<Item = u32>,
        max_postings: usize,
        max: usize,
        s: &mut QueryScratch,
        out: &mut Vec<Hit>,
    ) {
        out.clear();
        if s.counts.len() < self.slots.len() {
            s.counts.resize(self.slots.len(), 0);
        }
        s.touched.clear();
        let mut n_fps = 0u32;
        let mut skipped = 0u32;
        for fp in fps {
            n_fps += 1;
            let b = self.base_range(fp);
            let d = self.delta.get(&fp);
            if b.len() + d.map_or(0, SmallVec::len) > max_postings {
                skipped += 1;
                continue;
            }
            let docs = b.iter().map(|k| doc_of(*k));
            for doc in docs.chain(d.into_iter().flatten().copied()) {
                let c = &mut s.counts[doc as usize];
                if *c == 0 {
                    s.touched.push(doc);
                }
                *c = c.saturating_add(1);
            }
        }
        let min_shared = if n_fps > 10 { 2 } else { 1 };
        s.hits.clear();
        for &doc in &s.touched {
            let shared = u32::from(std::mem::take(&mut s.counts[doc as usize]));
            let smaller = n_fps.min(u32::from(self.sizes[doc as usize]));
            let enough = MIN_SHARE * (u64::from(shared) + u64::from(skipped)) >= u64::from(smaller);
            if shared >= min_shared && enough {
                s.hits.push((doc, shared));
            }
        }
        let slots = &self.slots;
        s.hits.sort_unstable_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| slots[a.0 as usize].cmp(&slots[b.0 as usize]))
        });
        out.extend(s.hits.iter().take(max).map(|(d, shared)| Hit {
            id: slots[*d as usize],
            shared: *shared,
        }));
    }

    /// Whether a block is indexed (binary search over the rebuilt prefix,
    /// then a scan of blocks added since start-up; used rarely).
    #[must_use]
    pub fn contains(&self, id: &BlockId) -> bool {
        self.slots[..self.sorted].binary_search(id).is_ok()
            || self.slots[self.sorted..].contains(id)
    }

    /// Sizes, with heap bytes counted from capacities.
    #[must_use]
    pub fn stats(&self) -> IndexStats {
        let spilled: usize = self
            .delta
            .values()
            .filter(|v| v.spilled())
            .map(|v| v.capacity() * 4)
            .sum();
        // hashbrown: one control byte per bucket plus the entry itself
        let entry = std::mem::size_of::<(u32, SmallVec<[u32; 2]>)>() + 1;
        let heap = self.slots.capacity() * std::mem::size_of::<BlockId>()
            + self.sizes.capacity() * 2
            + self.base.capacity() * 8
            + self.dir.capacity() * 4
            + self.delta.capacity() * entry
            + spilled;
        IndexStats {
            blocks: self.slots.len() as u64,
            postings: (self.base.len() + self.delta_len) as u64,
            heap_bytes: heap as u64,
        }
    }
}

/// Bulk loading at start-up: push every stored block, then [`finish`]
/// sorts once. Blocks pushed in [`BlockId`] order (a store scan) keep
/// [`Index::contains`] a binary search.
///
/// [`finish`]: Builder::finish
#[derive(Debug, Default)]
pub struct Builder {
    slots: Vec<BlockId>,
    sizes: Vec<u16>,
    base: Vec<u64>,
    in_order: bool,
}

impl Builder {
    /// An empty builder.
    #[must_use]
    pub fn new() -> Builder {
        Builder {
            in_order: true,
            ..Builder::default()
        }
    }

    /// Adds a block.
    pub fn push(&mut self, id: BlockId, fps: impl Iterator<Item = u32>) {
        let doc = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        if self.slots.last().is_some_and(|last| *last >= id) {
            self.in_order = false;
        }
        self.slots.push(id);
        let before = self.base.len();
        self.base.extend(fps.map(|fp| key(fp, doc)));
        let n = self.base.len() - before;
        self.sizes.push(u16::try_from(n).unwrap_or(u16::MAX));
    }

    /// The index.
    #[must_use]
    pub fn finish(mut self) -> Index {
        radix_sort_high32(&mut self.base);
        self.base.shrink_to_fit();
        self.slots.shrink_to_fit();
        self.sizes.shrink_to_fit();
        let sorted = if self.in_order { self.slots.len() } else { 0 };
        let mut ix = Index {
            slots: self.slots,
            sizes: self.sizes,
            sorted,
            base: self.base,
            ..Index::default()
        };
        ix.build_dir();
        ix
    }
}

/// Stable LSD radix sort on the upper 32 bits (the fingerprint), 8 bits a
/// pass. Postings are pushed in increasing block number, so a stable sort
/// by fingerprint leaves the whole key sorted, four passes instead of a
/// comparison sort.
fn radix_sort_high32(v: &mut Vec<u64>) {
    if v.len() < 256 {
        v.sort_unstable();
        return;
    }
    let mut tmp = vec![0u64; v.len()];
    for pass in 0..4 {
        let shift = 32 + pass * 8;
        let mut count = [0usize; 257];
        for k in v.iter() {
            count[((k >> shift) & 0xff) as usize + 1] += 1;
        }
        for i in 0..256 {
            count[i + 1] += count[i];
        }
        for k in v.iter() {
            let b = ((k >> shift) & 0xff) as usize;
            tmp[count[b]] = *k;
            count[b] += 1;
        }
        std::mem::swap(v, &mut tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> BlockId {
        BlockId([n; 16])
    }

    fn query(ix: &Index, fps: &[u32]) -> Vec<(u8, u32)> {
        let mut out = Vec::new();
        ix.candidates(
            fps.iter().copied(),
            1000,
            16,
            &mut QueryScratch::default(),
            &mut out,
        );
        out.iter().map(|h| (h.id.0[0], h.shared)).collect()
    }

    #[test]
    fn candidates_rank_by_shared_fingerprints_then_id() {
        let mut ix = Index::new();
        ix.insert(id(9), [1, 2, 3].into_iter());
        ix.insert(id(4), [2, 3, 7].into_iter());
        ix.insert(id(5), [3, 8].into_iter());
        assert_eq!(query(&ix, &[2, 3]), vec![(4, 2), (9, 2), (5, 1)]);
        assert_eq!(query(&ix, &[100]), vec![]);
    }

    #[test]
    fn a_candidate_sharing_under_a_quarter_of_the_smaller_side_is_not_verified() {
        let mut ix = Index::new();
        // 40 fingerprints, two of them shared with the query below
        ix.insert(id(1), (1..=40).chain([900, 901]));
        // 8 fingerprints, the same two shared: a quarter of the smaller side
        ix.insert(id(2), [900, 901, 50, 51, 52, 53, 54, 55].into_iter());
        let q: Vec<u32> = [900, 901].into_iter().chain(2000..2010).collect();
        // the query has 12: block 1 shares 2 of min(12, 42) (< 1/4), block 2
        // shares 2 of min(12, 8) (= 1/4)
        assert_eq!(query(&ix, &q), vec![(2, 2)]);
        // the same in a rebuilt index
        let mut b = Builder::new();
        b.push(id(1), (1..=40).chain([900, 901]));
        b.push(id(2), [900, 901, 50, 51, 52, 53, 54, 55].into_iter());
        assert_eq!(query(&b.finish(), &q), vec![(2, 2)]);
    }

    #[test]
    fn skipped_over_common_fingerprints_count_towards_the_share() {
        let mut ix = Index::new();
        for n in 10..20 {
            ix.insert(id(n), [7, 8, 9].into_iter());
        }
        ix.insert(id(1), [7, 8, 9, 100, 101, 102, 103, 104].into_iter());
        let mut out = Vec::new();
        // 7, 8 and 9 are held by 11 blocks > 4 and skipped; block 1 shares
        // 100 and 101 only (2 of 8 = 1/4 once the skipped three count)
        ix.candidates(
            [7, 8, 9, 100, 101, 300, 301, 302, 303, 304, 305].into_iter(),
            4,
            16,
            &mut QueryScratch::default(),
            &mut out,
        );
        assert_eq!(out.iter().map(|h| h.id.0[0]).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn over_common_fingerprints_are_skipped_whatever_the_order() {
        let mut ix = Index::new();
        for n in 0..5 {
            ix.insert(id(n), [42, 100 + u32::from(n)].into_iter());
        }
        let mut out = Vec::new();
        ix.candidates(
            [42].into_iter(),
            4,
            16,
            &mut QueryScratch::default(),
            &mut out,
        );
        assert!(out.is_empty(), "42 is held by 5 blocks > 4");
        ix.candidates(
            [42, 101].into_iter(),
            4,
            16,
            &mut QueryScratch::default(),
            &mut out,
        );
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn long_queries_need_two_shared_fingerprints() {
        let mut ix = Index::new();
        ix.insert(id(1), [1, 2].into_iter());
        ix.insert(id(2), [1, 50].into_iter());
        let q: Vec<u32> = (1..=12).collect();
        assert_eq!(query(&ix, &q), vec![(1, 2)]);
    }

    #[test]
    fn merged_and_rebuilt_indexes_answer_alike() {
        let mut live = Index::new();
        let mut b = Builder::new();
        let mut ids: Vec<(BlockId, Vec<u32>)> = (0..70_000u32)
            .map(|n| {
                let mut raw = [0u8; 16];
                raw[..4].copy_from_slice(&n.wrapping_mul(2_654_435_761).to_be_bytes());
                (BlockId(raw), vec![n % 5000, n % 777 + 10_000, n])
            })
            .collect();
        for (i, f) in &ids {
            live.insert(*i, f.iter().copied());
        }
        ids.sort_by_key(|x| x.0);
        for (i, f) in &ids {
            b.push(*i, f.iter().copied());
        }
        let rebuilt = b.finish();
        assert_eq!(live.stats().postings, rebuilt.stats().postings);
        for q in [[3u32, 10_003, 3], [4999, 10_776, 69_999]] {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            live.candidates(
                q.iter().copied(),
                1000,
                16,
                &mut QueryScratch::default(),
                &mut x,
            );
            rebuilt.candidates(
                q.iter().copied(),
                1000,
                16,
                &mut QueryScratch::default(),
                &mut y,
            );
            assert_eq!(x, y);
            assert!(!x.is_empty());
        }
        assert!(rebuilt.contains(&ids[123].0));
        assert!(live.contains(&ids[123].0));
        assert!(!rebuilt.contains(&id(255)));
    }

    #[test]
    fn postings_are_found_across_merges_and_the_directory() {
        let mut ix = Index::new();
        let mut naive: std::collections::BTreeMap<u32, usize> = Default::default();
        let mut x = 7u32;
        for n in 0..60_000u32 {
            let mut raw = [0u8; 16];
            raw[..4].copy_from_slice(&n.to_be_bytes());
            let mut fps = Vec::new();
            for _ in 0..3 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let fp = x % 40_000 * 107_367; // spread over the whole u32 range
                if !fps.contains(&fp) {
                    fps.push(fp);
                    *naive.entry(fp).or_default() += 1;
                }
            }
            ix.insert(BlockId(raw), fps.into_iter());
        }
        for (fp, n) in naive.iter().step_by(97) {
            assert_eq!(ix.postings_of(*fp), *n, "fingerprint {fp}");
        }
        assert_eq!(ix.postings_of(1), 0);
        assert_eq!(ix.postings_of(u32::MAX), 0);
    }

    #[test]
    fn radix_sort_sorts() {
        let mut v: Vec<u64> = (0..10_000u64)
            .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) & 0xffff_ffff_0000_0000) | i)
            .collect();
        let mut w = v.clone();
        radix_sort_high32(&mut v);
        w.sort_unstable();
        assert_eq!(v, w);
    }
}
