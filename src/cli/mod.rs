//! The command line: one module per command, clap derive, one error type that knows its exit
//! status (0 success, 1 failure while running, 2 bad usage or bad scenario).

mod check;
mod compare;
mod extend;
mod extend_sweep;
mod forecast;
mod graph;
mod merge;
mod report;
mod run;
mod sweep;
mod trace;
mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::diag::Diagnostics;
use crate::output::{ConditionalRows, Manifest, OutputDir};
use crate::scenario::Model;
use crate::scenario::source::{LoadError, Overrides, load_with_overrides};
use crate::stats::{BlockTree, Summary};

/// The seed used when `--seed` is not given, so that the same command gives the same numbers.
pub(crate) const DEFAULT_SEED: u64 = 20241101;

/// Runs when `--runs` is not given.
pub(crate) const DEFAULT_RUNS: u64 = 10_000;

#[derive(Parser, Debug)]
#[command(
    name = "rungs",
    version,
    about = "Escalation scenario simulator: Monte Carlo runs of an escalation ladder, statistics as CSV",
    long_about = "Escalation scenario simulator.\n\nWrite a scenario file (TOML) of actors, uncertain parameters and escalation steps; \
`rungs run` samples many runs of it, deterministically and in parallel, and writes CSV statistics \
(probabilities with intervals, timing quantiles, outcomes, rungs, timelines, state).\n\n\
Start with:\n  rungs validate scenarios/dprk-kursk.toml\n  rungs run scenarios/dprk-kursk.toml\n\n\
The scenario language is described in docs/scenario-language.md; the outputs in docs/outputs.md.",
    after_help = "Exit status: 0 success, 1 failure while running, 2 bad usage or bad scenario."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Monte Carlo runs of one scenario, statistics as CSV files.
    Run(run::RunArgs),
    /// Runs a scenario at each point of a parameter design; one table over all points.
    Sweep(sweep::SweepArgs),
    /// Loads, checks and compiles scenarios; prints a summary and any warnings.
    Validate(validate::ValidateArgs),
    /// Draws the ladder as a graph (Graphviz dot or Mermaid).
    Graph(graph::GraphArgs),
    /// Combines the partial results of shards into the final CSV files.
    Merge(merge::MergeArgs),
    /// Replays one run and prints its events in time order with the draws behind them.
    Trace(trace::TraceArgs),
    /// Runs two variants of a scenario on common random numbers and compares them.
    Compare(compare::CompareArgs),
    /// Runs the `[[checks]]` of scenarios: ok, FAIL or undecided, one line each.
    Check(check::CheckArgs),
    /// Draws a finished output folder: report.html (charts, no script) and report.xlsx.
    Report(report::ReportArgs),
    /// Tops a finished run folder up to more runs: the bytes of a fresh run of that many.
    Extend(extend::ExtendArgs),
}

/// Options shared by the commands that run a scenario.
#[derive(Args, Debug, Clone)]
pub(crate) struct RunOptions {
    /// Number of Monte Carlo runs.
    #[arg(long, default_value_t = DEFAULT_RUNS, value_name = "N")]
    pub runs: u64,
    /// Random seed: the same seed, scenario, overrides and run count give the same bytes.
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "S")]
    pub seed: u64,
    /// Worker threads (default: all cores; at most 256). Never changes the numbers.
    #[arg(long, value_name = "T", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Replaces a parameter by a fixed value, e.g. `--set dprk_troops=20000` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// No progress bar and no summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also draw the results at the end: report.html and report.xlsx in the output folder,
    /// as `rungs report DIR` writes them.
    #[arg(long)]
    pub report: bool,
}

impl RunOptions {
    /// The thread count to use.
    pub(crate) fn threads(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .clamp(1, MAX_THREADS)
    }
}

/// The most worker threads `--threads` accepts: far more than any machine rungs runs on has
/// cores, and few enough that a typo (`--threads 100000`) cannot spawn thousands of threads.
pub(crate) const MAX_THREADS: usize = 256;

fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Ok(_) => Err(format!(
            "the thread count must be 1 to {MAX_THREADS} (the numbers never depend on it; \
             more threads than cores only adds overhead)"
        )),
        Err(_) => Err(format!("`{s}` is not a whole number")),
    }
}

/// Why a command failed, and so its exit status.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Bad usage: exit 2.
    Usage(String),
    /// A scenario file with errors: exit 2.
    Scenario(Box<Diagnostics>),
    /// Failure while running (run-time error, I/O): exit 1.
    Run(String),
    /// `rungs check`: a check failed or could not be decided (exit 1; its line is printed).
    Checks,
}

impl Failure {
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) | Failure::Scenario(_) => 2,
            Failure::Run(_) | Failure::Checks => 1,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Run(e.to_string())
    }
}

/// What a closed or full stdout does to rungs. A reader that stops early (`rungs trace ... |
/// head -1`) ends rungs quietly, as it does `cat` or `grep`: SIGPIPE keeps its default action,
/// which Rust turns off. Any other failure to write stdout (`> /dev/full`) is one line on
/// stderr and exit 1, where Rust's `println!` would panic.
fn handle_stdout_failures() {
    // SAFETY: restoring a signal's default disposition before any thread is started.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if let Some(why) = message.strip_prefix("failed printing to stdout: ") {
            let _ = writeln!(std::io::stderr(), "error: cannot write to stdout: {why}");
            std::process::exit(1);
        }
        default(info);
    }));
}

