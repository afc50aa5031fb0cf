//! Which steps and branches can never happen, and why: the fixpoint behind the first
//! warnings of [`super::check`].

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use crate::expr::Expr;
use crate::scenario::{BranchProbability, Model, NodeKind, Step, Trigger};

/// For each node, why it can never happen (None: it may). A fixpoint over the rules: a
/// step waits for itself; comes after a node that can never happen or that excludes it;
/// has `any_of` none of which can happen without excluding it; has probability, hazard or
/// `when` constantly 0 / false. A branch can never happen if its step cannot or its
/// probability is the constant 0.
///
/// The rules are applied as by sweeps over the steps in file order, repeated until nothing
/// changes (which fixes which cause a message names when a step has several), but a step is
/// looked at again only when a node it waits for has died: the sweeps' order is kept by a
/// queue of (sweep, step) events, so a file with its steps in reverse order costs the same
/// as one in order, not a sweep per step.
pub(super) fn unreachable(model: &Model) -> Vec<Option<String>> {
    let mut f = Fixpoint::new(model);
    let n_steps = model.steps.len();
    while let Some(Reverse((sweep, si))) = f.queue.pop() {
        if si == n_steps {
            f.branch_rule(sweep);
        } else {
            f.look(sweep, si);
        }
    }
    let mut dead = f.dead;
    through_steps(model, &mut dead);
    dead
}

/// Branches of dead steps are reported through their step only: their "its step `x` can
/// never happen" is dropped.
fn through_steps(model: &Model, dead: &mut [Option<String>]) {
    for s in &model.steps {
        if dead[s.node].is_some() {
            for b in &s.branches {
                if model.nodes[b.node].kind == NodeKind::Branch {
                    dead[b.node] = dead[b.node].take().filter(|r| !r.starts_with("its step"));
                }
            }
        }
    }
}

/// Why step `si` (`s`) can never happen for its `after`, if it cannot: it comes after
/// itself (or one of its branches), after a node in `dead`, or after one that excludes it
/// (`excludes(n, si)`: node n's step cancels step si). The first such entry is named.
fn after_reason(
    model: &Model,
    si: usize,
    s: &Step,
    dead: &[Option<String>],
    excludes: &dyn Fn(usize, usize) -> bool,
) -> Option<String> {
    let node_id = |n: usize| model.nodes[n].id.as_str();
    s.after.iter().find_map(|&n| {
        if model.nodes[n].step == si {
            Some(format!(
                "it comes after `{}`, which is itself or one of its branches",
                node_id(n)
            ))
        } else if dead[n].is_some() {
            Some(format!(
                "it comes after `{}`, which can never happen",
                node_id(n)
            ))
        } else if excludes(n, si) {
            Some(format!(
                "it comes after `{}`, which excludes it",
                node_id(n)
            ))
        } else {
            None
        }
    })
}

/// Why step `s` can never happen whatever the other steps do: a `when` that is always
/// false, or a probability or hazard that is the constant 0.
fn constant_reason(s: &Step) -> Option<String> {
    if s.when.as_ref().and_then(Expr::as_constant) == Some(0.0) {
        return Some("its `when` is always false".to_string());
    }
    match &s.trigger {
        Trigger::Chance { probability, .. } if probability.as_constant() == Some(0.0) => {
            Some("its probability is 0".to_string())
        }
        Trigger::Hazard { rate } if rate.as_constant() == Some(0.0) => {
            Some("its hazard is 0".to_string())
        }
        _ => None,
    }
}

/// The state of [`unreachable`]'s fixpoint.
struct Fixpoint<'m> {
    model: &'m Model,
    /// Why each node can never happen, so far.
    dead: Vec<Option<String>>,
    /// (step, step it excludes), for "it comes after `x`, which excludes it".
    excluded: HashSet<(usize, usize)>,
    /// Per step, its `after` entries that rule it out (itself, a node that excludes it, or
    /// a dead node).
    after_bad: Vec<usize>,
    /// Per step, its `any_of` entries that may still happen before it.
    any_live: Vec<usize>,
    /// Per node, the steps waiting for it (`true`: through `any_of`), looked at again
    /// when it dies.
    waiting: Vec<Vec<(usize, bool)>>,
    /// Events (sweep, position): position `steps.len()` is the branch rule after a sweep.
    queue: BinaryHeap<Reverse<(usize, usize)>>,
    /// Per step, the last sweep it is queued for.
    queued: Vec<usize>,
}

