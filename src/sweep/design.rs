//! Sweep designs: which points a sweep runs, each a set of fixed parameter values.
//!
//! Three kinds, all deterministic (a design is a pure function of the model, the spec and the
//! seed, so a shard can rebuild the whole design and run only its points):
//! - a full grid over lists and `lo..hi:k` ranges, the first varied parameter slowest;
//! - a Latin hypercube of `K` points over `lo..hi` ranges;
//! - `K` epistemic points drawn from the scenario's own parameter distributions.
//!
//! The random designs draw through the engine's addressed streams, keyed by a salted seed and
//! site names that no parameter or step id can take (ids never contain `/`), so they never
//! reuse a draw of the runs themselves.

use serde::{Deserialize, Serialize};

use crate::engine::rng::{self, Purpose, Stream};
use crate::expr::Env;
use crate::scenario::{Model, ParamId, ParamValue, SweepSpec, Vary};

/// Salt mixed into the seed for Latin-hypercube permutations and jitter.
const LHS_SALT: u64 = 0x4C48_535F_5357_4550;
/// Salt mixed into the seed for epistemic points.
const EPISTEMIC_SALT: u64 = 0x4550_4953_5445_4D49;

/// Largest number of points a design may have: a guard against `a=0..1:1000` typos multiplied
/// over several parameters. Every point's summary is held in memory until the tables are
/// written (a few kB to tens of kB each), so 100,000 points stay within a few GB.
pub const MAX_POINTS: u64 = 100_000;

/// Largest number of runs a sweep may ask for in all (points x runs): 10^10 runs is some
/// hundred CPU-hours for a scenario the size of dprk-kursk, already a cluster job (`--shard`).
pub const MAX_TOTAL_RUNS: u64 = 10_000_000_000;

/// Refuses a design of `points` points of `runs` runs each that is larger than
/// [`MAX_POINTS`] or [`MAX_TOTAL_RUNS`], with a message that says what to change.
pub fn check_size(points: u64, runs: u64) -> Result<(), String> {
    if points > MAX_POINTS {
        return Err(format!(
            "the design has {points} points, more than the limit of {MAX_POINTS}; use fewer \
             values, fewer --vary parameters or a smaller --lhs/--epistemic"
        ));
    }
    let total = u128::from(points) * u128::from(runs);
    if total > u128::from(MAX_TOTAL_RUNS) {
        return Err(format!(
            "{points} points x {runs} runs = {total} runs in all, more than the limit of \
             {MAX_TOTAL_RUNS}; use fewer points or fewer --runs"
        ));
    }
    Ok(())
}

/// What kind of design produced the points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// Full grid over lists and ranges.
    Grid,
    /// Latin hypercube.
    Lhs,
    /// Draws from the scenario's own distributions.
    Epistemic,
}

/// A sweep design: the varied parameters and one row of values per point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Design {
    /// How the points were made.
    pub kind: DesignKind,
    /// The varied parameters' ids, in column order.
    pub params: Vec<String>,
    /// The same parameters as indices into [`Model::params`].
    pub param_ids: Vec<ParamId>,
    /// One row per point, one value per varied parameter.
    pub points: Vec<Vec<f64>>,
}

impl Design {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the design has no point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// A short description for manifest.json: the kind, the parameters and the number of
    /// points (the values are in points.csv).
    pub fn describe(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": self.kind,
            "params": self.params,
            "points": self.points.len(),
        })
    }

    /// The model at point `i`: each varied parameter replaced by its fixed value there
    /// (derived parameters stay expressions, so they are recomputed from the new values).
    pub fn model_at(&self, base: &Model, i: usize) -> Model {
        let mut m = base.clone();
        for (&p, &v) in self.param_ids.iter().zip(&self.points[i]) {
            m.set_param(p, v);
        }
        m
    }
}

/// Parses a `--vary` argument: `NAME=v1,v2,v3`, `NAME=lo..hi:k` or `NAME=lo..hi`.
pub fn parse_vary(model: &Model, s: &str) -> Result<(ParamId, Vary), String> {
    let Some((name, spec)) = s.split_once('=') else {
        return Err(format!(
            "--vary takes NAME=v1,v2,... or NAME=lo..hi:k, got `{s}`"
        ));
    };
    let name = name.trim();
    let Some(p) = model.param_index(name) else {
        return Err(model.unknown_param(name, "--vary"));
    };
    // The value syntax is the `[sweep]` table's, parsed by the loader's own function.
    let vary = crate::scenario::load::parse_vary(spec.trim())
        .map_err(|e| format!("--vary {name}: {e}"))?;
    check_vary(name, &vary)?;
    Ok((p, vary))
}

