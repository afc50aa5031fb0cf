//! Accumulators that merge: the statistics of many runs, built block by block and combined
//! in a fixed order so the bytes of every output are the same whatever the threads or shards.
//!
//! - [`Moments`]: count, mean, M2 (Welford within a block, Chan et al. across blocks), min, max.
//! - [`Sketch`]: a DDSketch of relative accuracy 1% with integer bucket counts (merges exactly).
//! - [`Exact`]: exact counts of up to [`MAX_EXACT`] distinct values, so that the quantiles of
//!   a quantity with few values are exact (and values that can occur).
//! - [`BlockTree`]: reduces per-block accumulators along a binary tree fixed by block index,
//!   so any contiguous split of the blocks (threads, shards) gives the same result.
//! - [`Summary`]: everything `rungs run` reports about a set of runs.
//! - [`conditional::Conditional`]: which steps happen together (conditional.csv).
//! - [`wilson`]: the Wilson score interval.
//! - [`summarise`], [`run_all`]: the engine's runs of one model reduced into a [`Summary`].

pub(crate) mod conditional;
pub(crate) mod exact;
pub(crate) mod quantity;
pub mod summary;

pub use exact::{Exact, MAX_EXACT};
pub use summary::Summary;

use crate::engine::RunRecord;
use crate::engine::many::{Accumulator, Batch, BatchError, RunFormatter, RunSink, run_batch};
use crate::scenario::Model;

impl Accumulator for Summary {
    fn record(&mut self, model: &Model, rec: &RunRecord) {
        Summary::record(self, model, rec);
    }
}

/// Runs a batch of `model` and reduces its blocks into their [`BlockTree`]. `progress` is
/// called with the number of runs done so far; with `per_run`, each run's formatted bytes
/// go to the sink in run order.
pub fn summarise(
    model: &Model,
    batch: &Batch,
    progress: &dyn Fn(u64),
    per_run: Option<(RunFormatter<'_>, RunSink<'_>)>,
) -> Result<BlockTree<Summary>, BatchError> {
    let mut tree = BlockTree::new();
    run_batch(
        model,
        batch,
        &|| Summary::new(model),
        per_run,
        |b, summary, done| {
            tree.push(b, 1, summary).map_err(BatchError::Internal)?;
            progress(done);
            Ok(())
        },
    )?;
    Ok(tree)
}

/// Runs everything in one process and returns the final summary.
pub fn run_all(model: &Model, seed: u64, runs: u64, threads: usize) -> Result<Summary, BatchError> {
    let tree = summarise(model, &Batch::whole(seed, runs, threads), &|_| {}, None)?;
    Ok(tree.finish().unwrap_or_else(|| Summary::new(model)))
}

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use crate::engine::many::BLOCK_RUNS;

/// An accumulator that can absorb another of the same shape.
pub trait Merge {
    /// Absorbs `other`, which covers runs after those of `self`.
    fn merge(&mut self, other: &Self);
}

/// Count, mean, sum of squared deviations, min and max of a stream of f64.
///
/// Non-finite values (NaN, ±inf) are ignored: they have no mean, and the accumulator must
/// serialize to JSON (which has no NaN). When empty, every field is 0 (so it serializes
/// without NaN or infinities); the accessors return None then.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// Number of values.
    n: u64,
    /// Running mean.
    mean: f64,
    /// Sum of squared deviations from the mean.
    m2: f64,
    /// Smallest value (meaningless when `n == 0`).
    min: f64,
    /// Largest value (meaningless when `n == 0`).
    max: f64,
}

impl Moments {
    /// Adds one value (Welford's update; ignored if not finite).
    #[inline]
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        if self.n == 0 {
            self.n = 1;
            self.mean = x;
            self.m2 = 0.0;
            self.min = x;
            self.max = x;
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        // The count through i64: one instruction where u64 takes a dozen (n < 2^63).
        self.mean += d / self.n as i64 as f64;
        self.m2 += d * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
    }
    /// Number of values.
    pub fn count(&self) -> u64 {
        self.n
    }
    /// Mean (None if empty).
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }
    /// Sample standard deviation (n - 1; None if fewer than 2 values).
    pub fn sd(&self) -> Option<f64> {
        (self.n > 1).then(|| (self.m2.max(0.0) / (self.n - 1) as f64).sqrt())
    }
    /// Smallest value (None if empty).
    pub fn min(&self) -> Option<f64> {
        (self.n > 0).then_some(self.min)
    }
    /// Largest value (None if empty).
    pub fn max(&self) -> Option<f64> {
        (self.n > 0).then_some(self.max)
    }
}

