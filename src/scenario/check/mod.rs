//! Advisory checks that do not stop a run (`rungs validate` prints them): steps that can
//! never be enabled, outcomes no path reaches, unused parameters and state variables.
//!
//! They are warnings, not errors: a modeller may switch a step off on purpose (probability
//! 0) while exploring. The checks are deliberately simple and never wrong in the direction
//! that matters: a warned step truly can never happen; a step that cannot happen for
//! subtler reasons (a `when` that is never true for any parameter value) is not caught.

use crate::diag::{Diagnostic, Span};
use crate::expr::Expr;
use crate::scenario::{BranchProbability, Delay, Model, NodeKind, ParamValue, Trigger};

/// Where the parts of a model are written in the file, for the warnings' spans. Filled by
/// the loader in the model's index order.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// The key of each parameter.
    pub param_keys: Vec<Span>,
    /// The key of each actor (`ru` of `[actors.ru]`).
    pub actor_keys: Vec<Span>,
    /// The key of each state variable.
    pub var_keys: Vec<Span>,
    /// The `id` value of each node (step or branch).
    pub nodes: Vec<Span>,
    /// The header of each flow.
    pub flows: Vec<Span>,
}

/// Every warning for `model`, in model order: unreachable steps and branches, outcomes that
/// can never happen, unused parameters, unused state variables.
pub fn check(model: &Model, map: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let dead = unreachable(model);
    let span_of = |n: usize| map.nodes.get(n).cloned().unwrap_or(0..0);
    for (n, reason) in dead.iter().enumerate() {
        if let Some(reason) = reason {
            let node = &model.nodes[n];
            out.push(
                Diagnostic::warning(
                    span_of(n),
                    format!(
                        "{} `{}` can never happen: {reason}",
                        node.kind.as_str(),
                        node.id
                    ),
                )
                .with_hint("it will show as never happening in every run"),
            );
        }
    }
    // Outcomes: reachable if a live step or branch ends with it.
    let mut ends_with: Vec<Vec<usize>> = vec![Vec::new(); model.outcomes.len()];
    for s in &model.steps {
        if let Some(o) = s.ends {
            ends_with[o].push(s.node);
        }
        for b in &s.branches {
            if let Some(o) = b.ends {
                ends_with[o].push(b.node);
            }
        }
    }
    for (o, nodes) in ends_with.iter().enumerate().skip(1) {
        if !nodes.is_empty() && nodes.iter().all(|&n| dead[n].is_some()) {
            out.push(Diagnostic::warning(
                span_of(nodes[0]),
                format!(
                    "outcome `{}` can never happen: every step or branch that ends with it can never happen",
                    model.outcomes[o]
                ),
            ));
        }
    }
    // Reads and writes.
    let mut param_read = vec![false; model.params.len()];
    let mut var_used = vec![false; model.vars.len()];
    for e in exprs(model) {
        for &p in e.params_read() {
            if let Some(r) = param_read.get_mut(p as usize) {
                *r = true;
            }
        }
        for &v in e.state_read() {
            if let Some(u) = var_used.get_mut(v as usize) {
                *u = true;
            }
        }
    }
    for s in &model.steps {
        for e in s
            .effects
            .iter()
            .chain(s.branches.iter().flat_map(|b| &b.effects))
        {
            var_used[e.target] = true;
        }
    }
    for f in &model.flows {
        var_used[f.target] = true;
    }
    for (i, p) in model.params.iter().enumerate() {
        if !param_read[i] {
            out.push(
                Diagnostic::warning(
                    map.param_keys
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| p.span.clone()),
                    format!("parameter `{}` is not used by any expression", p.id),
                )
                .with_hint("it is still sampled and reported; remove it if it is left over"),
            );
        }
    }
    for (i, used) in var_used.iter().enumerate() {
        if !used {
            out.push(
                Diagnostic::warning(
                    map.var_keys.get(i).cloned().unwrap_or(0..0),
                    format!(
                        "state variable `{}` is never changed or read",
                        model.var_name(i)
                    ),
                )
                .with_hint(
                    "no effect, flow or expression uses it; its final value is its initial value",
                ),
            );
        }
    }
    out
}

