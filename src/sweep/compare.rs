//! `rungs compare`: two variants of a scenario on common random numbers, and the paired
//! difference of every step, branch and outcome probability.
//!
//! Run `i` of A and run `i` of B use the same addressed draws, so where the files agree the
//! runs agree, and the difference of two probabilities is estimated from the paired
//! indicators `d_i = x_b,i - x_a,i` (each -1, 0 or 1). Only the integer counts n11 (both),
//! n10 (A only) and n01 (B only) are kept: the mean of d is `(n01 - n10) / n`, its sum of
//! squares `n01 + n10`, so the result is exact and the same for any thread count.

use crate::engine::RunRecord;
use crate::engine::given::{Disagree, Given, draw_stream};
use crate::engine::many::{BatchError, block_count, block_runs, run_waves};
use crate::engine::run::{RunError, Runner};
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

/// Counts of paired runs conditioned on news (`rungs compare --given`). Each variant is
/// conditioned on its own agreement (`h_a`, `h_b`: the run of A, of B, agrees with every
/// observation) over the same drawn runs, so `p_a = P_A(item | news)` and
/// `p_b = P_B(item | news)`, each a ratio `sum(h x) / sum(h)`. The interval of the
/// difference is the delta method's over the paired influence terms
/// `u = h_b (x_b - p_b) / mean(h_b) - h_a (x_a - p_a) / mean(h_a)`, as `rungs check` does for
/// `rises`/`falls`; every sum it needs is an integer count kept here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conditioned {
    /// Runs drawn.
    pub drawn: u64,
    /// Runs of A that agree.
    pub na: u64,
    /// Runs of B that agree.
    pub nb: u64,
    /// Runs in which both agree.
    pub nab: u64,
    /// Per item: agreeing runs of A in which it happened.
    pub a1: Vec<u64>,
    /// Per item: agreeing runs of B in which it happened.
    pub b1: Vec<u64>,
    /// Per item: runs in which both agree and it happened in both.
    pub c11: Vec<u64>,
    /// Per item: runs in which both agree and it happened in A.
    pub ca: Vec<u64>,
    /// Per item: runs in which both agree and it happened in B.
    pub cb: Vec<u64>,
}

impl Conditioned {
    fn new(items: usize) -> Conditioned {
        let zero = vec![0; items];
        Conditioned {
            a1: zero.clone(),
            b1: zero.clone(),
            c11: zero.clone(),
            ca: zero.clone(),
            cb: zero,
            ..Conditioned::default()
        }
    }

    fn add(&mut self, o: &Conditioned) {
        self.drawn += o.drawn;
        self.na += o.na;
        self.nb += o.nb;
        self.nab += o.nab;
        for (x, y) in [
            (&mut self.a1, &o.a1),
            (&mut self.b1, &o.b1),
            (&mut self.c11, &o.c11),
            (&mut self.ca, &o.ca),
            (&mut self.cb, &o.cb),
        ] {
            for (a, b) in x.iter_mut().zip(y) {
                *a += b;
            }
        }
    }
}

/// [`run_paired`] conditioned on news: `given_a` and `given_b` are the same observations
/// compiled against A and against B. Each block draws its stream
/// ([`crate::engine::given`]) until both variants have the block's share of agreeing runs,
/// so each has at least `runs` in all.
#[allow(clippy::too_many_arguments)]
pub fn run_paired_given(
    a: &Model,
    b: &Model,
    items: &[Item],
    seed: u64,
    runs: u64,
    threads: usize,
    given: (&Given, &Given),
    progress: &dyn Fn(u64),
) -> Result<Conditioned, BatchError> {
    let mut total = Conditioned::new(items.len());
    run_waves(
        threads,
        0..block_count(runs),
        |_| (),
        |(), block| {
            let r = block_runs(block, runs);
            paired_block(a, b, items, seed, block, r.end - r.start, given)
        },
        |block, c| {
            total.add(&c.map_err(|d| BatchError::Disagree(Box::new(d)))?);
            progress(block_runs(block, runs).end);
            Ok(())
        },
    )
    .map_err(|e| e.error)?;
    Ok(total)
}