/// Checks one varied parameter's values (also for `[sweep]` tables).
fn check_vary(name: &str, vary: &Vary) -> Result<(), String> {
    match vary {
        Vary::List(v) if v.is_empty() => Err(format!("--vary {name}: no values given")),
        Vary::List(v) if v.iter().any(|x| !x.is_finite()) => Err(format!(
            "--vary {name}: every value must be a finite number"
        )),
        Vary::Range { lo, hi, .. } if !(lo.is_finite() && hi.is_finite() && lo <= hi) => Err(
            format!("--vary {name}: the range {lo}..{hi} must have finite ends with lo <= hi"),
        ),
        Vary::Range { k: Some(0), .. } => {
            Err(format!("--vary {name}: the number of values must be >= 1"))
        }
        // Checked before the values are made: `0..1:4294967295` must not allocate them.
        Vary::Range { k: Some(k), .. } if u64::from(*k) > MAX_POINTS => Err(format!(
            "--vary {name}: {k} values, more than a design may have points ({MAX_POINTS}); \
             use fewer values, or --lhs K for a Latin hypercube"
        )),
        _ => Ok(()),
    }
}

/// The `k` evenly spaced values from `lo` to `hi`, both ends included (`lo` alone if k = 1),
/// each rounded to 15 significant digits so that `0.1..0.5:5` gives 0.3, not
/// 0.30000000000000004, in the tables (a change far below any effect a sweep can resolve).
pub fn linspace(lo: f64, hi: f64, k: u32) -> Vec<f64> {
    if k <= 1 {
        return vec![lo];
    }
    let steps = f64::from(k - 1);
    // lo + (hi - lo) * i / (k - 1), with the last value exactly hi (no rounding drift).
    (0..k)
        .map(|i| {
            if i == k - 1 {
                hi
            } else {
                round15(lo + (hi - lo) * (f64::from(i) / steps))
            }
        })
        .collect()
}

/// `x` rounded to 15 significant digits (unchanged if not finite).
fn round15(x: f64) -> f64 {
    format!("{x:.14e}").parse().unwrap_or(x)
}

/// The values of one grid dimension.
fn grid_values(name: &str, vary: &Vary) -> Result<Vec<f64>, String> {
    match vary {
        Vary::List(v) => Ok(v.clone()),
        Vary::Range { lo, hi, k: Some(k) } => Ok(linspace(*lo, *hi, *k)),
        Vary::Range { lo, hi, k: None } => Err(format!(
            "--vary {name}={lo}..{hi} is a range without a count: add `:k` for k grid values \
             (e.g. {name}={lo}..{hi}:5), or give --lhs K for a Latin hypercube over it"
        )),
    }
}

/// The full grid over `vary`, the first parameter slowest (like nested loops in the order
/// the parameters are given).
pub fn grid(model: &Model, vary: &[(ParamId, Vary)]) -> Result<Design, String> {
    // The size first, from the counts alone: the values are made only for a grid within
    // the limit.
    let mut total: u64 = 1;
    for (p, v) in vary {
        let name = &model.params[*p].id;
        check_vary(name, v)?;
        let count = match v {
            Vary::List(values) => values.len() as u64,
            Vary::Range { k, .. } => k.map_or(1, u64::from),
        };
        total = total.saturating_mul(count);
    }
    if total > MAX_POINTS {
        return Err(format!(
            "the grid has {total} points, more than the limit of {MAX_POINTS}; use fewer \
             values or --lhs"
        ));
    }
    let mut dims = Vec::with_capacity(vary.len());
    for (p, v) in vary {
        dims.push(grid_values(&model.params[*p].id, v)?);
    }
    let mut points: Vec<Vec<f64>> = vec![Vec::new()];
    for values in &dims {
        points = points
            .iter()
            .flat_map(|prefix| {
                values.iter().map(move |&v| {
                    let mut p = prefix.clone();
                    p.push(v);
                    p
                })
            })
            .collect();
    }
    if vary.is_empty() {
        points.clear();
    }
    Ok(design(model, DesignKind::Grid, vary, points))
}