impl<'m> Fixpoint<'m> {
    fn new(model: &'m Model) -> Self {
        let steps = &model.steps;
        let n_steps = steps.len();
        let excluded: HashSet<(usize, usize)> = steps
            .iter()
            .enumerate()
            .flat_map(|(s, st)| st.excludes.iter().map(move |&x| (s, x)))
            .collect();
        let mut f = Fixpoint {
            model,
            dead: vec![None; model.nodes.len()],
            excluded,
            after_bad: vec![0; n_steps],
            any_live: vec![0; n_steps],
            waiting: vec![Vec::new(); model.nodes.len()],
            queue: (0..=n_steps).map(|j| Reverse((1, j))).collect(),
            queued: vec![1; n_steps],
        };
        for (si, s) in steps.iter().enumerate() {
            for &n in &s.after {
                if model.nodes[n].step == si || f.excludes(n, si) {
                    f.after_bad[si] += 1;
                } else {
                    f.waiting[n].push((si, false));
                }
            }
            for &n in &s.any_of {
                if model.nodes[n].step != si && !f.excludes(n, si) {
                    f.any_live[si] += 1;
                    f.waiting[n].push((si, true));
                }
            }
        }
        f
    }

    /// Whether node n's step excludes step si (then si can't follow n).
    fn excludes(&self, n: usize, si: usize) -> bool {
        let s = self.model.nodes[n].step;
        s != si && self.excluded.contains(&(s, si))
    }

    /// Node `n` died at (sweep, pos): the steps waiting for it are looked at in this sweep if
    /// they come later, else in the next.
    fn died(&mut self, n: usize, sweep: usize, pos: usize) {
        for &(si, any) in &self.waiting[n] {
            if any {
                self.any_live[si] -= 1;
            } else {
                self.after_bad[si] += 1;
            }
            let when = if si > pos { sweep } else { sweep + 1 };
            if self.queued[si] < when {
                self.queued[si] = when;
                self.queue.push(Reverse((when, si)));
            }
        }
    }

    /// The branch rule at the end of a sweep: a branch whose probability is the constant 0.
    fn branch_rule(&mut self, sweep: usize) {
        let mut newly = Vec::new();
        for s in &self.model.steps {
            for b in &s.branches {
                if self.dead[b.node].is_none()
                    && let BranchProbability::Value(e) = &b.probability
                    && e.as_constant() == Some(0.0)
                {
                    self.dead[b.node] = Some("its probability is 0".to_string());
                    newly.push(b.node);
                }
            }
        }
        for n in newly {
            self.died(n, sweep, self.model.steps.len());
        }
    }

