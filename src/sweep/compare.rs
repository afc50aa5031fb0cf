//! `rungs compare`: two variants of a scenario on common random numbers, and the paired
//! difference of every step, branch and outcome probability.
//!
//! Run `i` of A and run `i` of B use the same addressed draws, so where the files agree the
//! runs agree, and the difference of two probabilities is estimated from the paired
//! indicators `d_i = x_b,i - x_a,i` (each -1, 0 or 1). Only the integer counts n11 (both),
//! n10 (A only) and n01 (B only) are kept: the mean of d is `(n01 - n10) / n`, its sum of
//! squares `n01 + n10`, so the result is exact and the same for any thread count.

use crate::engine::RunRecord;
use crate::engine::many::{BatchError, block_count, block_runs, run_waves};
use crate::engine::run::Runner;
use crate::scenario::Model;
use crate::stats::Z_TWO_SIDED_95;

/// What one compared row is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// A step.
    Step,
    /// A branch.
    Branch,
    /// An outcome.
    Outcome,
}

impl ItemKind {
    /// As written in compare.csv.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Step => "step",
            ItemKind::Branch => "branch",
            ItemKind::Outcome => "outcome",
        }
    }
}

/// A step, branch or outcome present in A, in B or in both, with its index in each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// Its id (or outcome label).
    pub id: String,
    /// Node or outcome index in A.
    pub a: Option<usize>,
    /// Node or outcome index in B.
    pub b: Option<usize>,
}

/// The rows compare.csv will have: nodes of A in file order then nodes only in B (in B's
/// order), then outcomes likewise. A node that is a step in one file and a branch in the
/// other is listed by A's kind.
pub fn items(a: &Model, b: &Model) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    let kind = |k: crate::scenario::NodeKind| match k {
        crate::scenario::NodeKind::Step => ItemKind::Step,
        crate::scenario::NodeKind::Branch => ItemKind::Branch,
    };
    for (i, n) in a.nodes.iter().enumerate() {
        out.push(Item {
            kind: kind(n.kind),
            id: n.id.clone(),
            a: Some(i),
            b: b.node_index(&n.id),
        });
    }
    for (i, n) in b.nodes.iter().enumerate() {
        if a.node_index(&n.id).is_none() {
            out.push(Item {
                kind: kind(n.kind),
                id: n.id.clone(),
                a: None,
                b: Some(i),
            });
        }
    }
    let outcome = |m: &Model, label: &str| m.outcomes.iter().position(|o| o == label);
    for (i, o) in a.outcomes.iter().enumerate() {
        out.push(Item {
            kind: ItemKind::Outcome,
            id: o.clone(),
            a: Some(i),
            b: outcome(b, o),
        });
    }
    for (i, o) in b.outcomes.iter().enumerate() {
        if outcome(a, o).is_none() {
            out.push(Item {
                kind: ItemKind::Outcome,
                id: o.clone(),
                a: None,
                b: Some(i),
            });
        }
    }
    out
}

/// Paired counts per item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Paired {
    /// Number of paired runs.
    pub runs: u64,
    /// Runs where the item happened in both.
    pub n11: Vec<u64>,
    /// Runs where it happened in A only.
    pub n10: Vec<u64>,
    /// Runs where it happened in B only.
    pub n01: Vec<u64>,
}

impl Paired {
    fn new(items: usize) -> Paired {
        Paired {
            runs: 0,
            n11: vec![0; items],
            n10: vec![0; items],
            n01: vec![0; items],
        }
    }

    fn add(&mut self, o: &Paired) {
        self.runs += o.runs;
        for (x, y) in [
            (&mut self.n11, &o.n11),
            (&mut self.n10, &o.n10),
            (&mut self.n01, &o.n01),
        ] {
            for (a, b) in x.iter_mut().zip(y) {
                *a += b;
            }
        }
    }
}

fn happened(item: &Item, idx: Option<usize>, rec: &RunRecord) -> bool {
    match (item.kind, idx) {
        (_, None) => false,
        (ItemKind::Outcome, Some(o)) => rec.outcome == o,
        (_, Some(n)) => rec.counts.get(n).is_some_and(|&c| c > 0),
    }
}

