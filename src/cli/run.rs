//! `rungs run`: Monte Carlo runs of one scenario, statistics as CSV files (or, with
//! `--shard K/N`, one partial-result file for `rungs merge`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{Failure, RunOptions, default_out, load_scenario};
use crate::engine::many::{Batch, BatchError, run_batch};
use crate::output::{self, DEFAULT_PATHS_TOP, Manifest, OutputDir};
use crate::partial::{self, JobIdentity, Partial};
use crate::scenario::Model;
use crate::stats::{BlockTree, Summary};

/// Arguments of `rungs run`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  rungs run scenarios/dprk-kursk.toml\n  \
rungs run scenarios/dprk-kursk.toml --runs 100000 --set dprk_troops=20000 --out out/more-troops\n  \
rungs run scenarios/dprk-kursk.toml --runs 1000000 --shard 0/4 --out parts/   (then: rungs merge parts/*.json)")]
pub struct RunArgs {
    /// The scenario file.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub opts: RunOptions,
    /// Output folder (default: out/<scenario file stem>/), replaced atomically when complete. rungs replaces only a folder it wrote itself (its manifest.json, nothing added): a folder holding anything else, an input of the command, or the working folder or an ancestor of it is refused (exit 2), never deleted.
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
pub fn run(args: RunArgs) -> Result<(), Failure> {
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
        let bar = progress_bar(batch.run_count(), args.opts.quiet);
        let tree = run_batch(&model, &batch, &|done| bar.set_position(done), None)
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
        let path = write_partial(&out, &part)?;
        if !args.opts.quiet {
            println!(
                "shard {k}/{n}: runs {}..{} of {} in {:.1} s; wrote {}",
                batch.blocks.start * crate::stats::BLOCK_RUNS,
                batch.blocks.start * crate::stats::BLOCK_RUNS + batch.run_count(),
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
    let bar = progress_bar(args.opts.runs, args.opts.quiet);
    let tree = if args.per_run {
        let mut runs_csv = BufWriter::new(File::create(dir.path().join("runs.csv"))?);
        runs_csv.write_all(&output::runs_header(&model))?;
        let mut sink = |bytes: &[u8]| runs_csv.write_all(bytes);
        let tree = run_batch(
            &model,
            &batch,
            &|done| bar.set_position(done),
            Some((&output::format_run, &mut sink)),
        );
        runs_csv.flush()?;
        tree
    } else {
        run_batch(&model, &batch, &|done| bar.set_position(done), None)
    }
    .map_err(|e| batch_failure(e, &args))?;
    bar.finish_and_clear();

    let mut manifest = Manifest::for_job(&job, threads, 1, started, clock.elapsed());
    manifest.options = serde_json::json!({ "paths": args.paths, "per_run": args.per_run });
    manifest.scenario_text = String::from_utf8_lossy(&text).into_owned();
    finish(&model, tree, dir, &manifest, args.paths, args.opts.quiet)?;
    crate::cli::report::after(&out, args.opts.report, args.opts.quiet);
    Ok(())
}

/// Writes the CSVs and the manifest of a finished job into `dir`, commits it, and prints the
/// human summary. Shared by `run` and `merge`, so both write the same bytes.
pub(super) fn finish(
    model: &Model,
    tree: BlockTree<Summary>,
    dir: OutputDir,
    manifest: &Manifest,
    paths: usize,
    quiet: bool,
) -> Result<(), Failure> {
    let summary = tree
        .finish()
        .ok_or_else(|| Failure::Run("internal error: no runs to summarise".into()))?;
    output::write_run_outputs(&dir, model, &summary, paths)?;
    output::write_manifest(&dir, manifest)?;
    let out = dir.target().to_path_buf();
    dir.commit()?;
    if !quiet {
        if summary.paths.dropped > 0 {
            eprintln!(
                "note: the runs took more than {} distinct paths; paths.csv lists the most \
                 frequent, and {} runs on rarer paths are not in it (see docs/outputs.md)",
                crate::stats::summary::MAX_PATHS,
                summary.paths.dropped
            );
        }
        print!("{}", output::human_summary(model, &summary));
        println!("files in {}/", out.display());
    }
    Ok(())
}

/// A progress bar on stderr, hidden when stderr is not a terminal or with `--quiet`.
fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  eta {eta}")
    {
        bar.set_style(style);
    }
    bar
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

/// Writes a partial file into `dir` atomically (a temporary file renamed into place), so a
/// killed shard never leaves a truncated part for `merge` to trip on.
fn write_partial(dir: &Path, part: &Partial<BlockTree<Summary>>) -> Result<PathBuf, Failure> {
    std::fs::create_dir_all(dir)?;
    let name = partial::file_name(part.shard.0, part.shard.1);
    let path = dir.join(&name);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut w = BufWriter::new(File::create(&tmp)?);
        w.write_all(&partial::seal(part)?)?;
        w.flush()?;
        w.get_ref().sync_all()?;
        Ok(())
    };
    if let Err(e) = write().and_then(|()| std::fs::rename(&tmp, &path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Failure::Run(format!(
            "cannot write {}: {e}",
            path.display()
        )));
    }
    Ok(path)
}
