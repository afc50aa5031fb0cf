//! Tests of the families through [`Distribution`]: the checks and their messages, sample
//! means against closed forms, quantiles against known values, their own CDFs and the
//! samplers, and degenerate arguments.

use super::*;
use crate::engine::rng::{Purpose, Stream, run_key, site};
use DistKind as K;

/// The second form of lognormal (p5, p95) and of exponential (rate).
const SECOND: usize = 1;

/// A distribution of constant arguments (missing trailing ones take their defaults).
fn try_dist(kind: DistKind, form: usize, args: &[f64]) -> Result<Distribution, DistError> {
    let mut values = args.to_vec();
    if !kind.spec().lists {
        let keys = kind.spec().forms[form];
        values.extend(keys.iter().skip(args.len()).filter_map(|a| a.default));
    }
    Distribution::new(kind, form, values.into_iter().map(Expr::constant).collect())
}

fn dist(kind: DistKind, form: usize, args: &[f64]) -> Distribution {
    try_dist(kind, form, args).unwrap_or_else(|e| panic!("{kind:?} {args:?}: {}", e.message))
}

fn env() -> Env<'static> {
    Env {
        params: &[],
        state: &[],
        counts: &[],
        t: 0.0,
    }
}

fn message(kind: DistKind, form: usize, args: &[f64]) -> (usize, String) {
    let e = try_dist(kind, form, args).expect_err("should be refused");
    (e.arg, e.message)
}

#[test]
fn check_messages() {
    #[rustfmt::skip]
    let cases: &[(DistKind, usize, &[f64], usize, &str)] = &[
        (K::Normal, 0, &[0.0, -1.0], 1, "sd must be >= 0, got -1"),
        (K::LogNormal, 0, &[0.0, -0.5], 1, "sigma must be >= 0, got -0.5"),
        (K::Uniform, 0, &[5.0, 3.0], 1, "min must be <= max, got min 5 and max 3"),
        (K::Bernoulli, 0, &[1.5], 0, "p must be between 0 and 1, got 1.5"),
        (K::Binomial, 0, &[10.0, -0.1], 1, "p must be between 0 and 1, got -0.1"),
        (K::Binomial, 0, &[2.5, 0.5], 0, "n must be a non-negative integer, got 2.5"),
        (K::Binomial, 0, &[-1.0, 0.5], 0, "n must be a non-negative integer, got -1"),
        (K::LogNormal, SECOND, &[3.0, 2.0], 1, "p5 must be < p95, got p5 3 and p95 2"),
        (K::LogNormal, SECOND, &[2.0, 2.0], 1, "p5 must be < p95, got p5 2 and p95 2"),
        (K::LogNormal, SECOND, &[0.0, 2.0], 0, "p5 must be > 0, got 0"),
        (K::Gamma, 0, &[0.0, 1.0], 0, "shape must be > 0, got 0"),
        (K::Gamma, 0, &[1.0, -2.0], 1, "scale must be > 0, got -2"),
        (K::Weibull, 0, &[-1.0, 1.0], 0, "shape must be > 0, got -1"),
        (K::Beta, 0, &[1.0, 0.0], 1, "beta must be > 0, got 0"),
        (K::Exponential, SECOND, &[0.0], 0, "rate must be > 0, got 0"),
        (K::Exponential, 0, &[-3.0], 0, "mean must be > 0, got -3"),
        (K::Poisson, 0, &[-1.0], 0, "mean must be >= 0, got -1"),
        (K::Poisson, 0, &[1e20], 0, "mean must be at most 1.844e19, got 100000000000000000000"),
        (K::Triangular, 0, &[0.0, 5.0, 4.0], 1,
            "mode must be between min and max, got mode 5 with min 0 and max 4"),
        (K::Triangular, 0, &[5.0, 5.0, 4.0], 2, "min must be <= max, got min 5 and max 4"),
        (K::Pert, 0, &[0.0, 1.0, 4.0, -1.0], 3, "lambda must be >= 0, got -1"),
        (K::Normal, 0, &[f64::NAN, 1.0], 0, "mean must be a finite number, got NaN"),
        (K::Fixed, 0, &[f64::INFINITY], 0, "value must be a finite number, got inf"),
        (K::Discrete, 0, &[f64::INFINITY, 1.0], 0, "value 1 must be a finite number, got inf"),
        (K::Discrete, 0, &[1.0, 2.0, 1.0, -1.0], 3,
            "weight 2 must be a finite number >= 0, got -1"),
        (K::Discrete, 0, &[1.0, 2.0, 0.0, 0.0], 2, "the weights must have a positive sum, got 0"),
        (K::Discrete, 0, &[f64::NAN, 1.0], 0, "value 1 must be a finite number, got NaN"),
    ];
    for (kind, form, args, arg, text) in cases {
        assert_eq!(
            message(*kind, *form, args),
            (*arg, text.to_string()),
            "{kind:?} {args:?}"
        );
    }
    // Arity problems are refused, never a panic.
    let arity = |kind, args: &[f64]| message(kind, 0, args).1;
    assert!(arity(K::Discrete, &[1.0, 2.0, 3.0]).contains("as many weights as values"));
    assert!(arity(K::Discrete, &[]).contains("at least one"));
    assert!(arity(K::Normal, &[1.0]).contains("normal takes 2 argument(s) (mean, sd), got 1"));
    // And valid ones pass, including degenerate and boundary cases.
    for (kind, args) in [
        (K::Uniform, &[2.0, 2.0][..]),
        (K::Normal, &[1.0, 0.0]),
        (K::Pert, &[0.0, 1.0, 4.0]),
        (K::Pert, &[0.0, 0.0, 0.0, 0.0]),
        (K::Triangular, &[0.0, 0.0, 1.0]),
        (K::Binomial, &[0.0, 1.0]),
        (K::Bernoulli, &[0.0]),
        (K::Poisson, &[0.0]),
        (K::Discrete, &[1.0, 2.0, 0.0, 1.0]),
    ] {
        assert!(try_dist(kind, 0, args).is_ok(), "{kind:?} {args:?}");
    }
    for kind in DistKind::ALL {
        assert!(DistKind::NAMES.contains(&kind.spec().name));
        assert!(kind.spec().forms.iter().all(|f| !f.is_empty()));
        assert_eq!(kind.spec().forms.len() > 1, !kind.spec().mixed.0.is_empty());
    }
}

