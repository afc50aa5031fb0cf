//! Scenario files: the checked model ([`model`]), loading TOML into it with diagnostics
//! ([`load`]), a file loaded for a command with its `--set` overrides ([`source`]), the
//! sweep design a scenario or the command line gives ([`sweep_spec`]), and the advisory
//! checks of `rungs validate` ([`check`]), and the ICD 203 words of estimative probability a
//! scenario may write for a probability ([`words`]).

pub(crate) mod check;
pub(crate) mod load;
pub(crate) mod model;
pub(crate) mod source;

pub(crate) mod sweep_spec;
pub mod words;

pub use load::{load_bytes, load_file, load_str};
pub use model::*;
pub use sweep_spec::{CheckedSpec, SweepSpec, Vary};
