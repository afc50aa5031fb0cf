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
}

/// Prints the graph on stdout.
pub(crate) fn run(args: GraphArgs) -> Result<(), Failure> {
    let (model, _, _) = load_scenario(&args.scenario, &[], false)?;
    let text = match args.format {
        Format::Dot => crate::graph::to_dot(&model),
        Format::Mermaid => crate::graph::to_mermaid(&model),
    };
    print!("{text}");
    Ok(())
}