/// Runs A and B `runs` times each on common random numbers and counts the pairs.
pub fn run_paired(
    a: &Model,
    b: &Model,
    items: &[Item],
    seed: u64,
    runs: u64,
    threads: usize,
    progress: &dyn Fn(u64),
) -> Result<Paired, BatchError> {
    let mut total = Paired::new(items.len());
    run_waves(
        threads,
        0..block_count(runs),
        |_| (),
        |(), block| {
            let (mut ra, mut rb) = (Runner::new(a, seed), Runner::new(b, seed));
            let (mut xa, mut xb) = (RunRecord::default(), RunRecord::default());
            let mut c = Paired::new(items.len());
            for run in block_runs(block, runs) {
                ra.run(run, &mut xa)?;
                rb.run(run, &mut xb)?;
                c.runs += 1;
                for (i, it) in items.iter().enumerate() {
                    match (happened(it, it.a, &xa), happened(it, it.b, &xb)) {
                        (true, true) => c.n11[i] += 1,
                        (true, false) => c.n10[i] += 1,
                        (false, true) => c.n01[i] += 1,
                        (false, false) => {}
                    }
                }
            }
            Ok(c)
        },
        |block, c| {
            total.add(&c);
            progress(block_runs(block, runs).end);
            Ok(())
        },
    )
    .map_err(|e| e.error)?;
    Ok(total)
}

/// One row of compare.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// step, branch or outcome.
    pub kind: ItemKind,
    /// Id or outcome label.
    pub id: String,
    /// Probability in A.
    pub p_a: f64,
    /// Probability in B.
    pub p_b: f64,
    /// `p_b - p_a`.
    pub diff: f64,
    /// 95% interval of the difference from the paired runs (None with fewer than 2 runs).
    pub ci: Option<(f64, f64)>,
}

/// The rows of compare.csv from the paired counts.
pub fn rows(items: &[Item], p: &Paired) -> Vec<Row> {
    let n = p.runs;
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let (n11, n10, n01) = (p.n11[i], p.n10[i], p.n01[i]);
            let nf = n.max(1) as f64;
            let p_a = (n11 + n10) as f64 / nf;
            let p_b = (n11 + n01) as f64 / nf;
            // From the integers, so identical variants give exactly 0 and not a rounding
            // residue of p_b - p_a.
            let diff = (n01 as f64 - n10 as f64) / nf;
            let ci = (n >= 2).then(|| {
                let ss = (n01 + n10) as f64 - nf * diff * diff;
                let sd = (ss.max(0.0) / (nf - 1.0)).sqrt();
                let half = Z_TWO_SIDED_95 * sd / nf.sqrt();
                (diff - half, diff + half)
            });
            Row {
                kind: it.kind,
                id: it.id.clone(),
                p_a,
                p_b,
                diff,
                ci,
            }
        })
        .collect()
}

/// compare.csv's header.
pub const HEADER: [&str; 7] = [
    "kind",
    "id",
    "p_a",
    "p_b",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
];

/// The cells of one row (numbers written as the other CSVs write them).
pub fn cells(r: &Row) -> Vec<String> {
    let num = super::num;
    vec![
        r.kind.as_str().to_string(),
        r.id.clone(),
        num(r.p_a),
        num(r.p_b),
        num(r.diff),
        r.ci.map_or(String::new(), |c| num(c.0)),
        r.ci.map_or(String::new(), |c| num(c.1)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paired_interval_from_counts() {
        let items = vec![Item {
            kind: ItemKind::Outcome,
            id: "x".into(),
            a: Some(0),
            b: Some(0),
        }];
        // Identical: zero difference, zero width.
        let same = Paired {
            runs: 100,
            n11: vec![40],
            n10: vec![0],
            n01: vec![0],
        };
        let r = &rows(&items, &same)[0];
        assert_eq!((r.p_a, r.p_b, r.diff), (0.4, 0.4, 0.0));
        assert_eq!(r.ci, Some((0.0, 0.0)));
        // 10 runs B only out of 100: d has mean 0.1, sd sqrt((10 - 100 * 0.01) / 99).
        let p = Paired {
            runs: 100,
            n11: vec![40],
            n10: vec![0],
            n01: vec![10],
        };
        let r = &rows(&items, &p)[0];
        let sd = ((10.0 - 1.0) / 99.0f64).sqrt();
        let (lo, hi) = r.ci.unwrap();
        assert!((r.diff - 0.1).abs() < 1e-15);
        assert!((hi - lo - 2.0 * Z_TWO_SIDED_95 * sd / 10.0).abs() < 1e-12);
    }
}
