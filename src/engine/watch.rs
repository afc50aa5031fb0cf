//! Which steps a change of state can affect, so that after an event the engine looks again
//! only at those.
//!
//! A step's guard (`after`, `any_of`, `when`) and a hazard step's rate read a known set of
//! things: node counts, state variables, parameters and `t`. Parameters do not change within
//! a run, so a step needs a second look only when a node it reads happens, a variable it
//! reads is changed by an effect, or, for the steps that read `t` or a variable a flow
//! writes, when time passes. Everything else would find its guard and rate as they were.
//! (A probability step's probability and delay are read once, at enablement, and a branch's
//! probability when it is drawn: neither needs watching.)

use crate::expr::Expr;
use crate::scenario::{Model, NodeId, StepId, Trigger};

/// A set of steps as bits, visited in file order.
#[derive(Debug, Default)]
pub struct StepSet {
    words: Vec<u64>,
}

// By hand: a derived `clone_from` would allocate a new set and free the old one, and the
// engine resets its sets with `clone_from` once per run.
impl Clone for StepSet {
    fn clone(&self) -> StepSet {
        StepSet {
            words: self.words.clone(),
        }
    }

    #[inline]
    fn clone_from(&mut self, other: &StepSet) {
        self.words.clone_from(&other.words);
    }
}

impl StepSet {
    /// The empty set for `steps` steps.
    pub fn empty(steps: usize) -> StepSet {
        StepSet {
            words: vec![0; steps.div_ceil(64)],
        }
    }

    /// The set of all `steps` steps.
    pub fn full(steps: usize) -> StepSet {
        let mut s = StepSet::empty(steps);
        (0..steps).for_each(|i| s.insert(i));
        s
    }

    /// Adds step `i`.
    #[inline]
    pub fn insert(&mut self, i: StepId) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    /// Whether step `i` is in the set.
    #[inline]
    pub fn contains(&self, i: StepId) -> bool {
        self.words[i / 64] & (1 << (i % 64)) != 0
    }

    /// Adds every step of `other` (a set for as many steps).
    #[cfg(test)]
    pub fn union_with(&mut self, other: &StepSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Adds every step of `other` that is also in `mask` (sets for as many steps).
    #[inline]
    pub fn union_masked(&mut self, other: &StepSet, mask: &StepSet) {
        for ((a, b), m) in self.words.iter_mut().zip(&other.words).zip(&mask.words) {
            *a |= b & m;
        }
    }

    /// Adds the steps of `list`.
    #[inline]
    pub fn insert_all(&mut self, list: &[u32]) {
        for &i in list {
            self.insert(i as StepId);
        }
    }

    /// Adds the steps of `list` that are in `mask` (a set for as many steps).
    #[inline]
    pub fn insert_masked(&mut self, list: &[u32], mask: &StepSet) {
        for &i in list {
            if mask.contains(i as StepId) {
                self.insert(i as StepId);
            }
        }
    }

    /// The set as 64-step words (bit `j` of word `k`: step `64 k + j`).
    #[inline]
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// How many 64-step words the set has.
    #[inline]
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// Removes and returns the steps `64 k .. 64 k + 63` as bits (bit `j`: step `64 k + j`).
    #[inline]
    pub fn take_word(&mut self, k: usize) -> u64 {
        std::mem::take(&mut self.words[k])
    }
}

/// For every node and every variable, the steps whose guard or hazard rate reads it; and
/// the steps a tick can affect. The per-node and per-variable watchers are lists of step
/// indices, in file order without repeats: sets of bits there would cost nodes x steps bits
/// (200,000 chained steps: 5 GB) and a pass over every step's bit per event.
#[derive(Clone, Debug)]
pub struct Watchers {
    /// Indexed like `Model::nodes`.
    pub by_node: Vec<Box<[u32]>>,
    /// Indexed like `Model::vars`.
    pub by_var: Vec<Box<[u32]>>,
    /// Steps whose guard or rate reads `t` or a variable some flow writes: time passing can
    /// change them, so they are looked at after every tick and every event.
    pub by_time: StepSet,
    /// Steps whose guard can hold before anything has happened: those without `after` or
    /// `any_of` (the others wait for a node, which wakes them). The first settle of a run
    /// looks at these only.
    pub at_start: StepSet,
}

impl Watchers {
    /// The watchers of `model`.
    pub fn new(model: &Model) -> Watchers {
        let n = model.steps.len();
        let mut by_node: Vec<Vec<u32>> = vec![Vec::new(); model.nodes.len()];
        let mut by_var: Vec<Vec<u32>> = vec![Vec::new(); model.vars.len()];
        // Steps are visited in order, so a repeat is the list's last entry.
        let add = |list: &mut Vec<u32>, i: usize| {
            if list.last() != Some(&(i as u32)) {
                list.push(i as u32);
            }
        };
        let mut by_time = StepSet::empty(n);
        let mut at_start = StepSet::empty(n);
        let mut flowing = vec![false; model.vars.len()];
        for f in &model.flows {
            flowing[f.target] = true;
        }
        for (i, step) in model.steps.iter().enumerate() {
            let rate = match &step.trigger {
                Trigger::Hazard { rate } => Some(rate),
                Trigger::Chance { .. } => None,
            };
            let exprs = || step.when.iter().chain(rate);
            let nodes = step
                .after
                .iter()
                .chain(&step.any_of)
                .copied()
                .chain(exprs().flat_map(|e| e.nodes_read().iter().map(|&n| n as NodeId)));
            for node in nodes {
                add(&mut by_node[node], i);
            }
            for e in exprs() {
                for &v in e.state_read() {
                    add(&mut by_var[v as usize], i);
                }
            }
            if exprs().any(|e| moves_with_time(e, &flowing)) {
                by_time.insert(i);
            }
            if step.after.is_empty() && step.any_of.is_empty() {
                at_start.insert(i);
            }
        }
        let boxed = |v: Vec<Vec<u32>>| v.into_iter().map(Vec::into_boxed_slice).collect();
        Watchers {
            by_node: boxed(by_node),
            by_var: boxed(by_var),
            by_time,
            at_start,
        }
    }
}

/// Whether time passing can change the value of `e`: it reads `t` or a flowing variable.
pub fn moves_with_time(e: &Expr, flowing: &[bool]) -> bool {
    e.reads_time() || e.state_read().iter().any(|&v| flowing[v as usize])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps of a set, in file order.
    fn members(s: &mut StepSet) -> Vec<StepId> {
        let mut out = Vec::new();
        for k in 0..s.word_count() {
            let mut bits = s.take_word(k);
            while bits != 0 {
                out.push(k * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        }
        out
    }

    #[test]
    fn sets_visit_in_order() {
        let mut s = StepSet::empty(130);
        for i in [129, 3, 64, 0, 63] {
            s.insert(i);
        }
        assert!(s.contains(64) && !s.contains(65));
        assert_eq!(members(&mut s), [0, 3, 63, 64, 129]);
        assert!(
            members(&mut s).is_empty(),
            "taking the words empties the set"
        );
        let (mut a, mut b, mut mask) = (StepSet::empty(70), StepSet::empty(70), StepSet::empty(70));
        a.insert(1);
        b.insert(69);
        b.insert(5);
        mask.insert(69);
        a.union_masked(&b, &mask);
        assert_eq!(members(&mut a.clone()), [1, 69]);
        a.union_with(&b);
        assert_eq!(members(&mut a), [1, 5, 69]);
    }
}
