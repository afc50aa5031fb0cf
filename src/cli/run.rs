//! `rungs run`: Monte Carlo runs of one scenario, statistics as CSV files (or, with
//! `--shard K/N`, one partial-result file for `rungs merge`).

use std::io::Write;
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
    /// Compute only shard K of N (0 <= K < N) and write DIR/shard-K-of-N.json for
    /// `rungs merge`, e.g. `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`.
    #[arg(long, value_name = "K/N", value_parser = partial::parse_shard)]
    pub shard: Option<(u64, u64)>,
    #[command(flatten)]
    pub given: GivenArgs,
    #[command(flatten)]
    pub precision: PrecisionArgs,
}

/// Runs the command.
pub(crate) fn run(args: RunArgs) -> Result<(), Failure> {
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
            "--precision cannot be combined with --shard: where to stop depends on all the \
             runs; run it in one process, or shard a fixed --runs"
                .into(),
        ));
    }
    crate::cli::report::check_not_shard(args.opts.report, args.shard.is_some())?;
    let (model, text, overrides) = load_scenario(&args.scenario, &args.opts.set, !args.opts.quiet)?;
    let given = args.given.load(&model)?;
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
    let threads = args.opts.threads();
    let started = SystemTime::now();
    let clock = Instant::now();
    let plan = Plan {
        seed: args.opts.seed,
        runs,
        threads,
        given: &given,
        blocks: 0..block_count(runs),
    };

    if let Some((k, n)) = args.shard {
        let batch = Batch::shard(args.opts.seed, runs, threads, k, n);
        let plan = Plan {
            blocks: batch.blocks.clone(),
            ..plan
        };
        let start = batch.blocks.start * BLOCK_RUNS;
        let bar = progress_bar(batch.run_count(), args.opts.quiet, "runs");
        let ran = summarise(
            &model,
            &plan,
            RunState::default(),
            None,
            &|p| bar.set_position(p.runs - start),
            None,
        )
        .map_err(|e| batch_failure(e, &args))?;
        bar.finish_and_clear();
        let tree = ran.state.tree().map_err(Failure::Run)?;
        let payload = if given.is_empty() {
            serde_json::to_value(&tree)
        } else {
            serde_json::to_value(ShardTree {
                tree,
                drawn: ran.state.drawn,
            })
        }
        .map_err(|e| Failure::Run(e.to_string()))?;
        let part = Partial {
            job,
            scenario_text: String::from_utf8_lossy(&text).into_owned(),
            shard: (k, n),
            covers: batch.blocks.clone(),
            total: block_count(runs),
            payload,
        };
        let path = partial::write(&out, &part).map_err(Failure::Run)?;
        if !args.opts.quiet {
            if !given.is_empty() {
                println!(
                    "{}",
                    forecast::news_line(&given, batch.run_count(), ran.state.drawn)
                );
            }
            println!(
                "shard {k}/{n}: runs {}..{} of {} in {:.1} s; wrote {}",
                start,
                start + batch.run_count(),
                runs,
                clock.elapsed().as_secs_f64(),
                path.display()
            );
        }
        return Ok(());
    }

    let mut inputs = vec![args.scenario.as_path()];
    inputs.extend(args.given.inputs());
    output::check_out(&out, &inputs).map_err(Failure::Usage)?;
    let dir = OutputDir::create(&out)?;
    let bar = progress_bar(runs, args.opts.quiet, "runs");
    let progress = |p: &Progress| {
        bar.set_position(p.runs);
        show_progress(&bar, &model, precision.as_ref(), p, runs);
    };
    let ran = if args.per_run {
        let mut runs_csv = dir.create_file("runs.csv")?;
        runs_csv.write_all(&output::runs_header(&model))?;
        let mut sink = |bytes: &[u8]| runs_csv.write_all(bytes);
        let ran = summarise(
            &model,
            &plan,
            RunState::default(),
            precision.as_ref(),
            &progress,
            Some((&output::format_run, &mut sink)),
        );
        runs_csv.flush()?;
        ran
    } else {
        summarise(
            &model,
            &plan,
            RunState::default(),
            precision.as_ref(),
            &progress,
            None,
        )
    }
    .map_err(|e| batch_failure(e, &args))?;
    bar.finish_and_clear();

    // A precision run is the job of the runs it reached: the same identity, bytes and
    // extend.json as `--runs M`.
    job.runs = ran.runs;
    forecast::write_state(&dir, &job, &text, &ran.state)?;
    let mut manifest = Manifest::for_job(&job, threads, 1, started, clock.elapsed());
    manifest.options = serde_json::json!({ "paths": args.paths, "per_run": args.per_run });
    if precision.is_some() {
        manifest.options["precision"] = args.precision.describe();
    }
    manifest.scenario_text = String::from_utf8_lossy(&text).into_owned();
    if !given.is_empty() {
        manifest.given = given.texts();
        manifest.runs_drawn = Some(ran.state.drawn);
    }
    if !args.opts.quiet {
        if !given.is_empty() {
            println!("{}", forecast::news_line(&given, ran.runs, ran.state.drawn));
        }
        if let Some(p) = &precision {
            println!(
                "{}",
                forecast::precision_line(&model, p, ran.runs, ran.worst, runs)
            );
        }
    }
    let tree = ran.state.tree().map_err(Failure::Run)?;
    finish_run(&model, tree, dir, &manifest, args.paths, args.opts.quiet)?;
    crate::cli::report::after(&out, args.opts.report, args.opts.quiet);
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
