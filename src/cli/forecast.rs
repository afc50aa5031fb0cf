//! The options of forecasting, shared by the commands that take them: `--given`,
//! `--given-file` and `--max-draws` (run, sweep, compare, check), and `--precision`,
//! `--precision-of` and `--max-runs` (run); plus what `run` and `extend` both write.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::Failure;
use crate::engine::given::{DEFAULT_MAX_DRAWS, Given};
use crate::forecast::{Precision, RunState, Target, target_id};
use crate::output::OutputDir;
use crate::partial::{JobIdentity, Partial};
use crate::scenario::Model;

/// The largest `--given-file` read.
const MAX_GIVEN_FILE_BYTES: u64 = 16 << 20;

/// The file a run folder keeps for `rungs extend` (a partial-file payload of its runs).
pub(crate) const STATE_FILE: &str = "extend.json";

/// `--given`: condition the runs on what has been observed.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct GivenArgs {
    /// Condition on an observation (repeatable): `STEP<=T` (it had happened by T), `STEP>T`
    /// (it had not happened by T) or `STEP=T1..T2` (it first happened between T1 and T2),
    /// in the scenario's time unit. Runs that contradict it are rejected; everything
    /// reported is over the runs that agree, and `--runs` counts those. This is
    /// conditioning on what was seen, not an intervention (see docs/forecasting.md).
    #[arg(long = "given", value_name = "OBS")]
    pub given: Vec<String>,
    /// Observations from a CSV file with the header `step,relation,time` (relation `<=`,
    /// `>` or `=`; time `T`, or `T1..T2` for `=`).
    #[arg(long = "given-file", value_name = "CSV")]
    pub given_file: Option<PathBuf>,
    /// The most runs one block of 1024 agreeing runs may draw: news that fewer runs agree
    /// with stops the command with a message (the default refuses news that fewer than
    /// about 1 run in 1,000 agrees with).
    #[arg(long = "max-draws", value_name = "N", default_value_t = DEFAULT_MAX_DRAWS)]
    pub max_draws: u64,
}

impl GivenArgs {
    /// The observations, checked against `model` (exit 2 on a bad one).
    pub(crate) fn load(&self, model: &Model) -> Result<Given, Failure> {
        let file = match &self.given_file {
            Some(path) => {
                let bytes = crate::input::read_bounded(path, MAX_GIVEN_FILE_BYTES, "given file")
                    .map_err(Failure::Usage)?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| Failure::Usage(format!("{}: not UTF-8 text", path.display())))?;
                Some((path.display().to_string(), text))
            }
            None => None,
        };
        Given::parse(
            model,
            &self.given,
            file.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
            self.max_draws,
        )
        .map_err(Failure::Usage)
    }

    /// The input files these options read (an `--out` folder must not hold them).
    pub(crate) fn inputs(&self) -> Vec<&Path> {
        self.given_file.iter().map(PathBuf::as_path).collect()
    }
}

/// Adds the news to a job's identity: shards of different news must not merge.
pub(crate) fn identify(job: &mut JobIdentity, given: &Given) {
    if !given.is_empty() {
        job.options.push(("given".into(), given.texts().join("; ")));
    }
}

/// The news line of a summary: the observations and how many runs agreed.
pub(crate) fn news_line(given: &Given, runs: u64, drawn: u64) -> String {
    format!(
        "given {}: {}",
        given.texts().join(", "),
        crate::forecast::acceptance(runs, drawn)
    )
}

