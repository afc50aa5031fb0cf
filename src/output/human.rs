//! The short summary printed on stdout after a run.

use std::fmt::Write;

use crate::scenario::Model;
use crate::stats::{Summary, wilson};

/// How many steps the summary lists.
const TOP_STEPS: usize = 5;

/// A probability as a percentage with enough digits for small ones.
fn pct(p: f64) -> String {
    let x = 100.0 * p;
    if x != 0.0 && x.abs() < 0.1 {
        format!("{x:.3}%")
    } else {
        format!("{x:.1}%")
    }
}

/// `p (lo–hi)` of `k` in `n`.
fn with_ci(k: u64, n: u64) -> String {
    match wilson(k, n) {
        Some((lo, hi)) => format!(
            "{:>7}  (95% CI {} to {})",
            pct(k as f64 / n as f64),
            pct(lo),
            pct(hi)
        ),
        None => "-".to_string(),
    }
}

/// A few lines for a person: the outcomes with their probabilities and Wilson intervals,
/// then the five most likely steps and branches among the highest rungs (sorted by rung,
/// highest first, then by probability; only those that happened at least once). The caller
/// adds where the files went.
pub fn human_summary(model: &Model, summary: &Summary) -> String {
    let n = summary.runs;
    let mut s = String::new();
    let _ = writeln!(s, "{}: {} runs", model.name, n);
    if n == 0 {
        return s;
    }
    let width = model.outcomes.iter().map(|o| o.len()).max().unwrap_or(0);
    let _ = writeln!(s, "Outcomes:");
    for (label, o) in model.outcomes.iter().zip(&summary.outcomes) {
        let _ = writeln!(s, "  {label:<width$}  {}", with_ci(o.count, n));
    }
    let mut nodes: Vec<usize> = (0..model.nodes.len().min(summary.nodes.len()))
        .filter(|&i| summary.nodes[i].happened > 0)
        .collect();
    nodes.sort_by(|&a, &b| {
        let (na, nb) = (&model.nodes[a], &model.nodes[b]);
        nb.rung
            .cmp(&na.rung)
            .then(summary.nodes[b].happened.cmp(&summary.nodes[a].happened))
            .then(a.cmp(&b))
    });
    nodes.truncate(TOP_STEPS);
    if nodes.is_empty() {
        let _ = writeln!(s, "No step happened in any run.");
        return s;
    }
    let _ = writeln!(s, "Most likely steps of the highest rungs:");
    let width = nodes
        .iter()
        .map(|&i| model.nodes[i].id.len())
        .max()
        .unwrap_or(0);
    for i in nodes {
        let node = &model.nodes[i];
        let label = if node.label != node.id {
            format!("  {}", node.label)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  rung {:>2}  {:<width$}  {}{label}",
            node.rung,
            node.id,
            with_ci(summary.nodes[i].happened, n)
        );
    }
    s
}
