//! Parameter sweeps: run a scenario at each point of a design and report one long table over
//! all points; plus one-at-a-time sensitivity (`--tornado`), step importance
//! (`--importance`) and paired comparison of two variants (`rungs compare`).
//!
//! - [`design`]: the points (grid, Latin hypercube, epistemic draws), deterministic.
//! - [`run_points`]: each point is the model with the varied parameters fixed, run with the
//!   command's seed, so every point uses the same addressed draws (common random numbers):
//!   differences between points are the effect of the parameters, not sampling noise.
//! - [`tables`]: points.csv, sweep_steps.csv, sweep_outcomes.csv from per-point summaries.
//! - [`merge_sweep`]: the same files from the partial results of `--shard K/N`.
//! - [`counts`], [`tornado`], [`importance`], [`compare`]: probability-only runs of many
//!   variants on common random numbers, with exact integer counts.

pub mod compare;
pub mod counts;
pub mod design;
pub mod importance;
pub mod tables;
pub mod tornado;

use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::many::{BatchError, run_all};
use std::io::Write;

use crate::output::{Manifest, OutputDir, Table};
use crate::partial::{JobIdentity, Partial};
use crate::scenario::Model;
use crate::stats::Summary;

pub use design::Design;
pub use tables::merge_sweep;

/// Why a sweep failed.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// A bad design, bad options or unusable partial files (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A run failed, or the files could not be written (exit 1).
    #[error("{0}")]
    Run(String),
}

impl From<std::io::Error> for SweepError {
    fn from(e: std::io::Error) -> Self {
        SweepError::Run(e.to_string())
    }
}

impl From<counts::CountError> for SweepError {
    fn from(e: counts::CountError) -> Self {
        SweepError::Run(e.to_string())
    }
}

pub use crate::output::num;

/// What a sweep shard carries: the summary of each point it covers, in point order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SweepPayload {
    /// The design of the whole sweep (every shard has all of it).
    pub design: Design,
    /// Summaries of the points in the shard's `covers` range.
    pub summaries: Vec<Summary>,
}

/// Runs the points `range` of `design`, each with `runs` runs of `seed`, and returns their
/// summaries in point order. With at least as many points as threads, points run in
/// parallel one thread each; otherwise one after another on all threads. Both give the same
/// bytes: a summary does not depend on the thread count.
pub fn run_points(
    base: &Model,
    design: &Design,
    range: Range<usize>,
    seed: u64,
    runs: u64,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Summary>, SweepError> {
    let threads = threads.max(1);
    let fail = |i: usize, e: BatchError| {
        let values: Vec<String> = design
            .params
            .iter()
            .zip(&design.points[i])
            .map(|(p, v)| format!("{p}={}", num(*v)))
            .collect();
        SweepError::Run(format!("point {i} ({}): {e}", values.join(", ")))
    };
    let mut out = Vec::with_capacity(range.len());
    if range.len() >= threads && threads > 1 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| SweepError::Run(format!("could not start worker threads: {e}")))?;
        // Waves bound how many finished summaries wait at once and keep errors in order.
        let wave = threads * 2;
        let mut i = range.start;
        while i < range.end {
            let end = (i + wave).min(range.end);
            let got: Vec<Result<Summary, SweepError>> = pool.install(|| {
                (i..end)
                    .into_par_iter()
                    .map(|p| {
                        run_all(&design.model_at(base, p), seed, runs, 1).map_err(|e| fail(p, e))
                    })
                    .collect()
            });
            for s in got {
                out.push(s?);
            }
            progress(end - range.start);
            i = end;
        }
    } else {
        for p in range.clone() {
            out.push(
                run_all(&design.model_at(base, p), seed, runs, threads).map_err(|e| fail(p, e))?,
            );
            progress(p + 1 - range.start);
        }
    }
    Ok(out)
}

/// How a command's files came about, for manifest.json.
#[derive(Clone, Debug)]
pub struct Written {
    /// Worker threads of this process.
    pub threads: usize,
    /// Shards the work was split into (1 if not sharded).
    pub shards: u64,
    /// When the command started.
    pub start: std::time::SystemTime,
    /// How long it took.
    pub wall: std::time::Duration,
    /// What else changes the numbers (the design, the sensitivity tables, compare's second
    /// file), as a JSON object for manifest.json.
    pub options: serde_json::Value,
}

/// Writes `files` atomically into the folder `out` (replacing it), with a manifest.json:
/// the run manifest of src/output plus `options` (the sweep design, tornado/importance,
/// compare's second file), which change the numbers.
pub fn write_files(
    out: &std::path::Path,
    files: &[(&str, Table)],
    job: &JobIdentity,
    how: &Written,
) -> Result<(), SweepError> {
    let err = |e: std::io::Error| SweepError::Run(format!("cannot write {}: {e}", out.display()));
    let dir = OutputDir::create(out).map_err(err)?;
    for (name, table) in files {
        let mut f = dir.create_file(name).map_err(err)?;
        table.write_csv(&mut f).map_err(err)?;
        f.flush().map_err(err)?;
    }
    let mut manifest = Manifest::new(
        &job.command,
        &job.scenario_path,
        b"",
        job.seed,
        job.runs,
        &job.overrides,
        how.threads,
        how.shards,
        how.start,
        how.wall,
    );
    manifest.scenario_sha256 = job.scenario_sha256.clone();
    /// The run manifest's fields in their order, then `options`.
    #[derive(Serialize)]
    struct WithOptions<'a> {
        #[serde(flatten)]
        manifest: &'a Manifest,
        options: &'a serde_json::Value,
    }
    let value = WithOptions {
        manifest: &manifest,
        options: &how.options,
    };
    let mut f = dir.create_file("manifest.json").map_err(err)?;
    serde_json::to_writer_pretty(&mut f, &value)
        .map_err(|e| SweepError::Run(format!("manifest: {e}")))?;
    f.write_all(b"\n").map_err(err)?;
    f.flush().map_err(err)?;
    drop(f);
    dir.commit().map_err(err)
}

/// Writes a shard's partial file atomically (a temporary file beside it, then a rename), so
/// other shards' files in the same folder are left alone.
pub fn write_partial<T: Serialize>(
    path: &std::path::Path,
    partial: &Partial<T>,
) -> Result<(), SweepError> {
    let err = |e: &dyn std::fmt::Display| {
        SweepError::Run(format!("cannot write {}: {e}", path.display()))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    }
    let json = serde_json::to_vec(partial).map_err(|e| err(&e))?;
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    std::fs::write(&tmp, json).map_err(|e| err(&e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(&e)
    })
}
