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
//! - [`state`]: what a design sweep keeps for `rungs extend` (each point's blocks).
//! - [`counts`], [`tornado`], [`importance`], [`compare`]: probability-only runs of many
//!   variants on common random numbers, with exact integer counts.

pub(crate) mod compare;
pub(crate) mod counts;
pub mod design;
pub(crate) mod importance;
pub(crate) mod state;
pub(crate) mod tables;
pub(crate) mod tornado;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::given::{Given, run_block_given};
use crate::engine::many::{BatchError, block_count, block_runs, run_waves};
use crate::forecast::{LastBlock, RunState};
use crate::output::{Manifest, OutputDir, Table};
use crate::partial::JobIdentity;
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

impl From<BatchError> for SweepError {
    fn from(e: BatchError) -> Self {
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
    /// With news (`--given`): the runs drawn for those points, agreeing or not.
    #[serde(default)]
    pub drawn: u64,
}

/// Runs the points of `job` (its `range` of the design, each with `runs` runs of `seed`
/// that agree with the news `given`, if any) and hands each point's summary to `on_point` as
/// soon as it is complete, in point order: a sweep holds the summaries of the few points in
/// flight, never all of them. `progress` is called with the number of runs done so far (over
/// all points of the range). Returns the runs drawn over all points (with news, agreeing or
/// not; else the runs).
///
/// The points run through [`run_points_from`] from block 0. A point's summary is the same
/// bytes as [`run_all`](crate::stats::run_all) of that point alone (with news, as `rungs run
/// --given` at that point), so it depends neither on the thread count nor on the other
/// points.
pub fn run_points(
    job: &Points<'_>,
    progress: &dyn Fn(u64),
    on_point: &mut dyn FnMut(usize, Summary) -> Result<(), SweepError>,
) -> Result<u64, SweepError> {
    let mut drawn = 0u64;
    run_points_from(
        job,
        0,
        &mut |_| Ok(RunState::default()),
        progress,
        &mut |p, state| {
            drawn += state.drawn;
            let tree = state.into_tree().map_err(SweepError::Run)?;
            on_point(p, tree.finish().unwrap_or_else(|| Summary::new(job.base)))
        },
    )?;
    Ok(drawn)
}

/// The points of a sweep to run and how: the design's points `range` of `base`, each
/// `runs` agreeing runs of `seed` with the news `given`, over `threads` threads.
#[derive(Clone, Debug)]
pub struct Points<'a> {
    /// The scenario the design varies.
    pub base: &'a Model,
    /// The design.
    pub design: &'a Design,
    /// The points to run.
    pub range: Range<usize>,
    /// The seed.
    pub seed: u64,
    /// Agreeing runs per point.
    pub runs: u64,
    /// Worker threads.
    pub threads: usize,
    /// The news (possibly none).
    pub given: &'a Given,
}