/// `--precision`: run until every probability is precise enough.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct PrecisionArgs {
    /// Run blocks of 1024 runs until every step, branch and outcome probability's 95%
    /// interval is at most ±E (0.01: one percentage point), then stop: the files are the
    /// same bytes as `--runs M` for the M reached (printed and in manifest.json).
    #[arg(long, value_name = "E", conflicts_with = "runs")]
    pub precision: Option<f64>,
    /// Only these steps, branches or outcomes must reach the precision (comma-separated).
    #[arg(
        long = "precision-of",
        value_name = "ID,...",
        value_delimiter = ',',
        requires = "precision"
    )]
    pub precision_of: Vec<String>,
    /// With --precision, stop at this many runs even if the precision is not reached
    /// [default: 10000000].
    #[arg(long = "max-runs", value_name = "N", requires = "precision")]
    pub max_runs: Option<u64>,
}

/// `--max-runs` when not given.
pub(crate) const DEFAULT_MAX_RUNS: u64 = 10_000_000;

impl PrecisionArgs {
    /// The rule, if `--precision` was given (exit 2 on bad values or unknown ids).
    pub(crate) fn rule(&self, model: &Model) -> Result<Option<Precision>, Failure> {
        let Some(e) = self.precision else {
            return Ok(None);
        };
        if self.max_runs == Some(0) {
            return Err(Failure::Usage("--max-runs must be at least 1".into()));
        }
        Precision::new(model, e, &self.precision_of)
            .map(Some)
            .map_err(Failure::Usage)
    }

    /// The most runs a precision rule may take.
    pub(crate) fn max_runs(&self) -> u64 {
        self.max_runs.unwrap_or(DEFAULT_MAX_RUNS)
    }

    /// The options as manifest.json records them.
    pub(crate) fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "precision": self.precision,
            "precision_of": self.precision_of,
            "max_runs": self.max_runs(),
        })
    }
}

/// `±0.0123 (escalation)`: a half-width and the target that has it.
pub(crate) fn worst_text(model: &Model, worst: Option<(f64, Target)>) -> String {
    match worst {
        Some((w, t)) => format!("±{w:.4} ({})", target_id(model, t)),
        None => "none".into(),
    }
}

/// The line a precision run prints: where it stopped and why.
pub(crate) fn precision_line(
    model: &Model,
    p: &Precision,
    runs: u64,
    worst: Option<(f64, Target)>,
    max: u64,
) -> String {
    let w = worst_text(model, worst);
    if worst.is_some_and(|(w, _)| w <= p.half_width) {
        format!(
            "precision ±{} reached after {} runs (widest 95% half-width {w})",
            p.half_width,
            crate::engine::given::thousands(runs)
        )
    } else {
        format!(
            "precision ±{} NOT reached: stopped at --max-runs {} with the widest 95% half-width {w}",
            p.half_width,
            crate::engine::given::thousands(max)
        )
    }
}

/// Runs [`crate::forecast::summarise`] for a folder: with `runs_csv` (the bytes it starts
/// with: the header, or the rows of the runs already done), each agreeing run's row is
/// appended to the folder's runs.csv in run order. The outer error is the folder's (I/O),
/// the inner the runs'.
pub(crate) fn summarise_into(
    dir: &OutputDir,
    model: &Model,
    plan: &crate::forecast::Plan<'_>,
    resume: RunState,
    precision: Option<&Precision>,
    progress: &dyn Fn(&crate::forecast::Progress),
    runs_csv: Option<&[u8]>,
) -> Result<Result<crate::forecast::Ran, crate::engine::many::BatchError>, Failure> {
    use std::io::Write;
    let Some(start) = runs_csv else {
        return Ok(crate::forecast::summarise(
            model, plan, resume, precision, progress, None,
        ));
    };
    let mut file = dir.create_file("runs.csv")?;
    file.write_all(start)?;
    let mut sink = |bytes: &[u8]| file.write_all(bytes);
    let ran = crate::forecast::summarise(
        model,
        plan,
        resume,
        precision,
        progress,
        Some((&crate::output::format_run, &mut sink)),
    );
    file.flush()?;
    Ok(ran)
}