/// Every compiled expression of the model.
fn exprs(model: &Model) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    for p in &model.params {
        match &p.value {
            ParamValue::Fixed(_) => {}
            ParamValue::Derived(e) => out.push(e),
            ParamValue::Drawn(d) => out.extend(&d.args),
        }
    }
    out.extend(model.vars.iter().map(|v| &v.init));
    for s in &model.steps {
        out.extend(&s.when);
        match &s.trigger {
            Trigger::Hazard { rate } => out.push(rate),
            Trigger::Chance { probability, delay } => {
                out.push(probability);
                match delay {
                    Delay::Value(e) => out.push(e),
                    Delay::Drawn(d) => out.extend(&d.args),
                }
            }
        }
        out.extend(s.effects.iter().map(|e| &e.value));
        for b in &s.branches {
            if let BranchProbability::Value(e) = &b.probability {
                out.push(e);
            }
            out.extend(b.effects.iter().map(|e| &e.value));
        }
    }
    for f in &model.flows {
        out.push(&f.rate);
        out.extend(&f.while_);
    }
    out
}

/// Errors for steps that wait for each other in a circle (`after`, or `any_of` whose every
/// choice is on the circle, through steps or their branches): none of them can ever be
/// enabled, so a run would silently do nothing. One error per circle, at its first step in
/// file order, naming every step on it with its line. A step that waits for itself alone is
/// left to the warnings of [`check`].
pub fn cycles(model: &Model, map: &SourceMap, source: &str) -> Vec<Diagnostic> {
    let steps = &model.steps;
    let step_of = |n: usize| model.nodes[n].step;
    // Which steps can ever be enabled, ignoring guards and chances: a fixpoint from the
    // steps that wait for nothing. A step is enabled once all its `after` are and one of
    // its `any_of` is (steps other than itself); counts of what it still waits for are
    // updated as steps become enabled, so this is linear in the number of references.
    let mut can = vec![false; steps.len()];
    let mut after_left: Vec<usize> = vec![0; steps.len()];
    let mut any_needed: Vec<bool> = vec![false; steps.len()];
    let mut waiting: Vec<Vec<(usize, bool)>> = vec![Vec::new(); steps.len()];
    let mut ready: Vec<usize> = Vec::new();
    for (si, s) in steps.iter().enumerate() {
        let mut never = false;
        for &n in &s.after {
            if step_of(n) == si {
                never = true;
            } else {
                after_left[si] += 1;
                waiting[step_of(n)].push((si, false));
            }
        }
        for &n in &s.any_of {
            if step_of(n) != si {
                waiting[step_of(n)].push((si, true));
            }
        }
        any_needed[si] = !s.any_of.is_empty();
        if never {
            // Waits for itself: never enabled, however the others fare.
            after_left[si] = usize::MAX;
        } else if after_left[si] == 0 && !any_needed[si] {
            can[si] = true;
            ready.push(si);
        }
    }
    while let Some(t) = ready.pop() {
        for &(si, any) in &waiting[t] {
            if can[si] {
                continue;
            }
            if any {
                any_needed[si] = false;
            } else if after_left[si] != usize::MAX {
                after_left[si] -= 1;
            }
            if after_left[si] == 0 && !any_needed[si] {
                can[si] = true;
                ready.push(si);
            }
        }
    }
    // Among the others, what each waits for that can never be enabled (other steps only).
    let waits: Vec<Vec<usize>> = steps
        .iter()
        .enumerate()
        .map(|(si, s)| {
            if can[si] {
                return Vec::new();
            }
            let mut w: Vec<usize> = s.after.iter().map(|&n| step_of(n)).collect();
            if !s.any_of.iter().any(|&n| can[step_of(n)]) {
                w.extend(s.any_of.iter().map(|&n| step_of(n)));
            }
            w.retain(|&t| t != si && !can[t]);
            w.sort_unstable();
            w.dedup();
            w
        })
        .collect();
    // Only a step in a strongly connected component of `waits` with more than one step
    // lies on a circle, and a circle through it stays inside its component: the search
    // below looks there only (with buffers reused and reset), so a long chain of steps
    // hanging off a circle costs one pass, not a search per step.
    let component = components(&waits);
    let mut size = vec![0usize; steps.len()];
    for &c in &component {
        size[c] += 1;
    }
    let lines = crate::diag::LineIndex::new(source);
    let mut out = Vec::new();
    let mut reported = vec![false; steps.len()];
    let mut prev: Vec<Option<usize>> = vec![None; steps.len()];
    let mut seen = vec![false; steps.len()];
    let mut touched: Vec<usize> = Vec::new();
    // Steps looked at by the searches: once one circle is reported, the search stops after
    // this many (a scenario with huge tangled circles gets its first errors, not a hang).
    let mut budget: u64 = 20_000_000;
    for start in 0..steps.len() {
        if can[start] || reported[start] || size[component[start]] < 2 {
            continue;
        }
        if !out.is_empty() && budget == 0 {
            break;
        }
        for &t in &touched {
            prev[t] = None;
            seen[t] = false;
        }
        touched.clear();
        // A circle through `start`: a breadth-first search back to it, which finds the
        // shortest one (so the message names only the steps on it).
        let mut queue = std::collections::VecDeque::from([start]);
        seen[start] = true;
        touched.push(start);
        let mut closing = None;
        'search: while let Some(u) = queue.pop_front() {
            for &v in &waits[u] {
                budget = budget.saturating_sub(1);
                if v == start {
                    closing = Some(u);
                    break 'search;
                }
                if !seen[v] && component[v] == component[start] {
                    seen[v] = true;
                    prev[v] = Some(u);
                    touched.push(v);
                    queue.push_back(v);
                }
            }
        }
        let Some(mut at) = closing else { continue };
        let mut circle = vec![at];
        while let Some(p) = prev[at] {
            circle.push(p);
            at = p;
        }
        // `circle` runs from the last step back to `start`; turn it to start -> ... -> last.
        circle.reverse();
        if circle.iter().any(|&s| reported[s]) {
            continue;
        }
        for &s in &circle {
            reported[s] = true;
        }
        let named = |si: usize| {
            let node = steps[si].node;
            let span = map.nodes.get(node).cloned().unwrap_or(0..0);
            let line = lines.line(span.start.min(source.len()));
            format!("`{}` (line {line})", model.nodes[node].id)
        };
        let mut chain: Vec<String> = circle.iter().map(|&s| named(s)).collect();
        chain.push(named(start));
        out.push(
            Diagnostic::error(
                map.nodes.get(steps[start].node).cloned().unwrap_or(0..0),
                format!(
                    "steps wait for each other in a circle, so none of them can ever happen: {}",
                    chain.join(" waits for ")
                ),
            )
            .with_hint(
                "remove one of these `after` / `any_of` entries, or give one step another way \
                 in (an `any_of` choice outside the circle)",
            ),
        );
    }
    out
}