impl Merge for Moments {
    /// Chan, Golub and LeVeque's pairwise update. Not exactly commutative in floating point:
    /// the caller ([`BlockTree`]) fixes the order.
    fn merge(&mut self, other: &Self) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = other.clone();
            return;
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = self.n + other.n;
        let nf = n as f64;
        let delta = other.mean - self.mean;
        self.mean += delta * (nb / nf);
        self.m2 += other.m2 + delta * delta * (na * nb / nf);
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }
}

/// Mantissa bits that index a bucket within a binade: 2^6 = 64 buckets between each power
/// of two.
const SUB_BITS: u32 = 6;
/// Shift from an f64's bits to its bucket key (exponent and top mantissa bits).
const KEY_SHIFT: u32 = 52 - SUB_BITS;

/// Magnitudes below this count as zero in a [`Sketch`]: it bounds the number of buckets.
/// Quantiles of such values are reported as 0, an absolute error below 1e-12.
const MIN_INDEXABLE: f64 = 1e-12;

/// The keys of magnitudes in [`MIN_INDEXABLE`, `f64::MAX`]: clamping to them only matters
/// for a corrupt deserialized store, whose span (and memory) it bounds.
const KEY_MIN: i32 = (MIN_INDEXABLE.to_bits() >> KEY_SHIFT) as i32;
const KEY_MAX: i32 = (f64::MAX.to_bits() >> KEY_SHIFT) as i32;

/// Bucket counts of one sign: the counts of the keys from the smallest to the largest ever
/// added (its *span*), so its contents (and its serialized bytes, `{offset, counts}` of the
/// span) depend only on the multiset of keys, never on the order of adding or merging.
///
/// The vector behind it holds zero slack on both sides of the span, doubled at each growth:
/// a block's first values widen the span often, and growing an exact span moved the whole
/// vector every time its low end went down. Slack is never seen: equality, serialization and
/// every reader use the span.
#[derive(Clone, Debug, Default)]
struct Store {
    /// The key of `slots[0]`.
    base: i64,
    /// Counts of keys `base ..`: the span and zeros around it. Empty: nothing added.
    slots: Vec<u64>,
    /// The span: smallest and largest key added (meaningless while `slots` is empty).
    lo: i64,
    hi: i64,
}

/// How a [`Store`] is written in partial files: its span.
#[derive(Serialize, Deserialize)]
struct StoreOnDisk<C> {
    offset: i32,
    counts: C,
}

impl Serialize for Store {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (offset, counts) = self.span();
        StoreOnDisk { offset, counts }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Store {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let disk = StoreOnDisk::<Vec<u64>>::deserialize(d)?;
        let lo = i64::from(disk.offset);
        Ok(Store {
            base: lo,
            lo,
            hi: lo + disk.counts.len() as i64 - 1,
            slots: disk.counts,
        })
    }
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.span() == other.span()
    }
}

impl Store {
    /// The first key of the span and the span's counts (`(0, [])` if empty).
    fn span(&self) -> (i32, &[u64]) {
        if self.slots.is_empty() {
            return (0, &[]);
        }
        let start = (self.lo - self.base) as usize;
        let end = ((self.hi - self.base) as usize).min(self.slots.len() - 1);
        (self.lo as i32, &self.slots[start..=end])
    }

    /// Adds `n` to the count of `key`, growing the span as needed.
    #[inline]
    fn add(&mut self, key: i32, n: u64) {
        // The common case, inlined into every push: a key inside the slots (which lie in
        // the clamped range already, so no clamp is needed).
        let key = i64::from(key);
        if let Some(c) = usize::try_from(key - self.base)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
        {
            *c = c.saturating_add(n);
            self.lo = self.lo.min(key);
            self.hi = self.hi.max(key);
            return;
        }
        self.add_outside(key, n);
    }

