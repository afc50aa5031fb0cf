//! The counts behind conditional.csv: for each pair of steps or branches (given, step), the
//! runs in which both happened and which of the two happened first, and for each step and
//! outcome, the runs in which the step happened and the run ended so.
//!
//! A run adds only over the nodes that happened in it (its path, in the order they first
//! happened): `k` nodes cost `k (k - 1) / 2` increments of the pair counts and `k` of the
//! rest. All counts are integers, so merging is exact and order-free.
//!
//! # Size
//! The pair counts are `nodes²` integers per summary, and every block of runs has its own
//! summary. So they are kept only while `nodes * (nodes + outcomes)` is at most
//! [`MAX_CONDITIONAL_CELLS`] (2 MB of counts per summary: 511 steps and branches with one
//! outcome, 500 with 24): a larger scenario keeps none ([`Conditional::is_counted`] is false)
//! and gets no conditional.csv. In partial files only the counts that are not zero are
//! written, so a sweep partial of many points stays as small as its runs make it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::engine::RunRecord;
use crate::stats::Merge;
use crate::stats::summary::NodeStats;

/// Most counts ([`Conditional`]'s pair and outcome cells) a summary keeps: 8 bytes each,
/// 2 MB per summary. A scenario that needs more gets no conditional counts.
pub const MAX_CONDITIONAL_CELLS: usize = 512 * 512;

/// The conditional counts of a set of runs (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Conditional {
    /// Steps and branches counted (the model's, or 0 when it has too many).
    nodes: usize,
    /// Outcomes counted (the model's, `horizon` included, or 0).
    outcomes: usize,
    /// Runs recorded.
    runs: u64,
    /// `happened[g]`: runs in which node `g` happened.
    happened: Vec<u64>,
    /// `first[g * nodes + s]`: runs in which both `g` and `s` happened and `g` first (earlier
    /// in the run's path: at an earlier time, or at the same time but earlier in the order
    /// the run's events were applied). Runs in which both happened are
    /// `first[g][s] + first[s][g]`; the diagonal stays 0.
    first: Vec<u64>,
    /// `ending[g * outcomes + o]`: runs in which node `g` happened and the run ended in `o`.
    ending: Vec<u64>,
}

impl Conditional {
    /// Empty counts for a model of `nodes` steps and branches and `outcomes` outcomes; no
    /// counts at all (and no cost per run) if that needs more than [`MAX_CONDITIONAL_CELLS`].
    pub fn new(nodes: usize, outcomes: usize) -> Conditional {
        let outcomes = outcomes.max(1);
        if !fits(nodes, outcomes) {
            return Conditional::default();
        }
        Conditional {
            nodes,
            outcomes,
            runs: 0,
            happened: vec![0; nodes],
            first: vec![0; nodes * nodes],
            ending: vec![0; nodes * outcomes],
        }
    }

    /// Whether these counts are kept (the scenario is small enough; see the module docs).
    pub fn is_counted(&self) -> bool {
        self.nodes > 0
    }

    /// Runs recorded.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Runs in which node `g` happened.
    pub fn given_runs(&self, g: usize) -> u64 {
        self.happened.get(g).copied().unwrap_or(0)
    }

    /// Runs in which both `g` and `s` happened with `g` first (0 for `g == s`).
    pub fn first(&self, g: usize, s: usize) -> u64 {
        if g >= self.nodes || s >= self.nodes {
            return 0;
        }
        self.first[g * self.nodes + s]
    }

    /// Runs in which both `g` and `s` happened (0 for `g == s`).
    pub fn both(&self, g: usize, s: usize) -> u64 {
        self.first(g, s) + self.first(s, g)
    }

    /// Runs in which node `g` happened and the run ended in outcome `o`.
    pub fn ending(&self, g: usize, o: usize) -> u64 {
        if g >= self.nodes || o >= self.outcomes {
            return 0;
        }
        self.ending[g * self.outcomes + o]
    }

    /// Adds one run: only its path is visited. Out-of-range nodes or outcome (a bug) are
    /// ignored or clamped, never a panic.
    #[inline]
    pub fn record(&mut self, run: &RunRecord) {
        let n = self.nodes;
        if n == 0 {
            return;
        }
        self.runs += 1;
        let o = run.outcome.min(self.outcomes - 1);
        for (i, &g) in run.path.iter().enumerate() {
            let g = g as usize;
            if g >= n {
                continue;
            }
            self.happened[g] += 1;
            self.ending[g * self.outcomes + o] += 1;
            let row = &mut self.first[g * n..(g + 1) * n];
            for &s in &run.path[i + 1..] {
                if let Some(c) = row.get_mut(s as usize) {
                    *c += 1;
                }
            }
        }
    }

