//! [`Dist`]: everything known of one quantity over many runs (a parameter, a final state, a
//! time, a repeat count): moments, exact counts while its values are few, and a sketch.

use serde::{Deserialize, Serialize};

use crate::stats::{Exact, MAX_EXACT, Merge, Moments, Sketch};

/// Moments, exact counts while the values are few, and a quantile sketch of one quantity.
///
/// Every value goes to all three. The sketch is fed even while the exact counts hold, so
/// that when they overflow ([`MAX_EXACT`](crate::stats::MAX_EXACT) distinct values) it has
/// every value already; whether they overflow depends only on the set of values. Quantiles
/// are the exact ones while the counts hold, the sketch's after.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dist {
    /// Mean, sd, min, max.
    pub moments: Moments,
    /// Exact quantiles while there are few distinct values.
    pub exact: Exact,
    /// Quantiles within 1% otherwise.
    pub sketch: Sketch,
}

impl Dist {
    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.moments.push(x);
        self.exact.push(x);
        self.sketch.push(x);
    }

    /// The `q`-quantile: exact while the exact counts hold (the value of rank
    /// `floor(q (n - 1))`, as [`Exact::quantile`]); else the sketch's, clamped to the exact
    /// [min, max] (which can only bring it closer to the exact quantile). None if empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if let Some(v) = self.exact.quantile(q) {
            return Some(v);
        }
        let v = self.sketch.quantile(q)?;
        match (self.moments.min(), self.moments.max()) {
            (Some(lo), Some(hi)) => Some(v.clamp(lo, hi)),
            _ => Some(v),
        }
    }

    /// True if [`Dist::quantile`] is exact (the values are few), false if it comes from the
    /// sketch.
    pub fn is_exact(&self) -> bool {
        !self.exact.overflowed()
    }
}

impl Dist {
    /// Checks a distribution read back from a file: its moments, its exact counts and its
    /// sketch count the same values, at most `most` of them; returns that count. While the
    /// exact counts hold they fix everything else: their smallest and largest values must be
    /// the moments' min and max, and the sketch must be the one they make. Counts that
    /// overflowed need more than [`MAX_EXACT`] values.
    pub fn check(&self, most: u64) -> Result<u64, String> {
        let n = self.moments.count();
        match self.sketch.checked_count() {
            Some(c) if c == n && n <= most => {}
            Some(c) if c == n => return Err(format!("{n} values where there are at most {most}")),
            _ => return Err("its moments and its quantile sketch disagree".to_string()),
        }
        let disagree = || Err("its moments and its exact value counts disagree".to_string());
        if self.exact.overflowed() {
            return if n > MAX_EXACT as u64 {
                Ok(n)
            } else {
                disagree()
            };
        }
        let values = self.exact.sorted();
        if self.exact.checked_count() != Some(n) {
            return disagree();
        }
        if let (Some(first), Some(last)) = (values.first(), values.last())
            && (Some(first.0) != self.moments.min() || Some(last.0) != self.moments.max())
        {
            return disagree();
        }
        let mut sketch = Sketch::default();
        for &(x, c) in &values {
            sketch.push_n(x, c);
        }
        if sketch != self.sketch {
            return Err("its quantile sketch and its exact value counts disagree".to_string());
        }
        Ok(n)
    }
}

impl Merge for Dist {
    fn merge(&mut self, other: &Self) {
        self.moments.merge(&other.moments);
        self.exact.merge(&other.exact);
        self.sketch.merge(&other.sketch);
    }
}
