//! `--tornado`: one-at-a-time sensitivity. Each uncertain parameter is fixed at its 10th and
//! at its 90th percentile (or at the ends of a `--vary` range), every other parameter drawn
//! as usual, and the outcome probabilities compared. All variants run on common random
//! numbers, so a swing is the parameter's effect and not noise between two samples. The
//! parameters are ranked by their swing on one outcome or step (`--outcome`; by default the
//! rarest outcome other than `horizon`: the question a tornado is usually asked about).

use crate::engine::many::BatchError;
use crate::scenario::{Model, ParamId, ParamValue, Vary};
use crate::sweep::counts::{Counts, count_variants};
use crate::sweep::design::ParamSampler;

/// Draws used for an empirical quantile when a distribution has no closed-form one.
pub const EMPIRICAL_DRAWS: u64 = 4096;
/// Salt of the empirical-quantile streams.
const QUANTILE_SALT: u64 = 0x544F_524E_4144_4F51;

/// One tornado parameter with the two values it is fixed at.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The parameter.
    pub param: ParamId,
    /// The low value (p10 or the range's low end).
    pub low: f64,
    /// The high value (p90 or the range's high end).
    pub high: f64,
}

/// The parameters a tornado moves and their low and high values: every drawn parameter and
/// every parameter given in `vary`, in file order. A `vary` entry gives the ends (a list: its
/// smallest and largest value); otherwise the distribution's p10 and p90 (closed form if the
/// distribution has one and constant arguments, else the empirical quantile of
/// [`EMPIRICAL_DRAWS`] addressed draws of the parameter, its arguments drawn too).
pub fn bars(model: &Model, vary: &[(ParamId, Vary)], seed: u64) -> Result<Vec<Bar>, String> {
    let mut out = Vec::new();
    let mut empirical: Option<Vec<Vec<f64>>> = None;
    for p in 0..model.params.len() {
        let given = vary.iter().find(|(q, _)| *q == p).map(|(_, v)| v);
        let (low, high) = match (given, &model.params[p].value) {
            (Some(Vary::Range { lo, hi, .. }), _) => (*lo, *hi),
            (Some(Vary::List(v)), _) => {
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                if !lo.is_finite() || !hi.is_finite() {
                    return Err(format!("--vary {}: give finite values", model.params[p].id));
                }
                (lo, hi)
            }
            (None, ParamValue::Drawn(d)) => match (d.quantile(0.1), d.quantile(0.9)) {
                (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() => (lo, hi),
                _ => {
                    if empirical.is_none() {
                        empirical = Some(draw_all(model, seed)?);
                    }
                    let draws = empirical.as_ref().map_or(&[][..], |e| &e[p][..]);
                    (quantile_sorted(draws, 0.1), quantile_sorted(draws, 0.9))
                }
            },
            (None, _) => continue,
        };
        out.push(Bar {
            param: p,
            low,
            high,
        });
    }
    if out.is_empty() {
        return Err(
            "--tornado moves uncertain parameters, but none is drawn from a distribution; \
             give ranges with --vary NAME=lo..hi"
                .to_string(),
        );
    }
    Ok(out)
}

/// [`EMPIRICAL_DRAWS`] draws of every parameter, each column sorted.
fn draw_all(model: &Model, seed: u64) -> Result<Vec<Vec<f64>>, String> {
    let sampler = ParamSampler::new(model, "tornado", seed ^ QUANTILE_SALT);
    let mut cols = vec![Vec::with_capacity(EMPIRICAL_DRAWS as usize); model.params.len()];
    let mut values = vec![0.0; model.params.len()];
    for i in 0..EMPIRICAL_DRAWS {
        sampler
            .sample(model, i, &mut values)
            .map_err(|e| format!("--tornado, drawing parameters for quantiles: {e}"))?;
        for (c, v) in cols.iter_mut().zip(&values) {
            c.push(*v);
        }
    }
    for c in &mut cols {
        c.sort_by(f64::total_cmp);
    }
    Ok(cols)
}

/// The `q`-quantile of sorted values, interpolated between order statistics (type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let i = (h.floor() as usize).min(n - 2);
            sorted[i] + (h - i as f64) * (sorted[i + 1] - sorted[i])
        }
    }
}

/// One row of tornado.csv.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Parameter id.
    pub parameter: String,
    /// Outcome label, or the step id the tornado is ranked by (`--outcome STEP`).
    pub outcome: String,
    /// The parameter's low value.
    pub low_value: f64,
    /// Its high value.
    pub high_value: f64,
    /// The probability with every parameter drawn as usual: the chart's centre line.
    pub p_base: f64,
    /// Outcome probability with the parameter at its low value.
    pub p_low: f64,
    /// At its high value.
    pub p_high: f64,
    /// `|p_high - p_low|`.
    pub swing: f64,
}

/// tornado.csv's header.
pub const HEADER: [&str; 8] = [
    "parameter",
    "outcome",
    "low_value",
    "high_value",
    "p_base",
    "p_low",
    "p_high",
    "swing",
];

