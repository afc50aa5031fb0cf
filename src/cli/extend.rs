//! `rungs extend DIR --runs N`: tops a finished run folder up to N runs in all, computing
//! only the runs it adds. The files are the bytes a fresh `rungs run --runs N` with the same
//! scenario, seed and options writes.
//!
//! What makes it possible is the folder's extend.json ([`STATE_FILE`]), written by every
//! `rungs run`: the merge tree of its complete blocks and, kept apart, its short last block
//! with the point its stream of draws had reached. Extending continues that block where it
//! stopped, adds the new blocks to the tree, and writes the folder again through the
//! atomic output-folder writer (a failure leaves the old folder as it was).

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use clap::Args;

use crate::cli::forecast::{self, STATE_FILE};
use crate::cli::{Failure, finish_run, parse_threads, progress_bar};
use crate::engine::given::{DEFAULT_MAX_DRAWS, Given, thousands};
use crate::engine::many::block_count;
use crate::forecast::{Plan, RunState};
use crate::output::{self, Manifest, OutputDir};
use crate::partial::{self, JobIdentity};
use crate::scenario::Model;

/// Arguments of `rungs extend`.
#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  rungs run scenarios/dprk-kursk.toml --runs 10000 --out out/k\n  \
rungs extend out/k --runs 50000      (same bytes as `rungs run ... --runs 50000`)\n\n\
The folder must be one `rungs run` wrote (it keeps extend.json for this); the scenario, seed, \
--set, --given and the other options are the folder's. See docs/forecasting.md."
)]
pub(crate) struct ExtendArgs {
    /// The folder of a finished `rungs run`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Runs in all after the top-up (more than the folder holds).
    #[arg(long, value_name = "N")]
    pub runs: u64,
    /// Worker threads (default: all cores; at most 256). Never changes the numbers.
    #[arg(long, value_name = "T", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// With news (`--given`), the most runs one block may draw (as in `rungs run`).
    #[arg(long = "max-draws", value_name = "N", default_value_t = DEFAULT_MAX_DRAWS)]
    pub max_draws: u64,
    /// No progress bar and no summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// What extending a folder starts from, read and checked.
struct Folder {
    manifest: Manifest,
    job: JobIdentity,
    state: RunState,
    model: Model,
    given: Given,
    paths: usize,
    conditional: output::ConditionalRows,
    per_run: bool,
}

/// Runs the command: a run folder here, a sweep folder in [`super::extend_sweep`].
pub(crate) fn run(args: ExtendArgs) -> Result<(), Failure> {
    let manifest = Manifest::read(&args.dir).map_err(|why| refusal(&args.dir, why))?;
    match manifest.kind.as_str() {
        "run" => extend_run(args, manifest),
        "sweep" => super::extend_sweep::run(args, manifest),
        other => Err(refusal(
            &args.dir,
            format!(
                "it holds the results of a `{other}`; rungs extend tops up the folders of \
                 `rungs run` and of a design sweep (grid, --lhs, --epistemic). Run it again \
                 with a larger --runs"
            ),
        )),
    }
}

/// A job's `--set` overrides as the command line gives them, for "reproduce with" lines.
pub(super) fn sets_of(job: &JobIdentity) -> Vec<String> {
    job.overrides
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect()
}

/// `cannot extend DIR: WHY` (exit 2).
pub(super) fn refusal(dir: &Path, why: String) -> Failure {
    Failure::Usage(format!("cannot extend {}: {why}", dir.display()))
}

/// Tops up a run folder.
fn extend_run(args: ExtendArgs, manifest: Manifest) -> Result<(), Failure> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let f = read_folder(&args, manifest)?;
    let old = f.manifest.runs;
    let threads = top_up(&args, old, &f.given, "runs")?;
    let plan = Plan {
        seed: f.job.seed,
        runs: args.runs,
        threads,
        given: &f.given,
        blocks: f.state.next_block()..block_count(args.runs),
    };
    let dir = OutputDir::create(&args.dir)?;
    let bar = progress_bar(args.runs - old, args.quiet, "added runs");
    let progress = |p: &crate::forecast::Progress| bar.set_position(p.runs.saturating_sub(old));
    // The old rows, then the new ones: runs.csv is in run order within the blocks.
    let old_rows = if f.per_run {
        Some(std::fs::read(args.dir.join("runs.csv"))?)
    } else {
        None
    };
    let ran = forecast::summarise_into(
        &dir,
        &f.model,
        &plan,
        f.state,
        None,
        &progress,
        old_rows.as_deref(),
    )?
    .map_err(|e| match e {
        crate::engine::many::BatchError::Run(r) => {
            Failure::Run(r.reproduce(&f.job.scenario_path, &sets_of(&f.job)))
        }
        other => Failure::Run(other.to_string()),
    })?;
    bar.finish_and_clear();

