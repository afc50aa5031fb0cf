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

use crate::engine::RunRecord;
use crate::engine::many::{Batch, BatchError, block_count};
use crate::engine::run::{RunError, Runner};
use std::io::Write;

use crate::output::{Manifest, OutputDir, Table};
use crate::partial::{JobIdentity, Partial};
use crate::scenario::Model;
use crate::stats::{BlockTree, Summary};

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
/// summaries in point order. `progress` is called with the number of runs done so far
/// (over all points of the range).
///
/// The work is one stream of (point, block) items in point-then-block order, computed in
/// parallel waves of a few items per thread, each finished block pushed into its point's
/// [`BlockTree`]. So small designs use every thread within a point and large ones keep every
/// thread busy across points, with no barrier at the end of each point. A point's summary is
/// the same bytes as `run_all` of that point alone (the same blocks pushed into the same tree
/// shape), so it depends neither on the thread count nor on the other points.
pub fn run_points(
    base: &Model,
    design: &Design,
    range: Range<usize>,
    seed: u64,
    runs: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
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
    if range.end > design.len() || range.start > range.end {
        return Err(SweepError::Run(format!(
            "internal error: points {}..{} of a design of {}",
            range.start,
            range.end,
            design.len()
        )));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SweepError::Run(format!("could not start worker threads: {e}")))?;
    let batch = Batch::whole(seed, runs, threads);
    let blocks = block_count(runs);
    if blocks == 0 {
        // No runs: each point's empty summary, as `run_all` gives.
        return Ok(range
            .map(|p| Summary::new(&design.model_at(base, p)))
            .collect());
    }
    // Items are numbered point-major from the start of the range: item j is block
    // j % blocks of point range.start + j / blocks.
    let items = (range.len() as u64).saturating_mul(blocks);
    // Waves of a few items per thread, like `run_batch`: enough to balance, few enough to
    // bound the block summaries waiting at once.
    let wave = (threads * 4) as u64;
    let mut out = Vec::with_capacity(range.len());
    // The models of the points the current wave touches (a wave spans few points), built
    // once per point rather than per block.
    let mut models: Vec<(usize, Model)> = Vec::new();
    let mut tree: BlockTree<Summary> = BlockTree::new();
    let mut done_runs = 0u64;
    let mut j = 0u64;
    while j < items {
        let end = (j + wave).min(items);
        let first = range.start + (j / blocks) as usize;
        let last = range.start + ((end - 1) / blocks) as usize;
        models.retain(|(p, _)| *p >= first);
        for p in first..=last {
            if !models.iter().any(|(q, _)| *q == p) {
                models.push((p, design.model_at(base, p)));
            }
        }
        let results: Vec<Result<Summary, RunError>> = pool.install(|| {
            (j..end)
                .into_par_iter()
                .map(|item| {
                    let p = range.start + (item / blocks) as usize;
                    let model = models
                        .iter()
                        .find(|(q, _)| *q == p)
                        .map(|(_, m)| m)
                        .unwrap_or(base);
                    run_block(model, &batch, item % blocks)
                })
                .collect()
        });
        for (item, r) in (j..end).zip(results) {
            let p = range.start + (item / blocks) as usize;
            let b = item % blocks;
            let s = r.map_err(|e| fail(p, BatchError::Run(e)))?;
            done_runs += batch.block_runs(b).end - batch.block_runs(b).start;
            tree.push(b, 1, s)
                .map_err(|e| fail(p, BatchError::Internal(e)))?;
            if b + 1 == blocks {
                let finished = std::mem::take(&mut tree).finish();
                out.push(finished.unwrap_or_else(|| Summary::new(base)));
            }
        }
        progress(done_runs);
        j = end;
    }
    Ok(out)
}

/// One block of one point: its runs in index order into a fresh summary (as the engine's
/// own block runner does, so a point's tree is the same as a `rungs run` of that point).
fn run_block(model: &Model, batch: &Batch, block: u64) -> Result<Summary, RunError> {
    let mut runner = Runner::new(model, batch.seed);
    let mut rec = RunRecord::default();
    let mut summary = Summary::new(model);
    for run in batch.block_runs(block) {
        runner.run(run, &mut rec)?;
        summary.record(model, &rec);
    }
    Ok(summary)
}

/// A progress bar on stderr over `len` units of work, drawn only for a person watching:
/// hidden with `--quiet` and when stderr is not a terminal (a file, a pipe, a batch job).
pub fn progress_bar(len: u64, quiet: bool, unit: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{msg}}  eta {{eta}}");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
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
    /// The scenario's text, for manifest.json.
    pub scenario_text: String,
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
    manifest.kind = folder_kind(&job.command, files.iter().map(|(name, _)| *name));
    manifest.options = how.options.clone();
    manifest.scenario_text = how.scenario_text.clone();
    crate::output::write_manifest(&dir, &manifest).map_err(err)?;
    dir.commit().map_err(err)
}

/// The manifest `kind` of a folder of `command`'s `files`: a sweep folder is named by its
/// sensitivity tables when it has them (`tornado`, `importance`, `tornado+importance`).
fn folder_kind<'a>(command: &str, files: impl Iterator<Item = &'a str>) -> String {
    let tables: Vec<&str> = files
        .filter_map(|f| match f {
            "tornado.csv" => Some("tornado"),
            "importance.csv" => Some("importance"),
            _ => None,
        })
        .collect();
    if command == "sweep" && !tables.is_empty() {
        tables.join("+")
    } else {
        command.to_string()
    }
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
    let json = crate::partial::seal(partial).map_err(|e| err(&e))?;
    let tmp = path.with_extension(format!("json.tmp{}", std::process::id()));
    let write = |json: &[u8]| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(json)?;
        f.sync_all()
    };
    write(&json).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(&e)
    })?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        err(&e)
    })
}
