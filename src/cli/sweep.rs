//! `rungs sweep`: a scenario at each point of a parameter design, one long table over all
//! points; or `--tornado` / `--importance` sensitivity tables.

use std::path::PathBuf;

use clap::Args;

use crate::cli::{
    Failure, RunOptions, default_out_of_kind, default_sweep_out, load_scenario, progress_bar,
};
use crate::output::OutputDir;
use crate::partial::{JobIdentity, Partial, parse_shard};
use crate::scenario::{Model, SweepSpec, Vary};
use crate::sweep::tables::SweepWriter;
use crate::sweep::{self, Design, SweepError, SweepPayload, design, importance, tornado};

/// Arguments of `rungs sweep`.
#[derive(Args, Debug)]
#[command(after_help = "Examples:
  rungs sweep s.toml --vary troops=5000,10000,20000
  rungs sweep s.toml --vary p_strike=0..0.5:6 --vary troops=5000,10000   (a 6 x 2 grid)
  rungs sweep s.toml --lhs 40 --vary p_strike=0..0.5 --vary troops=5000..20000
  rungs sweep s.toml --epistemic 100 --runs 2000
  rungs sweep s.toml --tornado
  rungs sweep s.toml --importance

Every point runs with the same seed, so points differ only by their parameter values
(common random numbers). See docs/sweeps.md.")]
pub(crate) struct SweepArgs {
    /// The scenario file.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// A varied parameter: `NAME=v1,v2,v3` (a list), `NAME=lo..hi:k` (k evenly spaced values,
    /// both ends included) or `NAME=lo..hi` (a range for --lhs or --tornado). Repeat for a
    /// full grid, the first --vary changing slowest.
    #[arg(long, value_name = "NAME=VALUES")]
    pub vary: Vec<String>,
    /// K Latin-hypercube points over the --vary ranges.
    #[arg(long, value_name = "K")]
    pub lhs: Option<u32>,
    /// K points drawn from the scenario's own parameter distributions (two-level Monte
    /// Carlo: the spread over points is what is not known).
    #[arg(long, value_name = "K")]
    pub epistemic: Option<u32>,
    /// One-at-a-time sensitivity: each uncertain parameter at its p10 and p90 (or the ends
    /// of its --vary range), the others drawn; writes tornado.csv.
    #[arg(long)]
    pub tornado: bool,
    /// The outcome (or step) the tornado ranks the parameters by (default: the rarest
    /// outcome other than `horizon`). tornado.csv still has every outcome's rows.
    #[arg(long, value_name = "ID", requires = "tornado")]
    pub outcome: Option<String>,
    /// Each step blocked and forced; writes importance.csv (risk achievement and risk
    /// reduction worth).
    #[arg(long)]
    pub importance: bool,
    /// Compute only shard K of N of the points and write DIR/shard-K-of-N.json for `rungs
    /// merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    #[command(flatten)]
    pub opts: RunOptions,
    #[command(flatten)]
    pub given: crate::cli::forecast::GivenArgs,
    #[command(flatten)]
    pub precision: crate::cli::forecast::PrecisionArgs,
    /// Output folder (default: out/<scenario file stem>-sweep/; out/<stem>-tornado/ with --tornado, out/<stem>-importance/ with --importance). rungs replaces only a folder it wrote itself (its manifest.json, nothing added): a folder holding anything else, an input of the command, or the working folder or an ancestor of it is refused (exit 2), never deleted.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

fn failure(e: SweepError) -> Failure {
    match e {
        SweepError::Usage(m) => Failure::Usage(m),
        SweepError::Run(m) => Failure::Run(m),
    }
}

/// A run's failure in a sweep, its "reproduce with" line carrying the real path and the
/// user's `--set` (the point's own values are already in it).
fn run_failure(a: &SweepArgs) -> impl Fn(SweepError) -> Failure + '_ {
    move |e| match e {
        SweepError::Run(m) => Failure::Run(crate::engine::run::reproduce_in(
            &m,
            &a.scenario.display().to_string(),
            &a.opts.set,
        )),
        other => failure(other),
    }
}

