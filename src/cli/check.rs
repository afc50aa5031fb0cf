//! `rungs check`: runs the `[[checks]]` of scenarios and prints one line per check.

use std::path::PathBuf;

use clap::Args;

use crate::check::decide::{CheckError, Settings, Status, Verdict, run_checks_given, total_runs};
use crate::cli::{DEFAULT_SEED, Failure, load_scenario, parse_threads};

/// Arguments of `rungs check`.
#[derive(Args, Debug)]
#[command(
    after_help = "Each line is `ok`, `FAIL` or `undecided`, the claim, what it expects, \
and the evidence: the estimate with its 99% interval, or the exact count. `undecided` means the \
interval straddles the claimed bound: raise `runs` in the check or `--runs`. \
Exit status: 0 every check ok, 1 any FAIL or undecided, 2 bad usage or bad scenario. \
See docs/checks.md.\n\nExamples:\n  rungs check scenarios/textbook.toml\n  \
rungs check scenarios/dprk-kursk.toml --set dprk_troops=20000 --runs 100000"
)]
pub struct CheckArgs {
    /// Scenario files whose checks to run.
    #[arg(required = true, value_name = "SCENARIO")]
    pub files: Vec<PathBuf>,
    /// Runs of every check (default: each check's `runs`, else 20000).
    #[arg(long, value_name = "N")]
    pub runs: Option<u64>,
    /// Seed of every check (default: each check's `seed`, else the default seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores; at most 256). Never changes a verdict.
    #[arg(long, value_name = "T", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Replaces a parameter by a fixed value in every check, as in `rungs run` (a check's
    /// `vary` still sets its own parameter).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Only the lines of checks that are not ok, and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub given: crate::cli::forecast::GivenArgs,
}

/// Runs the command.
pub fn run(args: CheckArgs) -> Result<(), Failure> {
    if args.runs == Some(0) {
        return Err(Failure::Usage("--runs must be at least 1".into()));
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, super::MAX_THREADS);
    let settings = Settings {
        runs: args.runs,
        seed: args.seed,
        default_seed: DEFAULT_SEED,
        threads,
    };
    // Load every file first: a bad file is exit 2 before anything runs.
    let mut models = Vec::new();
    for path in &args.files {
        let (model, _, _) = load_scenario(path, &args.set, !args.quiet)?;
        let given = args.given.load(&model)?;
        models.push((path, model, given));
    }
    let mut all_ok = true;
    for (path, model, given) in &models {
        let file = path.display().to_string();
        if model.checks.is_empty() {
            if !args.quiet {
                println!("{file}: no [[checks]]");
            }
            continue;
        }
        if !args.quiet && !given.is_empty() {
            println!(
                "{file}: given {}: every check counts only the runs that agree",
                given.texts().join(", ")
            );
        }
        let bar = crate::cli::progress_bar(total_runs(model, &settings), args.quiet, "runs");
        let verdicts = run_checks_given(model, &settings, given, &|d| bar.set_position(d))
            .map_err(|e| {
                bar.finish_and_clear();
                match e {
                    CheckError::Run { error, set } => {
                        let mut sets = args.set.clone();
                        sets.extend(set);
                        Failure::Run(error.reproduce(&file, &sets))
                    }
                    other => Failure::Run(other.to_string()),
                }
            })?;
        bar.finish_and_clear();
        let mut counts = [0usize; 3];
        for (check, v) in model.checks.iter().zip(&verdicts) {
            counts[match v.status {
                Status::Ok => 0,
                Status::Fail => 1,
                Status::Undecided => 2,
            }] += 1;
            if args.quiet && v.status == Status::Ok {
                continue;
            }
            println!("{}", line(&file, &args.set, &check.claim, &check.expect, v));
        }
        all_ok &= counts[0] == verdicts.len();
        if !args.quiet {
            println!(
                "{file}: {} check{}: {} ok, {} FAIL, {} undecided",
                verdicts.len(),
                if verdicts.len() == 1 { "" } else { "s" },
                counts[0],
                counts[1],
                counts[2]
            );
        }
    }
    if all_ok { Ok(()) } else { Err(Failure::Checks) }
}

/// One check's line: verdict, claim, expectation, evidence (and what to do next).
fn line(file: &str, sets: &[String], claim: &str, expect: &str, v: &Verdict) -> String {
    // A claim is one line of text: a newline in it would break the one-line-per-check rule.
    let claim: String = claim.split_whitespace().collect::<Vec<_>>().join(" ");
    let expect: String = expect.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = format!(
        "{:<9}  {claim} | {expect} | {}",
        v.status.as_str(),
        v.evidence
    );
    match v.status {
        Status::Undecided => {
            out += "; raise runs";
            if let Some(n) = v.suggest_runs {
                out += &format!(" (about {n} would likely decide it)");
            }
        }
        Status::Fail => {
            if let Some(run) = v.example_run {
                let mut cmd = format!("rungs trace {file} --run {run} --seed {}", v.seed);
                for s in sets {
                    cmd += &format!(" --set {s}");
                }
                out += &format!("; the first such run: {cmd}");
            }
        }
        Status::Ok => {}
    }
    out
}
