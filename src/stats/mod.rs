//! Accumulators that merge: the statistics of many runs, built block by block and combined
//! in a fixed order so the bytes of every output are the same whatever the threads or shards.
//!
//! - [`Moments`]: count, mean, M2 (Welford within a block, Chan et al. across blocks), min, max.
//! - [`Sketch`]: a DDSketch of relative accuracy 1% with integer bucket counts (merges exactly).
//! - [`BlockTree`]: reduces per-block accumulators along a binary tree fixed by block index,
//!   so any contiguous split of the blocks (threads, shards) gives the same result.
//! - [`Summary`]: everything `rungs run` reports about a set of runs.
//! - [`wilson`]: the Wilson score interval.

pub mod summary;

pub use summary::Summary;

use serde::{Deserialize, Serialize};

/// Number of runs in a block: the unit of parallel work and of deterministic reduction.
/// Changing it changes output bytes (last digits of means and sds).
pub const BLOCK_RUNS: u64 = 1024;

/// An accumulator that can absorb another of the same shape.
pub trait Merge {
    /// Absorbs `other`, which covers runs after those of `self`.
    fn merge(&mut self, other: &Self);
}

/// Count, mean, sum of squared deviations, min and max of a stream of f64.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    // Representation chosen by the implementation; must serialize without NaN/inf.
}

impl Moments {
    /// Adds one value.
    pub fn push(&mut self, x: f64) {
        let _ = x;
        todo!()
    }
    /// Number of values.
    pub fn count(&self) -> u64 {
        todo!()
    }
    /// Mean (None if empty).
    pub fn mean(&self) -> Option<f64> {
        todo!()
    }
    /// Sample standard deviation (n - 1; None if fewer than 2 values).
    pub fn sd(&self) -> Option<f64> {
        todo!()
    }
    /// Smallest value (None if empty).
    pub fn min(&self) -> Option<f64> {
        todo!()
    }
    /// Largest value (None if empty).
    pub fn max(&self) -> Option<f64> {
        todo!()
    }
}

/// A DDSketch with relative accuracy [`Sketch::ALPHA`]: quantiles within 1% of the true
/// value (relative), exact merge.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    // Representation chosen by the implementation.
}

impl Sketch {
    /// Relative accuracy.
    pub const ALPHA: f64 = 0.01;
    /// Adds one value (any finite f64, negative and zero included).
    pub fn push(&mut self, x: f64) {
        let _ = x;
        todo!()
    }
    /// The `q`-quantile, 0 <= q <= 1 (None if empty).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let _ = q;
        todo!()
    }
}

/// Reduces per-block accumulators along the binary tree fixed by block index.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BlockTree<T> {
    /// Completed aligned subtrees `(first_block, block_count, accumulator)`, in block order.
    pub nodes: Vec<(u64, u64, T)>,
}

impl<T: Merge + Clone> BlockTree<T> {
    /// TEMPORARY STUB (replaced by the stats branch).
    pub fn new() -> Self {
        BlockTree { nodes: Vec::new() }
    }
    /// TEMPORARY STUB.
    pub fn push(&mut self, first_block: u64, block_count: u64, acc: T) -> Result<(), String> {
        self.nodes.push((first_block, block_count, acc));
        Ok(())
    }
    /// TEMPORARY STUB.
    pub fn finish(self) -> Option<T> {
        todo!()
    }
}

/// The Wilson score 95% interval for `k` successes in `n` trials (`(0, 1)` if n = 0 is not
/// meaningful: returns None).
pub fn wilson(k: u64, n: u64) -> Option<(f64, f64)> {
    let _ = (k, n);
    todo!()
}
