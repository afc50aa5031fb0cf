//! [`Exact`]: exact counts of a stream's distinct values while they are few, so that the
//! quantiles of a discrete parameter or an integer count are values that can occur (5000,
//! not 5023.80).

use std::borrow::Cow;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::stats::Merge;

/// Most distinct values an [`Exact`] counts. One more and it overflows: it drops its counts
/// and the quantiles come from the sketch beside it. 128 holds any discrete parameter and
/// any count or integer state of up to 128 distinct values, in a table of 256 slots (4 KiB).
/// The bound is what a continuous quantity (every value new) pays for in every block of
/// runs before it overflows: 128 costs ladder15, the fastest benchmark scenario, about 12%
/// of its run time, 384 cost 18%. Times at tick ends do not need it: their exact quantiles
/// come from the timeline ([`Summary::time_quantile`](crate::stats::Summary::time_quantile)).
pub const MAX_EXACT: usize = 128;

/// Slots of a fresh table (a power of two).
const FIRST_SLOTS: usize = 8;

/// Slots of a table holding [`MAX_EXACT`] values (3/4 full).
const MAX_SLOTS: usize = (MAX_EXACT * 4 / 3).next_power_of_two();

/// The key of an empty slot: the bits of a NaN, which is never recorded.
const EMPTY: u64 = u64::MAX;

/// Values a push only appends to a buffer before they are counted in the table together.
const PENDING: usize = 256;

/// Exact counts of the distinct finite values of a stream, up to [`MAX_EXACT`] of them.
///
/// Whether it overflows depends only on the *set* of values (it does when that set has more
/// than [`MAX_EXACT`] members), and the counts it holds otherwise are exact integers: so the
/// result of any sequence of pushes and merges depends only on the multiset of values, never
/// on their order or on the merge tree. That is what keeps the outputs the same bytes for
/// any thread count or shard split.
///
/// The counts live in an open-addressing table (linear probing on the value's bits, each key
/// beside its count). A push only appends the value to a buffer of [`PENDING`]; a full
/// buffer is counted into the table in one pass. So the run loop, which pushes into a
/// hundred of these in turn, writes sequentially instead of probing a hundred tables that do
/// not stay in cache, and a continuous quantity (every value new) pays for its few hundred
/// inserts before it overflows in passes over one warm table. Every reader (quantiles,
/// equality, serialization, merging) sees the buffer and the table together; the slot order
/// and the buffer are never visible: readers use the values sorted.
/// Non-finite values are ignored (as [`Moments`](crate::stats::Moments) and
/// [`Sketch`](crate::stats::Sketch) ignore them); `-0` counts as `0`.
#[derive(Clone, Debug, Default)]
pub struct Exact {
    /// `(value bits, count)` per slot, bits [`EMPTY`] for none. Empty (nothing counted, or
    /// overflowed) or a power of two that `len` fills to at most 3/4.
    slots: Vec<(u64, u64)>,
    /// Distinct values in the table.
    len: usize,
    /// More than [`MAX_EXACT`] distinct values were seen: nothing is held any more.
    overflow: bool,
    /// Bits of the values pushed since the table last counted them (fewer than [`PENDING`]).
    pending: Vec<u64>,
}

