//! From TOML text to a checked [`Model`], collecting every independent problem as a
//! [`Diagnostic`](crate::diag::Diagnostic).

use std::path::Path;

use crate::diag::Diagnostics;
use crate::scenario::Model;

/// Loads, checks and compiles the scenario in `path`. On success returns the model and the
/// warnings (possibly none); on failure the diagnostics (at least one error). Never panics.
pub fn load_file(path: &Path) -> Result<(Model, Diagnostics), Diagnostics> {
    let _ = path;
    todo!()
}

/// Like [`load_file`] for text already read; `file` is the name used in messages.
pub fn load_str(file: &str, text: &str) -> Result<(Model, Diagnostics), Diagnostics> {
    let _ = (file, text);
    todo!()
}
