//! Many runs: the one parallel runner every command uses.
//!
//! Work is a range of *items* (a block of [`BLOCK_RUNS`] consecutive runs of one model, or
//! of one point of a sweep, or of every variant of a tornado), computed in parallel waves of
//! a few items per thread and handed back to the caller **in item order** on the calling
//! thread ([`run_waves`]). What is kept of each run is the caller's choice: an
//! [`Accumulator`] (the full statistics, a sweep's counts, compare's paired counts) that
//! records one run at a time; how finished blocks combine (a fixed merge tree for floating
//! point statistics, plain sums for counts) is the caller's too, so the engine knows nothing
//! of statistics.
//!
//! A block's result depends only on its runs, and items come back in a fixed order, so a
//! command's output is the same bytes for any thread count and any split into shards.

use std::ops::Range;

use rayon::prelude::*;

use crate::engine::RunRecord;
use crate::engine::run::{RunError, Runner};
use crate::scenario::Model;

/// Runs per block: the unit of parallel work, of shards and of the merge tree. Part of the
/// output's identity: changing it changes the bytes of floating-point statistics.
pub const BLOCK_RUNS: u64 = 1024;

/// What a command keeps of each run. Recorded one run at a time, in run order within a
/// block; a fresh accumulator starts each block.
pub trait Accumulator: Send {
    /// Adds one finished run of `model`.
    fn record(&mut self, model: &Model, rec: &RunRecord);
}

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
        block_runs(b, self.runs)
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

/// The runs of block `b` of a job of `runs` runs.
pub fn block_runs(b: u64, runs: u64) -> Range<u64> {
    b.saturating_mul(BLOCK_RUNS).min(runs)..b.saturating_add(1).saturating_mul(BLOCK_RUNS).min(runs)
}

/// Blocks of shard `k` of `n` among `blocks` blocks.
pub fn shard_blocks(blocks: u64, k: u64, n: u64) -> Range<u64> {
    let at = |i: u64| ((u128::from(blocks) * u128::from(i)) / u128::from(n)) as u64;
    at(k)..at(k + 1)
}

/// A failure of a batch, with the item it happened at (the first in item order).
#[derive(Debug)]
pub struct ItemError {
    /// The item (block, or point-and-block) that failed.
    pub item: u64,
    /// What went wrong.
    pub error: BatchError,
}

/// The one parallel runner. Computes `work(&context, item)` for every item of `items`, in
/// parallel waves of a few items per thread (enough to balance, few enough to bound the
/// results waiting at once), and hands each result to `take` in item order, on the calling
/// thread. Before each wave, `prepare(wave)` builds what the wave's items share (the models
/// of the sweep points it touches, say). Stops at the first failure in item order.
pub fn run_waves<C: Sync, T: Send>(
    threads: usize,
    items: Range<u64>,
    prepare: impl FnMut(Range<u64>) -> C,
    work: impl Fn(&C, u64) -> Result<T, RunError> + Sync,
    mut take: impl FnMut(u64, T) -> Result<(), BatchError>,
) -> Result<(), ItemError> {
    run_waves_until(threads, items, prepare, work, |i, t| {
        take(i, t).map(|()| Flow::Continue)
    })
    .map(|_| ())
}

/// Whether a caller of [`run_waves_until`] wants more items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Hand over the next item.
    Continue,
    /// Stop here: the items after this one are not wanted (a precision target is met, say).
    Stop,
}