/// What a tornado ranks its parameters by: an outcome, or a step (or branch) happening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Outcome index.
    Outcome(usize),
    /// Node index (a step or a branch).
    Node(usize),
}

impl Target {
    /// Finds `id` among the outcomes, then the steps and branches.
    pub fn find(model: &Model, id: &str) -> Result<Target, String> {
        if let Some(o) = model.outcomes.iter().position(|x| x == id) {
            return Ok(Target::Outcome(o));
        }
        if let Some(n) = model.node_index(id) {
            return Ok(Target::Node(n));
        }
        let mut known: Vec<&str> = model.outcomes.iter().map(String::as_str).collect();
        known.extend(model.nodes.iter().map(|n| n.id.as_str()));
        let hint = crate::diag::closest(id, &known)
            .map(|c| format!(" (did you mean `{c}`?)"))
            .unwrap_or_default();
        Err(format!(
            "--outcome {id}: no outcome, step or branch of that name{hint}"
        ))
    }

    /// Its id as written in tornado.csv's `outcome` column.
    pub fn id(self, model: &Model) -> &str {
        match self {
            Target::Outcome(o) => &model.outcomes[o],
            Target::Node(n) => &model.nodes[n].id,
        }
    }

    fn count(self, c: &Counts) -> u64 {
        match self {
            Target::Outcome(o) => c.outcomes[o],
            Target::Node(n) => c.nodes[n],
        }
    }
}

/// The tornado: base counts and the rows, and what they are ranked by.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    /// Ranked by this.
    pub target: Target,
    /// Whether `target` was chosen by rungs (the rarest outcome) rather than `--outcome`.
    pub chosen: bool,
    /// Rows grouped by outcome: the target's first, then every outcome in file order (a
    /// step target adds its own rows); within each, largest swing first, ties in parameter
    /// file order.
    pub rows: Vec<Row>,
}

/// The default target: the rarest outcome other than `horizon` that happened at all in the
/// base runs (ties: file order); `horizon` only when nothing else happened.
fn rarest_outcome(model: &Model, base: &Counts) -> Target {
    let o = (0..model.outcomes.len())
        .filter(|&o| model.outcomes[o] != "horizon" && base.outcomes[o] > 0)
        .min_by_key(|&o| (base.outcomes[o], o))
        .or_else(|| model.outcomes.iter().position(|x| x != "horizon"))
        .unwrap_or(0);
    Target::Outcome(o)
}

/// Runs the tornado: the base and two variants per bar, on common random numbers, ranked
/// by `target` (None: the rarest outcome, see [`Tornado::rows`]).
pub fn run(
    model: &Model,
    bars: &[Bar],
    target: Option<Target>,
    seed: u64,
    runs: u64,
    threads: usize,
    progress: &dyn Fn(u64),
) -> Result<Tornado, BatchError> {
    let mut variants = Vec::with_capacity(bars.len() * 2 + 1);
    variants.push(model.clone());
    for b in bars {
        for v in [b.low, b.high] {
            let mut m = model.clone();
            m.set_param(b.param, v);
            variants.push(m);
        }
    }
    let counts = count_variants(&variants, seed, runs, threads, progress)?;
    let base = &counts[0];
    let (target, chosen) = match target {
        Some(t) => (t, false),
        None => (rarest_outcome(model, base), true),
    };
    // The groups of rows: the target first, then the outcomes (the target's only once).
    let mut groups = vec![target];
    groups.extend(
        (0..model.outcomes.len())
            .map(Target::Outcome)
            .filter(|&t| t != target),
    );
    let p = |k: u64| k as f64 / runs.max(1) as f64;
    let mut rows = Vec::new();
    for g in groups {
        // (integer swing, bar, row): sorting on integers makes ties exact.
        let mut group: Vec<(u64, usize, Row)> = bars
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let (kl, kh) = (g.count(&counts[2 * i + 1]), g.count(&counts[2 * i + 2]));
                let row = Row {
                    parameter: model.params[b.param].id.clone(),
                    outcome: g.id(model).to_string(),
                    low_value: b.low,
                    high_value: b.high,
                    p_base: p(g.count(base)),
                    p_low: p(kl),
                    p_high: p(kh),
                    swing: p(kl.abs_diff(kh)),
                };
                (kl.abs_diff(kh), i, row)
            })
            .collect();
        group.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        rows.extend(group.into_iter().map(|r| r.2));
    }
    Ok(Tornado {
        target,
        chosen,
        rows,
    })
}

/// The cells of one row.
pub fn cells(r: &Row) -> Vec<String> {
    let num = super::num;
    vec![
        r.parameter.clone(),
        r.outcome.clone(),
        num(r.low_value),
        num(r.high_value),
        num(r.p_base),
        num(r.p_low),
        num(r.p_high),
        num(r.swing),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empirical_quantile_interpolates() {
        let v: Vec<f64> = (0..=10).map(f64::from).collect();
        assert_eq!(quantile_sorted(&v, 0.1), 1.0);
        assert_eq!(quantile_sorted(&v, 0.95), 9.5);
        assert_eq!(quantile_sorted(&[3.0], 0.9), 3.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }
}
