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

/// Asserts that `files` of the folders `a` and `b` are the same bytes.
pub fn same_bytes(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// A small deterministic generator for random scenarios (SplitMix64).
pub struct Gen(pub u64);

impl Gen {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// One of `xs`.
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}