/// The design from the flags, or from the scenario's `[sweep]` table if no flag is given.
fn spec(model: &Model, a: &SweepArgs) -> Result<SweepSpec, Failure> {
    let vary: Vec<(usize, Vary)> = a
        .vary
        .iter()
        .map(|s| design::parse_vary(model, s))
        .collect::<Result<_, _>>()
        .map_err(Failure::Usage)?;
    for (i, (p, _)) in vary.iter().enumerate() {
        if vary[..i].iter().any(|(q, _)| q == p) {
            return Err(Failure::Usage(format!(
                "--vary {} is given twice",
                model.params[*p].id
            )));
        }
    }
    let flags = SweepSpec {
        vary,
        lhs: a.lhs,
        epistemic: a.epistemic,
    };
    if flags == SweepSpec::default() {
        Ok(model.sweep.clone().unwrap_or_default())
    } else {
        Ok(flags)
    }
}

/// Runs `rungs sweep`.
/// What every mode of `rungs sweep` shares: the loaded scenario and the options.
struct Sweep {
    args: SweepArgs,
    model: Model,
    bytes: Vec<u8>,
    out: PathBuf,
    spec: SweepSpec,
    seed: u64,
    runs: u64,
    threads: usize,
    start: std::time::SystemTime,
    clock: std::time::Instant,
    job: JobIdentity,
    given: crate::engine::given::Given,
}

/// Runs `rungs sweep`: the sensitivity tables (`--tornado`, `--importance`) or a design of
/// points (grid, Latin hypercube, epistemic; sharded or not).
pub(crate) fn run(a: SweepArgs) -> Result<(), Failure> {
    if a.opts.runs == 0 {
        return Err(Failure::Usage("--runs must be at least 1".into()));
    }
    let (model, bytes, overrides) = load_scenario(&a.scenario, &a.opts.set, !a.opts.quiet)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| match (a.tornado, a.importance) {
            (true, true) => default_out_of_kind(&a.scenario, "tornado-importance"),
            (true, false) => default_out_of_kind(&a.scenario, "tornado"),
            (false, true) => default_out_of_kind(&a.scenario, "importance"),
            (false, false) => default_sweep_out(&a.scenario),
        });
    crate::cli::report::check_not_shard(a.opts.report, a.shard.is_some())?;
    let given = a.given.load(&model)?;
    if !given.is_empty() && (a.tornado || a.importance) {
        return Err(Failure::Usage(
            "--given conditions a design sweep's points; --tornado and --importance do not \
             take it (importance forces and blocks steps: an intervention, not news)"
                .into(),
        ));
    }
    if a.precision.precision.is_some() && (a.tornado || a.importance) {
        return Err(Failure::Usage(
            "--precision stops each point of a design sweep; --tornado and --importance take \
             a fixed --runs"
                .into(),
        ));
    }
    if a.shard.is_none() {
        let mut inputs = vec![a.scenario.as_path()];
        inputs.extend(a.given.inputs());
        crate::output::check_out(&out, &inputs).map_err(Failure::Usage)?;
    }
    let spec = spec(&model, &a)?;
    let (seed, runs, threads) = (a.opts.seed, a.opts.runs, a.opts.threads());
    let (start, clock) = (std::time::SystemTime::now(), std::time::Instant::now());

    let mut job = JobIdentity::new("sweep", &a.scenario, &bytes, seed, runs, &overrides);
    crate::cli::forecast::identify(&mut job, &given);
    let s = Sweep {
        args: a,
        model,
        bytes,
        out,
        spec,
        seed,
        runs,
        threads,
        start,
        clock,
        job,
        given,
    };
    if s.args.tornado || s.args.importance {
        sensitivity(s)
    } else {
        design_sweep(s)
    }
}