    /// [`Store::add`] for a key outside the slots (or the first key): reallocates them,
    /// centred on the new span with as much slack again (clamped to the key range).
    #[cold]
    #[inline(never)]
    fn add_outside(&mut self, key: i64, n: u64) {
        let key = key.clamp(KEY_MIN.into(), KEY_MAX.into());
        let (lo, hi) = if self.slots.is_empty() {
            (key, key)
        } else {
            (self.lo.min(key), self.hi.max(key))
        };
        let slack = (hi - lo + 1).max(32);
        // Never narrower than the span (a corrupt store read back can lie outside the key
        // range; it fails `checked_total`, but must not panic before that).
        let base = (lo - slack).max(lo.min(KEY_MIN.into()));
        let top = (hi + slack).min(hi.max(KEY_MAX.into()));
        let mut slots = vec![0u64; (top - base + 1) as usize];
        if !self.slots.is_empty() {
            let (offset, counts) = self.span();
            let at = (i64::from(offset) - base) as usize;
            slots[at..at + counts.len()].copy_from_slice(counts);
        }
        let i = (key - base) as usize;
        slots[i] = slots[i].saturating_add(n);
        *self = Store {
            base,
            slots,
            lo,
            hi,
        };
    }

    /// Adds every count of `other`: the span grows once to cover both (the same span as
    /// adding its keys one by one, since both stores' ends are keys that were added), then
    /// the counts add element-wise.
    fn merge(&mut self, other: &Store) {
        let (offset, counts) = other.span();
        let (Some(first), Some(last)) = (
            counts.iter().position(|&c| c > 0),
            counts.iter().rposition(|&c| c > 0),
        ) else {
            return;
        };
        let key =
            |i: usize| (i64::from(offset) + i as i64).clamp(KEY_MIN.into(), KEY_MAX.into()) as i32;
        let (lo, hi) = (key(first), key(last));
        if i64::from(hi) - i64::from(lo) != (last - first) as i64 {
            // A span that clamping folds (only a corrupt store read back from a file):
            // one key at a time.
            for (i, &c) in counts.iter().enumerate() {
                if c > 0 {
                    self.add(key(i), c);
                }
            }
            return;
        }
        // Zero counts at the new ends would be a span no sequence of adds builds, so the
        // ends are added first (they are positive), then everything element-wise.
        self.add(lo, 0);
        self.add(hi, 0);
        let start = (i64::from(lo) - self.base) as usize;
        for (a, &b) in self.slots[start..].iter_mut().zip(&counts[first..=last]) {
            *a = a.saturating_add(b);
        }
    }

    fn total(&self) -> u64 {
        self.span().1.iter().sum()
    }

    /// The total count, or None if the store could not have been built by [`Store::add`]
    /// (a span outside the key range, or counts that overflow): a check for stores read
    /// back from a partial file.
    fn checked_total(&self) -> Option<u64> {
        if !self.slots.is_empty() && (self.lo < KEY_MIN.into() || self.hi > KEY_MAX.into()) {
            return None;
        }
        self.span()
            .1
            .iter()
            .try_fold(0u64, |a, &c| a.checked_add(c))
    }
}

/// A DDSketch with relative accuracy [`Sketch::ALPHA`]: quantiles within 1% of the true
/// value (relative), exact merge.
///
/// The index mapping is DDSketch's linearly interpolated one, done on the bits of the f64:
/// a magnitude's bucket is its binary exponent and the top 6 bits of its mantissa, so each
/// binade `[2^e, 2^(e+1))` has 64 buckets `[lo, hi)` with `hi / lo <= 1 + 1/64`, narrower
/// than DDSketch's `gamma = (1 + ALPHA) / (1 - ALPHA) = 1.0202`. A bucket is reported as
/// `2 lo hi / (lo + hi)`, within `(hi - lo) / (hi + lo) <= 1/129 = 0.78%` of every value in
/// it. No logarithm is computed: adding a value costs a shift and an increment. Negative
/// values use a mirror store; magnitudes below 1e-12 count as zero. Counts are integers, so
/// merging is exact and order-independent. Non-finite values are ignored.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    zero: u64,
    pos: Store,
    neg: Store,
}

