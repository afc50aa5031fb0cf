//! `rungs report DIR`: report.html and report.xlsx from a finished output folder.

use std::path::PathBuf;

use clap::Args;

use crate::cli::Failure;

/// Arguments of `rungs report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A folder written by `rungs run`, `sweep`, `compare` or `merge`.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Steps (ids, comma-separated) whose timeline and sweep curves are drawn (default: the
    /// first step of each rung).
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub steps: Vec<String>,
    /// The outcome of the tornado chart (default: the rarest outcome other than horizon).
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: Option<String>,
    /// Write only report.html, no report.xlsx.
    #[arg(long)]
    pub no_xlsx: bool,
    /// Print nothing on success.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Writes the report of `args.dir`.
pub fn run(args: ReportArgs) -> Result<(), Failure> {
    let options = crate::report::Options {
        steps: args
            .steps
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        outcome: args.outcome.clone(),
        xlsx: !args.no_xlsx,
    };
    write(&args.dir, &options, args.quiet)
}

/// Writes the report of `dir` and, unless `quiet`, says what was written.
pub fn write(
    dir: &std::path::Path,
    options: &crate::report::Options,
    quiet: bool,
) -> Result<(), Failure> {
    let w = crate::report::write(dir, options).map_err(|e| match e {
        crate::report::Error::Usage(m) => Failure::Usage(m),
        crate::report::Error::Io(m) => Failure::Run(m),
    })?;
    if !quiet {
        println!(
            "wrote {} ({} kB)",
            w.html.0.display(),
            w.html.1.div_ceil(1024)
        );
        if let Some((p, n)) = &w.xlsx {
            println!("wrote {} ({} kB)", p.display(), n.div_ceil(1024));
        }
    }
    Ok(())
}

/// The end of `rungs run/sweep/compare ... --report`: the report of the folder just written.
/// The results are already in place, so a failure says so and exits 1 itself (the usual
/// "nothing was written" would be untrue).
pub(crate) fn after(dir: &std::path::Path, enabled: bool, quiet: bool) {
    if !enabled {
        return;
    }
    let options = crate::report::Options {
        xlsx: true,
        ..Default::default()
    };
    if let Err(e) = write(dir, &options, quiet) {
        let m = match e {
            Failure::Usage(m) | Failure::Run(m) => m,
            Failure::Scenario(d) => d.to_string(),
            Failure::Checks => "a check failed".to_string(),
        };
        eprintln!(
            "error: the results are in {}, but the report failed: {m}",
            dir.display()
        );
        std::process::exit(1);
    }
}

/// Refuses `--report` with `--shard`: a shard writes a partial file, not a folder to draw.
pub(crate) fn check_not_shard(report: bool, shard: bool) -> Result<(), Failure> {
    if report && shard {
        return Err(Failure::Usage(
            "--report cannot be combined with --shard: a shard writes a partial file; draw the \
             merged folder instead (`rungs merge ... --out DIR`, then `rungs report DIR`)"
                .into(),
        ));
    }
    Ok(())
}