/// Closed-form variances, to derive the tolerance of the sample-mean test.
fn variance(kind: DistKind, form: usize, a: &[f64]) -> f64 {
    let beta_var = |al: f64, be: f64| al * be / ((al + be).powi(2) * (al + be + 1.0));
    let lognormal_var = |mu: f64, s: f64| (s * s).exp_m1() * (2.0 * mu + s * s).exp();
    match kind {
        K::Fixed => 0.0,
        K::Uniform => (a[1] - a[0]).powi(2) / 12.0,
        K::Normal => a[1] * a[1],
        K::LogNormal if form == SECOND => {
            let (l5, l95) = (a[0].ln(), a[1].ln());
            lognormal_var((l5 + l95) / 2.0, (l95 - l5) / (2.0 * special::Z_P95))
        }
        K::LogNormal => lognormal_var(a[0], a[1]),
        K::Triangular => {
            let (x, y, z) = (a[0], a[1], a[2]);
            (x * x + y * y + z * z - x * y - x * z - y * z) / 18.0
        }
        K::Pert => {
            let (l, r) = (a[3], a[2] - a[0]);
            beta_var(1.0 + l * (a[1] - a[0]) / r, 1.0 + l * (a[2] - a[1]) / r) * r * r
        }
        K::Beta => beta_var(a[0], a[1]),
        K::Gamma => a[0] * a[1] * a[1],
        K::Exponential if form == SECOND => 1.0 / (a[0] * a[0]),
        K::Exponential => a[0] * a[0],
        K::Weibull => {
            let g1 = special::gamma_fn(1.0 + 1.0 / a[0]);
            a[1] * a[1] * (special::gamma_fn(1.0 + 2.0 / a[0]) - g1 * g1)
        }
        K::Poisson => a[0],
        K::Binomial => a[0] * a[1] * (1.0 - a[1]),
        K::Bernoulli => a[0] * (1.0 - a[0]),
        K::Discrete => {
            let (v, w) = a.split_at(a.len() / 2);
            let total: f64 = w.iter().sum();
            let mu = v.iter().zip(w).map(|(v, w)| v * w).sum::<f64>() / total;
            v.iter()
                .zip(w)
                .map(|(v, w)| w * (v - mu).powi(2))
                .sum::<f64>()
                / total
        }
    }
}