/// Parses the command line, runs the command, and returns the exit code.
pub fn main() -> ExitCode {
    handle_stdout_failures();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Sweep(a) => sweep::run(a),
        Command::Validate(a) => validate::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Merge(a) => merge::run(a),
        Command::Trace(a) => trace::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Check(a) => check::run(a),
        Command::Report(a) => report::run(a),
        Command::Extend(a) => extend::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let mut err = std::io::stderr().lock();
            let _ = match &f {
                Failure::Usage(m) => writeln!(err, "error: {m}"),
                Failure::Scenario(d) => write!(err, "{d}").and_then(|_| {
                    let n = d.error_count();
                    writeln!(
                        err,
                        "\n{n} error{} in {}; nothing was written",
                        if n == 1 { "" } else { "s" },
                        d.file
                    )
                }),
                Failure::Run(m) => writeln!(err, "error: {m}\nnothing was written"),
                Failure::Checks => Ok(()),
            };
            ExitCode::from(f.exit_code())
        }
    }
}

/// A progress bar on stderr over `len` units of work (`unit`: "runs"), drawn only for a
/// person watching: hidden with `--quiet` and when stderr is not a terminal (a file, a pipe,
/// a batch job). The one bar of every command.
pub(crate) fn progress_bar(len: u64, quiet: bool, unit: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit}  {{msg}}  {{per_sec}}  eta {{eta}}");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// Loads a scenario with its `--set` overrides ([`crate::scenario::source`]): a file that
/// cannot be read or a bad override is bad usage, a file with errors prints its diagnostics.
/// Returns the model, the file's bytes (for hashing) and the parsed overrides.
///
/// With `warn`, the warnings `rungs validate` would print (steps that can never happen,
/// unused parameters, ...) go to stderr: a run of a scenario with a dead step should say so.
pub(crate) fn load_scenario(
    path: &Path,
    sets: &[String],
    warn: bool,
) -> Result<(Model, Vec<u8>, Overrides), Failure> {
    let loaded = load_with_overrides(path, sets).map_err(|e| match e {
        LoadError::Read(m) | LoadError::Override(m) => Failure::Usage(m),
        LoadError::Scenario(d) => Failure::Scenario(d),
    })?;
    if warn && !loaded.warnings.items.is_empty() {
        eprint!("{}", loaded.warnings);
        eprintln!("(the run goes on; `rungs validate` shows these warnings too)");
    }
    Ok((loaded.model, loaded.bytes, loaded.overrides))
}

/// Why a scenario gets no conditional.csv (it is too large for its counts).
fn too_large_for_conditional(model: &Model) -> String {
    format!(
        "conditional.csv is not written: its counts for {} steps and branches and {} outcomes \
         would be more than rungs keeps ({} per summary; see docs/outputs.md)",
        model.nodes.len(),
        model.outcomes.len(),
        crate::stats::conditional::MAX_CONDITIONAL_CELLS
    )
}

/// The rows of conditional.csv (`--conditional`, default [`ConditionalRows::default`]).
/// Asking for them explicitly for a scenario too large for its counts is bad usage; by
/// default such a scenario just gets none (and a note).
pub(crate) fn conditional_rows(
    model: &Model,
    asked: Option<ConditionalRows>,
) -> Result<ConditionalRows, Failure> {
    let fits = crate::stats::conditional::fits(model.nodes.len(), model.outcomes.len().max(1));
    match asked {
        Some(rows) if rows != ConditionalRows::Off && !fits => Err(Failure::Usage(format!(
            "--conditional {rows}: {}; use --conditional off",
            too_large_for_conditional(model)
        ))),
        Some(rows) => Ok(rows),
        None => Ok(ConditionalRows::default()),
    }
}

/// The default output folder: `out/<scenario file stem>/`.
pub(crate) fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from("out").join(stem)
}

/// The default output folder of a sweep: `out/<stem>-sweep/`.
pub(crate) fn default_sweep_out(scenario: &Path) -> PathBuf {
    default_out_of_kind(scenario, "sweep")
}

/// `out/<stem>-<kind>/`: each kind of work has its own default folder, so that a tornado
/// and then an importance run of the same scenario do not replace each other's results.
pub(crate) fn default_out_of_kind(scenario: &Path, kind: &str) -> PathBuf {
    let d = default_out(scenario);
    let name = d
        .file_name()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    d.with_file_name(format!("{name}-{kind}"))
}

/// Writes the CSVs and the manifest of a finished job into `dir`, commits it, and prints the
/// human summary. Shared by `run` and `merge`, so both write the same bytes.
pub(crate) fn finish_run(
    model: &Model,
    tree: BlockTree<Summary>,
    dir: OutputDir,
    manifest: &Manifest,
    paths: usize,
    conditional: ConditionalRows,
    quiet: bool,
) -> Result<(), Failure> {
    let summary = tree
        .finish()
        .ok_or_else(|| Failure::Run("internal error: no runs to summarise".into()))?;
    crate::output::write_run_outputs(&dir, model, &summary, paths)?;
    let wrote = crate::output::write_conditional(&dir, model, &summary, conditional)?;
    if !wrote && conditional != ConditionalRows::Off && !quiet {
        eprintln!("note: {}", too_large_for_conditional(model));
    }
    crate::output::write_manifest(&dir, manifest)?;
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
        print!("{}", crate::output::human_summary(model, &summary));
        println!("files in {}/", out.display());
    }
    Ok(())
}
