//! `rungs sweep`: a scenario at each point of a parameter design, one long table over all
//! points; or `--tornado` / `--importance` sensitivity tables.

use std::path::PathBuf;

use clap::Args;

use crate::cli::{
    Failure, RunOptions, default_out_of_kind, default_sweep_out, load_scenario, progress_bar,
};
use crate::output::{OutputDir, human};
use crate::partial::{JobIdentity, Partial, parse_shard};
use crate::scenario::{CheckedSpec, Model, ParamId, SweepSpec, Vary};
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
(common random numbers). See docs/sweeps.md.",
    mut_arg("runs", |a| a.help(
        "Number of Monte Carlo runs per point (per variant with --tornado and --importance)"
    ))
)]
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

/// The `--vary` flags, parsed, each parameter at most once.
fn vary_flags(model: &Model, a: &SweepArgs) -> Result<Vec<(ParamId, Vary)>, Failure> {
    let vary: Vec<(ParamId, Vary)> = a
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
    Ok(vary)
}

/// The design to run: the flags' (checked here, naming the flags at fault) or, with none,
/// the scenario's `[sweep]` table (checked when the scenario was loaded).
fn design_spec(model: &Model, a: &SweepArgs) -> Result<CheckedSpec, Failure> {
    let flags = SweepSpec {
        vary: vary_flags(model, a)?,
        lhs: a.lhs,
        epistemic: a.epistemic,
    };
    match &model.sweep {
        Some(table) if flags == SweepSpec::default() => Ok(table.clone()),
        // Without a table, the empty design says what to give.
        _ => design::check_flags(model, flags).map_err(Failure::Usage),
    }
}

/// What every mode of `rungs sweep` shares: the loaded scenario and the options.
struct Sweep {
    args: SweepArgs,
    model: Model,
    bytes: Vec<u8>,
    out: PathBuf,
    start: std::time::SystemTime,
    clock: std::time::Instant,
    job: JobIdentity,
    given: crate::engine::given::Given,
}

impl Sweep {
    /// How the folder was made, for its manifest (`options`: what changes the numbers).
    fn written(&self, options: serde_json::Value) -> sweep::Written {
        sweep::Written {
            threads: self.args.opts.threads(),
            shards: 1,
            start: self.start,
            wall: self.clock.elapsed(),
            scenario_text: String::from_utf8_lossy(&self.bytes).into_owned(),
            options,
            runs_drawn: None,
            extended_from: None,
        }
    }

    /// The last lines: the folder written, and its report if `--report` asks for one.
    fn done(&self) {
        if !self.args.opts.quiet {
            println!("wrote {}", self.out.display());
        }
        crate::cli::report::after(&self.out, self.args.opts.report, self.args.opts.quiet);
    }
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
    let (start, clock) = (std::time::SystemTime::now(), std::time::Instant::now());
    let mut job = JobIdentity::new(
        "sweep",
        &a.scenario,
        &bytes,
        a.opts.seed,
        a.opts.runs,
        &overrides,
    );
    crate::cli::forecast::identify(&mut job, &given);
    let s = Sweep {
        args: a,
        model,
        bytes,
        out,
        start,
        clock,
        job,
        given,
    };
    if s.args.tornado || s.args.importance {
        sensitivity(s)
    } else {
        let spec = design_spec(&s.model, &s.args)?;
        design_sweep(s, &spec)
    }
}

/// `--tornado` and/or `--importance`: probability-only runs of many variants, one folder.
fn sensitivity(mut s: Sweep) -> Result<(), Failure> {
    let a = &s.args;
    // The tornado's bars: the `--vary` ranges, or without flags the `[sweep]` table's.
    let vary = match &s.model.sweep {
        Some(table) if a.vary.is_empty() => table.vary.clone(),
        _ => vary_flags(&s.model, a)?,
    };
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
        let (table, ranked_by) = tornado_table(&s, &vary)?;
        files.push(("tornado.csv", table));
        s.job.options.push(("tornado_outcome".into(), ranked_by));
        s.job.options.push(("tornado".into(), "true".into()));
    }
    if s.args.importance {
        files.push(("importance.csv", importance_table(&s)?));
        s.job.options.push(("importance".into(), "true".into()));
    }
    let a = &s.args;
    let how = s.written(serde_json::json!({
        "tornado": a.tornado,
        "tornado_outcome": a.outcome,
        "importance": a.importance,
        "vary": a.vary,
    }));
    sweep::write_files(&s.out, &files, &s.job, &how).map_err(failure)?;
    s.done();
    Ok(())
}