/// Cases of every family (every form), with defaults written out.
fn all_cases() -> Vec<(DistKind, usize, Vec<f64>)> {
    let cases = vec![
        (K::Fixed, 0, vec![9.0]),
        (K::Uniform, 0, vec![2.0, 8.0]),
        (K::Normal, 0, vec![3.0, 2.0]),
        (K::LogNormal, 0, vec![1.0, 0.5]),
        (K::LogNormal, SECOND, vec![2.0, 50.0]),
        (K::Triangular, 0, vec![0.0, 3.0, 12.0]),
        (K::Pert, 0, vec![0.0, 3.0, 12.0, 4.0]),
        (K::Pert, 0, vec![0.0, 3.0, 12.0, 8.0]),
        (K::Beta, 0, vec![2.0, 3.0]),
        (K::Beta, 0, vec![0.5, 0.5]),
        (K::Beta, 0, vec![0.2, 30.0]),
        (K::Beta, 0, vec![2e4, 3e4]),
        (K::Gamma, 0, vec![3.0, 2.0]),
        (K::Gamma, 0, vec![0.5, 1.0]),
        (K::Gamma, 0, vec![0.05, 10.0]),
        (K::Gamma, 0, vec![4e6, 0.5]),
        (K::Exponential, SECOND, vec![0.5]),
        (K::Exponential, 0, vec![4.0]),
        (K::Weibull, 0, vec![1.5, 3.0]),
        (K::Poisson, 0, vec![7.0]),
        (K::Poisson, 0, vec![40.0]),
        (K::Poisson, 0, vec![0.01]),
        (K::Poisson, 0, vec![3e7]),
        (K::Binomial, 0, vec![20.0, 0.3]),
        (K::Binomial, 0, vec![1.0, 0.999]),
        (K::Binomial, 0, vec![1e9, 0.01]),
        (K::Bernoulli, 0, vec![0.3]),
        (K::Discrete, 0, vec![1.0, 2.0, 10.0, 1.0, 1.0, 2.0]),
    ];
    for kind in DistKind::ALL {
        for form in 0..kind.spec().forms.len() {
            assert!(
                cases.iter().any(|(k, f, _)| k == kind && *f == form),
                "no case of {kind:?} form {form}"
            );
        }
    }
    cases
}

/// Families whose draws are whole numbers or atoms: P(X < x) and P(X <= x) differ.
fn atoms(kind: DistKind) -> bool {
    matches!(
        kind,
        K::Fixed | K::Bernoulli | K::Discrete | K::Poisson | K::Binomial
    )
}

#[test]
fn sample_means_match_closed_forms() {
    let n = 100_000;
    for (case, (kind, form, args)) in all_cases().into_iter().enumerate() {
        let d = dist(kind, form, &args);
        let mean = d.mean().expect("closed-form mean");
        let sd = variance(kind, form, &args).sqrt();
        let mut rng = Stream::new(run_key(7, case as u64), site(Purpose::Param, "test"), 0);
        let mut sum = 0.0;
        for _ in 0..n {
            sum += d.sample(&env(), &mut rng).expect("valid arguments");
        }
        let est = sum / n as f64;
        // 5 standard errors of the mean; exact for a zero-variance distribution.
        let tol = 5.0 * sd / (n as f64).sqrt();
        assert!(
            (est - mean).abs() <= tol,
            "{kind:?} {args:?}: mean {est}, expected {mean} +- {tol}"
        );
    }
}