/// Runs blocks `from..` of every point of `job`, each point continuing the state `resume`
/// gives it (called in point order, as the work reaches the point; for a new sweep the
/// empty state and `from` 0; for `rungs extend`, the point's state as the folder kept it,
/// whose complete blocks end at `from`), and hands each point's final state to `on_point`
/// in point order, as soon as the point is complete. A point's state is then the
/// [`RunState`] `rungs run` keeps for that point alone, so its summary is the same bytes.
///
/// The work is one stream of (point, block) items in point-then-block order through the
/// engine's one runner, each finished block added to its point's state. So small designs
/// use every thread within a point and large ones keep every thread busy across points,
/// with no barrier at the end of each point, and only the points in flight are held.
///
/// Over 100 lines because the wave's closures share the open points' states (in `RefCell`s)
/// and the first failure; split up, each piece would take all of them as arguments.
pub fn run_points_from(
    job: &Points<'_>,
    from: u64,
    resume: &mut dyn FnMut(usize) -> Result<RunState, SweepError>,
    progress: &dyn Fn(u64),
    on_point: &mut dyn FnMut(usize, RunState) -> Result<(), SweepError>,
) -> Result<(), SweepError> {
    let (base, design, range, runs) = (job.base, job.design, job.range.clone(), job.runs);
    if range.end > design.len() || range.start > range.end {
        return Err(SweepError::Run(format!(
            "internal error: points {}..{} of a design of {}",
            range.start,
            range.end,
            design.len()
        )));
    }
    let blocks = block_count(runs).saturating_sub(from);
    if blocks == 0 {
        // No runs to add: each point's state as it is (for a new sweep of no runs, empty:
        // the summary `run_all` gives).
        for p in range {
            on_point(p, resume(p)?)?;
        }
        return Ok(());
    }
    // Item j is block from + j % blocks of point range.start + j / blocks.
    let point = |item: u64| range.start + (item / blocks) as usize;
    let block = |item: u64| from + item % blocks;
    let items = (range.len() as u64).saturating_mul(blocks);
    // The points the current wave touches (a wave spans few points), each with its model
    // built once and the short block it continues; and, in point order, the states of the
    // points started but not finished, which the finished blocks are added to.
    type Wave = Vec<(usize, Arc<Model>, Option<Arc<LastBlock>>)>;
    let mut wave_points: Wave = Vec::new();
    let open: RefCell<VecDeque<(usize, RunState)>> = RefCell::new(VecDeque::new());
    let mut next_point = range.start;
    let mut done_runs = 0u64;
    // A failure of `resume` or `on_point` (reading or writing the files), kept apart from
    // the runs' failures.
    let failed: RefCell<Option<SweepError>> = RefCell::new(None);
    let result = run_waves(
        job.threads,
        0..items,
        |wave| {
            let (first, last) = (point(wave.start), point(wave.end - 1));
            wave_points.retain(|(p, _, _)| *p >= first);
            while next_point <= last && failed.borrow().is_none() {
                match resume(next_point) {
                    Ok(mut state) => {
                        let model = Arc::new(design.model_at(base, next_point));
                        // The short block goes to the work, which continues it.
                        let short = state.last.take().map(Arc::new);
                        wave_points.push((next_point, model, short));
                        open.borrow_mut().push_back((next_point, state));
                    }
                    Err(e) => *failed.borrow_mut() = Some(e),
                }
                next_point += 1;
            }
            wave_points.clone()
        },
        |wave: &Wave, item| {
            let (p, b) = (point(item), block(item));
            // Every point of a wave is in its context (`prepare`); None is a bug, reported
            // in `take`.
            let Some((_, model, short)) = wave.iter().find(|(q, _, _)| *q == p) else {
                return Ok(None);
            };
            let (mut acc, at) = crate::forecast::block_start(model, short.as_deref(), b);
            let r = block_runs(b, runs);
            let quota = r.end - r.start;
            let done = run_block_given(model, job.seed, job.given, b, quota, at, &mut acc, None)?;
            Ok(Some((acc, done, at.drawn)))
        },
        |item, result| {
            if failed.borrow().is_some() {
                return Err(BatchError::Internal("stopped".into()));
            }
            let (p, b) = (point(item), block(item));
            let Some((acc, done, before)) = result else {
                return Err(BatchError::Internal(format!(
                    "sweep point {p} has no model"
                )));
            };
            let done = done.map_err(|e| BatchError::Disagree(Box::new(e)))?;
            let r = block_runs(b, runs);
            done_runs += r.end - r.start;
            let mut open = open.borrow_mut();
            match open.front_mut() {
                Some((q, state)) if *q == p => state
                    .add_block(b, acc, done, before)
                    .map_err(BatchError::Internal)?,
                _ => return Err(BatchError::Internal(format!("sweep point {p} not open"))),
            }
            progress(done_runs);
            if b + 1 == from + blocks
                && let Some((_, state)) = open.pop_front()
                && let Err(e) = on_point(p, state)
            {
                *failed.borrow_mut() = Some(e);
                return Err(BatchError::Internal("stopped".into()));
            }
            Ok(())
        },
    );
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    result.map_err(|e| point_failure(design, point(e.item), &e.error))
}

