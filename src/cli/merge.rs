//! `rungs merge`: combines the partial results of shards into the files one unsharded
//! command would have written, byte for byte.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use clap::Args;

use crate::cli::{Failure, default_out, default_sweep_out, finish_run};
use crate::output::{DEFAULT_PATHS_TOP, Manifest, OutputDir};
use crate::partial::{self, Partial};
use crate::scenario::Model;
use crate::stats::{BlockTree, Summary};

/// Arguments of `rungs merge`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example (a Slurm job array wrote parts/shard-K-of-N.json):\n  \
rungs merge parts/shard-*.json --out out/dprk-kursk\n\n\
Merge refuses parts of different scenarios, seeds, run counts, overrides or rungs versions, \
and any set of parts with a gap or an overlap."
)]
pub(crate) struct MergeArgs {
    /// The partial files (`shard-K-of-N.json`), in any order.
    #[arg(value_name = "PARTIAL", required = true)]
    pub parts: Vec<PathBuf>,
    /// Output folder (default: out/<scenario file stem>/, or out/<stem>-sweep/ for sweeps). rungs replaces only a folder it wrote itself (its manifest.json, nothing added): a folder holding anything else, an input of the command, or the working folder or an ancestor of it is refused (exit 2), never deleted.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Rows of paths.csv (for `run` parts).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PATHS_TOP)]
    pub paths: usize,
    /// Rows of conditional.csv, P(step | given) for each pair of steps, branches and outcomes: `off` (no file), `all`, or N (default 1000): the N pairs where knowing `given` moves the probability of `step` the most (see docs/outputs.md). Counts are exact either way.
    #[arg(long, value_name = "off|all|N")]
    pub conditional: Option<crate::output::ConditionalRows>,
    /// No summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the command.
pub(crate) fn run(args: MergeArgs) -> Result<(), Failure> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let mut parts = Vec::with_capacity(args.parts.len());
    for path in &args.parts {
        parts.push((path.display().to_string(), read_part(path)?));
    }
    let command = parts[0].1.job.command.clone();
    match command.as_str() {
        "run" => merge_runs(parts, &args, started, clock),
        "sweep" => {
            let out = args
                .out
                .clone()
                .unwrap_or_else(|| default_sweep_out(Path::new(&parts[0].1.job.scenario_path)));
            let inputs: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
            crate::output::check_out(&out, &inputs).map_err(Failure::Usage)?;
            let merged = crate::sweep::merge_sweep(parts, &out).map_err(|e| match e {
                crate::sweep::SweepError::Usage(m) => Failure::Usage(m),
                crate::sweep::SweepError::Run(m) => Failure::Run(m),
            })?;
            if !args.quiet {
                println!(
                    "merged {} partial files: {} points; files in {}/",
                    merged.parts,
                    merged.points,
                    out.display()
                );
            }
            Ok(())
        }
        other => Err(Failure::Usage(format!(
            "{}: a partial file of an unknown command `{other}`",
            parts[0].0
        ))),
    }
}

/// Reads one partial file, checked ([`partial::read_file`]), with its payload left as JSON
/// (its type depends on the command).
fn read_part(path: &Path) -> Result<Partial<serde_json::Value>, Failure> {
    partial::read_file(path).map_err(Failure::Usage)
}

fn merge_runs(
    parts: Vec<(String, Partial<serde_json::Value>)>,
    args: &MergeArgs,
    started: SystemTime,
    clock: Instant,
) -> Result<(), Failure> {
    let parts = partial::check_cover(parts).map_err(Failure::Usage)?;
    let first = &parts[0].1;
    let model = model_of(first)?;
    let conditional = crate::cli::conditional_rows(&model, args.conditional)?;
    let job = first.job.clone();
    let scenario_text = first.scenario_text.clone();
    let shards = first.shard.1;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(Path::new(&job.scenario_path)));
    let inputs: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
    crate::output::check_out(&out, &inputs).map_err(Failure::Usage)?;
    let mut tree: BlockTree<Summary> = BlockTree::new();
    // Shards of runs conditioned on news also say how many runs they drew.
    let mut drawn = 0u64;
    for (name, part) in parts {
        drawn = drawn.saturating_add(part.payload["drawn"].as_u64().unwrap_or(0));
        let piece: BlockTree<Summary> = serde_json::from_value(part.payload)
            .map_err(|e| Failure::Usage(format!("{name}: damaged partial file ({e})")))?;
        check_piece(&model, &piece, &part.covers, job.runs)
            .map_err(|e| Failure::Usage(format!("{name}: damaged partial file: {e}")))?;
        tree.append(piece)
            .map_err(|e| Failure::Usage(format!("{name}: {e}")))?;
    }
    let dir = OutputDir::create(&out)?;
    let mut manifest = Manifest::for_job(&job, 1, shards, started, clock.elapsed());
    manifest.options = serde_json::json!({
        "paths": args.paths,
        "per_run": false,
        "conditional": conditional.to_string(),
    });
    manifest.scenario_text = scenario_text;
    crate::cli::forecast::merged_news(&mut manifest, &job, drawn, args.quiet);
    let drawn = manifest.runs_drawn.unwrap_or(job.runs);
    crate::cli::forecast::write_merged_state(&dir, &job, &manifest.scenario_text, &tree, drawn)?;
    finish_run(
        &model,
        tree,
        dir,
        &manifest,
        args.paths,
        conditional,
        args.quiet,
    )
}

/// Checks that the statistics of a `run` partial are consistent with its model and its cover:
/// blocks inside the cover, no more runs per block than a block has, and each summary's
/// counts consistent ([`Summary::check`]). With these, counters cannot overflow when merged.
fn check_piece(
    model: &Model,
    piece: &BlockTree<Summary>,
    covers: &std::ops::Range<u64>,
    runs: u64,
) -> Result<(), String> {
    let shape = Summary::new(model);
    let mut at = covers.start;
    for (first, count, summary) in &piece.nodes {
        let end = first.checked_add(*count).ok_or("block range overflows")?;
        if *first != at || end > covers.end {
            return Err(format!(
                "blocks {first}..{end} are outside the part it covers ({}..{})",
                covers.start, covers.end
            ));
        }
        at = end;
        // Runs in these blocks: full blocks, but the job's last block may be short.
        let block_start = first.saturating_mul(crate::engine::many::BLOCK_RUNS);
        let most = end
            .saturating_mul(crate::engine::many::BLOCK_RUNS)
            .min(runs)
            .saturating_sub(block_start);
        if summary.runs != most {
            return Err(format!(
                "blocks {first}..{end} hold {} runs where the job has {most}",
                summary.runs
            ));
        }
        summary.check(&shape)?;
    }
    if at != covers.end {
        return Err(format!(
            "it says it covers blocks {}..{} but holds statistics up to block {at}",
            covers.start, covers.end
        ));
    }
    Ok(())
}

/// The model of a job, rebuilt from the scenario text the partial carries, with the job's
/// overrides applied: merge needs nothing but the partial files.
pub(crate) fn model_of<T>(part: &Partial<T>) -> Result<Model, Failure> {
    part.job.model(&part.scenario_text).map_err(|e| match e {
        crate::partial::JobModelError::Scenario(d) => Failure::Scenario(d),
        crate::partial::JobModelError::UnknownOverride(name) => Failure::Usage(format!(
            "the partial files override `{name}`, which their scenario does not have"
        )),
    })
}