/// `--tornado` over the parameters of `vary` and the drawn ones: the table, and the outcome
/// (or step) it ranks the parameters by.
fn tornado_table(
    s: &Sweep,
    vary: &[(ParamId, Vary)],
) -> Result<(crate::output::Table, String), Failure> {
    let (a, model) = (&s.args, &s.model);
    let (seed, runs) = (a.opts.seed, a.opts.runs);
    let bars = tornado::bars(model, vary, seed).map_err(Failure::Usage)?;
    // Two variants per bar plus the base, all on the same runs.
    design::check_size(2 * bars.len() as u64 + 1, runs).map_err(Failure::Usage)?;
    let bar = progress_bar(runs, a.opts.quiet, "runs");
    bar.set_message(format!("tornado, {} variants each", 2 * bars.len() + 1));
    let target = a
        .outcome
        .as_deref()
        .map(|id| tornado::Target::find(model, id))
        .transpose()
        .map_err(Failure::Usage)?;
    let t = tornado::run(model, &bars, target, seed, runs, a.opts.threads(), &|d| {
        bar.set_position(d)
    })
    .map_err(|e| Failure::Run(e.to_string()))?;
    bar.finish_and_clear();
    let table = crate::output::Table {
        header: tornado::HEADER.iter().map(|s| s.to_string()).collect(),
        rows: t.rows.iter().map(tornado::cells).collect(),
    };
    let ranked_by = t.target.id(model).to_string();
    if !a.opts.quiet {
        let why = if t.chosen {
            " (the rarest outcome; choose with --outcome)"
        } else {
            ""
        };
        let top: Vec<&tornado::Row> = t.rows.iter().filter(|r| r.outcome == ranked_by).collect();
        println!(
            "tornado: {} parameter(s), ranked by their swing on `{ranked_by}`{why}, \
             {runs} runs per variant; base {}:",
            bars.len(),
            top.first().map_or_else(String::new, |r| {
                human::share_ci(count_of(r.p_base, runs), runs)
                    .trim_start()
                    .to_string()
            })
        );
        let w = human::column_width(top.iter().take(8).map(|r| r.parameter.as_str()));
        for r in top.iter().take(8) {
            println!(
                "  {}  {:>7} to {:<7}  swing {}",
                human::cell(&r.parameter, w),
                fmt_p(r.p_low),
                fmt_p(r.p_high),
                fmt_p(r.swing)
            );
        }
    }
    Ok((table, ranked_by))
}