/// The strongly connected component of each vertex of a graph given by its successor
/// lists (Tarjan's algorithm, iterative so a long chain cannot overflow the stack).
fn components(succ: &[Vec<usize>]) -> Vec<usize> {
    const NONE: usize = usize::MAX;
    let n = succ.len();
    let mut index = vec![NONE; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut comp = vec![NONE; n];
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != NONE {
            continue;
        }
        // (vertex, position in its successor list)
        let mut path: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = path.last_mut() {
            if let Some(&w) = succ[v].get(*i) {
                *i += 1;
                if index[w] == NONE {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    path.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                path.pop();
                if let Some(&(u, _)) = path.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp[w] = next_comp;
                        if w == v {
                            break;
                        }
                    }
                    next_comp += 1;
                }
            }
        }
    }
    comp
}

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
fn unreachable(model: &Model) -> Vec<Option<String>> {
    use std::cmp::Reverse;
    use std::collections::{BinaryHeap, HashSet};

    let steps = &model.steps;
    let n_steps = steps.len();
    let mut dead: Vec<Option<String>> = vec![None; model.nodes.len()];
    let node_id = |n: usize| model.nodes[n].id.as_str();
    let step_of = |n: usize| model.nodes[n].step;
    // Whether node n's step excludes step si (then si can't follow n).
    let excluded: HashSet<(usize, usize)> = steps
        .iter()
        .enumerate()
        .flat_map(|(s, st)| st.excludes.iter().map(move |&x| (s, x)))
        .collect();
    let excludes = |n: usize, si: usize| {
        let s = step_of(n);
        s != si && excluded.contains(&(s, si))
    };
    // `after` entries that rule the step out (itself, a node that excludes it, or a dead
    // node), and `any_of` entries that may still happen before it; a step is looked at
    // again when a node it waits for dies.
    let mut after_bad: Vec<usize> = vec![0; n_steps];
    let mut any_live: Vec<usize> = vec![0; n_steps];
    let mut waiting: Vec<Vec<(usize, bool)>> = vec![Vec::new(); model.nodes.len()];
    for (si, s) in steps.iter().enumerate() {
        for &n in &s.after {
            if step_of(n) == si || excludes(n, si) {
                after_bad[si] += 1;
            } else {
                waiting[n].push((si, false));
            }
        }
        for &n in &s.any_of {
            if step_of(n) != si && !excludes(n, si) {
                any_live[si] += 1;
                waiting[n].push((si, true));
            }
        }
    }
    // Events (sweep, position): position n_steps is the branch rule after the first sweep.
    let mut queue: BinaryHeap<Reverse<(usize, usize)>> =
        (0..=n_steps).map(|j| Reverse((1, j))).collect();
    let mut queued: Vec<usize> = vec![1; n_steps];
    // A node died at (sweep, pos): the steps waiting for it are looked at in this sweep if
    // they come later, else in the next.
    let died = |n: usize,
                sweep: usize,
                pos: usize,
                after_bad: &mut Vec<usize>,
                any_live: &mut Vec<usize>,
                queued: &mut Vec<usize>,
                queue: &mut BinaryHeap<Reverse<(usize, usize)>>| {
        for &(si, any) in &waiting[n] {
            if any {
                any_live[si] -= 1;
            } else {
                after_bad[si] += 1;
            }
            let when = if si > pos { sweep } else { sweep + 1 };
            if queued[si] < when {
                queued[si] = when;
                queue.push(Reverse((when, si)));
            }
        }
    };
    while let Some(Reverse((sweep, si))) = queue.pop() {
        if si == n_steps {
            let mut newly = Vec::new();
            for s in steps {
                for b in &s.branches {
                    if dead[b.node].is_none()
                        && let BranchProbability::Value(e) = &b.probability
                        && e.as_constant() == Some(0.0)
                    {
                        dead[b.node] = Some("its probability is 0".to_string());
                        newly.push(b.node);
                    }
                }
            }
            for n in newly {
                died(
                    n,
                    sweep,
                    si,
                    &mut after_bad,
                    &mut any_live,
                    &mut queued,
                    &mut queue,
                );
            }
            continue;
        }
        let s = &steps[si];
        if dead[s.node].is_some() {
            continue;
        }
        let mut reason: Option<String> = None;
        if after_bad[si] > 0 {
            for &n in &s.after {
                if step_of(n) == si {
                    reason = Some(format!(
                        "it comes after `{}`, which is itself or one of its branches",
                        node_id(n)
                    ));
                } else if dead[n].is_some() {
                    reason = Some(format!(
                        "it comes after `{}`, which can never happen",
                        node_id(n)
                    ));
                } else if excludes(n, si) {
                    reason = Some(format!(
                        "it comes after `{}`, which excludes it",
                        node_id(n)
                    ));
                }
                if reason.is_some() {
                    break;
                }
            }
        }
        if reason.is_none() && !s.any_of.is_empty() && any_live[si] == 0 {
            reason = Some("none of its `any_of` can happen before it".to_string());
        }
        if reason.is_none() {
            if s.when.as_ref().and_then(Expr::as_constant) == Some(0.0) {
                reason = Some("its `when` is always false".to_string());
            } else {
                match &s.trigger {
                    Trigger::Chance { probability, .. }
                        if probability.as_constant() == Some(0.0) =>
                    {
                        reason = Some("its probability is 0".to_string());
                    }
                    Trigger::Hazard { rate } if rate.as_constant() == Some(0.0) => {
                        reason = Some("its hazard is 0".to_string());
                    }
                    _ => {}
                }
            }
        }
        if let Some(r) = reason {
            dead[s.node] = Some(r);
            let mut newly = vec![s.node];
            for b in &s.branches {
                if dead[b.node].is_none() {
                    dead[b.node] = Some(format!("its step `{}` can never happen", node_id(s.node)));
                    newly.push(b.node);
                }
            }
            for n in newly {
                died(
                    n,
                    sweep,
                    si,
                    &mut after_bad,
                    &mut any_live,
                    &mut queued,
                    &mut queue,
                );
            }
        }
    }
    // Branches of dead steps are reported through their step only.
    for s in steps {
        if dead[s.node].is_some() {
            for b in &s.branches {
                if model.nodes[b.node].kind == NodeKind::Branch {
                    dead[b.node] = dead[b.node].take().filter(|r| !r.starts_with("its step"));
                }
            }
        }
    }
    dead
}