/// A failure of point `i`: the error with the point's values, and its "reproduce with"
/// line replaying the run with them as `--set` (the command line adds the path and the
/// user's own --set: see `crate::engine::run::reproduce_in`).
fn point_failure(design: &Design, i: usize, error: &BatchError) -> SweepError {
    let values: Vec<String> = design
        .params
        .iter()
        .zip(&design.points[i])
        .map(|(p, v)| format!("{p}={}", num(*v)))
        .collect();
    let why = crate::engine::run::reproduce_in(&error.to_string(), "SCENARIO", &values);
    SweepError::Run(format!("point {i} ({}): {why}", values.join(", ")))
}

/// The points `range` of `design`, each run until `precision` holds at a block boundary
/// (or `most` runs), on its own: point `p`'s summary is the bytes of `rungs run --runs M_p`
/// at that point, where `M_p` is where its rule was met, and so of a fixed sweep point of
/// that many runs. Points run one after another, each over every thread (a point's stopping
/// block is known only once its blocks before are in). `on_point` also gets how the point
/// ended ([`crate::forecast::Ran`]: `runs`, the widest half-width). Returns the runs drawn.
#[allow(clippy::too_many_arguments)]
pub fn run_points_precise(
    base: &Model,
    design: &Design,
    range: Range<usize>,
    seed: u64,
    most: u64,
    threads: usize,
    given: &Given,
    precision: &crate::forecast::Precision,
    on_point: &mut dyn FnMut(usize, Summary, &crate::forecast::Ran) -> Result<(), SweepError>,
) -> Result<u64, SweepError> {
    let mut drawn = 0u64;
    for p in range {
        let model = design.model_at(base, p);
        let plan = crate::forecast::Plan {
            seed,
            runs: most,
            threads,
            given,
            blocks: 0..block_count(most),
        };
        let state = crate::forecast::RunState::default();
        let ran = crate::forecast::summarise(&model, &plan, state, Some(precision), &|_| {}, None)
            .map_err(|e| point_failure(design, p, &e))?;
        drawn += ran.state.drawn;
        let tree = ran.state.tree().map_err(SweepError::Run)?;
        let summary = tree.finish().unwrap_or_else(|| Summary::new(&model));
        on_point(p, summary, &ran)?;
    }
    Ok(drawn)
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
    /// With news (`--given`): the runs drawn, agreeing or not, for manifest.json.
    pub runs_drawn: Option<u64>,
    /// For `rungs extend`: the runs per point the folder held before.
    pub extended_from: Option<u64>,
}

/// Writes the manifest of a sweep, tornado, importance or compare folder into `dir` (the run
/// manifest of src/output plus `options`, which change the numbers) and commits the folder.
pub fn commit_folder(dir: OutputDir, job: &JobIdentity, how: &Written) -> Result<(), SweepError> {
    let mut manifest = Manifest::for_job(job, how.threads, how.shards, how.start, how.wall);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    manifest.kind = folder_kind(&job.command, &names);
    manifest.options = how.options.clone();
    manifest.scenario_text = how.scenario_text.clone();
    manifest.record_news(job, how.runs_drawn);
    manifest.extended_from = how.extended_from;
    crate::output::write_manifest(&dir, &manifest)?;
    dir.commit()?;
    Ok(())
}

/// Writes `files` atomically into the folder `out` (replacing it), with a manifest.json
/// ([`commit_folder`]).
pub fn write_files(
    out: &std::path::Path,
    files: &[(&str, Table)],
    job: &JobIdentity,
    how: &Written,
) -> Result<(), SweepError> {
    let dir = OutputDir::create(out)?;
    for (name, table) in files {
        dir.write_table(name, table)?;
    }
    commit_folder(dir, job, how)
}

/// The manifest `kind` of a folder of `command`'s `files`: a sweep folder is named by its
/// sensitivity tables when it has them (`tornado`, `importance`, `tornado+importance`).
fn folder_kind(command: &str, files: &[String]) -> String {
    let tables: Vec<&str> = [("tornado.csv", "tornado"), ("importance.csv", "importance")]
        .into_iter()
        .filter(|(file, _)| files.iter().any(|f| f == file))
        .map(|(_, kind)| kind)
        .collect();
    if command == "sweep" && !tables.is_empty() {
        tables.join("+")
    } else {
        command.to_string()
    }
}