/// A parameter-reading expression (`x`, parameter 0), to make arguments that are not
/// constants.
fn param0() -> Expr {
    struct S;
    impl crate::expr::Scope for S {
        fn resolve(&self, _: &str) -> Result<crate::expr::Slot, crate::expr::ScopeError> {
            Ok(crate::expr::Slot::Param(0))
        }
        fn resolve_node(&self, _: &str) -> Result<u32, crate::expr::ScopeError> {
            Ok(0)
        }
    }
    Expr::compile("x", crate::expr::Type::Number, &S).unwrap()
}

#[test]
fn known_means_and_arguments_that_are_not_constants() {
    let m = |kind, args: &[f64]| dist(kind, 0, args).mean().unwrap();
    assert_eq!(m(K::Pert, &[0.0, 3.0, 12.0]), 4.0);
    assert_eq!(m(K::Discrete, &[1.0, 2.0, 10.0, 1.0, 1.0, 2.0]), 5.75);
    assert!((m(K::Weibull, &[1.0, 3.0]) - 3.0).abs() < 1e-12);
    // Arguments that read a parameter: no mean, no quantile, no CDF; checked at each draw.
    let d = Distribution::new(K::Normal, 0, vec![Expr::constant(0.0), param0()]).unwrap();
    assert_eq!((d.mean(), d.quantile(0.5), d.cdf(0.0)), (None, None, None));
    let params = [-1.0];
    let bad = Env {
        params: &params,
        ..env()
    };
    let mut rng = Stream::new(1, 2, 0);
    let e = d.sample(&bad, &mut rng).unwrap_err();
    assert_eq!((e.arg, e.message.as_str()), (1, "sd must be >= 0, got -1"));
    let weights = vec![Expr::constant(1.0), Expr::constant(2.0), param0(), param0()];
    let d = Distribution::new(K::Discrete, 0, weights).unwrap();
    assert_eq!(d.sample(&bad, &mut rng).unwrap_err().arg, 2);
    // Invalid constants are refused when the distribution is made.
    assert!(try_dist(K::Normal, 0, &[0.0, -1.0]).is_err());
    // The same draws either way: a prepared sampler and one built per draw.
    for (kind, form, args) in all_cases() {
        if kind.spec().lists || args.len() < 2 {
            continue;
        }
        let prepared = dist(kind, form, &args);
        let mut exprs: Vec<Expr> = args.iter().map(|&v| Expr::constant(v)).collect();
        exprs[1] = param0();
        let per_draw = Distribution::new(kind, form, exprs).unwrap();
        let params = [args[1]];
        let at = Env {
            params: &params,
            ..env()
        };
        let mut a = Stream::new(run_key(4, 4), site(Purpose::Param, "same"), 0);
        let mut b = a.clone();
        for _ in 0..1000 {
            let x = prepared.sample(&env(), &mut a).unwrap();
            assert_eq!(x.to_bits(), per_draw.sample(&at, &mut b).unwrap().to_bits());
        }
    }
}