/// [`run_waves`] whose `take` may stop the work early ([`Flow::Stop`]): the results of
/// later items of the same wave are dropped, no further wave starts. Returns the first item
/// not taken (`items.end` if every item was). Because `take` sees the items in item order,
/// where the work stops depends only on the results, never on the thread count.
pub fn run_waves_until<C: Sync, T: Send>(
    threads: usize,
    items: Range<u64>,
    mut prepare: impl FnMut(Range<u64>) -> C,
    work: impl Fn(&C, u64) -> Result<T, RunError> + Sync,
    mut take: impl FnMut(u64, T) -> Result<Flow, BatchError>,
) -> Result<u64, ItemError> {
    let threads = threads.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| ItemError {
            item: items.start,
            error: BatchError::Threads(e.to_string()),
        })?;
    let wave = (threads * 4) as u64;
    let mut i = items.start;
    while i < items.end {
        let end = i.saturating_add(wave).min(items.end);
        let context = prepare(i..end);
        let results: Vec<Result<T, RunError>> = pool.install(|| {
            (i..end)
                .into_par_iter()
                .map(|j| work(&context, j))
                .collect()
        });
        for (item, r) in (i..end).zip(results) {
            let fail = |error| ItemError { item, error };
            let flow = take(item, r.map_err(|e| fail(BatchError::from(e)))?).map_err(fail)?;
            if flow == Flow::Stop {
                return Ok(item + 1);
            }
        }
        i = end;
    }
    Ok(items.end)
}

/// Runs `runs` of `model` with `seed` in run order into `acc`, reusing one runner and one
/// record; with `format`, appends each run's formatted bytes to `bytes`.
pub fn run_block<A: Accumulator>(
    model: &Model,
    seed: u64,
    runs: Range<u64>,
    acc: &mut A,
    format: Option<(RunFormatter<'_>, &mut Vec<u8>)>,
) -> Result<(), RunError> {
    let mut runner = Runner::new(model, seed);
    let mut rec = RunRecord::default();
    match format {
        Some((f, bytes)) => {
            for run in runs {
                runner.run(run, &mut rec)?;
                acc.record(model, &rec);
                f(model, &rec, bytes);
            }
        }
        None => {
            for run in runs {
                runner.run(run, &mut rec)?;
                acc.record(model, &rec);
            }
        }
    }
    Ok(())
}

/// Runs a batch of one model: each block into a fresh accumulator from `fresh`, handed to
/// `take` in block order with the number of runs done so far. With `per_run`, each run's
/// formatted bytes go to the sink in run order.
pub fn run_batch<A: Accumulator>(
    model: &Model,
    batch: &Batch,
    fresh: &(dyn Fn() -> A + Sync),
    per_run: Option<(RunFormatter<'_>, RunSink<'_>)>,
    mut take: impl FnMut(u64, A, u64) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    let (format, mut sink) = match per_run {
        Some((f, s)) => (Some(f), Some(s)),
        None => (None, None),
    };
    let start = batch.block_runs(batch.blocks.start).start;
    run_waves(
        batch.threads,
        batch.blocks.clone(),
        |_| (),
        |(), b| {
            let mut acc = fresh();
            let mut bytes = Vec::new();
            let format = format.map(|f| (f, &mut bytes));
            run_block(model, batch.seed, batch.block_runs(b), &mut acc, format)?;
            Ok((acc, bytes))
        },
        |b, (acc, bytes)| {
            if let Some(sink) = sink.as_mut() {
                sink(&bytes).map_err(|e| BatchError::Io(e.to_string()))?;
            }
            take(b, acc, batch.block_runs(b).end - start)
        },
    )
    .map_err(|e| e.error)
}

/// Why a batch failed.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// A run failed (the first in run order). Boxed: a run-time error carries its
    /// expression's source location, and the error of every batch should stay small.
    #[error(transparent)]
    Run(Box<RunError>),
    /// The thread pool could not start.
    #[error("could not start worker threads: {0}")]
    Threads(String),
    /// Writing per-run output failed.
    #[error("could not write per-run output: {0}")]
    Io(String),
    /// A bug: blocks out of order.
    #[error("internal error: {0}")]
    Internal(String),
    /// Too few runs agree with the observations (`--given`) within the draw budget.
    #[error(transparent)]
    Disagree(Box<crate::engine::given::Disagree>),
}

impl From<RunError> for BatchError {
    fn from(e: RunError) -> Self {
        BatchError::Run(Box::new(e))
    }
}
