//! `rungs sweep`: a scenario at each point of a parameter design, one long table over all
//! points; or `--tornado` / `--importance` sensitivity tables.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::{Failure, RunOptions, default_out, load_scenario};
use crate::partial::{JobIdentity, Partial, file_name, parse_shard};
use crate::scenario::{Model, SweepSpec, Vary};
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
pub struct SweepArgs {
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

/// The default output folder of a sweep: `out/<stem>-sweep/`.
pub fn default_sweep_out(scenario: &Path) -> PathBuf {
    default_out_of_kind(scenario, "sweep")
}

/// `out/<stem>-<kind>/`: each kind of work has its own default folder, so that a tornado
/// and then an importance run of the same scenario do not replace each other's results.
fn default_out_of_kind(scenario: &Path, kind: &str) -> PathBuf {
    let d = default_out(scenario);
    let name = d
        .file_name()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    d.with_file_name(format!("{name}-{kind}"))
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
pub fn run(a: SweepArgs) -> Result<(), Failure> {
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
    if a.shard.is_none() {
        crate::output::check_out(&out, &[&a.scenario]).map_err(Failure::Usage)?;
    }
    let spec = spec(&model, &a)?;
    let (seed, runs, threads) = (a.opts.seed, a.opts.runs, a.opts.threads());
    let (start, clock) = (std::time::SystemTime::now(), std::time::Instant::now());
    let mut job = JobIdentity::new("sweep", &a.scenario, &bytes, seed, runs, &overrides);

    if a.tornado || a.importance {
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
            let bar = sweep::progress_bar(runs, a.opts.quiet, "runs");
            bar.set_message(format!("tornado, {} variants each", 2 * bars.len() + 1));
            let rows = tornado::run(&model, &bars, seed, runs, threads, &|d| bar.set_position(d))
                .map_err(|e| Failure::Run(e.to_string()))?;
            bar.finish_and_clear();
            let t = crate::output::Table {
                header: tornado::HEADER.iter().map(|s| s.to_string()).collect(),
                rows: rows.iter().map(tornado::cells).collect(),
            };
            files.push(("tornado.csv", t));
            if !a.opts.quiet {
                println!(
                    "tornado: {} parameter(s) x {} outcome(s), largest swings:",
                    bars.len(),
                    model.outcomes.len()
                );
                for r in rows.iter().take(8) {
                    println!(
                        "  {:<24} {:<16} p {} .. {}  swing {}",
                        r.parameter,
                        r.outcome,
                        fmt_p(r.p_low),
                        fmt_p(r.p_high),
                        fmt_p(r.swing)
                    );
                }
            }
            job.options.push(("tornado".into(), "true".into()));
        }
        if a.importance {
            // Each step blocked and forced, plus the base, all on the same runs.
            design::check_size(2 * model.steps.len() as u64 + 1, runs).map_err(Failure::Usage)?;
            let bar = sweep::progress_bar(runs, a.opts.quiet, "runs");
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
                    "importance: {} steps x {} outcomes",
                    model.steps.len(),
                    model.outcomes.len()
                );
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
                "importance": a.importance,
                "vary": a.vary,
            }),
        };
        sweep::write_files(&out, &files, &job, &how).map_err(failure)?;
        if !a.opts.quiet {
            println!("wrote {}", out.display());
        }
        crate::cli::report::after(&out, a.opts.report, a.opts.quiet);
        return Ok(());
    }

    let design = design::from_spec(&model, &spec, seed).map_err(Failure::Usage)?;
    job.options.push((
        "design".into(),
        serde_json::to_string(&design).map_err(|e| Failure::Run(e.to_string()))?,
    ));
    let quiet = a.opts.quiet;
    let total = design.len();
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
    let bar = sweep::progress_bar(points.len() as u64 * runs, quiet, "runs");
    bar.set_message(format!("{} points x {runs}", points.len()));
    let summaries = sweep::run_points(&model, &design, points, seed, runs, threads, &|d| {
        bar.set_position(d)
    })
    .map_err(failure)?;
    bar.finish_and_clear();
    if let Some((k, n, r)) = range {
        let partial = Partial {
            job,
            scenario_text: String::from_utf8_lossy(&bytes).into_owned(),
            shard: (k, n),
            covers: r.clone(),
            total: total as u64,
            payload: SweepPayload { design, summaries },
        };
        let path = out.join(file_name(k, n));
        sweep::write_partial(&path, &partial).map_err(failure)?;
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
    let files = sweep::tables::sweep_files(&model, &design, &summaries);
    let how = sweep::Written {
        threads,
        shards: 1,
        start,
        wall: clock.elapsed(),
        scenario_text: String::from_utf8_lossy(&bytes).into_owned(),
        options: serde_json::json!({ "design": design.describe() }),
    };
    sweep::write_files(&out, &files, &job, &how).map_err(failure)?;
    if !quiet {
        summary(&model, &design, &summaries);
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

fn summary(model: &Model, d: &Design, summaries: &[crate::stats::Summary]) {
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
    for (i, (values, s)) in d
        .points
        .iter()
        .zip(summaries)
        .enumerate()
        .take(SHOWN_POINTS)
    {
        let mut line = format!("{i:>6}");
        for v in values {
            line.push_str(&format!(
                " {:>12}",
                format!("{v:.6}")
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            ));
        }
        for o in &s.outcomes {
            line.push_str(&format!(" {:>12.4}", o.count as f64 / s.runs.max(1) as f64));
        }
        println!("{line}");
    }
    if d.len() > SHOWN_POINTS {
        println!("   ... {} more points in the files", d.len() - SHOWN_POINTS);
    }
}