impl Exact {
    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        if self.overflow || !x.is_finite() {
            return;
        }
        if self.pending.capacity() == 0 {
            self.pending.reserve_exact(PENDING);
        }
        // -0 and 0 are one value.
        self.pending
            .push(if x == 0.0 { 0.0f64 } else { x }.to_bits());
        if self.pending.len() >= PENDING {
            self.flush();
        }
    }

    /// Adds `n` values `x` (ignored if `x` is not finite or `n` is 0).
    pub fn add(&mut self, x: f64, n: u64) {
        if self.overflow || !x.is_finite() || n == 0 {
            return;
        }
        self.add_bits(if x == 0.0 { 0.0f64 } else { x }.to_bits(), n);
    }

    /// Counts the buffered values into the table (keeping the buffer's memory for more).
    fn flush(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        if self.slots.is_empty() {
            // Sized at once for as many distinct values as are pending (at most 3/4 full):
            // a continuous quantity then fills one table on its way to overflowing instead
            // of rehashing through five.
            let slots = (pending.len() * 4).div_ceil(3).next_power_of_two();
            self.slots = vec![(EMPTY, 0); slots.clamp(FIRST_SLOTS, MAX_SLOTS)];
        }
        for &b in &pending {
            self.add_bits(b, 1);
            if self.overflow {
                return;
            }
        }
        pending.clear();
        self.pending = pending;
    }

    /// Self with its buffer counted: borrowed if the buffer is empty, else a counted copy.
    fn settled(&self) -> Cow<'_, Exact> {
        if self.pending.is_empty() {
            Cow::Borrowed(self)
        } else {
            let mut copy = self.clone();
            copy.flush();
            Cow::Owned(copy)
        }
    }

    /// The slot where `bits` is or would go (Fibonacci hashing: the top bits of a product,
    /// which spreads values that differ only in their high mantissa bits, as integers do).
    #[inline]
    fn find(slots: &[(u64, u64)], bits: u64) -> usize {
        let mask = slots.len() - 1;
        let shift = 64 - slots.len().trailing_zeros();
        let mut i = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
        // The table is never full (at most 3/4), so an empty slot ends the probe.
        while slots[i].0 != EMPTY && slots[i].0 != bits {
            i = (i + 1) & mask;
        }
        i
    }

    /// Counts `n` more of the value whose bits are `bits` (finite, not `-0`).
    fn add_bits(&mut self, bits: u64, n: u64) {
        if self.slots.is_empty() {
            self.slots = vec![(EMPTY, 0); FIRST_SLOTS];
        }
        let i = Self::find(&self.slots, bits);
        let slot = &mut self.slots[i];
        if slot.0 == bits {
            slot.1 = slot.1.saturating_add(n);
            return;
        }
        if self.len == MAX_EXACT {
            *self = Exact {
                overflow: true,
                ..Exact::default()
            };
            return;
        }
        self.slots[i] = (bits, n);
        self.len += 1;
        if self.len * 4 > self.slots.len() * 3 {
            self.grow();
        }
    }

    /// Doubles the table.
    fn grow(&mut self) {
        let grown = vec![(EMPTY, 0); 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, grown);
        for (b, c) in old {
            if b != EMPTY {
                let j = Self::find(&self.slots, b);
                self.slots[j] = (b, c);
            }
        }
    }

    /// The `(bits, count)` of every value in the table, in slot order.
    fn entries(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        self.slots.iter().copied().filter(|s| s.0 != EMPTY)
    }

    /// True once more than [`MAX_EXACT`] distinct values were seen.
    pub fn overflowed(&self) -> bool {
        self.settled().overflow
    }

    /// The distinct values held with their counts, in increasing order (empty if none or
    /// overflowed).
    pub fn sorted(&self) -> Vec<(f64, u64)> {
        let mut v: Vec<(f64, u64)> = self
            .settled()
            .entries()
            .map(|(b, c)| (f64::from_bits(b), c))
            .collect();
        v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        v
    }

    /// Number of values held (0 if overflowed), or None if the counts overflow u64 (a
    /// damaged file).
    pub fn checked_count(&self) -> Option<u64> {
        let settled = self.settled();
        settled
            .slots
            .iter()
            .try_fold(0u64, |a, s| a.checked_add(s.1))
    }

    /// The exact `q`-quantile, by the rule of [`Sketch::quantile`](crate::stats::Sketch):
    /// the value of rank `floor(q (n - 1))` (0-based) in increasing order, `q` clamped to
    /// [0, 1]. None if overflowed, empty, or `q` is NaN.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if q.is_nan() {
            return None;
        }
        let sorted = self.sorted();
        let n = sorted.iter().try_fold(0u64, |a, v| a.checked_add(v.1))?;
        if n == 0 {
            return None;
        }
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
        self.flush();
        if self.overflow {
            return;
        }
        if other.overflow {
            *self = Exact {
                overflow: true,
                ..Exact::default()
            };
            return;
        }
        // `other`'s table, then its buffer, counted straight in (not a settled copy of it):
        // whether the union overflows, and its counts, do not depend on the order.
        let buffered = other.pending.iter().map(|&b| (b, 1));
        for (b, c) in other.entries().chain(buffered) {
            self.add_bits(b, c);
            if self.overflow {
                return;
            }
        }
    }
}

impl PartialEq for Exact {
    /// The same values with the same counts (or both overflowed), whatever the slot order
    /// and whatever is still buffered.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.settled(), other.settled());
        a.overflow == b.overflow && a.sorted() == b.sorted()
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
        let settled = self.settled();
        ExactOnDisk {
            values: settled.sorted(),
            overflow: settled.overflow,
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