/// `--importance`: each step blocked and forced, plus the base, all on the same runs.
fn importance_table(s: &Sweep) -> Result<crate::output::Table, Failure> {
    let (a, model) = (&s.args, &s.model);
    let runs = a.opts.runs;
    design::check_size(2 * model.steps.len() as u64 + 1, runs).map_err(Failure::Usage)?;
    let bar = progress_bar(runs, a.opts.quiet, "runs");
    bar.set_message(format!(
        "importance, {} variants each",
        2 * model.steps.len() + 1
    ));
    let rows = importance::run(model, a.opts.seed, runs, a.opts.threads(), &|d| {
        bar.set_position(d)
    })
    .map_err(|e| Failure::Run(e.to_string()))?;
    bar.finish_and_clear();
    if !a.opts.quiet {
        println!(
            "importance: {} steps x {} outcomes, {runs} runs per variant; largest risk \
             achievement worth (RAW: p with the step forced / p as is):",
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
        top.truncate(8);
        let ws = human::column_width(top.iter().map(|r| r.step.as_str()));
        let wo = human::column_width(top.iter().map(|r| r.outcome.as_str()));
        for r in top {
            println!(
                "  {}  {}  p {:>7}  forced {:>7}  blocked {:>7}  RAW {:.2}  RRW {}",
                human::cell(&r.step, ws),
                human::cell(&r.outcome, wo),
                fmt_p(r.p_base),
                fmt_p(r.p_forced),
                fmt_p(r.p_blocked),
                r.raw.unwrap_or(f64::NAN),
                r.rrw.map_or_else(|| "-".into(), |v| format!("{v:.2}"))
            );
        }
    }
    Ok(crate::output::Table {
        header: importance::HEADER.iter().map(|s| s.to_string()).collect(),
        rows: rows.iter().map(importance::cells).collect(),
    })
}

/// A design of points: each point a full run of the scenario; sharded, or streamed into
/// the folder point by point.
fn design_sweep(mut s: Sweep, spec: &CheckedSpec) -> Result<(), Failure> {
    let (seed, runs) = (s.args.opts.seed, s.args.opts.runs);
    let design = design::build(&s.model, spec, seed).map_err(Failure::Usage)?;
    s.job.options.push((
        "design".into(),
        serde_json::to_string(&design).map_err(|e| Failure::Run(e.to_string()))?,
    ));
    if let Some(rule) = s.args.precision.rule(&s.model)? {
        let sweep = crate::cli::forecast::PreciseSweep {
            model: &s.model,
            design: &design,
            text: &s.bytes,
            out: &s.out,
            seed,
            threads: s.args.opts.threads(),
            given: &s.given,
            start: s.start,
            clock: s.clock,
        };
        return crate::cli::forecast::precise_sweep(&s.args, sweep, &rule, s.job);
    }
    design::check_size(design.len() as u64, runs).map_err(Failure::Usage)?;
    match &s.args.shard {
        Some(shard) => {
            let (k, n) = parse_shard(shard).map_err(Failure::Usage)?;
            shard_sweep(s, design, k, n)
        }
        None => streamed_sweep(s, design),
    }
}

/// One bar over every run of every point this process computes.
fn points_bar(s: &Sweep, points: usize) -> indicatif::ProgressBar {
    let runs = s.args.opts.runs;
    let bar = progress_bar(points as u64 * runs, s.args.opts.quiet, "runs");
    bar.set_message(format!("{points} points x {runs}"));
    bar
}

/// Shard `k` of `n` of the points: their summaries into the shard's partial file. Memory
/// grows with the points per shard (docs/sweeps.md), so a huge design wants more shards.
fn shard_sweep(s: Sweep, design: Design, k: u64, n: u64) -> Result<(), Failure> {
    let total = design.len();
    let r = crate::engine::many::shard_blocks(total as u64, k, n);
    let points = r.start as usize..r.end as usize;
    let bar = points_bar(&s, points.len());
    let mut summaries = Vec::with_capacity(points.len());
    let o = &s.args.opts;
    let job = sweep::Points {
        base: &s.model,
        design: &design,
        range: points,
        seed: o.seed,
        runs: o.runs,
        threads: o.threads(),
        given: &s.given,
    };
    let drawn = sweep::run_points(&job, &|d| bar.set_position(d), &mut |_, summary| {
        summaries.push(summary);
        Ok(())
    })
    .map_err(run_failure(&s.args))?;
    bar.finish_and_clear();
    let partial = Partial {
        job: s.job,
        scenario_text: String::from_utf8_lossy(&s.bytes).into_owned(),
        shard: (k, n),
        covers: r.clone(),
        total: total as u64,
        payload: SweepPayload {
            design,
            summaries,
            drawn,
        },
    };
    let path = crate::partial::write(&s.out, &partial).map_err(Failure::Run)?;
    if !s.args.opts.quiet {
        println!(
            "shard {k}/{n}: points {}..{} of {total}; wrote {}",
            r.start,
            r.end,
            path.display()
        );
    }
    Ok(())
}

/// Every point, each point's rows going to the files as soon as it is done, and its
/// blocks to extend.jsonl (for `rungs extend`).
fn streamed_sweep(s: Sweep, design: Design) -> Result<(), Failure> {
    let model = &s.model;
    let bar = points_bar(&s, design.len());
    let dir = OutputDir::create(&s.out)?;
    let mut writer = SweepWriter::create(&dir, model, &design)?;
    let mut states = sweep::state::StateWriter::create(&dir, &state_head(&s, &design))?;
    let mut shown: Vec<Vec<u64>> = Vec::new();
    // An epistemic sweep's point of view is its spread: every point's outcome probabilities.
    let epistemic = design.kind == design::DesignKind::Epistemic;
    let mut spread: Vec<Vec<f64>> = vec![Vec::new(); model.outcomes.len()];
    let o = &s.args.opts;
    let points = sweep::Points {
        base: model,
        design: &design,
        range: 0..design.len(),
        seed: o.seed,
        runs: o.runs,
        threads: o.threads(),
        given: &s.given,
    };
    let mut drawn = 0u64;
    sweep::run_points_from(
        &points,
        0,
        &mut |_| Ok(crate::forecast::RunState::default()),
        &|d| bar.set_position(d),
        &mut |p, state| {
            let summary = states.keep(model, p, state, &mut drawn)?;
            writer.add(model, p, &summary)?;
            let n = summary.runs.max(1) as f64;
            let ps: Vec<f64> = summary
                .outcomes
                .iter()
                .map(|o| o.count as f64 / n)
                .collect();
            if epistemic {
                for (v, p) in spread.iter_mut().zip(&ps) {
                    v.push(*p);
                }
            }
            if shown.len() < SHOWN_POINTS {
                shown.push(summary.outcomes.iter().map(|o| o.count).collect());
            }
            Ok(())
        },
    )
    .map_err(run_failure(&s.args))?;
    bar.finish_and_clear();
    writer.finish()?;
    states.finish()?;
    let mut how = s.written(serde_json::json!({ "design": design.describe() }));
    how.runs_drawn = (!s.given.is_empty()).then_some(drawn);
    sweep::commit_folder(dir, &s.job, &how).map_err(failure)?;
    if !s.args.opts.quiet {
        if !s.given.is_empty() {
            let agreeing = design.len() as u64 * o.runs;
            println!(
                "{}",
                crate::cli::forecast::news_line(&s.given, agreeing, drawn)
            );
        }
        summary(model, &design, &shown, o.runs);
        if epistemic {
            print_spread(model, design.len(), &mut spread);
        }
    }
    s.done();
    Ok(())
}

/// The first line of a sweep's extend.jsonl: the job and its scenario, over the points.
fn state_head(s: &Sweep, design: &Design) -> Partial<sweep::state::Head> {
    let points = design.len() as u64;
    Partial {
        job: s.job.clone(),
        scenario_text: String::from_utf8_lossy(&s.bytes).into_owned(),
        shard: (0, 1),
        covers: 0..points,
        total: points,
        payload: sweep::state::Head { points },
    }
}

/// The spread of each outcome's probability over the `points` of an epistemic sweep
/// (`spread`: one vector of probabilities per outcome; sorted here).
fn print_spread(model: &Model, points: usize, spread: &mut [Vec<f64>]) {
    println!(
        "Spread over the {points} points of each outcome's probability (the median, and the \
         middle 90% of the points):"
    );
    let w = human::column_width(model.outcomes.iter().map(String::as_str));
    for (o, v) in model.outcomes.iter().zip(spread) {
        v.sort_by(f64::total_cmp);
        let q = |x| fmt_p(tornado::quantile_sorted(v, x));
        let spread = human::with_interval(&q(0.5), "90% of points", &q(0.05), &q(0.95));
        println!("  {}  {spread}", human::cell(o, w));
    }
}

/// A probability as every summary prints it (a percentage).
fn fmt_p(p: f64) -> String {
    human::percent(p)
}

/// The count of runs behind a probability `p` of `runs` runs (`p` is a count divided by
/// `runs`, so the rounding recovers it exactly).
fn count_of(p: f64, runs: u64) -> u64 {
    (p * runs as f64).round() as u64
}

/// Points shown on stdout at most; the files have all of them.
const SHOWN_POINTS: usize = 12;

/// The sweep's lines on stdout: the design, then the outcome probabilities of the first
/// [`SHOWN_POINTS`] points (`shown`, the outcome counts of each point in `runs` runs), each
/// as `rungs run` prints them.
fn summary(model: &Model, d: &Design, shown: &[Vec<u64>], runs: u64) {
    let kind = match d.kind {
        design::DesignKind::Grid => "grid",
        design::DesignKind::Lhs => "Latin hypercube",
        design::DesignKind::Epistemic => "epistemic",
    };
    println!(
        "sweep: {} points ({kind}) over {}; {runs} runs per point",
        d.len(),
        d.params.join(", ")
    );
    let w = human::column_width(model.outcomes.iter().map(String::as_str));
    for (i, (values, counts)) in d.points.iter().zip(shown).enumerate() {
        // The point's values, then one line per outcome as in `rungs run`'s summary.
        let values: Vec<String> = d
            .params
            .iter()
            .zip(values)
            .map(|(p, v)| {
                let v = format!("{v:.6}");
                format!("{p} = {}", v.trim_end_matches('0').trim_end_matches('.'))
            })
            .collect();
        println!("Point {i}: {}", values.join(", "));
        for (o, &k) in model.outcomes.iter().zip(counts) {
            println!("  {}  {}", human::cell(o, w), human::share_ci(k, runs));
        }
    }
    if d.len() > SHOWN_POINTS {
        println!("... {} more points in the files", d.len() - SHOWN_POINTS);
    }
}
