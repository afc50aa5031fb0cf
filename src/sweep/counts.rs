//! Exact integer counts over many runs of several variants of a model, on common random
//! numbers: what tornado, importance and compare need (probabilities only, no time
//! statistics), so they do not pay for a full [`Summary`](crate::stats::Summary) per variant.
//!
//! Runs go in blocks of [`BLOCK_RUNS`], in parallel waves; block results are added in block
//! order. Integer sums do not depend on the order anyway, so any thread count gives the same
//! numbers, and the first failing run in run order is the one reported.

use std::ops::Range;

use rayon::prelude::*;

use crate::engine::RunRecord;
use crate::engine::many::block_count;
use crate::engine::run::{RunError, Runner};
use crate::scenario::Model;
use crate::stats::BLOCK_RUNS;

/// Why counting failed.
#[derive(Debug, thiserror::Error)]
pub enum CountError {
    /// A run failed.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The thread pool could not start.
    #[error("could not start worker threads: {0}")]
    Threads(String),
}

/// Runs `per_block` on every block of `runs` runs (in parallel waves of a few blocks per
/// thread, so memory stays bounded) and hands the results to `fold` in block order.
pub fn for_blocks<T: Send>(
    runs: u64,
    threads: usize,
    per_block: impl Fn(Range<u64>) -> Result<T, RunError> + Sync,
    mut fold: impl FnMut(T),
    progress: &dyn Fn(u64),
) -> Result<(), CountError> {
    let threads = threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CountError::Threads(e.to_string()))?;
    let blocks = block_count(runs);
    let wave = (threads * 4) as u64;
    let mut b = 0;
    while b < blocks {
        let end = (b + wave).min(blocks);
        let results: Vec<Result<T, RunError>> = pool.install(|| {
            (b..end)
                .into_par_iter()
                .map(|blk| per_block(blk * BLOCK_RUNS..((blk + 1) * BLOCK_RUNS).min(runs)))
                .collect()
        });
        for r in results {
            fold(r?);
        }
        progress((end * BLOCK_RUNS).min(runs));
        b = end;
    }
    Ok(())
}

/// How often each node happened and each outcome ended a run, over `runs` runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Number of runs.
    pub runs: u64,
    /// Runs in which each node happened at least once (indexed like `Model::nodes`).
    pub nodes: Vec<u64>,
    /// Runs that ended with each outcome (indexed like `Model::outcomes`).
    pub outcomes: Vec<u64>,
}

impl Counts {
    /// Zero counts shaped for `model`.
    pub fn new(model: &Model) -> Counts {
        Counts {
            runs: 0,
            nodes: vec![0; model.nodes.len()],
            outcomes: vec![0; model.outcomes.len()],
        }
    }

    /// Adds one run.
    pub fn record(&mut self, rec: &RunRecord) {
        self.runs += 1;
        for (n, &c) in self.nodes.iter_mut().zip(&rec.counts) {
            *n += u64::from(c > 0);
        }
        if let Some(o) = self.outcomes.get_mut(rec.outcome) {
            *o += 1;
        }
    }

    /// Adds counts of other runs of the same model.
    pub fn add(&mut self, other: &Counts) {
        self.runs += other.runs;
        for (a, b) in self.nodes.iter_mut().zip(&other.nodes) {
            *a += b;
        }
        for (a, b) in self.outcomes.iter_mut().zip(&other.outcomes) {
            *a += b;
        }
    }

    /// Probability of outcome `o` (0 if there were no runs).
    pub fn p_outcome(&self, o: usize) -> f64 {
        ratio(self.outcomes.get(o).copied().unwrap_or(0), self.runs)
    }
}

fn ratio(k: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { k as f64 / n as f64 }
}

/// Counts `runs` runs of each variant with `seed`: run `i` of every variant uses the same
/// addressed draws, so the variants differ only where their models differ.
pub fn count_variants(
    variants: &[Model],
    seed: u64,
    runs: u64,
    threads: usize,
    progress: &dyn Fn(u64),
) -> Result<Vec<Counts>, CountError> {
    let mut total: Vec<Counts> = variants.iter().map(Counts::new).collect();
    for_blocks(
        runs,
        threads,
        |range| {
            let mut rec = RunRecord::default();
            variants
                .iter()
                .map(|m| {
                    let mut runner = Runner::new(m, seed);
                    let mut c = Counts::new(m);
                    for run in range.clone() {
                        runner.run(run, &mut rec)?;
                        c.record(&rec);
                    }
                    Ok(c)
                })
                .collect::<Result<Vec<Counts>, RunError>>()
        },
        |block| {
            for (t, c) in total.iter_mut().zip(&block) {
                t.add(c);
            }
        },
        progress,
    )?;
    Ok(total)
}
