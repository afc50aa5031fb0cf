//! The statistics tables of `rungs run`, one function per file, columns as in the spec.

use crate::output::{Table, num, opt};
use crate::scenario::Model;
use crate::scenario::words::term_for;
use crate::stats::summary::Dist;
use crate::stats::{Summary, wilson};

/// `k / n` (None for n = 0).
fn ratio(k: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| k as f64 / n as f64)
}

/// The `words` cell of `k` in `n`: the ICD 203 term of the probability (empty for n = 0).
fn words_cell(k: u64, n: u64) -> String {
    ratio(k, n).map_or(String::new(), |p| term_for(p).to_string())
}

/// probability, ci_low, ci_high of `k` in `n`.
fn prob_cells(k: u64, n: u64) -> [String; 3] {
    let (lo, hi) = match wilson(k, n) {
        Some((lo, hi)) => (Some(lo), Some(hi)),
        None => (None, None),
    };
    [opt(ratio(k, n)), opt(lo), opt(hi)]
}

/// A node's id (or `?` for an index the model does not have).
fn node_id(model: &Model, i: usize) -> &str {
    model.nodes.get(i).map_or("?", |n| n.id.as_str())
}

/// The quantiles of every `_p05 ... _p95` group of columns.
const QUARTILES_AND_TAILS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// One row per step and branch, in file order; the `count_` columns only for a node that can
/// happen more than once (a step with `repeat > 1` and its branches): the number of times it
/// happened per run, over all runs. `words` (the probability's ICD 203 term, see
/// [`crate::scenario::words`]) is last, after the columns older versions wrote.
pub fn steps_table(model: &Model, s: &Summary) -> Table {
    let mut t = Table::new(&[
        "step",
        "label",
        "actor",
        "rung",
        "kind",
        "runs",
        "happened",
        "probability",
        "ci_low",
        "ci_high",
        "time_mean",
        "time_sd",
        "time_p05",
        "time_p25",
        "time_p50",
        "time_p75",
        "time_p95",
        "count_mean",
        "count_sd",
        "count_p05",
        "count_p25",
        "count_p50",
        "count_p75",
        "count_p95",
        "count_max",
        "words",
    ]);
    for (i, (node, st)) in model.nodes.iter().zip(&s.nodes).enumerate() {
        let actor = node
            .actor
            .and_then(|a| model.actors.get(a))
            .map_or(String::new(), |a| a.id.clone());
        let mut row = vec![
            node.id.clone(),
            node.label.clone(),
            actor,
            node.rung.to_string(),
            node.kind.as_str().to_string(),
            s.runs.to_string(),
            st.happened.to_string(),
        ];
        row.extend(prob_cells(st.happened, s.runs));
        row.push(opt(st.time.moments.mean()));
        row.push(opt(st.time.moments.sd()));
        for q in QUARTILES_AND_TAILS {
            row.push(opt(s.time_quantile(i, q)));
        }
        // Repeat counts: empty cells for a node that cannot happen more than once.
        let count = s.repeat_count(i);
        row.push(opt(count.and_then(|d| d.moments.mean())));
        row.push(opt(count.and_then(|d| d.moments.sd())));
        for q in QUARTILES_AND_TAILS {
            row.push(opt(count.and_then(|d| d.quantile(q))));
        }
        row.push(opt(count.and_then(|d| d.moments.max())));
        row.push(words_cell(st.happened, s.runs));
        t.rows.push(row);
    }
    t
}

/// One row per outcome, `horizon` first; `words` last, as in steps.csv.
pub fn outcomes_table(model: &Model, s: &Summary) -> Table {
    let mut t = Table::new(&[
        "outcome",
        "runs",
        "count",
        "probability",
        "ci_low",
        "ci_high",
        "time_mean",
        "time_p50",
        "words",
    ]);
    for (label, st) in model.outcomes.iter().zip(&s.outcomes) {
        let mut row = vec![label.clone(), s.runs.to_string(), st.count.to_string()];
        row.extend(prob_cells(st.count, s.runs));
        row.push(opt(st.time.moments.mean()));
        row.push(opt(st.time.quantile(0.5)));
        row.push(words_cell(st.count, s.runs));
        t.rows.push(row);
    }
    t
}

