//! `rungs merge`.

use clap::Args;

use crate::cli::Failure;

/// Arguments of `rungs merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {}

/// Not yet implemented.
pub fn run(_args: MergeArgs) -> Result<(), Failure> {
    Err(Failure::Usage("not implemented yet".into()))
}
