//! [`Exact`]: exact counts of a stream's distinct values while they are few, so that the
//! quantiles of a discrete parameter, an integer count or a tick-aligned time are values
//! that can occur (5000, not 5023.80).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::stats::Merge;

/// Most distinct values an [`Exact`] counts. One more and it overflows: it drops its counts
/// and the quantiles come from the sketch beside it. 384 holds any discrete parameter, any
/// small integer count, and the tick times of a year of daily ticks (366), in a table of 512
/// slots (4 KiB of keys); a continuous quantity (every value new) overflows within a block
/// of runs and then costs one branch per value.
pub const MAX_EXACT: usize = 384;

/// Slots of a fresh table (a power of two).
const FIRST_SLOTS: usize = 8;

/// The key of an empty slot: the bits of a NaN, which is never recorded.
const EMPTY: u64 = u64::MAX;

/// Exact counts of the distinct finite values of a stream, up to [`MAX_EXACT`] of them.
///
/// Whether it overflows depends only on the *set* of values (it does when that set has more
/// than [`MAX_EXACT`] members), and the counts it holds otherwise are exact integers: so the
/// result of any sequence of pushes and merges depends only on the multiset of values, never
/// on their order or on the merge tree. That is what keeps the outputs the same bytes for
/// any thread count or shard split.
///
/// Recording uses an open-addressing table (linear probing on the value's bits, keys apart
/// from counts so a probe touches 8 bytes a slot), so a push costs a hash and a probe or two,
/// even for the hundreds of new values a continuous quantity brings before it overflows. The
/// slot order depends on the order of insertion; nothing reads it: equality, serialization
/// and quantiles use the values sorted. Non-finite values are ignored (as
/// [`Moments`](crate::stats::Moments) and [`Sketch`](crate::stats::Sketch) ignore them);
/// `-0` counts as `0`.
#[derive(Clone, Debug, Default)]
pub struct Exact {
    /// Value bits per slot, [`EMPTY`] for none. Empty (nothing recorded, or overflowed) or a
    /// power of two that `len` fills to at most 3/4.
    keys: Vec<u64>,
    /// The count of each slot's value.
    counts: Vec<u64>,
    /// Distinct values held.
    len: usize,
    /// More than [`MAX_EXACT`] distinct values were seen: nothing is held any more.
    overflow: bool,
}

