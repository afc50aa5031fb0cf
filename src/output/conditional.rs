//! conditional.csv: for each step or branch that happened (`given`) and each other step,
//! branch or outcome (`step`), how likely `step` is in the runs in which `given` happened
//! (docs/outputs.md defines every column), and `--conditional off|all|N`, which rows it keeps.

use std::str::FromStr;

use crate::output::{Table, num, opt};
use crate::scenario::Model;
use crate::scenario::words::term_for;
use crate::stats::{Summary, wilson};

/// The file name.
pub const CONDITIONAL_FILE: &str = "conditional.csv";

/// Default number of rows of conditional.csv (`--conditional N`): the same as paths.csv's;
/// every pair of the shipped scenarios fits (dprk-kursk has 960).
pub const DEFAULT_CONDITIONAL_TOP: usize = 1000;

/// Which rows conditional.csv gets (`--conditional`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConditionalRows {
    /// No conditional.csv.
    Off,
    /// Every pair whose `given` happened.
    All,
    /// The `N` pairs where knowing `given` moves the probability of `step` the most
    /// ([`conditional_table`] says how they are ranked).
    Top(usize),
}

impl Default for ConditionalRows {
    fn default() -> Self {
        ConditionalRows::Top(DEFAULT_CONDITIONAL_TOP)
    }
}

impl FromStr for ConditionalRows {
    type Err = String;

    /// `off`, `all`, or the top `N` as `N`, `top=N` or `top N`.
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        match t {
            "off" => return Ok(ConditionalRows::Off),
            "all" => return Ok(ConditionalRows::All),
            _ => {}
        }
        let n = t
            .strip_prefix("top")
            .map(|r| r.trim_start_matches(['=', ' ']))
            .unwrap_or(t);
        n.parse().map(ConditionalRows::Top).map_err(|_| {
            format!(
                "--conditional takes `off`, `all` or a number of rows N (the top N pairs), \
                 got `{s}`"
            )
        })
    }
}

impl std::fmt::Display for ConditionalRows {
    /// As [`FromStr`] reads it (manifest.json keeps it so, for `rungs extend`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConditionalRows::Off => write!(f, "off"),
            ConditionalRows::All => write!(f, "all"),
            ConditionalRows::Top(n) => write!(f, "{n}"),
        }
    }
}

/// The columns of conditional.csv.
pub const CONDITIONAL_COLUMNS: [&str; 12] = [
    "given",
    "step",
    "kind",
    "given_runs",
    "happened",
    "probability",
    "ci_low",
    "ci_high",
    "overall",
    "lift",
    "before",
    "words",
];

/// One (given, step) pair with what ranks it.
struct Pair {
    cells: Vec<String>,
    /// How far the interval of P(step | given) lies from P(step): 0 if it holds it.
    sure: f64,
    /// |P(step | given) - P(step)|.
    shift: f64,
}

/// The row of `given` and one `step`: `both` runs of `given_runs` in which `step` happened
/// too, `step_runs` of all runs; `first` of `both` with `given` first.
fn pair(
    s: &Summary,
    names: [&str; 3],
    given_runs: u64,
    both: u64,
    step_runs: u64,
    first: u64,
) -> Pair {
    let p = both as f64 / given_runs as f64;
    let overall = step_runs as f64 / s.runs as f64;
    let (lo, hi) = wilson(both, given_runs).unwrap_or((p, p));
    let lift = (step_runs > 0).then(|| p / overall);
    let before = (both > 0).then(|| first as f64 / both as f64);
    let mut cells: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    cells.extend([
        given_runs.to_string(),
        both.to_string(),
        num(p),
        num(lo),
        num(hi),
        num(overall),
        opt(lift),
        opt(before),
        term_for(p).to_string(),
    ]);
    Pair {
        cells,
        sure: (lo - overall).max(overall - hi).max(0.0),
        shift: (p - overall).abs(),
    }
}

/// conditional.csv, or None if it is not written (`off`, or a scenario too large for its
/// counts: see [`crate::stats::conditional`]).
///
/// Rows: each step or branch that happened in at least one run as `given`, in file order;
/// for each, every other step and branch (file order) then every outcome (`horizon` first)
/// as `step`. A `given` that never happened has no rows (nothing is known under it).
///
/// `Top(N)` keeps the N pairs in which knowing `given` demonstrably moves the probability
/// of `step` the most: ranked by how far the 95% interval of P(step | given) lies from
/// P(step) (0 if it contains it), then by |P(step | given) - P(step)|, then file order. The
/// rows kept are written in the file order above, so the file is always a subset of `all`.
pub fn conditional_table(model: &Model, s: &Summary, rows: ConditionalRows) -> Option<Table> {
    let c = &s.conditional;
    if rows == ConditionalRows::Off || !c.is_counted() || s.runs == 0 {
        return None;
    }
    let nodes = model.nodes.len().min(s.nodes.len());
    let mut pairs = Vec::new();
    for g in 0..nodes {
        let given_runs = c.given_runs(g);
        if given_runs == 0 {
            continue;
        }
        let given = model.nodes[g].id.as_str();
        for (k, node) in model.nodes.iter().enumerate().take(nodes) {
            if k != g {
                let names = [given, node.id.as_str(), node.kind.as_str()];
                let step_runs = s.nodes[k].happened;
                pairs.push(pair(
                    s,
                    names,
                    given_runs,
                    c.both(g, k),
                    step_runs,
                    c.first(g, k),
                ));
            }
        }
        for (o, (label, st)) in model.outcomes.iter().zip(&s.outcomes).enumerate() {
            // An outcome is how a run ends: whatever happened in it happened before.
            let both = c.ending(g, o);
            let names = [given, label.as_str(), "outcome"];
            pairs.push(pair(s, names, given_runs, both, st.count, both));
        }
    }
    if let ConditionalRows::Top(n) = rows {
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&pairs[a], &pairs[b]);
            y.sure
                .total_cmp(&x.sure)
                .then(y.shift.total_cmp(&x.shift))
                .then(a.cmp(&b))
        });
        let mut keep = vec![false; pairs.len()];
        for &i in order.iter().take(n) {
            keep[i] = true;
        }
        let mut k = keep.into_iter();
        pairs.retain(|_| k.next().unwrap_or(false));
    }
    let mut t = Table::new(&CONDITIONAL_COLUMNS);
    t.rows = pairs.into_iter().map(|p| p.cells).collect();
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_setting_reads_and_prints_back() {
        for (text, want) in [
            ("off", ConditionalRows::Off),
            ("all", ConditionalRows::All),
            ("25", ConditionalRows::Top(25)),
            ("top=7", ConditionalRows::Top(7)),
            ("top 7", ConditionalRows::Top(7)),
            ("top7", ConditionalRows::Top(7)),
        ] {
            let got: ConditionalRows = text.parse().unwrap();
            assert_eq!(got, want, "{text}");
            assert_eq!(got.to_string().parse::<ConditionalRows>(), Ok(want));
        }
        for bad in ["", "top", "-1", "some", "top -3"] {
            assert!(bad.parse::<ConditionalRows>().is_err(), "{bad}");
        }
        assert_eq!(ConditionalRows::default(), ConditionalRows::Top(1000));
    }
}
