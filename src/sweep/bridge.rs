//! TEMPORARY: the per-point tables and the atomic output folder come from src/output (helper
//! "stats"); this bridge is replaced by direct calls once that branch is merged.

use std::path::Path;

use crate::partial::JobIdentity;
use crate::scenario::Model;
use crate::stats::Summary;
use crate::sweep::tables::Table;

/// steps.csv of one summary.
pub fn steps_table(model: &Model, s: &Summary) -> Table {
    let _ = (model, s);
    todo!("from src/output")
}

/// outcomes.csv of one summary.
pub fn outcomes_table(model: &Model, s: &Summary) -> Table {
    let _ = (model, s);
    todo!("from src/output")
}

/// Writes `files` atomically into `out` with a manifest.
pub fn write_files(
    out: &Path,
    files: &[(&str, Vec<u8>)],
    job: &JobIdentity,
    threads: usize,
    start: std::time::Instant,
) -> std::io::Result<()> {
    let _ = (out, files, job, threads, start);
    todo!("from src/output")
}