/// `k` Latin-hypercube points over the ranges of `vary`: for each parameter the range is cut
/// into `k` equal strata and each stratum holds exactly one point (at a uniform position
/// inside it); the strata are matched across parameters by independent random permutations.
pub fn lhs(model: &Model, vary: &[(ParamId, Vary)], k: u32, seed: u64) -> Result<Design, String> {
    if k == 0 {
        return Err("--lhs takes a number of points >= 1".to_string());
    }
    if vary.is_empty() {
        return Err("--lhs needs at least one --vary NAME=lo..hi range to spread over".into());
    }
    if u64::from(k) > MAX_POINTS {
        return Err(format!(
            "--lhs {k}: more points than the limit of {MAX_POINTS}"
        ));
    }
    let key = rng::run_key(seed ^ LHS_SALT, 0);
    let n = k as usize;
    let mut points = vec![Vec::with_capacity(vary.len()); n];
    for (p, v) in vary {
        let name = &model.params[*p].id;
        check_vary(name, v)?;
        let (lo, hi) = match v {
            Vary::Range { lo, hi, .. } => (*lo, *hi),
            Vary::List(_) => {
                return Err(format!(
                    "--lhs spreads points over ranges: give --vary {name}=lo..hi, not a list"
                ));
            }
        };
        // One stream per parameter, addressed by its id: adding a parameter to the design
        // leaves the other parameters' permutations unchanged.
        let mut s = Stream::new(
            key,
            rng::site(Purpose::Param, &format!("sweep/lhs/{name}")),
            0,
        );
        let mut perm: Vec<usize> = (0..n).collect();
        // Fisher-Yates, drawing j uniformly in 0..=i by multiply-shift (no modulo bias worth
        // mentioning for k < 2^32).
        for i in (1..n).rev() {
            let j = ((u128::from(s.next_u64()) * (i as u128 + 1)) >> 64) as usize;
            perm.swap(i, j);
        }
        for (i, point) in points.iter_mut().enumerate() {
            let u = (perm[i] as f64 + s.unit()) / n as f64;
            point.push(lo + (hi - lo) * u);
        }
    }
    Ok(design(model, DesignKind::Lhs, vary, points))
}

/// `k` points drawn from the scenario's own distributions: at point `i` every drawn parameter
/// takes a draw (its arguments evaluated from the parameters before it, derived ones
/// included), through streams addressed by (salted seed, point, parameter id). The design's
/// columns are the drawn parameters, in file order.
pub fn epistemic(model: &Model, k: u32, seed: u64) -> Result<Design, String> {
    if k == 0 {
        return Err("--epistemic takes a number of points >= 1".to_string());
    }
    if u64::from(k) > MAX_POINTS {
        return Err(format!(
            "--epistemic {k}: more points than the limit of {MAX_POINTS}"
        ));
    }
    let drawn: Vec<ParamId> = (0..model.params.len())
        .filter(|&p| matches!(model.params[p].value, ParamValue::Drawn(_)))
        .collect();
    if drawn.is_empty() {
        return Err(
            "--epistemic draws the scenario's uncertain parameters, but none is drawn from a \
             distribution"
                .to_string(),
        );
    }
    let sampler = ParamSampler::new(model, "epistemic", seed ^ EPISTEMIC_SALT);
    let mut values = vec![0.0; model.params.len()];
    let mut points = Vec::with_capacity(k as usize);
    for i in 0..u64::from(k) {
        sampler
            .sample(model, i, &mut values)
            .map_err(|e| format!("epistemic point {i}: {e}"))?;
        points.push(drawn.iter().map(|&p| values[p]).collect());
    }
    let vary: Vec<(ParamId, Vary)> = drawn.iter().map(|&p| (p, Vary::List(vec![]))).collect();
    Ok(design(model, DesignKind::Epistemic, &vary, points))
}

/// Draws every parameter of a model at an index through addressed streams of their own
/// (salted seed, index, `sweep/<purpose>/<id>`), in dependency order: drawn parameters from
/// their distributions, derived ones recomputed, fixed ones as they are.
pub(crate) struct ParamSampler {
    seed: u64,
    sites: Vec<u64>,
}

impl ParamSampler {
    /// A sampler whose streams are named for `purpose` and keyed by `seed`.
    pub(crate) fn new(model: &Model, purpose: &str, seed: u64) -> ParamSampler {
        ParamSampler {
            seed,
            sites: model
                .params
                .iter()
                .map(|p| rng::site(Purpose::Param, &format!("sweep/{purpose}/{}", p.id)))
                .collect(),
        }
    }

