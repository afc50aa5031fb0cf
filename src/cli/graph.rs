//! `rungs graph`: the ladder as Graphviz dot or Mermaid.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::cli::{Failure, load_scenario};

/// Graph formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum Format {
    /// Graphviz (`dot -Tsvg ladder.dot -o ladder.svg`).
    Dot,
    /// Mermaid (paste into a Markdown file or the Mermaid live editor).
    Mermaid,
}

/// Arguments of `rungs graph`.
#[derive(Args, Debug)]
pub(crate) struct GraphArgs {
    /// The scenario file.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Dot)]
    pub format: Format,
    /// A folder of `rungs run` results for this scenario: each step's and branch's
    /// probability and median time go on its node, its colour darker the likelier it is.
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
}

/// Prints the graph on stdout.
pub(crate) fn run(args: GraphArgs) -> Result<(), Failure> {
    let (model, _, _) = load_scenario(&args.scenario, &[], false)?;
    let results = match &args.results {
        Some(dir) => crate::report::node_results(dir, &model).map_err(|e| match e {
            crate::report::Error::Usage(m) => Failure::Usage(m),
            crate::report::Error::Io(m) => Failure::Run(m),
        })?,
        None => Vec::new(),
    };
    let unit = crate::report::plural(&model.time_unit);
    let text = match args.format {
        Format::Dot => crate::graph::to_dot_with(&model, &results, &unit),
        Format::Mermaid => crate::graph::to_mermaid_with(&model, &results, &unit),
    };
    print!("{text}");
    Ok(())
}