impl Sketch {
    /// Relative accuracy guaranteed (the mapping achieves 1/129).
    pub const ALPHA: f64 = 0.01;

    /// The bucket of a magnitude >= [`MIN_INDEXABLE`]: monotone in the magnitude, because
    /// the bits of a positive f64 are.
    #[inline]
    fn key(m: f64) -> i32 {
        (m.to_bits() >> KEY_SHIFT) as i32
    }

    /// The representative magnitude of bucket `k`: the harmonic mean of its ends, which
    /// minimizes the largest relative error.
    fn value(k: i32) -> f64 {
        let k = u64::from(k.clamp(KEY_MIN, KEY_MAX).unsigned_abs());
        let lo = f64::from_bits(k << KEY_SHIFT);
        let hi = f64::from_bits((k + 1) << KEY_SHIFT);
        if hi.is_finite() {
            // 2 lo hi / (lo + hi), written so that it cannot overflow.
            lo * (2.0 / (1.0 + lo / hi))
        } else {
            lo
        }
    }

    /// Adds one value (any finite f64, negative and zero included).
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.push_n(x, 1);
    }

    /// Adds `n` values `x` at once (the same sketch as `n` pushes).
    #[inline]
    pub fn push_n(&mut self, x: f64, n: u64) {
        if !x.is_finite() || n == 0 {
            return;
        }
        if x >= MIN_INDEXABLE {
            self.pos.add(Self::key(x), n);
        } else if x <= -MIN_INDEXABLE {
            self.neg.add(Self::key(-x), n);
        } else {
            self.zero = self.zero.saturating_add(n);
        }
    }

    /// Number of values added, or None if the sketch is not one [`Sketch::push`] could
    /// have built (see `Store::checked_total`): for sketches read back from files.
    pub fn checked_count(&self) -> Option<u64> {
        self.zero
            .checked_add(self.pos.checked_total()?)?
            .checked_add(self.neg.checked_total()?)
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.zero + self.pos.total() + self.neg.total()
    }

    /// The `q`-quantile, 0 <= q <= 1 (None if empty or `q` is NaN; `q` is clamped to [0, 1]).
    ///
    /// The value of rank `floor(q (n - 1))` (0-based) in sorted order, within 1% relative.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if q.is_nan() {
            return None;
        }
        let n = self.count();
        if n == 0 {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        let rank = ((q * (n - 1) as f64).floor() as u64).min(n - 1);
        let mut seen = 0u64;
        // Most negative first: the highest keys of the negative store.
        let (neg_offset, neg) = self.neg.span();
        for (i, &c) in neg.iter().enumerate().rev() {
            seen += c;
            if seen > rank {
                return Some(-Self::value(neg_offset + i as i32));
            }
        }
        seen += self.zero;
        if seen > rank {
            return Some(0.0);
        }
        let (pos_offset, pos) = self.pos.span();
        for (i, &c) in pos.iter().enumerate() {
            seen += c;
            if seen > rank {
                return Some(Self::value(pos_offset + i as i32));
            }
        }
        None
    }
}

impl Merge for Sketch {
    fn merge(&mut self, other: &Self) {
        self.zero += other.zero;
        self.pos.merge(&other.pos);
        self.neg.merge(&other.neg);
    }
}

/// Reduces per-block accumulators along the binary tree fixed by block index.
///
/// The tree over blocks `0, 1, 2, ...` is the perfect binary tree whose nodes are the aligned
/// ranges `[i * 2^h, (i + 1) * 2^h)`. [`BlockTree::push`] merges two nodes only when they are
/// siblings of that tree (like a binary counter's carry), so every merged value is the value
/// of one node of the fixed tree, whatever the order in which the blocks were grouped
/// (threads, waves, shards appended in cover order). [`BlockTree::finish`] then folds the
/// remaining nodes (for a tree starting at block 0: the binary decomposition of the block
/// count) from the right. The result depends only on the blocks, never on how they were
/// split: same bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BlockTree<T> {
    /// Completed aligned subtrees `(first_block, block_count, accumulator)`, in block order;
    /// `block_count` is a power of two and `first_block` a multiple of it.
    pub nodes: Vec<(u64, u64, T)>,
}