    let mut job = f.job;
    job.runs = args.runs;
    forecast::write_state(&dir, &job, f.manifest.scenario_text.as_bytes(), &ran.state)?;
    let mut manifest = Manifest::for_job(&job, threads, 1, started, clock.elapsed());
    // The folder is now the job of `--runs N`: a precision rule it once stopped by is
    // no longer what chose its run count.
    manifest.options = serde_json::json!({
        "paths": f.paths,
        "per_run": f.per_run,
        "conditional": f.conditional.to_string(),
    });
    manifest.scenario_text = f.manifest.scenario_text.clone();
    manifest.extended_from = Some(old);
    if !f.given.is_empty() {
        manifest.given = f.given.texts();
        manifest.runs_drawn = Some(ran.state.drawn);
    }
    if !args.quiet {
        println!(
            "extended {} from {} to {} runs ({} added) in {:.1} s",
            args.dir.display(),
            thousands(old),
            thousands(args.runs),
            thousands(args.runs - old),
            clock.elapsed().as_secs_f64()
        );
        if !f.given.is_empty() {
            println!(
                "{}",
                forecast::news_line(&f.given, args.runs, ran.state.drawn)
            );
        }
    }
    let tree = ran.state.tree().map_err(Failure::Run)?;
    finish_run(
        &f.model,
        tree,
        dir,
        &manifest,
        f.paths,
        f.conditional,
        args.quiet,
    )
}

/// Reads the folder's extend.json and checks that it and the manifest describe the same
/// job, of this rungs version, with the scenario still as it was; rebuilds the model and
/// the news. Every refusal says why (exit 2).
fn read_folder(args: &ExtendArgs, manifest: Manifest) -> Result<Folder, Failure> {
    let refuse = |why: String| refusal(&args.dir, why);
    let state_path = args.dir.join(STATE_FILE);
    if !state_path.is_file() {
        return Err(refuse(format!(
            "it has no {STATE_FILE}, the statistics of its blocks that extending continues \
             (folders of `rungs merge` whose runs are not a multiple of 1024, and of older \
             rungs, lack it); run it afresh with `rungs run --runs {}`",
            args.runs
        )));
    }
    let part = partial::read_file(&state_path).map_err(refuse)?;
    let job = part.job.clone();
    check_kept(&manifest, &job, &part.scenario_text, "run", STATE_FILE).map_err(refuse)?;
    let model = crate::cli::merge::model_of(&part)?;
    let state: RunState = serde_json::from_value(part.payload)
        .map_err(|e| refuse(format!("{STATE_FILE} is damaged ({e})")))?;
    check_state(&model, &state, manifest.runs)
        .map_err(|e| refuse(format!("{STATE_FILE} is damaged: {e}")))?;
    let given = Given::parse(&model, &manifest.given, None, args.max_draws).map_err(refuse)?;
    let paths = manifest.options["paths"]
        .as_u64()
        .map_or(output::DEFAULT_PATHS_TOP, |p| p as usize);
    let per_run = manifest.options["per_run"].as_bool().unwrap_or(false);
    // The folder's rows of conditional.csv (the default for a manifest without them).
    let conditional = match manifest.options["conditional"].as_str() {
        Some(rows) => rows
            .parse()
            .map_err(|e| refuse(format!("its manifest.json is damaged: {e}")))?,
        None => output::ConditionalRows::default(),
    };
    if per_run && !args.dir.join("runs.csv").is_file() {
        return Err(refuse(
            "its manifest says it has runs.csv (--per-run), but the file is missing".into(),
        ));
    }
    Ok(Folder {
        manifest,
        job,
        state,
        model,
        given,
        paths,
        conditional,
        per_run,
    })
}

/// Checks that `--runs` tops up a folder of `old` runs (`what`: "runs", or "runs per
/// point") and that the folder may be rewritten; returns the worker threads to use.
pub(super) fn top_up(
    args: &ExtendArgs,
    old: u64,
    given: &Given,
    what: &str,
) -> Result<usize, Failure> {
    if args.runs <= old {
        return Err(Failure::Usage(format!(
            "{} already holds {} {what}; extend tops a folder up to more runs (--runs {} or \
             more)",
            args.dir.display(),
            thousands(old),
            old + 1
        )));
    }
    let most = crate::engine::given::MAX_GIVEN_BLOCKS;
    if !given.is_empty() && block_count(args.runs) > most {
        return Err(Failure::Usage(format!(
            "--given takes at most {} runs",
            most * crate::engine::many::BLOCK_RUNS
        )));
    }
    output::check_out(&args.dir, &[]).map_err(Failure::Usage)?;
    Ok(args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, super::MAX_THREADS))
}

