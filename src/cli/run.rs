//! `rungs run`: Monte Carlo runs of one scenario, statistics as CSV files (or, with
//! `--shard K/N`, one partial-result file for `rungs merge`).

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use clap::Args;

use crate::cli::forecast::{self, GivenArgs, PrecisionArgs};
use crate::cli::{Failure, RunOptions, default_out, finish_run, load_scenario, progress_bar};
use crate::engine::given::MAX_GIVEN_BLOCKS;
use crate::engine::many::{BLOCK_RUNS, Batch, BatchError, block_count};
use crate::forecast::{Plan, Progress, RunState, ShardTree, summarise};
use crate::output::{self, DEFAULT_PATHS_TOP, Manifest, OutputDir};
use crate::partial::{self, JobIdentity, Partial};

/// Arguments of `rungs run`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  rungs run scenarios/dprk-kursk.toml\n  \
rungs run scenarios/dprk-kursk.toml --runs 100000 --set dprk_troops=20000 --out out/more-troops\n  \
rungs run scenarios/dprk-kursk.toml --runs 1000000 --shard 0/4 --out parts/   (then: rungs merge parts/*.json)")]
pub(crate) struct RunArgs {
    /// The scenario file.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub opts: RunOptions,
    /// Output folder (default: out/<scenario file stem>/), replaced atomically when complete (Ctrl-C or a kill leaves the previous results). rungs replaces only a folder it wrote itself (its manifest.json, nothing added): a folder holding anything else, an input of the command, or the working folder or an ancestor of it is refused (exit 2), never deleted.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write runs.csv: one row per run (parameters, outcome, the time of every step).
    #[arg(long)]
    pub per_run: bool,
    /// Rows of paths.csv (the most frequent escalation paths; counts are exact).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PATHS_TOP)]
    pub paths: usize,
    /// Rows of conditional.csv, P(step | given) for each pair of steps, branches and outcomes: `off` (no file), `all`, or N (default 1000): the N pairs where knowing `given` moves the probability of `step` the most (see docs/outputs.md). Counts are exact either way.
    #[arg(long, value_name = "off|all|N")]
    pub conditional: Option<output::ConditionalRows>,
    /// Compute only shard K of N (0 <= K < N) and write DIR/shard-K-of-N.json for
    /// `rungs merge`, e.g. `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`.
    #[arg(long, value_name = "K/N", value_parser = partial::parse_shard)]
    pub shard: Option<(u64, u64)>,
    #[command(flatten)]
    pub given: GivenArgs,
    #[command(flatten)]
    pub precision: PrecisionArgs,
}

/// What every way of running shares: the loaded scenario, the news, the rule, the job.
struct Job {
    model: crate::scenario::Model,
    conditional: output::ConditionalRows,
    text: Vec<u8>,
    given: crate::engine::given::Given,
    precision: Option<crate::forecast::Precision>,
    /// The runs to make (with a precision rule: the most it may take).
    runs: u64,
    out: std::path::PathBuf,
    job: JobIdentity,
    threads: usize,
    started: SystemTime,
    clock: Instant,
}

/// Runs the command.
pub(crate) fn run(args: RunArgs) -> Result<(), Failure> {
    check_options(&args)?;
    let (model, text, overrides) = load_scenario(&args.scenario, &args.opts.set, !args.opts.quiet)?;
    let given = args.given.load(&model)?;
    let conditional = crate::cli::conditional_rows(&model, args.conditional)?;
    let precision = args.precision.rule(&model)?;
    let runs = match precision {
        Some(_) => args.precision.max_runs(),
        None => args.opts.runs,
    };
    if !given.is_empty() && block_count(runs) > MAX_GIVEN_BLOCKS {
        return Err(Failure::Usage(format!(
            "--given takes at most {} runs",
            MAX_GIVEN_BLOCKS * BLOCK_RUNS
        )));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenario));
    let mut job = JobIdentity::new(
        "run",
        &args.scenario,
        &text,
        args.opts.seed,
        runs,
        &overrides,
    );
    forecast::identify(&mut job, &given);
    let j = Job {
        model,
        conditional,
        text,
        given,
        precision,
        runs,
        out,
        job,
        threads: args.opts.threads(),
        started: SystemTime::now(),
        clock: Instant::now(),
    };
    match args.shard {
        Some((k, n)) => run_shard(&args, j, k, n),
        None => run_whole(&args, j),
    }
}

/// Refuses combinations of options that cannot work, before anything is loaded.
fn check_options(args: &RunArgs) -> Result<(), Failure> {
    if args.opts.runs == 0 {
        return Err(Failure::Usage("--runs must be at least 1".into()));
    }
    if args.shard.is_some() && args.per_run {
        return Err(Failure::Usage(
            "--per-run cannot be combined with --shard: a shard writes one partial-result file; \
             run the per-run table without --shard (or with fewer --runs)"
                .into(),
        ));
    }
    if args.shard.is_some() && args.precision.precision.is_some() {
        return Err(Failure::Usage(
            "--precision cannot be combined with --shard: where to stop depends on every \
             block before it, which no shard sees. Run --precision in one process; or shard a \
             fixed --runs M (a pilot of n runs whose widest half-width is w needs about \
             n·(w/E)² runs), merge, and top the merged folder up with `rungs extend` if it \
             is not precise enough (docs/forecasting.md)"
                .into(),
        ));
    }
    crate::cli::report::check_not_shard(args.opts.report, args.shard.is_some())
}

/// `--shard K/N`: the shard's blocks into one partial file for `rungs merge`.
fn run_shard(args: &RunArgs, j: Job, k: u64, n: u64) -> Result<(), Failure> {
    let batch = Batch::shard(args.opts.seed, j.runs, j.threads, k, n);
    let plan = Plan {
        seed: args.opts.seed,
        runs: j.runs,
        threads: j.threads,
        given: &j.given,
        blocks: batch.blocks.clone(),
    };
    let start = batch.blocks.start * BLOCK_RUNS;
    let bar = progress_bar(batch.run_count(), args.opts.quiet, "runs");
    let ran = summarise(
        &j.model,
        &plan,
        RunState::default(),
        None,
        &|p| bar.set_position(p.runs - start),
        None,
    )
    .map_err(|e| batch_failure(e, args))?;
    bar.finish_and_clear();
    let tree = ran.state.tree().map_err(Failure::Run)?;
    // Without news, the payload a shard has always written; with news, its draws too.
    let payload = if j.given.is_empty() {
        serde_json::to_value(&tree)
    } else {
        serde_json::to_value(ShardTree {
            tree,
            drawn: ran.state.drawn,
        })
    }
    .map_err(|e| Failure::Run(e.to_string()))?;
    let part = Partial {
        job: j.job,
        scenario_text: String::from_utf8_lossy(&j.text).into_owned(),
        shard: (k, n),
        covers: batch.blocks.clone(),
        total: block_count(j.runs),
        payload,
    };
    let path = partial::write(&j.out, &part).map_err(Failure::Run)?;
    if !args.opts.quiet {
        if !j.given.is_empty() {
            let line = forecast::news_line(&j.given, batch.run_count(), ran.state.drawn);
            println!("{line}");
        }
        println!(
            "shard {k}/{n}: runs {}..{} of {} in {:.1} s; wrote {}",
            start,
            start + batch.run_count(),
            j.runs,
            j.clock.elapsed().as_secs_f64(),
            path.display()
        );
    }
    Ok(())
}

/// The whole job into the output folder: the CSVs, extend.json and the manifest.
fn run_whole(args: &RunArgs, mut j: Job) -> Result<(), Failure> {
    let mut inputs = vec![args.scenario.as_path()];
    inputs.extend(args.given.inputs());
    output::check_out(&j.out, &inputs).map_err(Failure::Usage)?;
    let dir = OutputDir::create(&j.out)?;
    let plan = Plan {
        seed: args.opts.seed,
        runs: j.runs,
        threads: j.threads,
        given: &j.given,
        blocks: 0..block_count(j.runs),
    };
    let bar = progress_bar(j.runs, args.opts.quiet, "runs");
    let progress = |p: &Progress| {
        bar.set_position(p.runs);
        show_progress(&bar, &j.model, j.precision.as_ref(), p, j.runs);
    };
    let header = args.per_run.then(|| output::runs_header(&j.model));
    let ran = forecast::summarise_into(
        &dir,
        &j.model,
        &plan,
        RunState::default(),
        j.precision.as_ref(),
        &progress,
        header.as_deref(),
    )?
    .map_err(|e| batch_failure(e, args))?;
    bar.finish_and_clear();

    // A precision run is the job of the runs it reached: the same identity, bytes and
    // extend.json as `--runs M`.
    j.job.runs = ran.runs;
    forecast::write_state(&dir, &j.job, &j.text, &ran.state)?;
    let mut manifest = Manifest::for_job(&j.job, j.threads, 1, j.started, j.clock.elapsed());
    manifest.options = serde_json::json!({
        "paths": args.paths,
        "per_run": args.per_run,
        "conditional": j.conditional.to_string(),
    });
    if j.precision.is_some() {
        manifest.options["precision"] = args.precision.describe();
    }
    manifest.scenario_text = String::from_utf8_lossy(&j.text).into_owned();
    if !j.given.is_empty() {
        manifest.given = j.given.texts();
        manifest.runs_drawn = Some(ran.state.drawn);
    }
    if !args.opts.quiet {
        if !j.given.is_empty() {
            println!(
                "{}",
                forecast::news_line(&j.given, ran.runs, ran.state.drawn)
            );
        }
        if let Some(p) = &j.precision {
            let line = forecast::precision_line(&j.model, p, ran.runs, ran.worst, j.runs);
            println!("{line}");
        }
    }
    let tree = ran.state.tree().map_err(Failure::Run)?;
    let (paths, quiet) = (args.paths, args.opts.quiet);
    finish_run(&j.model, tree, dir, &manifest, paths, j.conditional, quiet)?;
    crate::cli::report::after(&j.out, args.opts.report, args.opts.quiet);
    Ok(())
}

/// The progress bar's message: the acceptance rate with news, the widest half-width with a
/// precision rule (and the bar's length re-estimated from it: runs grow with the square of
/// the half-width's ratio to the target).
pub(crate) fn show_progress(
    bar: &indicatif::ProgressBar,
    model: &crate::scenario::Model,
    precision: Option<&crate::forecast::Precision>,
    p: &Progress,
    most: u64,
) {
    let mut msg = String::new();
    if p.drawn > p.runs {
        msg = format!(
            "{:.1}% agree",
            100.0 * p.runs as f64 / p.drawn.max(1) as f64
        );
    }
    if let (Some(rule), Some((w, _))) = (precision, p.worst) {
        msg = format!("{msg} widest {}", forecast::worst_text(model, p.worst));
        let need = p.runs as f64 * (w / rule.half_width).powi(2);
        if need.is_finite() {
            bar.set_length((need as u64).clamp(p.runs, most));
        }
    }
    bar.set_message(msg.trim().to_string());
}

/// The failure of a batch of runs; a run-time error says how to reproduce it with this
/// command's scenario path and `--set` options.
fn batch_failure(e: BatchError, args: &RunArgs) -> Failure {
    match e {
        BatchError::Run(r) => {
            Failure::Run(r.reproduce(&args.scenario.display().to_string(), &args.opts.set))
        }
        other => Failure::Run(other.to_string()),
    }
}