#[cfg(test)]
mod tests {
    use super::SourceMap;
    use crate::diag::Diagnostic;
    use crate::expr::Expr;
    use crate::scenario::load_str;
    use crate::scenario::{BranchProbability, Model, NodeKind, Trigger};

    /// The fixpoint as it was first written: whole sweeps over the steps in file order
    /// until nothing changes (quadratic for a file in reverse order). [`super::unreachable`]
    /// must give the same answers, messages included.
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
                let mut reason: Option<String> = None;
                for &n in &s.after {
                    if model.nodes[n].step == si {
                        reason = Some(format!(
                            "it comes after `{}`, which is itself or one of its branches",
                            node_id(n)
                        ));
                    } else if dead[n].is_some() {
                        reason = Some(format!(
                            "it comes after `{}`, which can never happen",
                            node_id(n)
                        ));
                    } else if excludes(n, si) {
                        reason = Some(format!(
                            "it comes after `{}`, which excludes it",
                            node_id(n)
                        ));
                    }
                    if reason.is_some() {
                        break;
                    }
                }
                if reason.is_none()
                    && !s.any_of.is_empty()
                    && s.any_of
                        .iter()
                        .all(|&n| dead[n].is_some() || excludes(n, si) || model.nodes[n].step == si)
                {
                    reason = Some("none of its `any_of` can happen before it".to_string());
                }
                if reason.is_none() {
                    if s.when.as_ref().and_then(Expr::as_constant) == Some(0.0) {
                        reason = Some("its `when` is always false".to_string());
                    } else {
                        match &s.trigger {
                            Trigger::Chance { probability, .. }
                                if probability.as_constant() == Some(0.0) =>
                            {
                                reason = Some("its probability is 0".to_string());
                            }
                            Trigger::Hazard { rate } if rate.as_constant() == Some(0.0) => {
                                reason = Some("its hazard is 0".to_string());
                            }
                            _ => {}
                        }
                    }
                }
                if let Some(r) = reason {
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
        // Branches of dead steps are reported through their step only.
        for s in &model.steps {
            if dead[s.node].is_some() {
                for b in &s.branches {
                    if model.nodes[b.node].kind == NodeKind::Branch {
                        dead[b.node] = dead[b.node].take().filter(|r| !r.starts_with("its step"));
                    }
                }
            }
        }
        dead
    }