#[test]
fn known_quantiles() {
    let q = |kind, form, args: &[f64], p| dist(kind, form, args).quantile(p).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12 * b.abs().max(1.0);
    assert_eq!(q(K::Fixed, 0, &[9.0], 0.1), 9.0);
    assert!(close(q(K::Uniform, 0, &[2.0, 8.0], 0.25), 3.5));
    let z975 = 1.959_963_984_540_054;
    assert!(close(q(K::Normal, 0, &[3.0, 2.0], 0.975), 3.0 + 2.0 * z975));
    // The interval form reproduces its own p5 and p95.
    assert!(close(q(K::LogNormal, SECOND, &[2.0, 50.0], 0.05), 2.0));
    assert!(close(q(K::LogNormal, SECOND, &[2.0, 50.0], 0.95), 50.0));
    assert!(close(q(K::LogNormal, 0, &[1.0, 0.5], 0.5), 1f64.exp()));
    // Triangular: at the mode's CDF value F(mode) = (mode - min) / (max - min).
    assert!(close(q(K::Triangular, 0, &[0.0, 3.0, 12.0], 0.25), 3.0));
    assert!(close(q(K::Exponential, 0, &[4.0], 0.5), 4.0 * 2f64.ln()));
    assert!(close(
        q(K::Exponential, SECOND, &[0.5], 0.5),
        2.0 * 2f64.ln()
    ));
    let weibull = q(K::Weibull, 0, &[2.0, 3.0], 0.5);
    assert!(close(weibull, 3.0 * 2f64.ln().sqrt()));
    // Numeric quantiles against mpmath's (40 digits).
    assert!(close(
        q(K::Gamma, 0, &[2.0, 1.0], 0.5),
        1.678_346_990_016_660_5
    ));
    assert!(close(
        q(K::Gamma, 0, &[0.5, 2.0], 0.1),
        2.0 * 0.007_895_387_046_715_613
    ));
    assert!(close(
        q(K::Gamma, 0, &[0.5, 1.0], 0.9),
        1.352_771_727_047_707_5
    ));
    assert!(close(
        q(K::Gamma, 0, &[3.0, 1.0], 1e-10),
        0.000_843_610_562_484_727_5
    ));
    assert!(close(
        q(K::Beta, 0, &[2.0, 3.0], 0.5),
        0.385_727_568_132_389_56
    ));
    assert!(close(
        q(K::Beta, 0, &[6.0, 4.0], 0.999),
        0.943_794_110_192_231_7
    ));
    // Beta(1/2, 1/2) is the arcsine law: F^-1(p) = sin^2(pi p / 2).
    let arcsine = (std::f64::consts::PI * 0.05).sin().powi(2);
    assert!(close(q(K::Beta, 0, &[0.5, 0.5], 0.1), arcsine));
    // PERT(0, 3, 12) is 12 Beta(2, 4).
    assert!(close(
        q(K::Pert, 0, &[0.0, 3.0, 12.0], 0.5),
        3.765_722_045_468_369_3
    ));
    // Whole-number families: Poisson(7) has F(3) = 0.082, F(4) = 0.173, F(6) = 0.450,
    // F(7) = 0.599; Binomial(20, 0.3) has F(5) = 0.416, F(6) = 0.608.
    assert_eq!(q(K::Poisson, 0, &[7.0], 0.1), 4.0);
    assert_eq!(q(K::Poisson, 0, &[7.0], 0.5), 7.0);
    assert_eq!(q(K::Poisson, 0, &[7.0], 0.1729), 4.0);
    assert_eq!(q(K::Poisson, 0, &[7.0], 0.1730), 5.0);
    assert_eq!(q(K::Binomial, 0, &[20.0, 0.3], 0.5), 6.0);
    assert_eq!(q(K::Binomial, 0, &[20.0, 0.3], 0.416), 5.0);
    assert_eq!(q(K::Bernoulli, 0, &[0.3], 0.7), 0.0);
    assert_eq!(q(K::Bernoulli, 0, &[0.3], 0.71), 1.0);
    let discrete = [10.0, 1.0, 2.0, 1.0, 1.0, 2.0];
    assert_eq!(q(K::Discrete, 0, &discrete, 0.5), 2.0);
    assert_eq!(q(K::Discrete, 0, &discrete, 0.9), 10.0);
    // Outside (0, 1): none.
    assert_eq!(dist(K::Normal, 0, &[0.0, 1.0]).quantile(0.0), None);
    assert_eq!(dist(K::Normal, 0, &[0.0, 1.0]).quantile(1.0), None);
}

