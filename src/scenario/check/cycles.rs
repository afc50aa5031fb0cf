//! Steps that wait for each other in a circle (`after`, or `any_of` whose every choice is on
//! the circle, through steps or their branches): none of them can ever be enabled, so a run
//! would silently do nothing. A load error, unlike the warnings of [`super::check`].

use std::collections::VecDeque;

use super::SourceMap;
use crate::diag::{Diagnostic, LineIndex};
use crate::scenario::Model;

/// Steps looked at by the searches: once one circle is reported, the search stops after
/// this many (a scenario with huge tangled circles gets its first errors, not a hang).
const SEARCH_BUDGET: u64 = 20_000_000;

/// One error per circle, at its first step in file order, naming every step on it with its
/// line. A step that waits for itself alone is left to the warnings of [`super::check`].
pub fn cycles(model: &Model, map: &SourceMap, source: &str) -> Vec<Diagnostic> {
    let steps = &model.steps;
    let can = can_be_enabled(model);
    let waits = blocked_waits(model, &can);
    // Only a step in a strongly connected component of `waits` with more than one step
    // lies on a circle, and a circle through it stays inside its component: the search
    // looks there only (with buffers reused and reset), so a long chain of steps hanging
    // off a circle costs one pass, not a search per step.
    let component = components(&waits);
    let mut size = vec![0usize; steps.len()];
    for &c in &component {
        size[c] += 1;
    }
    let lines = LineIndex::new(source);
    let mut out = Vec::new();
    let mut reported = vec![false; steps.len()];
    let mut search = Search::new(steps.len());
    for start in 0..steps.len() {
        if can[start] || reported[start] || size[component[start]] < 2 {
            continue;
        }
        if !out.is_empty() && search.budget == 0 {
            break;
        }
        let Some(circle) = search.circle(start, &waits, &component) else {
            continue;
        };
        if is_new(&circle, &mut reported) {
            out.push(circle_error(model, map, source, &lines, &circle));
        }
    }
    out
}

/// Which steps can ever be enabled, ignoring guards and chances: a fixpoint from the steps
/// that wait for nothing. A step is enabled once all its `after` are and one of its
/// `any_of` is (steps other than itself); counts of what it still waits for are updated as
/// steps become enabled, so this is linear in the number of references.
fn can_be_enabled(model: &Model) -> Vec<bool> {
    let steps = &model.steps;
    let step_of = |n: usize| model.nodes[n].step;
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
    can
}

/// For each step that can never be enabled, the other steps it waits for that can never be
/// enabled either (empty for the others): the edges a circle runs along.
fn blocked_waits(model: &Model, can: &[bool]) -> Vec<Vec<usize>> {
    let step_of = |n: usize| model.nodes[n].step;
    model
        .steps
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
        .collect()
}

/// The buffers of the breadth-first searches for circles, reused from one start to the next
/// (only what a search touched is reset).
struct Search {
    prev: Vec<Option<usize>>,
    seen: Vec<bool>,
    touched: Vec<usize>,
    /// Steps the searches may still look at (see [`SEARCH_BUDGET`]).
    budget: u64,
}

impl Search {
    fn new(steps: usize) -> Search {
        Search {
            prev: vec![None; steps],
            seen: vec![false; steps],
            touched: Vec::new(),
            budget: SEARCH_BUDGET,
        }
    }

    /// The shortest circle through `start` inside its component, from `start` on (so the
    /// message names only the steps on it), if there is one.
    fn circle(
        &mut self,
        start: usize,
        waits: &[Vec<usize>],
        component: &[usize],
    ) -> Option<Vec<usize>> {
        for &t in &self.touched {
            self.prev[t] = None;
            self.seen[t] = false;
        }
        self.touched.clear();
        let mut queue = VecDeque::from([start]);
        self.seen[start] = true;
        self.touched.push(start);
        let mut closing = None;
        'search: while let Some(u) = queue.pop_front() {
            for &v in &waits[u] {
                self.budget = self.budget.saturating_sub(1);
                if v == start {
                    closing = Some(u);
                    break 'search;
                }
                if !self.seen[v] && component[v] == component[start] {
                    self.seen[v] = true;
                    self.prev[v] = Some(u);
                    self.touched.push(v);
                    queue.push_back(v);
                }
            }
        }
        let mut at = closing?;
        let mut circle = vec![at];
        while let Some(p) = self.prev[at] {
            circle.push(p);
            at = p;
        }
        // `circle` runs from the last step back to `start`; turn it to start -> ... -> last.
        circle.reverse();
        Some(circle)
    }
}

/// Whether no step of `circle` is on a circle already reported (`reported`, per step); if
/// so, its steps are marked reported now.
fn is_new(circle: &[usize], reported: &mut [bool]) -> bool {
    if circle.iter().any(|&s| reported[s]) {
        return false;
    }
    for &s in circle {
        reported[s] = true;
    }
    true
}

/// The error for a circle of steps (`circle[0]` first), at its first step.
fn circle_error(
    model: &Model,
    map: &SourceMap,
    source: &str,
    lines: &LineIndex,
    circle: &[usize],
) -> Diagnostic {
    let span_of = |si: usize| map.nodes.get(model.steps[si].node).cloned().unwrap_or(0..0);
    let named = |si: usize| {
        let line = lines.line(span_of(si).start.min(source.len()));
        format!("`{}` (line {line})", model.nodes[model.steps[si].node].id)
    };
    let mut chain: Vec<String> = circle.iter().map(|&s| named(s)).collect();
    chain.push(named(circle[0]));
    Diagnostic::error(
        span_of(circle[0]),
        format!(
            "steps wait for each other in a circle, so none of them can ever happen: {}",
            chain.join(" waits for ")
        ),
    )
    .with_hint(
        "remove one of these `after` / `any_of` entries, or give one step another way \
         in (an `any_of` choice outside the circle)",
    )
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

#[cfg(test)]
mod tests {
    use super::super::tests::Gen;
    use super::*;

    /// The circle search as it was first written (sweeps to a fixpoint, a fresh search per
    /// step); [`cycles`] must report the same errors. The edges ([`blocked_waits`]), the
    /// message ([`circle_error`]) and the bookkeeping of reported steps are shared: what is compared is which steps can be
    /// enabled and which circles are found.
    fn cycles_by_sweeps(model: &Model, map: &SourceMap, source: &str) -> Vec<Diagnostic> {
        let steps = &model.steps;
        let step_of = |n: usize| model.nodes[n].step;
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
        let waits = blocked_waits(model, &can);
        let lines = LineIndex::new(source);
        let mut out = Vec::new();
        let mut reported = vec![false; steps.len()];
        for start in 0..steps.len() {
            if can[start] || reported[start] {
                continue;
            }
            let mut prev: Vec<Option<usize>> = vec![None; steps.len()];
            let mut queue = VecDeque::from([start]);
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
            circle.reverse();
            if is_new(&circle, &mut reported) {
                out.push(circle_error(model, map, source, &lines, &circle));
            }
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
            let new = cycles(&model, &map, &text);
            assert_eq!(new, cycles_by_sweeps(&model, &map, &text), "{text}");
            with_circles += usize::from(!new.is_empty());
        }
        assert!(
            with_circles > 500,
            "only {with_circles} scenarios with circles"
        );
    }
}
