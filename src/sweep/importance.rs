//! `--importance`: for each step, the scenario with the step blocked (it never happens) and
//! forced (it happens with probability 1 once enabled), the measures of probabilistic risk
//! analysis: risk achievement worth `RAW = p_forced / p_base` and risk reduction worth
//! `RRW = p_base / p_blocked`, per outcome.
//!
//! A probability step is blocked by probability 0 and forced by probability 1 (its delay and
//! branches unchanged). A hazard step is blocked by rate 0; it has no "probability once
//! enabled", so its forced variant is the scenario as is (RAW = 1). All variants run on
//! common random numbers.

use crate::engine::many::BatchError;
use crate::expr::Expr;
use crate::scenario::{Model, StepId, Trigger};
use crate::sweep::counts::count_variants;

/// The step blocked: probability 0, or hazard rate 0.
pub fn blocked(model: &Model, s: StepId) -> Model {
    let mut m = model.clone();
    match &mut m.steps[s].trigger {
        Trigger::Chance { probability, .. } => *probability = Expr::constant(0.0),
        Trigger::Hazard { rate } => *rate = Expr::constant(0.0),
    }
    m
}

/// The step forced: probability 1 once enabled; `None` for a hazard step (kept as is).
pub fn forced(model: &Model, s: StepId) -> Option<Model> {
    match &model.steps[s].trigger {
        Trigger::Chance { .. } => {
            let mut m = model.clone();
            if let Trigger::Chance { probability, .. } = &mut m.steps[s].trigger {
                *probability = Expr::constant(1.0);
            }
            Some(m)
        }
        Trigger::Hazard { .. } => None,
    }
}

/// One row of importance.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Step id.
    pub step: String,
    /// Outcome label.
    pub outcome: String,
    /// Probability of the outcome as is.
    pub p_base: f64,
    /// With the step blocked.
    pub p_blocked: f64,
    /// With the step forced.
    pub p_forced: f64,
    /// `p_forced / p_base` (None where p_base is 0).
    pub raw: Option<f64>,
    /// `p_base / p_blocked` (None where p_blocked is 0).
    pub rrw: Option<f64>,
}

/// importance.csv's header.
pub const HEADER: [&str; 7] = [
    "step",
    "outcome",
    "p_base",
    "p_blocked",
    "p_forced",
    "raw",
    "rrw",
];

/// Runs the base model and the blocked and forced variant of every step; rows per step in
/// file order, then per outcome.
pub fn run(
    model: &Model,
    seed: u64,
    runs: u64,
    threads: usize,
    progress: &dyn Fn(u64),
) -> Result<Vec<Row>, BatchError> {
    let mut variants = vec![model.clone()];
    // Index of each step's blocked and forced variant (forced: 0 = the base itself).
    let mut at = Vec::with_capacity(model.steps.len());
    for s in 0..model.steps.len() {
        variants.push(blocked(model, s));
        let b = variants.len() - 1;
        let f = match forced(model, s) {
            Some(m) => {
                variants.push(m);
                variants.len() - 1
            }
            None => 0,
        };
        at.push((b, f));
    }
    let counts = count_variants(&variants, seed, runs, threads, progress)?;
    let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
    let mut rows = Vec::new();
    for (s, &(b, f)) in at.iter().enumerate() {
        for (o, label) in model.outcomes.iter().enumerate() {
            let (kb, kx, kf) = (
                counts[0].outcomes[o],
                counts[b].outcomes[o],
                counts[f].outcomes[o],
            );
            rows.push(Row {
                step: model.nodes[model.steps[s].node].id.clone(),
                outcome: label.clone(),
                p_base: counts[0].p_outcome(o),
                p_blocked: counts[b].p_outcome(o),
                p_forced: counts[f].p_outcome(o),
                // Ratios of probabilities over the same runs are ratios of counts.
                raw: ratio(kf, kb),
                rrw: ratio(kb, kx),
            });
        }
    }
    Ok(rows)
}

/// The cells of one row (an undefined ratio is an empty cell).
pub fn cells(r: &Row) -> Vec<String> {
    let num = super::num;
    vec![
        r.step.clone(),
        r.outcome.clone(),
        num(r.p_base),
        num(r.p_blocked),
        num(r.p_forced),
        r.raw.map_or(String::new(), num),
        r.rrw.map_or(String::new(), num),
    ]
}
