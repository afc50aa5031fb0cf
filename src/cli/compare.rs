//! `rungs compare`.

use clap::Args;

use crate::cli::Failure;

/// Arguments of `rungs compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {}

/// Not yet implemented.
pub fn run(_args: CompareArgs) -> Result<(), Failure> {
    Err(Failure::Usage("not implemented yet".into()))
}