impl<T: Merge + Clone> Default for BlockTree<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Merge + Clone> BlockTree<T> {
    /// An empty tree.
    pub fn new() -> Self {
        BlockTree { nodes: Vec::new() }
    }

    /// The blocks covered so far (`0..0` if none).
    pub fn covered(&self) -> Range<u64> {
        match (self.nodes.first(), self.nodes.last()) {
            (Some(f), Some(l)) => f.0..l.0 + l.1,
            _ => 0..0,
        }
    }

    /// Adds the accumulator of the aligned subtree `first_block .. first_block + block_count`
    /// (a single block: `block_count = 1`). It must start where the tree ends (any start if
    /// the tree is empty); `block_count` must be a power of two dividing `first_block`.
    pub fn push(&mut self, first_block: u64, block_count: u64, acc: T) -> Result<(), String> {
        if !block_count.is_power_of_two() {
            return Err(format!(
                "block count {block_count} is not a power of two (blocks from {first_block})"
            ));
        }
        if !first_block.is_multiple_of(block_count) {
            return Err(format!(
                "blocks {first_block}..+{block_count} are not an aligned subtree"
            ));
        }
        if first_block.checked_add(block_count).is_none() {
            return Err(format!("blocks {first_block}..+{block_count} overflow"));
        }
        if !self.nodes.is_empty() {
            let end = self.covered().end;
            if first_block != end {
                return Err(format!(
                    "blocks out of order: expected block {end}, got {first_block} \
                     (a gap or an overlap)"
                ));
            }
        }
        self.nodes.push((first_block, block_count, acc));
        // Carry: merge the two top nodes while they are siblings in the fixed tree.
        while self.nodes.len() >= 2 {
            let n = self.nodes.len();
            let (lf, lc, _) = self.nodes[n - 2];
            let (rf, rc, _) = self.nodes[n - 1];
            let siblings = lc == rc
                && lc.checked_mul(2).is_some_and(|d| lf.is_multiple_of(d))
                && lf + lc == rf;
            if !siblings {
                break;
            }
            let Some((_, _, right)) = self.nodes.pop() else {
                break;
            };
            if let Some(left) = self.nodes.last_mut() {
                left.2.merge(&right);
                left.1 = 2 * lc;
            }
        }
        Ok(())
    }

    /// Appends a tree covering the blocks right after this one's (a later shard); a tree
    /// that is empty on either side is fine.
    pub fn append(&mut self, other: BlockTree<T>) -> Result<(), String> {
        for (first, count, acc) in other.nodes {
            self.push(first, count, acc)?;
        }
        Ok(())
    }

    /// The accumulator of all blocks (None if none), folding the remaining subtrees from the
    /// right: `n0 + (n1 + (n2 + ...))`.
    pub fn finish(self) -> Option<T> {
        let mut nodes = self.nodes.into_iter().rev();
        let (_, _, mut acc) = nodes.next()?;
        for (_, _, mut left) in nodes {
            left.merge(&acc);
            acc = left;
        }
        Some(acc)
    }
}

/// The z of a two-sided 95% interval: the standard normal's 97.5th percentile, the 1.96
/// of `p ± 1.96 se`. Shared by every 95% interval rungs writes (Wilson here, the paired
/// differences of `compare`).
pub const Z_TWO_SIDED_95: f64 = 1.959_963_984_540_054;

/// The Wilson score 95% interval for `k` successes in `n` trials (None if `n = 0` or
/// `k > n`). The ends are exactly 0 when `k = 0` and exactly 1 when `k = n`.
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let nf = n as f64;
    let p = k as f64 / nf;
    let z2 = Z_TWO_SIDED_95 * Z_TWO_SIDED_95;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = Z_TWO_SIDED_95 * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    let lo = if k == 0 {
        0.0
    } else {
        (center - half).max(0.0)
    };
    let hi = if k == n {
        1.0
    } else {
        (center + half).min(1.0)
    };
    Some((lo, hi))
}

#[cfg(test)]
mod exact_tests;
#[cfg(test)]
mod tests;
