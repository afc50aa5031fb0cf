//! `rungs run`.

use std::path::PathBuf;

use clap::Args;

use crate::cli::{Failure, RunOptions};

/// Arguments of `rungs run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub opts: RunOptions,
    /// Output folder (default: out/<scenario file stem>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Not yet wired.
pub fn run(_args: RunArgs) -> Result<(), Failure> {
    Err(Failure::Usage("not implemented yet".into()))
}
