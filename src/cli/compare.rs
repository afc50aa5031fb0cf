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
much narrower than that of two independent runs. See docs/sweeps.md.",
    mut_arg("set", |a| a.help(
        "Replaces a parameter by a fixed value in both A and B, e.g. `--set dprk_troops=20000` \
         (repeatable; to change one side only, edit its file)"
    ))
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
            extended_from: None,
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
        print_summary(&a, &rows);
        println!("wrote {}", out.join("compare.csv").display());
    }
    crate::cli::report::after(&out, a.opts.report, a.opts.quiet);
    Ok(())
}

/// The summary on stdout: which files are A and B (and what `--set` changed in them), then
/// each outcome and the steps that changed most, as A's and B's probabilities and the
/// paired difference with its interval, in [`crate::output::human`]'s words, in columns as
/// wide as their widest cell.
fn print_summary(a: &CompareArgs, rows: &[compare::Row]) {
    use crate::output::human::{
        CI95, NUMBER_WIDTH, cell, change_interval, column_width, percent, percent_change,
        terminal_text,
    };
    const TITLES: [&str; 2] = ["Outcomes:", "Largest step changes:"];
    let path = |p: &Path| terminal_text(&p.display().to_string(), 200);
    println!(
        "A = {} (the baseline), B = {}; {} paired runs (common random numbers)",
        path(&a.a),
        path(&a.b),
        a.opts.runs
    );
    if !a.opts.set.is_empty() {
        let set: Vec<String> = a.opts.set.iter().map(|s| terminal_text(s, 200)).collect();
        println!("--set {} changes both A and B", set.join(", "));
    }
    let outcomes: Vec<&compare::Row> = rows
        .iter()
        .filter(|r| r.kind == compare::ItemKind::Outcome)
        .collect();
    let mut steps: Vec<&compare::Row> = rows
        .iter()
        .filter(|r| r.kind != compare::ItemKind::Outcome && r.diff != 0.0)
        .collect();
    // Largest changes first; ties in file order (the sort is stable).
    steps.sort_by(|x, y| y.diff.abs().total_cmp(&x.diff.abs()));
    steps.truncate(5);
    let cells = |r: &compare::Row| {
        [
            percent(r.p_a),
            percent(r.p_b),
            percent_change(r.diff),
            r.ci.map_or_else(String::new, change_interval),
        ]
    };
    let shown: Vec<(&str, [String; 4])> = outcomes
        .iter()
        .chain(&steps)
        .map(|r| (r.id.as_str(), cells(r)))
        .collect();
    // One width per column over both blocks, so that every column lines up however long
    // the ids and the numbers (the titles, two characters left of the ids, fit too).
    let width = column_width(shown.iter().map(|(id, _)| *id)).max(TITLES[1].len() - 2);
    let w: Vec<usize> = (0..3)
        .map(|k| {
            shown
                .iter()
                .map(|(_, c)| c[k].chars().count())
                .fold(NUMBER_WIDTH, usize::max)
        })
        .collect();
    let line = |(id, c): &(&str, [String; 4])| {
        let row = format!(
            "  {}  {:>w0$}  {:>w1$}  {:>w2$}  {}",
            cell(id, width),
            c[0],
            c[1],
            c[2],
            c[3],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        );
        println!("{}", row.trim_end());
    };
    let head = |title: &str| {
        println!(
            "{}  {:>w0$}  {:>w1$}  {:>w2$}  ({CI95} of the paired difference)",
            cell(title, width + 2),
            "A",
            "B",
            "B - A",
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        );
    };
    head(TITLES[0]);
    shown[..outcomes.len()].iter().for_each(line);
    if steps.is_empty() {
        println!("No step or branch probability changed.");
    } else {
        head(TITLES[1]);
        shown[outcomes.len()..].iter().for_each(line);
    }
}
