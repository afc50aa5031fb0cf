//! `rungs compare A.toml B.toml`: two variants of a scenario on common random numbers.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::{Failure, RunOptions, default_out, load_scenario};
use crate::partial::JobIdentity;
use crate::sweep::{self, SweepError, compare};

/// Arguments of `rungs compare`.
#[derive(Args, Debug)]
#[command(
    after_help = "Run i of A and run i of B use the same random draws wherever the files \
agree (draws are addressed by seed, run and the id of the step or parameter), so the difference \
is the effect of the edit, not sampling noise: its interval comes from the paired runs and is \
much narrower than that of two independent runs. See docs/sweeps.md."
)]
pub(crate) struct CompareArgs {
    /// The first variant (the baseline).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second variant.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    #[command(flatten)]
    pub opts: RunOptions,
    #[command(flatten)]
    pub given: crate::cli::forecast::GivenArgs,
    /// Output folder (default: out/<A stem>-vs-<B stem>/). rungs replaces only a folder it wrote itself (its manifest.json, nothing added): a folder holding anything else, an input of the command, or the working folder or an ancestor of it is refused (exit 2), never deleted.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// Runs `rungs compare`.
pub(crate) fn run(a: CompareArgs) -> Result<(), Failure> {
    if a.opts.runs == 0 {
        return Err(Failure::Usage("--runs must be at least 1".into()));
    }
    let (ma, bytes_a, overrides) = load_scenario(&a.a, &a.opts.set, !a.opts.quiet)?;
    let (mb, bytes_b, _) = load_scenario(&a.b, &a.opts.set, !a.opts.quiet)?;
    let out = a.out.clone().unwrap_or_else(|| {
        default_out(&a.a).with_file_name(format!("{}-vs-{}", stem(&a.a), stem(&a.b)))
    });
    // The news, compiled against each variant: an observed step must be in both.
    let in_file = |f: &Path, e: Failure| match e {
        Failure::Usage(m) => Failure::Usage(format!("{}: {m}", f.display())),
        other => other,
    };
    let given_a = a.given.load(&ma).map_err(|e| in_file(&a.a, e))?;
    let given_b = a.given.load(&mb).map_err(|e| in_file(&a.b, e))?;
    let mut inputs = vec![a.a.as_path(), a.b.as_path()];
    inputs.extend(a.given.inputs());
    crate::output::check_out(&out, &inputs).map_err(Failure::Usage)?;
    let (seed, runs, threads) = (a.opts.seed, a.opts.runs, a.opts.threads());
    let (start, clock) = (std::time::SystemTime::now(), std::time::Instant::now());
    let items = compare::items(&ma, &mb);
    // One bar over the paired runs (each run of A with its twin of B).
    let bar = crate::cli::progress_bar(runs, a.opts.quiet, "paired runs");
    let progress = |d| bar.set_position(d);
    let (rows, news) = if given_a.is_empty() {
        let paired = compare::run_paired(&ma, &mb, &items, seed, runs, threads, &progress)
            .map_err(|e| Failure::Run(e.to_string()))?;
        (compare::rows(&items, &paired), None)
    } else {
        let given = (&given_a, &given_b);
        let c = compare::run_paired_given(&ma, &mb, &items, seed, runs, threads, given, &progress)
            .map_err(|e| Failure::Run(e.to_string()))?;
        (compare::rows_given(&items, &c), Some(c))
    };
    bar.finish_and_clear();
    let table = crate::output::Table {
        header: compare::HEADER.iter().map(|s| s.to_string()).collect(),
        rows: rows.iter().map(compare::cells).collect(),
    };
    let mut job = JobIdentity::new("compare", &a.a, &bytes_a, seed, runs, &overrides);
    crate::cli::forecast::identify(&mut job, &given_a);
    job.options
        .push(("b_path".into(), a.b.display().to_string()));
    job.options
        .push(("b_sha256".into(), crate::partial::sha256_hex(&bytes_b)));
    sweep::write_files(
        &out,
        &[("compare.csv", table)],
        &job,
        &sweep::Written {
            threads,
            shards: 1,
            start,
            wall: clock.elapsed(),
            options: serde_json::json!({
                "b_path": a.b.display().to_string(),
                "b_sha256": crate::partial::sha256_hex(&bytes_b),
                "b_text": String::from_utf8_lossy(&bytes_b),
            }),
            scenario_text: String::from_utf8_lossy(&bytes_a).into_owned(),
            runs_drawn: news.as_ref().map(|c| c.drawn),
        },
    )
    .map_err(|e| match e {
        SweepError::Usage(m) => Failure::Usage(m),
        SweepError::Run(m) => Failure::Run(m),
    })?;
    if !a.opts.quiet {
        if let Some(c) = &news {
            let rate = |n: u64| crate::forecast::acceptance(n, c.drawn);
            println!("given {}:", given_a.texts().join(", "));
            println!("  A: {}", rate(c.na));
            println!("  B: {}", rate(c.nb));
        }
        print_summary(&a.a, &a.b, runs, &rows);
        println!("wrote {}", out.join("compare.csv").display());
    }
    crate::cli::report::after(&out, a.opts.report, a.opts.quiet);
    Ok(())
}

fn print_summary(a: &Path, b: &Path, runs: u64, rows: &[compare::Row]) {
    let iv = |r: &compare::Row| {
        r.ci.map_or(String::new(), |(l, h)| format!("[{l:+.4}, {h:+.4}]"))
    };
    println!(
        "A = {}, B = {}; {runs} paired runs (common random numbers)",
        a.display(),
        b.display()
    );
    println!("outcomes:              p_a     p_b     diff     95% interval");
    let line = |r: &compare::Row| {
        println!(
            "  {:<18} {:.4}  {:.4}  {:+.4}  {}",
            r.id,
            r.p_a,
            r.p_b,
            r.diff,
            iv(r)
        )
    };
    for r in rows.iter().filter(|r| r.kind == compare::ItemKind::Outcome) {
        line(r);
    }
    let mut steps: Vec<&compare::Row> = rows
        .iter()
        .filter(|r| r.kind != compare::ItemKind::Outcome && r.diff != 0.0)
        .collect();
    // Largest changes first; ties in file order (the sort is stable).
    steps.sort_by(|x, y| y.diff.abs().total_cmp(&x.diff.abs()));
    if steps.is_empty() {
        println!("no step or branch probability changed");
    } else {
        println!("largest step changes:");
        for r in steps.iter().take(5) {
            line(r);
        }
    }
}