    /// A small deterministic generator (xorshift), so the comparison below is the same in
    /// every run.
    struct Gen(u64);

    impl Gen {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
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
            assert_eq!(
                super::unreachable(&model),
                unreachable_by_sweeps(&model),
                "{text}"
            );
            compared += 1;
        }
        assert!(compared > 1000, "only {compared} scenarios loaded");
    }

    /// The circle search as it was first written (sweeps to a fixpoint, a fresh search per
    /// step); [`super::cycles`] must report the same errors.
    fn cycles_by_sweeps(model: &Model, map: &SourceMap, source: &str) -> Vec<Diagnostic> {
        let steps = &model.steps;
        let step_of = |n: usize| model.nodes[n].step;
        // Which steps can ever be enabled, ignoring guards and chances: a fixpoint from the
        // steps that wait for nothing.
        let mut can = vec![false; steps.len()];
        loop {
            let mut changed = false;
            for (si, s) in steps.iter().enumerate() {
                if can[si] {
                    continue;
                }
                let after = s.after.iter().all(|&n| step_of(n) != si && can[step_of(n)]);
                let any = s.any_of.is_empty()
                    || s.any_of
                        .iter()
                        .any(|&n| step_of(n) != si && can[step_of(n)]);
                if after && any {
                    can[si] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        // Among the others, what each waits for that can never be enabled (other steps only).
        let waits: Vec<Vec<usize>> = steps
            .iter()
            .enumerate()
            .map(|(si, s)| {
                if can[si] {
                    return Vec::new();
                }
                let mut w: Vec<usize> = s.after.iter().map(|&n| step_of(n)).collect();
                if !s.any_of.iter().any(|&n| can[step_of(n)]) {
                    w.extend(s.any_of.iter().map(|&n| step_of(n)));
                }
                w.retain(|&t| t != si && !can[t]);
                w.sort_unstable();
                w.dedup();
                w
            })
            .collect();
        let mut out = Vec::new();
        let mut reported = vec![false; steps.len()];
        for start in 0..steps.len() {
            if can[start] || reported[start] {
                continue;
            }
            // A circle through `start`: a breadth-first search back to it, which finds the
            // shortest one (so the message names only the steps on it).
            let mut prev: Vec<Option<usize>> = vec![None; steps.len()];
            let mut queue = std::collections::VecDeque::from([start]);
            let mut seen = vec![false; steps.len()];
            seen[start] = true;
            let mut closing = None;
            'search: while let Some(u) = queue.pop_front() {
                for &v in &waits[u] {
                    if v == start {
                        closing = Some(u);
                        break 'search;
                    }
                    if !seen[v] {
                        seen[v] = true;
                        prev[v] = Some(u);
                        queue.push_back(v);
                    }
                }
            }
            let Some(mut at) = closing else { continue };
            let mut circle = vec![at];
            while let Some(p) = prev[at] {
                circle.push(p);
                at = p;
            }
            // `circle` runs from the last step back to `start`; turn it to start -> ... -> last.
            circle.reverse();
            if circle.iter().any(|&s| reported[s]) {
                continue;
            }
            for &s in &circle {
                reported[s] = true;
            }
            let named = |si: usize| {
                let node = steps[si].node;
                let span = map.nodes.get(node).cloned().unwrap_or(0..0);
                let (line, _) = crate::diag::line_col(source, span.start.min(source.len()));
                format!("`{}` (line {line})", model.nodes[node].id)
            };
            let mut chain: Vec<String> = circle.iter().map(|&s| named(s)).collect();
            chain.push(named(start));
            out.push(
                Diagnostic::error(
                    map.nodes.get(steps[start].node).cloned().unwrap_or(0..0),
                    format!(
                        "steps wait for each other in a circle, so none of them can ever happen: {}",
                        chain.join(" waits for ")
                    ),
                )
                .with_hint(
                    "remove one of these `after` / `any_of` entries, or give one step another way \
                     in (an `any_of` choice outside the circle)",
                ),
            );
        }
        out
    }

    /// Random scenarios whose steps may wait for each other in circles (`after`, `any_of`,
    /// through branches): the same errors as the first version, in the same order.
    #[test]
    fn the_circle_search_agrees_with_the_first_version() {
        let mut g = Gen(0x2545_f491_4f6c_dd1d);
        let mut with_circles = 0;
        for _ in 0..3000 {
            let n = 2 + g.below(9);
            let mut text = String::from("[scenario]\nname = \"t\"\nhorizon = 10\n");
            for k in 0..n {
                text.push_str(&format!("[[steps]]\nid = \"s{k}\"\n"));
                let node = |g: &mut Gen| {
                    let j = g.below(n);
                    if g.below(3) == 0 {
                        format!("\"b{j}\"")
                    } else {
                        format!("\"s{j}\"")
                    }
                };
                if g.below(2) == 0 {
                    let list: Vec<String> = (0..1 + g.below(2)).map(|_| node(&mut g)).collect();
                    text.push_str(&format!("after = [{}]\n", list.join(", ")));
                }
                if g.below(3) == 0 {
                    let list: Vec<String> = (0..1 + g.below(3)).map(|_| node(&mut g)).collect();
                    text.push_str(&format!("any_of = [{}]\n", list.join(", ")));
                }
                text.push_str(&format!(
                    "[[steps.branches]]\nid = \"b{k}\"\nprobability = 0.5\n[[steps.branches]]\nid = \"c{k}\"\nprobability = \"rest\"\n"
                ));
            }
            let (model, map) = crate::scenario::load::parts(&text).expect("loads");
            let new = super::cycles(&model, &map, &text);
            assert_eq!(new, cycles_by_sweeps(&model, &map, &text), "{text}");
            with_circles += usize::from(!new.is_empty());
        }
        assert!(
            with_circles > 500,
            "only {with_circles} scenarios with circles"
        );
    }

    fn warnings(body: &str) -> Vec<String> {
        let text = format!("[scenario]\nname = \"t\"\nhorizon = 10\n{body}");
        match load_str("t.toml", &text) {
            Ok((_, w)) => w.items.into_iter().map(|d| d.message).collect(),
            Err(d) => panic!("does not load:\n{d}"),
        }
    }

    #[test]
    fn clean_file_has_no_warnings() {
        let w = warnings(
            "[parameters]\np = 0.5\n[actors.a]\nstate = { x = 0 }\n[[steps]]\nid = \"s\"\nprobability = \"p\"\neffects = [\"a.x += 1\"]\n",
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn step_after_its_excluder_is_unreachable() {
        let w = warnings(
            "[[steps]]\nid = \"a\"\nexcludes = [\"b\"]\n[[steps]]\nid = \"b\"\nafter = [\"a\"]\n[[steps]]\nid = \"c\"\nafter = [\"b\"]\n",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("step `b` can never happen") && w[0].contains("excludes it"));
        assert!(
            w[1].contains("step `c` can never happen")
                && w[1].contains("`b`, which can never happen")
        );
    }

    #[test]
    fn zero_probability_branch_and_outcome() {
        let w = warnings(
            "[[steps]]\nid = \"a\"\n[[steps.branches]]\nid = \"x\"\nprobability = 0\nends = \"war\"\n[[steps.branches]]\nid = \"y\"\nprobability = \"rest\"\n",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("branch `x` can never happen: its probability is 0"));
        assert!(w[1].contains("outcome `war` can never happen"));
    }

    #[test]
    fn unused_parameter_and_variable() {
        let w = warnings("[parameters]\nunused = 3\n[actors.a]\nstate = { idle = 1 }\n");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("parameter `unused` is not used"));
        assert!(w[1].contains("`a.idle` is never changed or read"));
    }
}