impl Exact {
    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.add(x, 1);
    }

    /// Adds `n` values `x` (ignored if `x` is not finite or `n` is 0).
    #[inline]
    pub fn add(&mut self, x: f64, n: u64) {
        if self.overflow || !x.is_finite() || n == 0 {
            return;
        }
        // -0 and 0 are one value.
        let x = if x == 0.0 { 0.0 } else { x };
        self.add_bits(x.to_bits(), n);
    }

    /// The slot where `bits` is or would go (Fibonacci hashing: the top bits of a product,
    /// which spreads values that differ only in their high mantissa bits, as integers do).
    #[inline]
    fn find(keys: &[u64], bits: u64) -> usize {
        let mask = keys.len() - 1;
        let shift = 64 - keys.len().trailing_zeros();
        let mut i = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
        // The table is never full (at most 3/4), so an empty slot ends the probe.
        while keys[i] != EMPTY && keys[i] != bits {
            i = (i + 1) & mask;
        }
        i
    }

    fn add_bits(&mut self, bits: u64, n: u64) {
        if self.keys.is_empty() {
            self.keys = vec![EMPTY; FIRST_SLOTS];
            self.counts = vec![0; FIRST_SLOTS];
        }
        let i = Self::find(&self.keys, bits);
        if self.keys[i] == bits {
            self.counts[i] = self.counts[i].saturating_add(n);
            return;
        }
        if self.len == MAX_EXACT {
            *self = Exact {
                overflow: true,
                ..Exact::default()
            };
            return;
        }
        self.keys[i] = bits;
        self.counts[i] = n;
        self.len += 1;
        if self.len * 4 > self.keys.len() * 3 {
            self.grow();
        }
    }

    /// Doubles the table.
    fn grow(&mut self) {
        let slots = 2 * self.keys.len();
        let keys = std::mem::replace(&mut self.keys, vec![EMPTY; slots]);
        let counts = std::mem::replace(&mut self.counts, vec![0; slots]);
        for (b, c) in keys.into_iter().zip(counts) {
            if b != EMPTY {
                let j = Self::find(&self.keys, b);
                self.keys[j] = b;
                self.counts[j] = c;
            }
        }
    }

    /// The `(bits, count)` of every value held, in slot order.
    fn entries(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.keys
            .iter()
            .zip(&self.counts)
            .filter(|(b, _)| **b != EMPTY)
            .map(|(&b, &c)| (b, c))
    }

    /// True once more than [`MAX_EXACT`] distinct values were seen.
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    /// The distinct values held with their counts, in increasing order (empty if none or
    /// overflowed).
    pub fn sorted(&self) -> Vec<(f64, u64)> {
        let mut v: Vec<(f64, u64)> = self
            .entries()
            .map(|(b, c)| (f64::from_bits(b), c))
            .collect();
        v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        v
    }

    /// Number of values held (0 if overflowed), or None if the counts overflow u64 (a
    /// damaged file).
    pub fn checked_count(&self) -> Option<u64> {
        self.counts.iter().try_fold(0u64, |a, &c| a.checked_add(c))
    }

    /// The exact `q`-quantile, by the rule of [`Sketch::quantile`](crate::stats::Sketch):
    /// the value of rank `floor(q (n - 1))` (0-based) in increasing order, `q` clamped to
    /// [0, 1]. None if overflowed, empty, or `q` is NaN.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.overflow || self.len == 0 || q.is_nan() {
            return None;
        }
        let sorted = self.sorted();
        let n = self.checked_count()?;
        let rank = ((q.clamp(0.0, 1.0) * (n - 1) as f64).floor() as u64).min(n - 1);
        let mut seen = 0u64;
        for (x, c) in sorted {
            seen += c;
            if seen > rank {
                return Some(x);
            }
        }
        None
    }
}

impl Merge for Exact {
    fn merge(&mut self, other: &Self) {
        if self.overflow {
            return;
        }
        if other.overflow {
            *self = other.clone();
            return;
        }
        for (b, c) in other.entries() {
            self.add_bits(b, c);
            if self.overflow {
                return;
            }
        }
    }
}

impl PartialEq for Exact {
    /// The same values with the same counts (or both overflowed), whatever the slot order.
    fn eq(&self, other: &Self) -> bool {
        self.overflow == other.overflow && self.len == other.len && self.sorted() == other.sorted()
    }
}

/// How an [`Exact`] is written in partial files: the values in increasing order.
#[derive(Serialize, Deserialize)]
struct ExactOnDisk {
    values: Vec<(f64, u64)>,
    overflow: bool,
}

impl Serialize for Exact {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ExactOnDisk {
            values: self.sorted(),
            overflow: self.overflow,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Exact {
    /// Refuses what [`Exact::push`] could not have built, so a damaged partial file cannot
    /// merge two entries of one value, or hold values beside an overflow, unnoticed: values
    /// finite, strictly increasing, not `-0`, counts above 0, at most [`MAX_EXACT`] of them,
    /// none once overflowed.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let disk = ExactOnDisk::deserialize(d)?;
        if disk.overflow && !disk.values.is_empty() {
            return Err(D::Error::custom(
                "exact value counts beside an overflow marker",
            ));
        }
        if disk.values.len() > MAX_EXACT {
            return Err(D::Error::custom(format!(
                "{} exact value counts where there are at most {MAX_EXACT}",
                disk.values.len()
            )));
        }
        let valid =
            |&(x, c): &(f64, u64)| x.is_finite() && !(x == 0.0 && x.is_sign_negative()) && c > 0;
        let increasing = disk.values.windows(2).all(|w| w[0].0 < w[1].0);
        if !disk.values.iter().all(valid) || !increasing {
            return Err(D::Error::custom(
                "exact value counts that are not distinct finite values in increasing order \
                 with positive counts",
            ));
        }
        let mut exact = Exact {
            overflow: disk.overflow,
            ..Exact::default()
        };
        for (x, c) in disk.values {
            exact.add(x, c);
        }
        Ok(exact)
    }
}