/// `--tornado` and/or `--importance`: probability-only runs of many variants, one folder.
fn sensitivity(s: Sweep) -> Result<(), Failure> {
    let Sweep {
        args: a,
        model,
        bytes,
        out,
        spec,
        seed,
        runs,
        threads,
        start,
        clock,
        mut job,
        given: _,
    } = s;
    if a.shard.is_some() {
        return Err(Failure::Usage(
            "--shard splits the points of a design; --tornado and --importance run in one \
             process"
                .into(),
        ));
    }
    if a.lhs.is_some() || a.epistemic.is_some() {
        return Err(Failure::Usage(
            "--tornado and --importance do not take --lhs or --epistemic".into(),
        ));
    }
    let mut files: Vec<(&str, crate::output::Table)> = Vec::new();
    if a.tornado {
        let bars = tornado::bars(&model, &spec.vary, seed).map_err(Failure::Usage)?;
        // Two variants per bar plus the base, all on the same runs.
        design::check_size(2 * bars.len() as u64 + 1, runs).map_err(Failure::Usage)?;
        let bar = progress_bar(runs, a.opts.quiet, "runs");
        bar.set_message(format!("tornado, {} variants each", 2 * bars.len() + 1));
        let target = a
            .outcome
            .as_deref()
            .map(|id| tornado::Target::find(&model, id))
            .transpose()
            .map_err(Failure::Usage)?;
        let t = tornado::run(&model, &bars, target, seed, runs, threads, &|d| {
            bar.set_position(d)
        })
        .map_err(|e| Failure::Run(e.to_string()))?;
        bar.finish_and_clear();
        let table = crate::output::Table {
            header: tornado::HEADER.iter().map(|s| s.to_string()).collect(),
            rows: t.rows.iter().map(tornado::cells).collect(),
        };
        files.push(("tornado.csv", table));
        let ranked_by = t.target.id(&model).to_string();
        if !a.opts.quiet {
            let why = if t.chosen {
                " (the rarest outcome; choose with --outcome)"
            } else {
                ""
            };
            let top: Vec<&tornado::Row> =
                t.rows.iter().filter(|r| r.outcome == ranked_by).collect();
            println!(
                "tornado: {} parameter(s), ranked by their swing on `{ranked_by}`{why}, base p {}:",
                bars.len(),
                top.first().map_or_else(String::new, |r| fmt_p(r.p_base))
            );
            for r in top.iter().take(8) {
                println!(
                    "  {:<24} p {} .. {}  swing {}",
                    r.parameter,
                    fmt_p(r.p_low),
                    fmt_p(r.p_high),
                    fmt_p(r.swing)
                );
            }
        }
        job.options.push(("tornado_outcome".into(), ranked_by));
        job.options.push(("tornado".into(), "true".into()));
    }
    if a.importance {
        // Each step blocked and forced, plus the base, all on the same runs.
        design::check_size(2 * model.steps.len() as u64 + 1, runs).map_err(Failure::Usage)?;
        let bar = progress_bar(runs, a.opts.quiet, "runs");
        bar.set_message(format!(
            "importance, {} variants each",
            2 * model.steps.len() + 1
        ));
        let rows = importance::run(&model, seed, runs, threads, &|d| bar.set_position(d))
            .map_err(|e| Failure::Run(e.to_string()))?;
        bar.finish_and_clear();
        let t = crate::output::Table {
            header: importance::HEADER.iter().map(|s| s.to_string()).collect(),
            rows: rows.iter().map(importance::cells).collect(),
        };
        files.push(("importance.csv", t));
        job.options.push(("importance".into(), "true".into()));
        if !a.opts.quiet {
            println!(
                "importance: {} steps x {} outcomes; largest risk achievement worth (RAW: p with \
                 the step forced / p as is):",
                model.steps.len(),
                model.outcomes.len()
            );
            let mut top: Vec<&importance::Row> = rows
                .iter()
                .filter(|r| r.outcome != "horizon" && r.raw.is_some_and(f64::is_finite))
                .collect();
            top.sort_by(|x, y| {
                y.raw
                    .partial_cmp(&x.raw)
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            for r in top.iter().take(8) {
                println!(
                    "  {:<24} {:<16} p {} forced {} blocked {}  RAW {:.2}  RRW {}",
                    r.step,
                    r.outcome,
                    fmt_p(r.p_base),
                    fmt_p(r.p_forced),
                    fmt_p(r.p_blocked),
                    r.raw.unwrap_or(f64::NAN),
                    r.rrw.map_or_else(|| "-".into(), |v| format!("{v:.2}"))
                );
            }
        }
    }
    let how = sweep::Written {
        threads,
        shards: 1,
        start,
        wall: clock.elapsed(),
        scenario_text: String::from_utf8_lossy(&bytes).into_owned(),
        options: serde_json::json!({
            "tornado": a.tornado,
            "tornado_outcome": a.outcome,
            "importance": a.importance,
            "vary": a.vary,
        }),
        runs_drawn: None,
    };
    sweep::write_files(&out, &files, &job, &how).map_err(failure)?;
    if !a.opts.quiet {
        println!("wrote {}", out.display());
    }
    crate::cli::report::after(&out, a.opts.report, a.opts.quiet);
    Ok(())
}

/// A design of points: each point a full run of the scenario; sharded, or streamed into
/// the folder point by point.
fn design_sweep(s: Sweep) -> Result<(), Failure> {
    let Sweep {
        args: a,
        model,
        bytes,
        out,
        spec,
        seed,
        runs,
        threads,
        start,
        clock,
        mut job,
        given,
    } = s;
    let design = design::from_spec(&model, &spec, seed).map_err(Failure::Usage)?;
    job.options.push((
        "design".into(),
        serde_json::to_string(&design).map_err(|e| Failure::Run(e.to_string()))?,
    ));
    let quiet = a.opts.quiet;
    let total = design.len();
    if let Some(rule) = a.precision.rule(&model)? {
        let sweep = crate::cli::forecast::PreciseSweep {
            model: &model,
            design: &design,
            text: &bytes,
            out: &out,
            seed,
            threads,
            given: &given,
            start,
            clock,
        };
        return crate::cli::forecast::precise_sweep(&a, sweep, &rule, job);
    }
    design::check_size(total as u64, runs).map_err(Failure::Usage)?;
    let range = match &a.shard {
        Some(shard) => {
            let (k, n) = parse_shard(shard).map_err(Failure::Usage)?;
            let r = crate::engine::many::shard_blocks(total as u64, k, n);
            Some((k, n, r))
        }
        None => None,
    };
    let points = range
        .as_ref()
        .map_or(0..total, |(_, _, r)| r.start as usize..r.end as usize);
    // One bar over every run of every point this process computes.
    let bar = progress_bar(points.len() as u64 * runs, quiet, "runs");
    bar.set_message(format!("{} points x {runs}", points.len()));
    let progress = |d| bar.set_position(d);
    if let Some((k, n, r)) = range {
        // A shard's partial file holds the summaries of its points: memory grows with the
        // points per shard (docs/sweeps.md), so a huge design wants more shards.
        let mut summaries = Vec::with_capacity(points.len());
        let drawn = sweep::run_points_given(
            &model,
            &design,
            points,
            seed,
            runs,
            threads,
            &given,
            &progress,
            &mut |_, s| {
                summaries.push(s);
                Ok(())
            },
        )
        .map_err(run_failure(&a))?;
        bar.finish_and_clear();
        let partial = Partial {
            job,
            scenario_text: String::from_utf8_lossy(&bytes).into_owned(),
            shard: (k, n),
            covers: r.clone(),
            total: total as u64,
            payload: SweepPayload {
                design,
                summaries,
                drawn,
            },
        };
        let path = crate::partial::write(&out, &partial).map_err(Failure::Run)?;
        if !quiet {
            println!(
                "shard {k}/{n}: points {}..{} of {total}; wrote {}",
                r.start,
                r.end,
                path.display()
            );
        }
        return Ok(());
    }
    // Unsharded: each point's rows go to the files as soon as it is done.
    let dir = OutputDir::create(&out)?;
    let mut writer = SweepWriter::create(&dir, &model, &design)?;
    let mut shown: Vec<Vec<f64>> = Vec::new();
    // An epistemic sweep's point of view is its spread: every point's outcome probabilities.
    let epistemic = design.kind == design::DesignKind::Epistemic;
    let mut spread: Vec<Vec<f64>> = vec![Vec::new(); model.outcomes.len()];
    let drawn = sweep::run_points_given(
        &model,
        &design,
        points,
        seed,
        runs,
        threads,
        &given,
        &progress,
        &mut |p, s| {
            writer.add(&model, p, &s)?;
            let n = s.runs.max(1) as f64;
            let ps: Vec<f64> = s.outcomes.iter().map(|o| o.count as f64 / n).collect();
            if epistemic {
                for (v, p) in spread.iter_mut().zip(&ps) {
                    v.push(*p);
                }
            }
            if shown.len() < SHOWN_POINTS {
                shown.push(ps);
            }
            Ok(())
        },
    )
    .map_err(run_failure(&a))?;
    bar.finish_and_clear();
    writer.finish()?;
    let how = sweep::Written {
        threads,
        shards: 1,
        start,
        wall: clock.elapsed(),
        scenario_text: String::from_utf8_lossy(&bytes).into_owned(),
        options: serde_json::json!({ "design": design.describe() }),
        runs_drawn: (!given.is_empty()).then_some(drawn),
    };
    sweep::commit_folder(dir, &job, &how).map_err(failure)?;
    if !quiet {
        if !given.is_empty() {
            let agreeing = design.len() as u64 * runs;
            println!(
                "{}",
                crate::cli::forecast::news_line(&given, agreeing, drawn)
            );
        }
        summary(&model, &design, &shown);
        if epistemic {
            println!(
                "spread of each outcome's probability over the {} points:",
                design.len()
            );
            println!("  {:<24} {:>8} {:>8} {:>8}", "outcome", "p05", "p50", "p95");
            for (o, v) in model.outcomes.iter().zip(&mut spread) {
                v.sort_by(f64::total_cmp);
                let q = |x| tornado::quantile_sorted(v, x);
                println!(
                    "  {o:<24} {:>8} {:>8} {:>8}",
                    fmt_p(q(0.05)),
                    fmt_p(q(0.5)),
                    fmt_p(q(0.95))
                );
            }
        }
        println!("wrote {}", out.display());
    }
    crate::cli::report::after(&out, a.opts.report, quiet);
    Ok(())
}

fn fmt_p(p: f64) -> String {
    format!("{p:.4}")
}

/// Points shown on stdout at most; the files have all of them.
const SHOWN_POINTS: usize = 12;

/// The sweep's lines on stdout: the design, then the outcome probabilities of the first
/// [`SHOWN_POINTS`] points (`shown`, one vector per point).
fn summary(model: &Model, d: &Design, shown: &[Vec<f64>]) {
    let kind = match d.kind {
        design::DesignKind::Grid => "grid",
        design::DesignKind::Lhs => "Latin hypercube",
        design::DesignKind::Epistemic => "epistemic",
    };
    println!(
        "sweep: {} points ({kind}) over {}",
        d.len(),
        d.params.join(", ")
    );
    // One line per point: its values and the probability of each outcome.
    let mut head = format!("{:>6}", "point");
    for p in &d.params {
        head.push_str(&format!(" {p:>12}"));
    }
    for o in &model.outcomes {
        head.push_str(&format!(" {o:>12}"));
    }
    println!("{head}");
    for (i, (values, outcomes)) in d.points.iter().zip(shown).enumerate() {
        let mut line = format!("{i:>6}");
        for v in values {
            line.push_str(&format!(
                " {:>12}",
                format!("{v:.6}")
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            ));
        }
        for p in outcomes {
            line.push_str(&format!(" {p:>12.4}"));
        }
        println!("{line}");
    }
    if d.len() > SHOWN_POINTS {
        println!("   ... {} more points in the files", d.len() - SHOWN_POINTS);
    }
}
