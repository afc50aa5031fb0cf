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

use rand_distr::{Distribution as _, StandardNormal};

use crate::dist::copula::Copula;
use crate::engine::rng::{self, Purpose, Stream};
use crate::expr::Env;
use crate::scenario::sweep_spec::{Counted, Problem};
use crate::scenario::{CheckedSpec, Model, ParamId, ParamValue, SweepSpec, Vary};

pub use crate::scenario::sweep_spec::MAX_POINTS;

/// Salt mixed into the seed for Latin-hypercube permutations and jitter.
const LHS_SALT: u64 = 0x4C48_535F_5357_4550;
/// Salt mixed into the seed for epistemic points.
const EPISTEMIC_SALT: u64 = 0x4550_4953_5445_4D49;

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
    // The value syntax is the `[sweep]` table's, parsed by the same function.
    let vary = crate::scenario::sweep_spec::parse_vary(spec.trim())
        .map_err(|e| format!("--vary {name}: {e}"))?;
    Ok((p, vary))
}

/// Checks a design given by the flags `--vary`, `--lhs` and `--epistemic` (a `[sweep]`
/// table is checked by the loader, with the spot in the file): the rules of
/// [`SweepSpec::check`], the first broken one named by its flags.
pub fn check_flags(model: &Model, spec: SweepSpec) -> Result<CheckedSpec, String> {
    spec.check(model).map_err(|r| match r.problems.first() {
        Some(p) => flag_message(model, &r.spec, p),
        None => "the sweep design was refused".to_string(),
    })
}

/// What the command line says when the design of its flags breaks rule `p`.
fn flag_message(model: &Model, spec: &SweepSpec, p: &Problem) -> String {
    let name = |i: usize| model.params[spec.vary[i].0].id.as_str();
    let flag = |kind: Counted| kind.key();
    match p {
        Problem::LhsAndEpistemic => "give either --lhs or --epistemic, not both".to_string(),
        Problem::PointCount(kind, 0) => {
            format!("--{} takes a number of points >= 1", flag(*kind))
        }
        Problem::PointCount(kind, k) => format!(
            "--{} {k}: more points than the limit of {MAX_POINTS}",
            flag(*kind)
        ),
        Problem::TooManyValues(i) => format!(
            "--vary {}: {} values, more than a design may have points ({MAX_POINTS}); \
             use fewer values, or --lhs K for a Latin hypercube",
            name(*i),
            spec.vary[*i].1.count()
        ),
        Problem::LhsWithoutRanges if spec.vary.is_empty() => {
            "--lhs needs at least one --vary NAME=lo..hi range to spread over".to_string()
        }
        Problem::LhsWithoutRanges => flag_message(model, spec, &Problem::LhsOverList(0)),
        Problem::LhsOverList(i) => format!(
            "--lhs spreads points over ranges: give --vary {}=lo..hi, not a list",
            name(*i)
        ),
        Problem::EpistemicWithVary => "--epistemic draws every uncertain parameter from its \
             distribution; it does not combine with --vary"
            .to_string(),
        Problem::NothingDrawn => NOTHING_DRAWN.to_string(),
        Problem::RangeWithoutCount(i) => {
            let name = name(*i);
            let Vary::Range { lo, hi, .. } = spec.vary[*i].1 else {
                return format!("--vary {name} needs a count of values");
            };
            format!(
                "--vary {name}={lo}..{hi} is a range without a count: add `:k` for k grid values \
                 (e.g. {name}={lo}..{hi}:5), or give --lhs K for a Latin hypercube over it"
            )
        }
        Problem::GridTooLarge(total) => format!(
            "the grid has {total} points, more than the limit of {MAX_POINTS}; use fewer \
             values or --lhs"
        ),
        Problem::NoPoints => "a sweep needs a design: --vary NAME=v1,v2 or NAME=lo..hi:k \
             (repeatable), --lhs K with --vary ranges, --epistemic K, or a [sweep] table in the \
             scenario"
            .to_string(),
    }
}

/// Why an epistemic design has no columns.
const NOTHING_DRAWN: &str = "--epistemic draws the scenario's uncertain parameters, but none \
     is drawn from a distribution";

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

/// The points of a checked design: a grid, a Latin hypercube or epistemic draws. The only
/// errors left are those of the draws themselves (a distribution argument out of range at
/// some point), and an epistemic design whose every drawn parameter `--set` has fixed since
/// the check.
pub fn build(model: &Model, spec: &CheckedSpec, seed: u64) -> Result<Design, String> {
    match (spec.lhs, spec.epistemic) {
        (Some(k), _) => Ok(lhs(model, &spec.vary, k, seed)),
        (None, Some(k)) => epistemic(model, k, seed),
        (None, None) => Ok(grid(model, &spec.vary)),
    }
}