/// Levels from deep in one tail to deep in the other.
const LEVELS: [f64; 13] = [
    1e-300,
    1e-12,
    1e-6,
    0.01,
    0.1,
    0.3,
    0.5,
    0.7,
    0.9,
    0.99,
    1.0 - 1e-6,
    1.0 - 1e-9,
    1.0 - 1e-12,
];

#[test]
fn quantiles_invert_the_cdfs() {
    for (kind, form, args) in all_cases() {
        let d = dist(kind, form, &args);
        for p in LEVELS {
            let Some(x) = d.quantile(p) else {
                panic!("{kind:?} {args:?}: no {p}-quantile")
            };
            let f = d.cdf(x).unwrap();
            if atoms(kind) {
                // The smallest x with F(x) >= p (the atoms here are whole numbers).
                let below = d.cdf(x - 0.5).unwrap();
                assert!(
                    f >= p * (1.0 - 1e-12) && below < p,
                    "{kind:?} {args:?} p={p}: x {x}, F(x) {f}, F(x - 1/2) {below}"
                );
            } else {
                // F(x) = p within a relative 1e-10 of the smaller tail, plus F's change
                // over one float step of x and F's own resolution near 1.
                let ulp = d.cdf(x.next_up()).unwrap() - d.cdf(x.next_down()).unwrap();
                let tol = 1e-10 * p.min(1.0 - p) + ulp + 2.0 * f64::EPSILON;
                assert!(
                    (f - p).abs() <= tol,
                    "{kind:?} {args:?} p={p}: x {x}, F(x) {f} (off by {:e})",
                    (f - p).abs()
                );
            }
        }
    }
}

#[test]
fn quantiles_agree_with_samplers() {
    // The fraction of draws below the q-quantile is q, within 5 standard errors.
    let n = 50_000;
    for (kind, form, args) in all_cases() {
        if atoms(kind) {
            continue; // P(X < x) is not q
        }
        let d = dist(kind, form, &args);
        for q in [0.1, 0.5, 0.9] {
            let x = d.quantile(q).unwrap();
            let mut rng = Stream::new(run_key(3, 1), site(Purpose::Param, "q"), 0);
            let below = (0..n)
                .filter(|_| d.sample(&env(), &mut rng).unwrap() < x)
                .count();
            let frac = below as f64 / n as f64;
            let se = (q * (1.0 - q) / n as f64).sqrt();
            assert!(
                (frac - q).abs() <= 5.0 * se,
                "{kind:?} {args:?} q={q}: {frac}"
            );
        }
    }
}

#[test]
fn degenerate_ranges_draw_their_point() {
    let mut rng = Stream::new(1, 1, 0);
    for (kind, args) in [
        (K::Uniform, &[2.0, 2.0][..]),
        (K::Triangular, &[2.0, 2.0, 2.0]),
        (K::Pert, &[2.0, 2.0, 2.0]),
        (K::Normal, &[2.0, 0.0]),
    ] {
        let d = dist(kind, 0, args);
        assert_eq!(d.sample(&env(), &mut rng), Ok(2.0), "{kind:?}");
        assert_eq!(d.quantile(0.3), Some(2.0), "{kind:?}");
        assert_eq!(
            (d.cdf(1.99), d.cdf(2.0)),
            (Some(0.0), Some(1.0)),
            "{kind:?}"
        );
    }
    let d = dist(K::Poisson, 0, &[0.0]);
    assert_eq!(
        (d.sample(&env(), &mut rng), d.quantile(0.9)),
        (Ok(0.0), Some(0.0))
    );
    let d = dist(K::Binomial, 0, &[5.0, 1.0]);
    assert_eq!(
        (d.sample(&env(), &mut rng), d.quantile(0.1)),
        (Ok(5.0), Some(5.0))
    );
    // A zero weight is never drawn.
    let d = dist(K::Discrete, 0, &[1.0, 2.0, 3.0, 0.0, 1.0, 0.0]);
    for _ in 0..1000 {
        assert_eq!(d.sample(&env(), &mut rng), Ok(2.0));
    }
}