    /// All parameter values at index `i` into `values` (indexed like `Model::params`).
    pub(crate) fn sample(&self, model: &Model, i: u64, values: &mut [f64]) -> Result<(), String> {
        let key = rng::run_key(self.seed, i);
        for &p in &model.param_order {
            let env = Env {
                params: values,
                state: &[],
                counts: &[],
                t: 0.0,
            };
            let v = match &model.params[p].value {
                ParamValue::Fixed(v) => *v,
                ParamValue::Derived(e) => e.eval(&env),
                ParamValue::Drawn(d) => {
                    let mut s = Stream::new(key, self.sites[p], 0);
                    d.sample(&env, &mut s)
                        .map_err(|e| format!("parameter `{}`: {}", model.params[p].id, e.message))?
                }
            };
            if !v.is_finite() {
                return Err(format!(
                    "parameter `{}` is not a finite number ({v})",
                    model.params[p].id
                ));
            }
            values[p] = v;
        }
        Ok(())
    }
}

/// The design a spec describes (`[sweep]` table or command-line flags).
pub fn from_spec(model: &Model, spec: &SweepSpec, seed: u64) -> Result<Design, String> {
    match (spec.lhs, spec.epistemic) {
        (Some(_), Some(_)) => Err("give either --lhs or --epistemic, not both".to_string()),
        (Some(k), None) => lhs(model, &spec.vary, k, seed),
        (None, Some(k)) => {
            if spec.vary.is_empty() {
                epistemic(model, k, seed)
            } else {
                Err(
                    "--epistemic draws every uncertain parameter from its distribution; it \
                     does not combine with --vary"
                        .to_string(),
                )
            }
        }
        (None, None) if spec.vary.is_empty() => Err(
            "a sweep needs a design: --vary NAME=v1,v2 or NAME=lo..hi:k (repeatable), \
             --lhs K with --vary ranges, --epistemic K, or a [sweep] table in the scenario"
                .to_string(),
        ),
        (None, None) => grid(model, &spec.vary),
    }
}