/// One block of [`run_paired_given`].
#[allow(clippy::too_many_arguments)]
fn paired_block(
    a: &Model,
    b: &Model,
    items: &[Item],
    seed: u64,
    block: u64,
    quota: u64,
    (ga, gb): (&Given, &Given),
) -> Result<Result<Conditioned, Disagree>, RunError> {
    let (mut ra, mut rb) = (Runner::new(a, seed), Runner::new(b, seed));
    let (mut xa, mut xb) = (RunRecord::default(), RunRecord::default());
    let mut c = Conditioned::new(items.len());
    let done = draw_stream(block, 0, ga.max_draws, |run| {
        ra.run(run, &mut xa)?;
        rb.run(run, &mut xb)?;
        let (ha, hb) = (ga.agrees(&xa), gb.agrees(&xb));
        c.drawn += 1;
        c.na += u64::from(ha);
        c.nb += u64::from(hb);
        c.nab += u64::from(ha && hb);
        for (i, it) in items.iter().enumerate() {
            let (ya, yb) = (happened(it, it.a, &xa), happened(it, it.b, &xb));
            c.a1[i] += u64::from(ha && ya);
            c.b1[i] += u64::from(hb && yb);
            if ha && hb {
                c.c11[i] += u64::from(ya && yb);
                c.ca[i] += u64::from(ya);
                c.cb[i] += u64::from(yb);
            }
        }
        Ok::<bool, RunError>(c.na >= quota && c.nb >= quota)
    })?;
    Ok(match done {
        Some(_) => Ok(c),
        None => Err(Disagree {
            block,
            accepted: c.na.min(c.nb),
            drawn: c.drawn,
            quota,
        }),
    })
}

/// The rows of compare.csv from conditioned counts (see [`Conditioned`]).
pub fn rows_given(items: &[Item], c: &Conditioned) -> Vec<Row> {
    let n = c.drawn as f64;
    let (na, nb) = (c.na.max(1) as f64, c.nb.max(1) as f64);
    let (ma, mb) = (na / n.max(1.0), nb / n.max(1.0));
    items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let p_a = c.a1[i] as f64 / na;
            let p_b = c.b1[i] as f64 / nb;
            let saa = na * p_a * (1.0 - p_a);
            let sbb = nb * p_b * (1.0 - p_b);
            let sab = c.c11[i] as f64 - p_b * c.ca[i] as f64 - p_a * c.cb[i] as f64
                + p_a * p_b * c.nab as f64;
            // Where the variants agree with the news in the same runs and the item happens
            // in the same ones, the difference is exactly 0 in every run: say so exactly,
            // not as the rounding residue of the sums.
            let same = c.na == c.nab
                && c.nb == c.nab
                && [c.b1[i], c.c11[i], c.ca[i], c.cb[i]]
                    .iter()
                    .all(|&k| k == c.a1[i]);
            let ss = if same {
                0.0
            } else {
                (sbb / (mb * mb) + saa / (ma * ma) - 2.0 * sab / (ma * mb)).max(0.0)
            };
            let diff = p_b - p_a;
            let ci = (c.drawn >= 2).then(|| {
                let half = Z_TWO_SIDED_95 * (ss / (n - 1.0) / n).sqrt();
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

    /// One outcome `x`, in both variants.
    fn one_outcome() -> Vec<Item> {
        vec![Item {
            kind: ItemKind::Outcome,
            id: "x".into(),
            a: Some(0),
            b: Some(0),
        }]
    }

    #[test]
    fn conditioned_counts_of_identical_variants_differ_by_nothing() {
        let items = one_outcome();
        // 100 drawn, 40 agree in both, the item in 10 of them (in both variants).
        let c = Conditioned {
            drawn: 100,
            na: 40,
            nb: 40,
            nab: 40,
            a1: vec![10],
            b1: vec![10],
            c11: vec![10],
            ca: vec![10],
            cb: vec![10],
        };
        let r = &rows_given(&items, &c)[0];
        assert_eq!((r.p_a, r.p_b, r.diff), (0.25, 0.25, 0.0));
        assert_eq!(r.ci, Some((0.0, 0.0)));
        // B agrees in other runs than A: independent estimates, variance of each added.
        let c = Conditioned {
            nab: 0,
            c11: vec![0],
            ca: vec![0],
            cb: vec![0],
            ..c
        };
        let r = &rows_given(&items, &c)[0];
        let (lo, hi) = r.ci.unwrap();
        // Var = 2 * (n p (1-p) / m^2) / (n (n-1)), m = 0.4, n = 100, N = 40.
        let var: f64 = 2.0 * (40.0 * 0.25 * 0.75 / 0.16) / (99.0 * 100.0);
        assert!((hi - lo - 2.0 * Z_TWO_SIDED_95 * var.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn paired_interval_from_counts() {
        let items = one_outcome();
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
