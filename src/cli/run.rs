//! `rungs run`: Monte Carlo runs of one scenario, statistics as CSV files (or, with
//! `--shard K/N`, one partial-result file for `rungs merge`).

use std::io::Write;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use clap::Args;

use crate::cli::{Failure, RunOptions, default_out, finish_run, load_scenario, progress_bar};
use crate::engine::many::{BLOCK_RUNS, Batch, BatchError};
use crate::output::{self, DEFAULT_PATHS_TOP, Manifest, OutputDir};
use crate::partial::{self, JobIdentity, Partial};
use crate::stats::summarise;

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
    crate::cli::report::check_not_shard(args.opts.report, args.shard.is_some())?;
    let (model, text, overrides) = load_scenario(&args.scenario, &args.opts.set, !args.opts.quiet)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenario));
    let job = JobIdentity::new(
        "run",
        &args.scenario,
        &text,
        args.opts.seed,
        args.opts.runs,
        &overrides,
    );
    let threads = args.opts.threads();
    let started = SystemTime::now();
    let clock = Instant::now();

    if let Some((k, n)) = args.shard {
        let batch = Batch::shard(args.opts.seed, args.opts.runs, threads, k, n);
        let bar = progress_bar(batch.run_count(), args.opts.quiet, "runs");
        let tree = summarise(&model, &batch, &|done| bar.set_position(done), None)
            .map_err(|e| batch_failure(e, &args))?;
        bar.finish_and_clear();
        let part = Partial {
            job,
            scenario_text: String::from_utf8_lossy(&text).into_owned(),
            shard: (k, n),
            covers: batch.blocks.clone(),
            total: crate::engine::many::block_count(args.opts.runs),
            payload: tree,
        };
        let path = partial::write(&out, &part).map_err(Failure::Run)?;
        if !args.opts.quiet {
            println!(
                "shard {k}/{n}: runs {}..{} of {} in {:.1} s; wrote {}",
                batch.blocks.start * BLOCK_RUNS,
                batch.blocks.start * BLOCK_RUNS + batch.run_count(),
                args.opts.runs,
                clock.elapsed().as_secs_f64(),
                path.display()
            );
        }
        return Ok(());
    }

    output::check_out(&out, &[&args.scenario]).map_err(Failure::Usage)?;
    let dir = OutputDir::create(&out)?;
    let batch = Batch::whole(args.opts.seed, args.opts.runs, threads);
    let bar = progress_bar(args.opts.runs, args.opts.quiet, "runs");
    let tree = if args.per_run {
        let mut runs_csv = dir.create_file("runs.csv")?;
        runs_csv.write_all(&output::runs_header(&model))?;
        let mut sink = |bytes: &[u8]| runs_csv.write_all(bytes);
        let tree = summarise(
            &model,
            &batch,
            &|done| bar.set_position(done),
            Some((&output::format_run, &mut sink)),
        );
        runs_csv.flush()?;
        tree
    } else {
        summarise(&model, &batch, &|done| bar.set_position(done), None)
    }
    .map_err(|e| batch_failure(e, &args))?;
    bar.finish_and_clear();

    let mut manifest = Manifest::for_job(&job, threads, 1, started, clock.elapsed());
    manifest.options = serde_json::json!({ "paths": args.paths, "per_run": args.per_run });
    manifest.scenario_text = String::from_utf8_lossy(&text).into_owned();
    finish_run(&model, tree, dir, &manifest, args.paths, args.opts.quiet)?;
    crate::cli::report::after(&out, args.opts.report, args.opts.quiet);
    Ok(())
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