fn design(
    model: &Model,
    kind: DesignKind,
    vary: &[(ParamId, Vary)],
    points: Vec<Vec<f64>>,
) -> Design {
    Design {
        kind,
        params: vary
            .iter()
            .map(|(p, _)| model.params[*p].id.clone())
            .collect(),
        param_ids: vary.iter().map(|(p, _)| *p).collect(),
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;
    use crate::scenario::Param;

    /// A model with only fixed parameters `a`, `b`, `c` (no expressions needed).
    fn model() -> Model {
        let param = |id: &str| Param {
            id: id.to_string(),
            value: ParamValue::Fixed(0.0),
            unit: None,
            description: None,
            span: Span::default(),
        };
        Model {
            name: "t".into(),
            description: None,
            source: None,
            time_unit: "day".into(),
            horizon: 1.0,
            resolution: 1.0,
            params: vec![param("a"), param("b"), param("c")],
            param_order: vec![0, 1, 2],
            actors: vec![],
            vars: vec![],
            nodes: vec![],
            steps: vec![],
            flows: vec![],
            outcomes: vec!["horizon".into()],
            sweep: None,
            checks: vec![],
        }
    }

    #[test]
    fn vary_syntax() {
        let m = model();
        assert_eq!(
            parse_vary(&m, "b=1,2.5,3").unwrap(),
            (1, Vary::List(vec![1.0, 2.5, 3.0]))
        );
        assert_eq!(
            parse_vary(&m, "a=0..1:5").unwrap(),
            (
                0,
                Vary::Range {
                    lo: 0.0,
                    hi: 1.0,
                    k: Some(5)
                }
            )
        );
        assert_eq!(
            parse_vary(&m, "c = -2..2").unwrap(),
            (
                2,
                Vary::Range {
                    lo: -2.0,
                    hi: 2.0,
                    k: None
                }
            )
        );
        assert!(
            parse_vary(&m, "d=1,2")
                .unwrap_err()
                .contains("no parameter")
        );
        assert!(
            parse_vary(&m, "a=1,x")
                .unwrap_err()
                .contains("not a finite number")
        );
        assert!(
            parse_vary(&m, "a=2..1:3")
                .unwrap_err()
                .contains("backwards")
        );
        assert!(parse_vary(&m, "a=0..1:0").unwrap_err().contains(">= 1"));
        assert!(parse_vary(&m, "a").is_err());
    }

    #[test]
    fn linspace_includes_both_ends() {
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(linspace(0.1, 0.3, 3)[2], 0.3);
        assert_eq!(linspace(2.0, 3.0, 1), vec![2.0]);
        // Plain lo + (hi - lo) * t gives 0.30000000000000004 here.
        assert_eq!(linspace(0.1, 0.5, 5), vec![0.1, 0.2, 0.3, 0.4, 0.5]);
    }

    #[test]
    fn grid_is_full_and_first_parameter_slowest() {
        let m = model();
        let vary = vec![
            (0, Vary::List(vec![1.0, 2.0])),
            (
                2,
                Vary::Range {
                    lo: 0.0,
                    hi: 1.0,
                    k: Some(3),
                },
            ),
        ];
        let d = grid(&m, &vary).unwrap();
        assert_eq!(d.params, vec!["a", "c"]);
        assert_eq!(d.len(), 6);
        let expect = [
            [1.0, 0.0],
            [1.0, 0.5],
            [1.0, 1.0],
            [2.0, 0.0],
            [2.0, 0.5],
            [2.0, 1.0],
        ];
        for (p, e) in d.points.iter().zip(expect) {
            assert_eq!(p.as_slice(), e.as_slice());
        }
        let at = d.model_at(&m, 4);
        assert!(matches!(at.params[0].value, ParamValue::Fixed(2.0)));
        assert!(matches!(at.params[2].value, ParamValue::Fixed(0.5)));
        // A range without a count is an LHS range, not a grid dimension.
        let e = grid(
            &m,
            &[(
                0,
                Vary::Range {
                    lo: 0.0,
                    hi: 1.0,
                    k: None,
                },
            )],
        )
        .unwrap_err();
        assert!(e.contains("--lhs"));
    }

    #[test]
    fn lhs_has_one_point_per_stratum_per_dimension() {
        let m = model();
        let vary = vec![
            (
                0,
                Vary::Range {
                    lo: 0.0,
                    hi: 1.0,
                    k: None,
                },
            ),
            (
                1,
                Vary::Range {
                    lo: 10.0,
                    hi: 30.0,
                    k: None,
                },
            ),
        ];
        let k = 50u32;
        let d = lhs(&m, &vary, k, 7).unwrap();
        assert_eq!(d.len(), 50);
        for (dim, (lo, hi)) in [(0.0, 1.0), (10.0, 30.0)].into_iter().enumerate() {
            let mut seen = vec![0u32; k as usize];
            for p in &d.points {
                let v = p[dim];
                assert!(v >= lo && v < hi, "{v} outside [{lo}, {hi})");
                let stratum = (((v - lo) / (hi - lo)) * f64::from(k)).floor() as usize;
                seen[stratum.min(k as usize - 1)] += 1;
            }
            assert!(seen.iter().all(|&c| c == 1), "dimension {dim}: {seen:?}");
        }
        // Deterministic for a seed, different for another.
        assert_eq!(d, lhs(&m, &vary, k, 7).unwrap());
        assert_ne!(d.points, lhs(&m, &vary, k, 8).unwrap().points);
        // The two dimensions are not matched stratum for stratum (a shuffle happened).
        let same_order = d
            .points
            .windows(2)
            .all(|w| (w[0][0] < w[1][0]) == (w[0][1] < w[1][1]));
        assert!(!same_order);
        assert!(lhs(&m, &[(0, Vary::List(vec![1.0]))], 3, 1).is_err());
    }

    #[test]
    fn spec_dispatch() {
        let m = model();
        let spec = SweepSpec::default();
        assert!(
            from_spec(&m, &spec, 1)
                .unwrap_err()
                .contains("needs a design")
        );
        let spec = SweepSpec {
            vary: vec![(1, Vary::List(vec![1.0, 2.0, 3.0]))],
            lhs: None,
            epistemic: None,
        };
        assert_eq!(from_spec(&m, &spec, 1).unwrap().len(), 3);
        // No drawn parameter: epistemic has nothing to draw.
        let spec = SweepSpec {
            vary: vec![],
            lhs: None,
            epistemic: Some(4),
        };
        assert!(
            from_spec(&m, &spec, 1)
                .unwrap_err()
                .contains("none is drawn")
        );
    }
}
