//! `--tornado`: one-at-a-time sensitivity. Each uncertain parameter is fixed at its 10th and
//! at its 90th percentile (or at the ends of a `--vary` range), every other parameter drawn
//! as usual, and the outcome probabilities compared. All variants run on common random
//! numbers, so a swing is the parameter's effect and not noise between two samples.

use crate::engine::many::BatchError;
use crate::scenario::{Model, ParamId, ParamValue, Vary};
use crate::sweep::counts::count_variants;
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
    /// Outcome label.
    pub outcome: String,
    /// The parameter's low value.
    pub low_value: f64,
    /// Its high value.
    pub high_value: f64,
    /// Outcome probability with the parameter at its low value.
    pub p_low: f64,
    /// At its high value.
    pub p_high: f64,
    /// `|p_high - p_low|`.
    pub swing: f64,
}

/// tornado.csv's header.
pub const HEADER: [&str; 7] = [
    "parameter",
    "outcome",
    "low_value",
    "high_value",
    "p_low",
    "p_high",
    "swing",
];

/// Runs the tornado: two variants per bar on common random numbers. Rows are sorted by
/// swing, largest first; ties keep parameter file order, then outcome order.
pub fn run(
    model: &Model,
    bars: &[Bar],
    seed: u64,
    runs: u64,
    threads: usize,
    progress: &dyn Fn(u64),
) -> Result<Vec<Row>, BatchError> {
    let mut variants = Vec::with_capacity(bars.len() * 2);
    for b in bars {
        for v in [b.low, b.high] {
            let mut m = model.clone();
            m.set_param(b.param, v);
            variants.push(m);
        }
    }
    let counts = count_variants(&variants, seed, runs, threads, progress)?;
    // (integer swing, bar, outcome, row): sorting on integers makes ties exact.
    let mut rows: Vec<(u64, usize, usize, Row)> = Vec::new();
    for (i, b) in bars.iter().enumerate() {
        let (lo, hi) = (&counts[2 * i], &counts[2 * i + 1]);
        for (o, label) in model.outcomes.iter().enumerate() {
            let (kl, kh) = (lo.outcomes[o], hi.outcomes[o]);
            let (p_low, p_high) = (lo.p_outcome(o), hi.p_outcome(o));
            rows.push((
                kl.abs_diff(kh),
                i,
                o,
                Row {
                    parameter: model.params[b.param].id.clone(),
                    outcome: label.clone(),
                    low_value: b.low,
                    high_value: b.high,
                    p_low,
                    p_high,
                    swing: kl.abs_diff(kh) as f64 / runs.max(1) as f64,
                },
            ));
        }
    }
    rows.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    Ok(rows.into_iter().map(|r| r.3).collect())
}

/// The cells of one row.
pub fn cells(r: &Row) -> Vec<String> {
    let num = super::num;
    vec![
        r.parameter.clone(),
        r.outcome.clone(),
        num(r.low_value),
        num(r.high_value),
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