    /// Looks at step `si` in `sweep`: if a rule kills it, it and its branches die.
    fn look(&mut self, sweep: usize, si: usize) {
        let model = self.model;
        let s = &model.steps[si];
        if self.dead[s.node].is_some() {
            return;
        }
        let mut reason = None;
        if self.after_bad[si] > 0 {
            reason = after_reason(model, si, s, &self.dead, &|n, si| self.excludes(n, si));
        }
        if reason.is_none() && !s.any_of.is_empty() && self.any_live[si] == 0 {
            reason = Some("none of its `any_of` can happen before it".to_string());
        }
        let Some(r) = reason.or_else(|| constant_reason(s)) else {
            return;
        };
        self.dead[s.node] = Some(r);
        let mut newly = vec![s.node];
        for b in &s.branches {
            if self.dead[b.node].is_none() {
                self.dead[b.node] = Some(format!(
                    "its step `{}` can never happen",
                    model.nodes[s.node].id
                ));
                newly.push(b.node);
            }
        }
        for n in newly {
            self.died(n, sweep, si);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::Gen;
    use super::*;
    use crate::scenario::load_str;

    /// The fixpoint as it was first written: whole sweeps over the steps in file order
    /// until nothing changes (quadratic for a file in reverse order). [`unreachable`] must
    /// give the same answers, messages included. The rules' wording ([`after_reason`],
    /// [`constant_reason`]) is shared: what is compared is the order the rules are applied
    /// in and the bookkeeping of the event queue.
    fn unreachable_by_sweeps(model: &Model) -> Vec<Option<String>> {
        let mut dead: Vec<Option<String>> = vec![None; model.nodes.len()];
        let node_id = |n: usize| model.nodes[n].id.as_str();
        // Whether node n's step excludes step si (then si can't follow n).
        let excludes = |n: usize, si: usize| {
            let s = model.nodes[n].step;
            s != si && model.steps[s].excludes.contains(&si)
        };
        loop {
            let mut changed = false;
            for (si, s) in model.steps.iter().enumerate() {
                if dead[s.node].is_some() {
                    continue;
                }
                let mut reason = after_reason(model, si, s, &dead, &excludes);
                if reason.is_none()
                    && !s.any_of.is_empty()
                    && s.any_of
                        .iter()
                        .all(|&n| dead[n].is_some() || excludes(n, si) || model.nodes[n].step == si)
                {
                    reason = Some("none of its `any_of` can happen before it".to_string());
                }
                if let Some(r) = reason.or_else(|| constant_reason(s)) {
                    dead[s.node] = Some(r);
                    for b in &s.branches {
                        if dead[b.node].is_none() {
                            dead[b.node] =
                                Some(format!("its step `{}` can never happen", node_id(s.node)));
                        }
                    }
                    changed = true;
                }
            }
            for s in &model.steps {
                for b in &s.branches {
                    if dead[b.node].is_none()
                        && let BranchProbability::Value(e) = &b.probability
                        && e.as_constant() == Some(0.0)
                    {
                        dead[b.node] = Some("its probability is 0".to_string());
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        through_steps(model, &mut dead);
        dead
    }

    /// Random acyclic scenarios with steps in shuffled file order, `after`, `any_of`,
    /// `excludes`, zero probabilities and branches: the event queue finds the same dead
    /// nodes with the same reasons as repeated sweeps.
    #[test]
    fn the_event_queue_agrees_with_repeated_sweeps() {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        let mut compared = 0;
        for _ in 0..3000 {
            let n = 2 + g.below(9);
            // Step k may wait only for steps with a smaller k (acyclic); file order is a
            // shuffle of k.
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                order.swap(i, g.below(i + 1));
            }
            let mut text = String::from("[scenario]\nname = \"t\"\nhorizon = 10\n");
            for &k in &order {
                text.push_str(&format!("[[steps]]\nid = \"s{k}\"\n"));
                let node = |g: &mut Gen, k: usize| {
                    let j = g.below(k);
                    if g.below(3) == 0 {
                        format!("\"b{j}\"")
                    } else {
                        format!("\"s{j}\"")
                    }
                };
                if k > 0 && g.below(2) == 0 {
                    let list: Vec<String> = (0..1 + g.below(2)).map(|_| node(&mut g, k)).collect();
                    text.push_str(&format!("after = [{}]\n", list.join(", ")));
                }
                if k > 0 && g.below(3) == 0 {
                    let list: Vec<String> = (0..1 + g.below(3)).map(|_| node(&mut g, k)).collect();
                    text.push_str(&format!("any_of = [{}]\n", list.join(", ")));
                }
                if g.below(4) == 0 {
                    text.push_str(&format!("excludes = [\"s{}\"]\n", g.below(n)));
                }
                if g.below(5) == 0 {
                    text.push_str("probability = 0\n");
                }
                let zero = g.below(3) == 0;
                text.push_str(&format!(
                    "[[steps.branches]]\nid = \"b{k}\"\nprobability = {}\n[[steps.branches]]\nid = \"c{k}\"\nprobability = \"rest\"\n",
                    if zero { 0.0 } else { 0.5 }
                ));
            }
            let Ok((model, _)) = load_str("t.toml", &text) else {
                continue;
            };
            assert_eq!(unreachable(&model), unreachable_by_sweeps(&model), "{text}");
            compared += 1;
        }
        assert!(compared > 1000, "only {compared} scenarios loaded");
    }
}