/// Writes `state` into the folder as [`STATE_FILE`]: a sealed partial of `job` (shard 0
/// of 1) whose payload is the run's blocks, so `rungs extend` can add runs to it.
pub(crate) fn write_state(
    dir: &OutputDir,
    job: &JobIdentity,
    scenario_text: &[u8],
    state: &RunState,
) -> Result<(), Failure> {
    let part = Partial {
        job: job.clone(),
        scenario_text: String::from_utf8_lossy(scenario_text).into_owned(),
        shard: (0, 1),
        covers: 0..state.next_block(),
        total: crate::engine::many::block_count(job.runs),
        payload: state,
    };
    let bytes = crate::partial::seal(&part).map_err(|e| Failure::Run(e.to_string()))?;
    let mut f = dir.create_file(STATE_FILE)?;
    std::io::Write::write_all(&mut f, &bytes)?;
    std::io::Write::flush(&mut f)?;
    Ok(())
}

/// Records in a merged run's manifest the news its shards were conditioned on (from the
/// job's identity) and the runs they drew, and prints the acceptance line.
pub(crate) fn merged_news(
    manifest: &mut crate::output::Manifest,
    job: &JobIdentity,
    drawn: u64,
    quiet: bool,
) {
    manifest.record_news(job, Some(drawn));
    if !quiet && !manifest.given.is_empty() {
        println!(
            "given {}: {}",
            manifest.given.join(", "),
            crate::forecast::acceptance(job.runs, drawn)
        );
    }
}

/// Writes [`STATE_FILE`] into a merged run's folder when its blocks are all complete (runs a
/// multiple of 1024): the merged tree is then the tree of complete blocks extending needs.
/// With a short last block the shards' trees have merged it into their nodes, so such a
/// folder is not extendable and gets no state.
pub(crate) fn write_merged_state(
    dir: &OutputDir,
    job: &JobIdentity,
    scenario_text: &str,
    tree: &crate::stats::BlockTree<crate::stats::Summary>,
    drawn: u64,
) -> Result<(), Failure> {
    if !job.runs.is_multiple_of(crate::engine::many::BLOCK_RUNS) {
        return Ok(());
    }
    let state = RunState {
        full: tree.clone(),
        last: None,
        drawn,
    };
    write_state(dir, job, scenario_text.as_bytes(), &state)
}

/// What `rungs sweep --precision` works on.
pub(crate) struct PreciseSweep<'a> {
    pub model: &'a Model,
    pub design: &'a crate::sweep::Design,
    pub text: &'a [u8],
    pub out: &'a Path,
    pub seed: u64,
    pub threads: usize,
    pub given: &'a Given,
    pub start: std::time::SystemTime,
    pub clock: std::time::Instant,
}

/// `rungs sweep --precision E --shard K/N`: the shard's points, each run until precise on
/// its own (a point's stopping block depends only on its own blocks, all computed here),
/// their summaries into the shard's partial file; `rungs merge` writes the folder of the
/// unsharded precision sweep.
fn precise_shard(
    a: &crate::cli::sweep::SweepArgs,
    s: &PreciseSweep<'_>,
    rule: &Precision,
    job: JobIdentity,
    (k, n): (u64, u64),
) -> Result<(), Failure> {
    let total = s.design.len();
    let r = crate::engine::many::shard_blocks(total as u64, k, n);
    let mut summaries = Vec::with_capacity((r.end - r.start) as usize);
    let drawn = crate::sweep::run_points_precise(
        s.model,
        s.design,
        r.start as usize..r.end as usize,
        s.seed,
        job.runs,
        s.threads,
        s.given,
        rule,
        &mut |_, summary, _| {
            summaries.push(summary);
            Ok(())
        },
    )
    .map_err(|e| Failure::Run(e.to_string()))?;
    let part = Partial {
        job,
        scenario_text: String::from_utf8_lossy(s.text).into_owned(),
        shard: (k, n),
        covers: r.clone(),
        total: total as u64,
        payload: crate::sweep::SweepPayload {
            design: s.design.clone(),
            summaries,
            drawn,
        },
    };
    let path = crate::partial::write(s.out, &part).map_err(Failure::Run)?;
    if !a.opts.quiet {
        println!(
            "shard {k}/{n}: points {}..{} of {total}, each run until precise; wrote {}",
            r.start,
            r.end,
            path.display()
        );
    }
    Ok(())
}