/// One row per rung 0..=max for `all`, then per actor (rungs 0..=the highest rung of that
/// actor's nodes).
pub fn rungs_table(model: &Model, s: &Summary) -> Table {
    let mut t = Table::new(&["actor", "rung", "p_reached", "p_max"]);
    let mut add = |who: &str, hist: &[u64]| {
        let mut at_least: u64 = hist.iter().sum();
        for (r, &c) in hist.iter().enumerate() {
            t.rows.push(vec![
                who.to_string(),
                r.to_string(),
                opt(ratio(at_least, s.runs)),
                opt(ratio(c, s.runs)),
            ]);
            at_least -= c;
        }
    };
    add("all", &s.rungs_all);
    for (actor, hist) in model.actors.iter().zip(&s.rungs_actor) {
        add(&actor.id, hist);
    }
    t
}

fn dist_cells(d: &Dist, qs: &[f64]) -> Vec<String> {
    let m = &d.moments;
    let mut row = vec![opt(m.mean()), opt(m.sd()), opt(m.min())];
    row.extend(qs.iter().map(|&q| opt(d.quantile(q))));
    row.push(opt(m.max()));
    row
}

/// One row per state variable: its final value.
pub fn state_table(model: &Model, s: &Summary) -> Table {
    let mut t = Table::new(&[
        "actor", "variable", "mean", "sd", "min", "p05", "p25", "p50", "p75", "p95", "max",
    ]);
    for (var, d) in model.vars.iter().zip(&s.vars) {
        let actor = model
            .actors
            .get(var.actor)
            .map_or(String::new(), |a| a.id.clone());
        let mut row = vec![actor, var.name.clone()];
        row.extend(dist_cells(d, &QUARTILES_AND_TAILS));
        t.rows.push(row);
    }
    t
}

/// One row per parameter: its drawn values.
pub fn parameters_table(model: &Model, s: &Summary) -> Table {
    let mut t = Table::new(&[
        "parameter",
        "mean",
        "sd",
        "min",
        "p05",
        "p25",
        "p50",
        "p75",
        "p95",
        "max",
    ]);
    for (p, d) in model.params.iter().zip(&s.params) {
        let mut row = vec![p.id.clone()];
        row.extend(dist_cells(d, &QUARTILES_AND_TAILS));
        t.rows.push(row);
    }
    t
}

/// `time`, then per node the probability that it has happened by that time; one row per
/// point of the summary's [`TimelineGrid`](crate::stats::summary::TimelineGrid).
pub fn timeline_table(model: &Model, s: &Summary) -> Table {
    let mut t = Table::new(&["time"]);
    t.header.extend(model.nodes.iter().map(|n| n.id.clone()));
    let nodes = model.nodes.len().min(s.nodes.len());
    let by: Vec<Vec<u64>> = (0..nodes).map(|i| s.happened_by(i)).collect();
    for i in 0..s.grid.points {
        let mut row = Vec::with_capacity(nodes + 1);
        row.push(num(s.grid.time(i)));
        for b in &by {
            row.push(opt(b.get(i).and_then(|&k| ratio(k, s.runs))));
        }
        t.rows.push(row);
    }
    t
}

/// The `top` most frequent (path, outcome) pairs: most frequent first, ties by path (node
/// indices, i.e. file order, lexicographically) then by outcome index.
pub fn paths_table(model: &Model, s: &Summary, top: usize) -> Table {
    let mut t = Table::new(&["rank", "path", "outcome", "count", "probability"]);
    let mut all: Vec<(&[u32], u32, u64)> = s.paths.iter().collect();
    // `iter` yields by path then outcome, and the sort is stable: ties keep that order.
    all.sort_by_key(|&(_, _, count)| std::cmp::Reverse(count));
    for (rank, (path, outcome, count)) in all.into_iter().take(top).enumerate() {
        let ids: Vec<&str> = path.iter().map(|&i| node_id(model, i as usize)).collect();
        let outcome = model
            .outcomes
            .get(outcome as usize)
            .map_or("?", String::as_str);
        t.rows.push(vec![
            (rank + 1).to_string(),
            ids.join(" > "),
            outcome.to_string(),
            count.to_string(),
            opt(ratio(count, s.runs)),
        ]);
    }
    t
}
