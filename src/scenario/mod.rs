//! Scenario files: the checked model ([`model`]), loading TOML into it with diagnostics
//! ([`load`]), and the advisory checks of `rungs validate` ([`check`]).

pub mod check;
pub mod load;
pub mod model;

pub use load::{load_bytes, load_file, load_str};
pub use model::*;
