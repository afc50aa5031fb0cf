//! `rungs sweep`.

use clap::Args;

use crate::cli::Failure;

/// Arguments of `rungs sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {}

/// Not yet implemented.
pub fn run(_args: SweepArgs) -> Result<(), Failure> {
    Err(Failure::Usage("not implemented yet".into()))
}