/// `rungs sweep --precision E`: every point of the design runs until its own probabilities
/// are precise enough ([`crate::sweep::run_points_precise`]); the folder is the sweep's,
/// each point's rows the bytes of that point with the runs it reached (its `runs` column).
pub(crate) fn precise_sweep(
    a: &crate::cli::sweep::SweepArgs,
    s: PreciseSweep<'_>,
    rule: &Precision,
    mut job: JobIdentity,
) -> Result<(), Failure> {
    let most = a.precision.max_runs();
    crate::sweep::design::check_size(s.design.len() as u64, crate::engine::many::BLOCK_RUNS)
        .map_err(Failure::Usage)?;
    job.runs = most;
    job.options
        .push(("precision".into(), a.precision.describe().to_string()));
    if let Some(shard) = &a.shard {
        let (k, n) = crate::partial::parse_shard(shard).map_err(Failure::Usage)?;
        return precise_shard(a, &s, rule, job, (k, n));
    }
    let failure = |e: crate::sweep::SweepError| match e {
        crate::sweep::SweepError::Usage(m) => Failure::Usage(m),
        crate::sweep::SweepError::Run(m) => Failure::Run(crate::engine::run::reproduce_in(
            &m,
            &a.scenario.display().to_string(),
            &a.opts.set,
        )),
    };
    let dir = OutputDir::create(s.out)?;
    let mut writer = crate::sweep::tables::SweepWriter::create(&dir, s.model, s.design)?;
    let bar = crate::cli::progress_bar(s.design.len() as u64, a.opts.quiet, "points");
    let mut reached: Vec<(u64, Option<(f64, Target)>)> = Vec::new();
    let drawn = crate::sweep::run_points_precise(
        s.model,
        s.design,
        0..s.design.len(),
        s.seed,
        most,
        s.threads,
        s.given,
        rule,
        &mut |p, summary, ran| {
            writer.add(s.model, p, &summary)?;
            reached.push((ran.runs, ran.worst));
            bar.inc(1);
            bar.set_message(format!("point {p}: {} runs", ran.runs));
            Ok(())
        },
    )
    .map_err(failure)?;
    bar.finish_and_clear();
    writer.finish()?;
    let how = crate::sweep::Written {
        threads: s.threads,
        shards: 1,
        start: s.start,
        wall: s.clock.elapsed(),
        scenario_text: String::from_utf8_lossy(s.text).into_owned(),
        options: serde_json::json!({
            "design": s.design.describe(),
            "precision": a.precision.describe(),
        }),
        runs_drawn: (!s.given.is_empty()).then_some(drawn),
        extended_from: None,
    };
    crate::sweep::commit_folder(dir, &job, &how).map_err(failure)?;
    if !a.opts.quiet {
        if !s.given.is_empty() {
            let agreeing = reached.iter().map(|r| r.0).sum();
            println!("{}", news_line(s.given, agreeing, drawn));
        }
        println!(
            "sweep: {} points, each run until every targeted probability is within ±{}",
            s.design.len(),
            rule.half_width
        );
        for (p, (runs, worst)) in reached.iter().enumerate() {
            let met = worst.is_some_and(|(w, _)| w <= rule.half_width);
            println!(
                "  point {p:>4}: {:>10} runs, widest {}{}",
                crate::engine::given::thousands(*runs),
                worst_text(s.model, *worst),
                if met {
                    ""
                } else {
                    "  (NOT reached: --max-runs)"
                }
            );
        }
        println!("wrote {}", s.out.display());
    }
    Ok(())
}