/// The full grid over `vary`, the first parameter slowest (like nested loops in the order
/// the parameters are given). The check has bounded its size by the counts alone, before
/// any value is made.
fn grid(model: &Model, vary: &[(ParamId, Vary)]) -> Design {
    let mut points: Vec<Vec<f64>> = vec![Vec::new()];
    for (_, v) in vary {
        let values = match v {
            Vary::List(v) => v.clone(),
            // A grid's ranges have a count (a rule of the check).
            Vary::Range { lo, hi, k } => linspace(*lo, *hi, k.unwrap_or(1)),
        };
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
    design(model, DesignKind::Grid, vary, points)
}

/// `k` Latin-hypercube points over the ranges of `vary`: for each parameter the range is cut
/// into `k` equal strata and each stratum holds exactly one point (at a uniform position
/// inside it); the strata are matched across parameters by independent random permutations.
fn lhs(model: &Model, vary: &[(ParamId, Vary)], k: u32, seed: u64) -> Design {
    let key = rng::run_key(seed ^ LHS_SALT, 0);
    let n = k as usize;
    let mut points = vec![Vec::with_capacity(vary.len()); n];
    for (p, v) in vary {
        let name = &model.params[*p].id;
        // Every entry is a range (a rule of the check).
        let (lo, hi) = v.ends();
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
    design(model, DesignKind::Lhs, vary, points)
}

/// `k` points drawn from the scenario's own distributions: at point `i` every drawn parameter
/// takes a draw (its arguments evaluated from the parameters before it, derived ones
/// included), through streams addressed by (salted seed, point, parameter id). The design's
/// columns are the drawn parameters, in file order.
fn epistemic(model: &Model, k: u32, seed: u64) -> Result<Design, String> {
    let drawn: Vec<ParamId> = (0..model.params.len())
        .filter(|&p| matches!(model.params[p].value, ParamValue::Drawn(_)))
        .collect();
    if drawn.is_empty() {
        // The check saw a drawn parameter; `--set` has fixed them all since.
        return Err(NOTHING_DRAWN.to_string());
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
/// their distributions (the correlated ones together, through the model's copula), derived
/// ones recomputed, fixed ones as they are.
pub(crate) struct ParamSampler {
    seed: u64,
    sites: Vec<u64>,
    copula: Copula,
    correlated: Vec<bool>,
}

impl ParamSampler {
    /// A sampler whose streams are named for `purpose` and keyed by `seed`.
    pub(crate) fn new(model: &Model, purpose: &str, seed: u64) -> ParamSampler {
        let copula = model.copula();
        let correlated = copula.drawn(model.params.len());
        ParamSampler {
            seed,
            copula,
            correlated,
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
        let sites = &self.sites;
        self.copula.draw(
            |p| StandardNormal.sample(&mut Stream::new(key, sites[p], 0)),
            values,
        );
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
                ParamValue::Drawn(_) if self.correlated[p] => values[p],
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

/// A design of `kind` over the parameters of `vary` with these points.
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
            correlations: vec![],
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
        let d = grid(&m, &vary);
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
        let d = lhs(&m, &vary, k, 7);
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
        assert_eq!(d, lhs(&m, &vary, k, 7));
        assert_ne!(d.points, lhs(&m, &vary, k, 8).points);
        // The two dimensions are not matched stratum for stratum (a shuffle happened).
        let same_order = d
            .points
            .windows(2)
            .all(|w| (w[0][0] < w[1][0]) == (w[0][1] < w[1][1]));
        assert!(!same_order);
    }

    /// The flags' design is checked by the rules of `SweepSpec::check`, each broken rule
    /// named by its flags; a checked one builds.
    #[test]
    fn flags_are_checked_by_the_rules_and_name_the_flags() {
        let m = model();
        let range = |k| Vary::Range {
            lo: 0.0,
            hi: 1.0,
            k,
        };
        let spec = |vary: Vec<(usize, Vary)>, lhs, epistemic| SweepSpec {
            vary,
            lhs,
            epistemic,
        };
        for (bad, says) in [
            (spec(vec![], None, None), "needs a design"),
            (
                spec(vec![(0, range(None))], Some(3), Some(3)),
                "either --lhs or --epistemic",
            ),
            (
                spec(vec![(0, range(None))], None, None),
                "--vary a=0..1 is a range without a count",
            ),
            (
                spec(vec![(0, Vary::List(vec![1.0]))], Some(3), None),
                "give --vary a=lo..hi, not a list",
            ),
            (
                spec(vec![], Some(3), None),
                "--lhs needs at least one --vary",
            ),
            (
                spec(vec![(0, range(None))], Some(0), None),
                "--lhs takes a number of points >= 1",
            ),
            (
                spec(vec![(0, range(None))], Some(200_000), None),
                "--lhs 200000: more points than the limit",
            ),
            (
                spec(vec![(0, range(Some(3)))], None, Some(4)),
                "does not combine with --vary",
            ),
            // No drawn parameter: epistemic has nothing to draw.
            (spec(vec![], None, Some(4)), "none is drawn"),
            (
                spec(
                    vec![(0, range(Some(1000))), (1, range(Some(1000)))],
                    None,
                    None,
                ),
                "the grid has 1000000 points",
            ),
        ] {
            let e = check_flags(&m, bad.clone()).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
        let ok = check_flags(
            &m,
            spec(vec![(1, Vary::List(vec![1.0, 2.0, 3.0]))], None, None),
        );
        assert_eq!(build(&m, &ok.unwrap(), 1).unwrap().len(), 3);
    }
}
