//! Many runs: blocks of [`BLOCK_RUNS`] consecutive runs computed in parallel, pushed into a
//! [`BlockTree`] in block order.
//!
//! A block's statistics depend only on its runs, and the tree combines blocks along a shape
//! fixed by block index, so the result is the same bytes for any thread count and any split
//! of the blocks into shards.

use std::ops::Range;

use rayon::prelude::*;

use crate::engine::RunRecord;
use crate::engine::run::{RunError, Runner};
use crate::scenario::Model;
use crate::stats::{BLOCK_RUNS, BlockTree, Summary};

/// Formats one run as output bytes (a runs.csv row), called on worker threads.
pub type RunFormatter<'a> = &'a (dyn Fn(&Model, &RunRecord, &mut Vec<u8>) + Sync);

/// Receives the formatted bytes of each block of runs, in run order (the runs.csv writer).
pub type RunSink<'a> = &'a mut dyn FnMut(&[u8]) -> std::io::Result<()>;

/// What to run.
#[derive(Clone, Debug)]
pub struct Batch {
    /// The seed.
    pub seed: u64,
    /// Total runs of the whole job (all shards).
    pub runs: u64,
    /// The blocks this process computes (all of them unless sharded).
    pub blocks: Range<u64>,
    /// Worker threads (>= 1).
    pub threads: usize,
}

impl Batch {
    /// All blocks of `runs` runs.
    pub fn whole(seed: u64, runs: u64, threads: usize) -> Batch {
        Batch {
            seed,
            runs,
            blocks: 0..block_count(runs),
            threads,
        }
    }

    /// The blocks of shard `k` of `n` (contiguous, as even as blocks allow).
    pub fn shard(seed: u64, runs: u64, threads: usize, k: u64, n: u64) -> Batch {
        Batch {
            seed,
            runs,
            blocks: shard_blocks(block_count(runs), k, n),
            threads,
        }
    }

    /// The runs of block `b`.
    pub fn block_runs(&self, b: u64) -> Range<u64> {
        b * BLOCK_RUNS..((b + 1) * BLOCK_RUNS).min(self.runs)
    }

    /// Number of runs this batch computes.
    pub fn run_count(&self) -> u64 {
        if self.blocks.is_empty() {
            return 0;
        }
        self.block_runs(self.blocks.end - 1).end - self.blocks.start * BLOCK_RUNS
    }
}

/// Number of blocks of `runs` runs.
pub fn block_count(runs: u64) -> u64 {
    runs.div_ceil(BLOCK_RUNS)
}

/// Blocks of shard `k` of `n` among `blocks` blocks.
pub fn shard_blocks(blocks: u64, k: u64, n: u64) -> Range<u64> {
    let at = |i: u64| ((u128::from(blocks) * u128::from(i)) / u128::from(n)) as u64;
    at(k)..at(k + 1)
}

/// Runs a batch: returns the block tree of its statistics. `progress` is called with the
/// number of runs done so far; with `per_run`, each run's formatted bytes are handed to
/// `sink` in run order.
pub fn run_batch(
    model: &Model,
    batch: &Batch,
    progress: &(dyn Fn(u64) + Sync),
    per_run: Option<(RunFormatter<'_>, RunSink<'_>)>,
) -> Result<BlockTree<Summary>, BatchError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(batch.threads.max(1))
        .build()
        .map_err(|e| BatchError::Threads(e.to_string()))?;
    let (format, mut sink) = match per_run {
        Some((f, s)) => (Some(f), Some(s)),
        None => (None, None),
    };
    let mut tree = BlockTree::new();
    // Waves of a few blocks per thread: enough to balance, few enough to bound memory.
    let wave = (batch.threads.max(1) * 4) as u64;
    let mut done = 0;
    let mut b = batch.blocks.start;
    while b < batch.blocks.end {
        let end = (b + wave).min(batch.blocks.end);
        let results: Vec<Result<(Summary, Vec<u8>), RunError>> = pool.install(|| {
            (b..end)
                .into_par_iter()
                .map(|blk| run_block(model, batch, blk, format))
                .collect()
        });
        for (i, r) in results.into_iter().enumerate() {
            let (summary, bytes) = r?;
            if let Some(sink) = sink.as_mut() {
                sink(&bytes).map_err(|e| BatchError::Io(e.to_string()))?;
            }
            tree.push(b + i as u64, 1, summary)
                .map_err(BatchError::Internal)?;
        }
        done += batch.block_runs(end - 1).end - batch.block_runs(b).start;
        progress(done);
        b = end;
    }
    Ok(tree)
}

/// One block: its runs in index order into a fresh summary.
fn run_block(
    model: &Model,
    batch: &Batch,
    block: u64,
    format: Option<RunFormatter<'_>>,
) -> Result<(Summary, Vec<u8>), RunError> {
    let mut runner = Runner::new(model, batch.seed);
    let mut rec = RunRecord::default();
    let mut summary = Summary::new(model);
    let mut bytes = Vec::new();
    for run in batch.block_runs(block) {
        runner.run(run, &mut rec)?;
        summary.record(model, &rec);
        if let Some(f) = format {
            f(model, &rec, &mut bytes);
        }
    }
    Ok((summary, bytes))
}

/// Runs everything in one process and returns the final summary.
pub fn run_all(model: &Model, seed: u64, runs: u64, threads: usize) -> Result<Summary, BatchError> {
    let tree = run_batch(model, &Batch::whole(seed, runs, threads), &|_| {}, None)?;
    Ok(tree.finish().unwrap_or_else(|| Summary::new(model)))
}

/// Why a batch failed.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A run failed (the first in run order).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The thread pool could not start.
    #[error("could not start worker threads: {0}")]
    Threads(String),
    /// Writing per-run output failed.
    #[error("could not write per-run output: {0}")]
    Io(String),
    /// A bug: blocks out of order.
    #[error("internal error: {0}")]
    Internal(String),
}
