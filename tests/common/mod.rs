//! Helpers shared by the integration tests (`mod common;` in each test file). Not every
//! test file uses every helper.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The `rungs` binary of this build.
pub fn rungs() -> Command {
    Command::cargo_bin("rungs").expect("the rungs binary is built")
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

/// Asserts an estimated proportion of `n` runs is within 5 binomial standard errors of the
/// exact probability `p` (a correct engine fails one such check with probability < 1e-6).
pub fn assert_prop(est: f64, p: f64, n: u64, what: &str) {
    let se = (p * (1.0 - p) / n as f64).sqrt().max(1e-12);
    assert!(
        (est - p).abs() <= 5.0 * se,
        "{what}: estimated {est}, expected {p} (5 se = {})",
        5.0 * se
    );
}
