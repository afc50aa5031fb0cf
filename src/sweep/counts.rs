//! Exact integer counts over many runs of several variants of a model, on common random
//! numbers: what tornado, importance and compare need (probabilities only, no time
//! statistics), so they do not pay for a full [`Summary`](crate::stats::Summary) per variant.
//!
//! The runs go through the engine's one runner ([`run_waves`]) in blocks; block results are
//! added in block order. Integer sums do not depend on the order anyway, so any thread count
//! gives the same numbers, and the first failing run in run order is the one reported.

use crate::engine::RunRecord;
use crate::engine::many::{Accumulator, BatchError, block_count, block_runs, run_block, run_waves};
use crate::scenario::Model;

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
    pub fn add_run(&mut self, rec: &RunRecord) {
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

impl Accumulator for Counts {
    fn record(&mut self, _model: &Model, rec: &RunRecord) {
        self.add_run(rec);
    }
}

/// Counts `runs` runs of each variant with `seed`: run `i` of every variant uses the same
/// addressed draws, so the variants differ only where their models differ. `progress` is
/// called with the runs done so far.
pub fn count_variants(
    variants: &[Model],
    seed: u64,
    runs: u64,
    threads: usize,
    progress: &dyn Fn(u64),
) -> Result<Vec<Counts>, BatchError> {
    let mut total: Vec<Counts> = variants.iter().map(Counts::new).collect();
    run_waves(
        threads,
        0..block_count(runs),
        |_| (),
        |(), b| {
            variants
                .iter()
                .map(|m| {
                    let mut c = Counts::new(m);
                    run_block(m, seed, block_runs(b, runs), &mut c, None)?;
                    Ok(c)
                })
                .collect::<Result<Vec<Counts>, _>>()
        },
        |b, block| {
            for (t, c) in total.iter_mut().zip(&block) {
                t.add(c);
            }
            progress(block_runs(b, runs).end);
            Ok(())
        },
    )
    .map_err(|e| e.error)?;
    Ok(total)
}