    /// Checks counts read back from a file against `shape` (the empty counts of the same
    /// model) and the summary's `runs` and `nodes`: the same shape, the same runs and
    /// per-node counts, a zero diagonal, pairs and outcomes within the runs of their nodes.
    /// Counts that pass merge without overflow (every one is at most `runs`).
    pub fn check(&self, shape: &Conditional, runs: u64, nodes: &[NodeStats]) -> Result<(), String> {
        if (self.nodes, self.outcomes) != (shape.nodes, shape.outcomes)
            || self.happened.len() != self.nodes
            || self.first.len() != self.nodes * self.nodes
            || self.ending.len() != self.nodes * self.outcomes
        {
            return Err("its conditional counts do not have the shape of the scenario's".into());
        }
        if !self.is_counted() {
            return Ok(());
        }
        let bad = |what: String| Err(format!("conditional counts: {what}"));
        if self.runs != runs {
            return bad(format!("{} runs where the summary has {runs}", self.runs));
        }
        for g in 0..self.nodes {
            let h = self.happened[g];
            if nodes.get(g).map(|n| n.happened) != Some(h) {
                return bad(format!(
                    "step {g} happened in {h} runs, not as its statistics say"
                ));
            }
            let ends = self.ending[g * self.outcomes..(g + 1) * self.outcomes]
                .iter()
                .try_fold(0u64, |a, &c| a.checked_add(c));
            if ends != Some(h) {
                return bad(format!("step {g}: its outcomes do not add up to its runs"));
            }
            for s in 0..self.nodes {
                let both = self.first(g, s).checked_add(self.first(s, g));
                let most = h.min(self.happened[s]);
                if (g == s && self.first(g, s) != 0) || both.is_none_or(|b| b > most) {
                    return bad(format!(
                        "steps {g} and {s} together in more runs than either"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Whether the counts of a model of `nodes` steps and branches and `outcomes` outcomes fit
/// in [`MAX_CONDITIONAL_CELLS`] (and so are kept).
pub fn fits(nodes: usize, outcomes: usize) -> bool {
    nodes
        .checked_add(outcomes)
        .and_then(|c| c.checked_mul(nodes))
        .is_some_and(|c| c <= MAX_CONDITIONAL_CELLS)
}

fn add(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

impl Merge for Conditional {
    fn merge(&mut self, other: &Self) {
        if (self.nodes, self.outcomes) != (other.nodes, other.outcomes) {
            return;
        }
        self.runs += other.runs;
        add(&mut self.happened, &other.happened);
        add(&mut self.first, &other.first);
        add(&mut self.ending, &other.ending);
    }
}

/// How [`Conditional`] is written in partial files: the shape, then only the counts that
/// are not zero, as `[index, count]` in index order.
#[derive(Serialize, Deserialize)]
struct OnDisk {
    nodes: usize,
    outcomes: usize,
    runs: u64,
    happened: Vec<u64>,
    first: Vec<(usize, u64)>,
    ending: Vec<(usize, u64)>,
}

fn sparse(counts: &[u64]) -> Vec<(usize, u64)> {
    counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, &c)| (i, c))
        .collect()
}

/// The dense counts of `len` cells from `[index, count]` pairs, which must be in strictly
/// increasing index order and inside the cells (a damaged file is refused, not clamped).
fn dense(len: usize, cells: &[(usize, u64)]) -> Result<Vec<u64>, String> {
    let mut out = vec![0; len];
    let mut next = 0;
    for &(i, c) in cells {
        if i < next || i >= len {
            return Err(format!("conditional count at {i} out of order or range"));
        }
        out[i] = c;
        next = i + 1;
    }
    Ok(out)
}

impl Serialize for Conditional {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        OnDisk {
            nodes: self.nodes,
            outcomes: self.outcomes,
            runs: self.runs,
            happened: self.happened.clone(),
            first: sparse(&self.first),
            ending: sparse(&self.ending),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Conditional {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let disk = OnDisk::deserialize(d)?;
        // The shape is checked before anything is allocated: a damaged file must not ask
        // for gigabytes. (An empty shape is the "not counted" one.)
        let empty = disk.nodes == 0 && disk.outcomes == 0;
        if !empty && (disk.nodes == 0 || disk.outcomes == 0 || !fits(disk.nodes, disk.outcomes)) {
            return Err(D::Error::custom(
                "conditional counts of an impossible shape",
            ));
        }
        Ok(Conditional {
            nodes: disk.nodes,
            outcomes: disk.outcomes,
            runs: disk.runs,
            happened: disk.happened,
            first: dense(disk.nodes * disk.nodes, &disk.first).map_err(D::Error::custom)?,
            ending: dense(disk.nodes * disk.outcomes, &disk.ending).map_err(D::Error::custom)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &[u32], outcome: usize) -> RunRecord {
        RunRecord {
            path: path.to_vec(),
            outcome,
            ..RunRecord::default()
        }
    }

    #[test]
    fn counts_pairs_in_path_order_and_outcomes() {
        let mut c = Conditional::new(3, 2);
        c.record(&run(&[0, 2], 1));
        c.record(&run(&[2, 0, 1], 0));
        c.record(&run(&[], 0));
        assert_eq!(c.runs(), 3);
        assert_eq!(
            (c.given_runs(0), c.given_runs(1), c.given_runs(2)),
            (2, 1, 2)
        );
        assert_eq!((c.first(0, 2), c.first(2, 0), c.both(0, 2)), (1, 1, 2));
        assert_eq!((c.first(0, 1), c.first(1, 0)), (1, 0));
        assert_eq!(c.both(1, 1), 0);
        assert_eq!((c.ending(0, 0), c.ending(0, 1), c.ending(1, 0)), (1, 1, 1));
        // Out of range never panics.
        assert_eq!((c.first(9, 0), c.ending(0, 9), c.given_runs(9)), (0, 0, 0));
        c.record(&run(&[7, 0], 5));
        assert_eq!((c.given_runs(0), c.ending(0, 1)), (3, 2));
    }

    #[test]
    fn merges_exactly_and_round_trips_sparse() {
        let mut a = Conditional::new(3, 2);
        let mut b = Conditional::new(3, 2);
        let mut all = Conditional::new(3, 2);
        for (i, p) in [&[0u32, 1][..], &[1, 2], &[2, 0, 1]].iter().enumerate() {
            all.record(&run(p, i % 2));
            if i < 1 { &mut a } else { &mut b }.record(&run(p, i % 2));
        }
        a.merge(&b);
        assert_eq!(a, all);
        let text = serde_json::to_string(&a).unwrap();
        assert!(
            text.contains(r#""first":[[1,2],[5,1],[6,1],[7,1]]"#),
            "{text}"
        );
        let back: Conditional = serde_json::from_str(&text).unwrap();
        assert_eq!(back, a);
        let nodes: Vec<NodeStats> = [2, 3, 2]
            .iter()
            .map(|&h| NodeStats {
                happened: h,
                ..NodeStats::default()
            })
            .collect();
        assert_eq!(a.check(&Conditional::new(3, 2), 3, &nodes), Ok(()));
        assert!(a.check(&Conditional::new(3, 2), 4, &nodes).is_err());
        assert!(a.check(&Conditional::new(4, 2), 3, &nodes).is_err());
    }

    #[test]
    fn damaged_or_huge_shapes_are_refused() {
        let bad = [
            r#"{"nodes":100000,"outcomes":1,"runs":0,"happened":[],"first":[],"ending":[]}"#,
            r#"{"nodes":2,"outcomes":1,"runs":0,"happened":[0,0],"first":[[9,1]],"ending":[]}"#,
            r#"{"nodes":2,"outcomes":1,"runs":0,"happened":[0,0],"first":[[1,1],[1,1]],"ending":[]}"#,
            r#"{"nodes":0,"outcomes":1,"runs":0,"happened":[],"first":[],"ending":[]}"#,
        ];
        for b in bad {
            assert!(serde_json::from_str::<Conditional>(b).is_err(), "{b}");
        }
        // More nodes than the cap: nothing counted, nothing recorded.
        let mut big = Conditional::new(1000, 3);
        assert!(!big.is_counted());
        big.record(&run(&[0, 1], 0));
        assert_eq!(big.runs(), 0);
        assert!(Conditional::new(511, 1).is_counted());
        assert!(!Conditional::new(512, 1).is_counted());
    }
}