/// Checks that a kept state holds `runs` runs and that each of its summaries has the shape
/// of `model` and consistent counts (so that adding to them cannot overflow or mislead).
pub(super) fn check_state(model: &Model, state: &RunState, runs: u64) -> Result<(), String> {
    if state.runs() != runs {
        return Err(format!(
            "it holds {} runs where the manifest says {runs}",
            state.runs()
        ));
    }
    let complete = runs / crate::engine::many::BLOCK_RUNS;
    if state.full.covered() != (0..complete) {
        return Err(format!(
            "its complete blocks are not blocks 0 to {complete} of {runs} runs"
        ));
    }
    if let Some(last) = &state.last {
        let at = last.at;
        if last.block != state.next_block()
            || at.accepted != last.summary.runs
            || at.accepted >= crate::engine::many::BLOCK_RUNS
            || at.drawn < at.accepted
        {
            return Err("its short last block does not follow its complete blocks".into());
        }
    }
    let shape = crate::stats::Summary::new(model);
    let summaries = state.full.nodes.iter().map(|n| &n.2);
    for s in summaries.chain(state.last.iter().map(|l| &l.summary)) {
        s.check(&shape)?;
    }
    Ok(())
}

/// Checks what a folder keeps for extending (`file`, whose job is `job` and scenario text
/// `text`) against its manifest: written by this rungs version, of `command`, describing
/// the same job, with the scenario file unchanged if it is still there.
pub(super) fn check_kept(
    m: &Manifest,
    job: &JobIdentity,
    text: &str,
    command: &str,
    file: &str,
) -> Result<(), String> {
    let ours = env!("CARGO_PKG_VERSION");
    if job.tool_version != ours || m.tool_version != ours {
        return Err(format!(
            "it was written by rungs {}, this is rungs {ours}: the runs it adds could be drawn \
             differently; run it afresh",
            m.tool_version
        ));
    }
    same_job(m, job, text, command).map_err(|why| {
        format!(
            "its manifest.json and {file} disagree on {why}: one of them was replaced or \
             edited"
        )
    })?;
    unchanged_scenario(m)
}

/// The first thing on which the manifest and the job kept for extending differ, if any.
fn same_job(m: &Manifest, job: &JobIdentity, text: &str, command: &str) -> Result<(), String> {
    let overrides: Vec<(String, f64)> = m
        .overrides
        .iter()
        .map(|o| (o.name.clone(), o.value))
        .collect();
    let given = job
        .options
        .iter()
        .find(|(k, _)| k == "given")
        .map_or_else(String::new, |(_, v)| v.clone());
    let checks = [
        (m.scenario_sha256 == job.scenario_sha256, "the scenario"),
        (m.scenario_text == text, "the scenario text"),
        (m.seed == job.seed, "the seed"),
        (m.runs == job.runs, "the number of runs"),
        (overrides == job.overrides, "the --set overrides"),
        (m.given.join("; ") == given, "the observations (--given)"),
        (
            job.command == command && m.command == command,
            "the command",
        ),
    ];
    match checks.iter().find(|(same, _)| !same) {
        Some((_, what)) => Err(what.to_string()),
        None => Ok(()),
    }
}

/// Refuses when the scenario file the folder was made from is still where it was but no
/// longer holds the same text: a top-up would then add runs of the old scenario to a
/// folder the user may take for the new one. (A file that is gone is fine: the folder
/// holds the text.)
fn unchanged_scenario(m: &Manifest) -> Result<(), String> {
    let path = Path::new(&m.scenario_path);
    let Ok(bytes) = crate::input::read_bounded(
        path,
        crate::scenario::load::MAX_FILE_BYTES as u64,
        "scenario file",
    ) else {
        return Ok(());
    };
    if partial::sha256_hex(&bytes) != m.scenario_sha256 {
        return Err(format!(
            "the scenario file {} has changed since the folder was written; extending would \
             add runs of the old text to results you may take for the new one. Run the new \
             scenario afresh with `rungs run`, or restore the file",
            path.display()
        ));
    }
    Ok(())
}
