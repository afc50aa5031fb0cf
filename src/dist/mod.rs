//! The probability distributions a scenario can name (`dist = "pert"` ...): their arguments
//! (compiled expressions), checks of those arguments, and sampling through rand_distr.

use rand_distr::{
    Beta, Binomial, Distribution as _, Exp1, Gamma, Poisson, StandardNormal, StandardUniform,
    Triangular, Weibull,
};

use crate::expr::{Env, Expr};

/// z such that the standard normal puts 95% below it: the half-width of a 90% interval.
const Z95: f64 = 1.644_853_626_951_472_2;

/// Which distribution, named as in the scenario file's `dist` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DistKind {
    /// `fixed`: value.
    Fixed,
    /// `uniform`: min, max.
    Uniform,
    /// `normal`: mean, sd.
    Normal,
    /// `lognormal` with mu, sigma (of the underlying normal).
    LogNormal,
    /// `lognormal` with p5, p95: the 90% interval.
    LogNormalInterval,
    /// `triangular`: min, mode, max.
    Triangular,
    /// `pert`: min, mode, max, lambda (default 4).
    Pert,
    /// `beta`: alpha, beta.
    Beta,
    /// `gamma`: shape, scale.
    Gamma,
    /// `exponential` with a rate.
    ExponentialRate,
    /// `exponential` with a mean.
    ExponentialMean,
    /// `weibull`: shape, scale.
    Weibull,
    /// `poisson`: mean.
    Poisson,
    /// `binomial`: n, p.
    Binomial,
    /// `bernoulli`: p (draws 1 or 0).
    Bernoulli,
    /// `discrete`: values, weights (args hold the values then the weights).
    Discrete,
}

impl DistKind {
    /// The `dist` names a scenario may use.
    pub const NAMES: [&'static str; 14] = [
        "fixed",
        "uniform",
        "normal",
        "lognormal",
        "triangular",
        "pert",
        "beta",
        "gamma",
        "exponential",
        "weibull",
        "poisson",
        "binomial",
        "bernoulli",
        "discrete",
    ];

    /// The argument names, in the order [`Distribution::args`] holds them (for `discrete`:
    /// `values`, `weights`, each a list).
    pub fn arg_names(self) -> &'static [&'static str] {
        match self {
            DistKind::Fixed => &["value"],
            DistKind::Uniform => &["min", "max"],
            DistKind::Normal => &["mean", "sd"],
            DistKind::LogNormal => &["mu", "sigma"],
            DistKind::LogNormalInterval => &["p5", "p95"],
            DistKind::Triangular => &["min", "mode", "max"],
            DistKind::Pert => &["min", "mode", "max", "lambda"],
            DistKind::Beta => &["alpha", "beta"],
            DistKind::Gamma | DistKind::Weibull => &["shape", "scale"],
            DistKind::ExponentialRate => &["rate"],
            DistKind::ExponentialMean | DistKind::Poisson => &["mean"],
            DistKind::Binomial => &["n", "p"],
            DistKind::Bernoulli => &["p"],
            DistKind::Discrete => &["values", "weights"],
        }
    }

    /// The `dist` name this kind is written as.
    pub fn name(self) -> &'static str {
        match self {
            DistKind::Fixed => "fixed",
            DistKind::Uniform => "uniform",
            DistKind::Normal => "normal",
            DistKind::LogNormal | DistKind::LogNormalInterval => "lognormal",
            DistKind::Triangular => "triangular",
            DistKind::Pert => "pert",
            DistKind::Beta => "beta",
            DistKind::Gamma => "gamma",
            DistKind::ExponentialRate | DistKind::ExponentialMean => "exponential",
            DistKind::Weibull => "weibull",
            DistKind::Poisson => "poisson",
            DistKind::Binomial => "binomial",
            DistKind::Bernoulli => "bernoulli",
            DistKind::Discrete => "discrete",
        }
    }
}

/// A distribution with its arguments compiled.
#[derive(Clone, Debug)]
pub struct Distribution {
    /// Which one.
    pub kind: DistKind,
    /// The arguments in [`DistKind::arg_names`] order. For `discrete`, the values followed by
    /// the weights (equally many).
    pub args: Vec<Expr>,
    /// For a `discrete` whose values and weights are all valid constants: the table a draw
    /// searches, built once by [`Distribution::new`].
    table: Option<std::sync::Arc<DiscreteTable>>,
}

/// The positive-weight values of a constant `discrete`, with the running sums of their
/// weights, added in file order exactly as the linear scan of
/// [`Distribution::sample_discrete`] adds them: a binary search for the first sum above the
/// draw then picks the same value as the scan, bit for bit, in O(log n).
#[derive(Debug)]
struct DiscreteTable {
    values: Vec<f64>,
    sums: Vec<f64>,
}

impl DiscreteTable {
    /// The table of constant `args` (values then weights) that passed
    /// [`Distribution::check`].
    fn new(args: &[f64]) -> Self {
        let (values, weights) = args.split_at(args.len() / 2);
        let mut table = DiscreteTable {
            values: Vec::new(),
            sums: Vec::new(),
        };
        let mut acc = 0.0;
        for (&v, &w) in values.iter().zip(weights) {
            if w > 0.0 {
                acc += w;
                table.values.push(v);
                table.sums.push(acc);
            }
        }
        table
    }

    /// The value for a uniform draw `u` in [0, 1).
    fn pick(&self, u: f64) -> f64 {
        // The checks made the sum of the weights positive and finite. Summing zero weights
        // too (as the check does) gives the same total: adding 0 changes no sum.
        let total = self.sums.last().copied().unwrap_or(0.0);
        let target = u * total;
        // The sums never decrease, so the first one above `target` is found by bisection;
        // none (rounding): the last positive weight, as in the scan.
        let i = self.sums.partition_point(|&acc| acc <= target);
        self.values[i.min(self.values.len() - 1)]
    }
}

/// Invalid arguments: which argument and why, in plain words ("sd must be >= 0, got -1").
#[derive(Clone, Debug, PartialEq)]
pub struct DistError {
    /// Index into [`Distribution::args`] of the offending argument.
    pub arg: usize,
    /// Plain-words reason, including the value.
    pub message: String,
}

fn bad(arg: usize, message: String) -> DistError {
    DistError { arg, message }
}

/// A wrong number of arguments (the loader prevents it; checked so nothing can panic).
fn arity_error(kind: DistKind, got: usize) -> DistError {
    let names = kind.arg_names();
    let message = if kind == DistKind::Discrete {
        format!("discrete needs as many weights as values (at least one), got {got} numbers in all")
    } else {
        format!(
            "{} takes {} argument(s) ({}), got {got}",
            kind.name(),
            names.len(),
            names.join(", ")
        )
    };
    bad(0, message)
}

/// A problem with value or weight `i` (0-based) of a `discrete` with `n` values.
fn discrete_problem(n: usize, i: usize, value: f64, weight: f64) -> Option<DistError> {
    if !value.is_finite() {
        return Some(bad(
            i,
            format!("value {} must be a finite number, got {value}", i + 1),
        ));
    }
    if !(weight.is_finite() && weight >= 0.0) {
        return Some(bad(
            n + i,
            format!(
                "weight {} must be a finite number >= 0, got {weight}",
                i + 1
            ),
        ));
    }
    None
}

fn zero_total(n: usize, total: f64) -> DistError {
    bad(
        n,
        format!("the weights must have a positive sum, got {total}"),
    )
}

impl Distribution {
    /// A distribution of `kind` with compiled `args` (in [`DistKind::arg_names`] order). A
    /// `discrete` whose arguments are all valid constants gets its draw table here, once.
    pub fn new(kind: DistKind, args: Vec<Expr>) -> Self {
        let mut d = Distribution {
            kind,
            args,
            table: None,
        };
        if kind == DistKind::Discrete {
            d.table = d
                .constant_args()
                .map(|a| std::sync::Arc::new(DiscreteTable::new(&a)));
        }
        d
    }

    /// Checks argument values (already evaluated, in `args` order). Used at load time for
    /// constant arguments and at run time for the rest.
    pub fn check(kind: DistKind, args: &[f64]) -> Result<(), DistError> {
        use DistKind as K;
        if kind == K::Discrete {
            if args.is_empty() || !args.len().is_multiple_of(2) {
                return Err(arity_error(kind, args.len()));
            }
            let n = args.len() / 2;
            let mut total = 0.0;
            for i in 0..n {
                if let Some(e) = discrete_problem(n, i, args[i], args[n + i]) {
                    return Err(e);
                }
                total += args[n + i];
            }
            return if total > 0.0 && total.is_finite() {
                Ok(())
            } else {
                Err(zero_total(n, total))
            };
        }
        let names = kind.arg_names();
        let optional_lambda = kind == K::Pert && args.len() == 3;
        if args.len() != names.len() && !optional_lambda {
            return Err(arity_error(kind, args.len()));
        }
        for (i, v) in args.iter().enumerate() {
            if !v.is_finite() {
                return Err(bad(
                    i,
                    format!("{} must be a finite number, got {v}", names[i]),
                ));
            }
        }
        let positive = |i: usize| {
            if args[i] > 0.0 {
                Ok(())
            } else {
                Err(bad(i, format!("{} must be > 0, got {}", names[i], args[i])))
            }
        };
        let non_negative = |i: usize| {
            if args[i] >= 0.0 {
                Ok(())
            } else {
                Err(bad(
                    i,
                    format!("{} must be >= 0, got {}", names[i], args[i]),
                ))
            }
        };
        let probability = |i: usize| {
            if (0.0..=1.0).contains(&args[i]) {
                Ok(())
            } else {
                Err(bad(
                    i,
                    format!("{} must be between 0 and 1, got {}", names[i], args[i]),
                ))
            }
        };
        match kind {
            K::Fixed => Ok(()),
            K::Uniform => {
                if args[0] <= args[1] {
                    Ok(())
                } else {
                    Err(bad(
                        1,
                        format!(
                            "min must be <= max, got min {} and max {}",
                            args[0], args[1]
                        ),
                    ))
                }
            }
            K::Normal | K::LogNormal => non_negative(1),
            K::LogNormalInterval => {
                positive(0)?;
                if args[0] < args[1] {
                    Ok(())
                } else {
                    Err(bad(
                        1,
                        format!("p5 must be < p95, got p5 {} and p95 {}", args[0], args[1]),
                    ))
                }
            }
            K::Triangular | K::Pert => {
                let (min, mode, max) = (args[0], args[1], args[2]);
                if min > max {
                    return Err(bad(
                        2,
                        format!("min must be <= max, got min {min} and max {max}"),
                    ));
                }
                if !(min <= mode && mode <= max) {
                    return Err(bad(
                        1,
                        format!(
                            "mode must be between min and max, got mode {mode} with min {min} and max {max}"
                        ),
                    ));
                }
                if args.len() == 4 {
                    non_negative(3)?;
                }
                Ok(())
            }
            K::Beta | K::Gamma | K::Weibull => {
                positive(0)?;
                positive(1)
            }
            K::ExponentialRate | K::ExponentialMean => positive(0),
            K::Poisson => {
                non_negative(0)?;
                // rand_distr's limit, so that draws fit a u64.
                if args[0] <= Poisson::<f64>::MAX_LAMBDA {
                    Ok(())
                } else {
                    Err(bad(
                        0,
                        format!(
                            "mean must be at most {:e}, got {}",
                            Poisson::<f64>::MAX_LAMBDA,
                            args[0]
                        ),
                    ))
                }
            }
            K::Binomial => {
                let n = args[0];
                // Integers up to 2^53 are exact in f64 and fit a u64.
                if !(n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_992.0) {
                    return Err(bad(0, format!("n must be a non-negative integer, got {n}")));
                }
                probability(1)
            }
            K::Bernoulli => probability(0),
            K::Discrete => Ok(()),
        }
    }

    /// Evaluates the arguments in `env`, checks them and draws one value.
    pub fn sample<R: rand::Rng + ?Sized>(
        &self,
        env: &Env<'_>,
        rng: &mut R,
    ) -> Result<f64, DistError> {
        if self.kind == DistKind::Discrete {
            return self.sample_discrete(env, rng);
        }
        // At most four arguments: evaluate into a stack array (no allocation per draw).
        let k = self.args.len();
        if k > 4 {
            return Err(arity_error(self.kind, k));
        }
        let mut a = [0.0; 4];
        for (slot, e) in a.iter_mut().zip(&self.args) {
            *slot = e.eval(env);
        }
        let a = &a[..k];
        Self::check(self.kind, a)?;
        draw(self.kind, a, rng)
    }

    /// `discrete`: two passes over the weights (evaluate and check, then select), so a draw
    /// needs no buffer.
    fn sample_discrete<R: rand::Rng + ?Sized>(
        &self,
        env: &Env<'_>,
        rng: &mut R,
    ) -> Result<f64, DistError> {
        let k = self.args.len();
        if k == 0 || !k.is_multiple_of(2) {
            return Err(arity_error(self.kind, k));
        }
        if let Some(table) = &self.table {
            return Ok(table.pick(unit(rng)));
        }
        let n = k / 2;
        let (values, weights) = self.args.split_at(n);
        let mut total = 0.0;
        for (i, (v, w)) in values.iter().zip(weights).enumerate() {
            let w = w.eval(env);
            if let Some(e) = discrete_problem(n, i, v.eval(env), w) {
                return Err(e);
            }
            total += w;
        }
        if !(total > 0.0 && total.is_finite()) {
            return Err(zero_total(n, total));
        }
        let target = unit(rng) * total;
        let mut acc = 0.0;
        let mut last = 0;
        for (i, w) in weights.iter().enumerate() {
            let w = w.eval(env);
            if w > 0.0 {
                last = i;
                acc += w;
                if target < acc {
                    return Ok(values[i].eval(env));
                }
            }
        }
        // Rounding can leave `target` just above the running sum: the last positive weight.
        Ok(values[last].eval(env))
    }

    /// The argument values, if all are constants that pass [`Distribution::check`].
    fn constant_args(&self) -> Option<Vec<f64>> {
        let a: Vec<f64> = self
            .args
            .iter()
            .map(Expr::as_constant)
            .collect::<Option<_>>()?;
        Self::check(self.kind, &a).ok()?;
        Some(a)
    }

    /// The distribution's mean, if all arguments are constant and it has a closed form.
    pub fn mean(&self) -> Option<f64> {
        use DistKind as K;
        let a = self.constant_args()?;
        let m = match self.kind {
            K::Fixed => a[0],
            K::Uniform => (a[0] + a[1]) / 2.0,
            K::Normal => a[0],
            K::LogNormal => (a[0] + a[1] * a[1] / 2.0).exp(),
            K::LogNormalInterval => {
                let (mu, sigma) = interval_params(a[0], a[1]);
                (mu + sigma * sigma / 2.0).exp()
            }
            K::Triangular => (a[0] + a[1] + a[2]) / 3.0,
            K::Pert => {
                let lambda = a.get(3).copied().unwrap_or(4.0);
                (a[0] + lambda * a[1] + a[2]) / (lambda + 2.0)
            }
            K::Beta => a[0] / (a[0] + a[1]),
            K::Gamma => a[0] * a[1],
            K::ExponentialRate => 1.0 / a[0],
            K::ExponentialMean | K::Poisson => a[0],
            K::Weibull => a[1] * gamma_fn(1.0 + 1.0 / a[0]),
            K::Binomial => a[0] * a[1],
            K::Bernoulli => a[0],
            K::Discrete => {
                let (v, w) = a.split_at(a.len() / 2);
                let total: f64 = w.iter().sum();
                v.iter().zip(w).map(|(v, w)| v * w).sum::<f64>() / total
            }
        };
        m.is_finite().then_some(m)
    }

    /// The `q`-quantile (0 < q < 1) if all arguments are constant and it is cheap to compute
    /// (used for tornado low/high values); `None` otherwise.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        use DistKind as K;
        if !(q > 0.0 && q < 1.0) {
            return None;
        }
        let a = self.constant_args()?;
        let x = match self.kind {
            K::Fixed => a[0],
            K::Uniform => a[0] + q * (a[1] - a[0]),
            K::Normal => a[0] + a[1] * inverse_normal_cdf(q),
            K::LogNormal => (a[0] + a[1] * inverse_normal_cdf(q)).exp(),
            K::LogNormalInterval => {
                let (mu, sigma) = interval_params(a[0], a[1]);
                (mu + sigma * inverse_normal_cdf(q)).exp()
            }
            K::Triangular => {
                let (min, mode, max) = (a[0], a[1], a[2]);
                let range = max - min;
                if range == 0.0 {
                    min
                } else if q < (mode - min) / range {
                    min + (q * range * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - q) * range * (max - mode)).sqrt()
                }
            }
            K::ExponentialRate => -(-q).ln_1p() / a[0],
            K::ExponentialMean => -(-q).ln_1p() * a[0],
            K::Weibull => a[1] * (-(-q).ln_1p()).powf(1.0 / a[0]),
            // The smallest x with P(X <= x) >= q: P(X <= 0) = 1 - p.
            K::Bernoulli => {
                if q <= 1.0 - a[0] {
                    0.0
                } else {
                    1.0
                }
            }
            K::Discrete => {
                let (v, w) = a.split_at(a.len() / 2);
                let total: f64 = w.iter().sum();
                let mut pairs: Vec<(f64, f64)> = v.iter().copied().zip(w.iter().copied()).collect();
                pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
                let mut acc = 0.0;
                let mut result = pairs.last().map_or(f64::NAN, |p| p.0);
                for (value, weight) in pairs {
                    acc += weight / total;
                    if acc >= q {
                        result = value;
                        break;
                    }
                }
                result
            }
            K::Pert | K::Beta | K::Gamma | K::Poisson | K::Binomial => return None,
        };
        x.is_finite().then_some(x)
    }
}

/// mu and sigma of the underlying normal of a lognormal with the given 5% and 95% points.
fn interval_params(p5: f64, p95: f64) -> (f64, f64) {
    let (l5, l95) = (p5.ln(), p95.ln());
    ((l5 + l95) / 2.0, (l95 - l5) / (2.0 * Z95))
}

/// A uniform draw in [0, 1).
fn unit<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardUniform.sample(rng)
}

/// Draws from `kind` with checked arguments `a`.
fn draw<R: rand::Rng + ?Sized>(kind: DistKind, a: &[f64], rng: &mut R) -> Result<f64, DistError> {
    use DistKind as K;
    // Arguments are checked, so a constructor can only fail on a case rand_distr treats
    // more strictly than the spec; report it rather than panic.
    let refused =
        |e: &dyn std::fmt::Display| bad(0, format!("{} refused its arguments: {e}", kind.name()));
    let x = match kind {
        K::Fixed => a[0],
        K::Uniform => {
            if a[0] == a[1] {
                a[0]
            } else {
                a[0] + (a[1] - a[0]) * unit(rng)
            }
        }
        K::Normal => {
            let z: f64 = StandardNormal.sample(rng);
            a[0] + a[1] * z
        }
        K::LogNormal => {
            let z: f64 = StandardNormal.sample(rng);
            (a[0] + a[1] * z).exp()
        }
        K::LogNormalInterval => {
            let (mu, sigma) = interval_params(a[0], a[1]);
            let z: f64 = StandardNormal.sample(rng);
            (mu + sigma * z).exp()
        }
        K::Triangular => {
            if a[0] == a[2] {
                a[0]
            } else {
                Triangular::new(a[0], a[2], a[1])
                    .map_err(|e| refused(&e))?
                    .sample(rng)
            }
        }
        K::Pert => {
            // Beta-PERT: min + (max - min) * Beta(1 + lambda (mode - min) / range,
            // 1 + lambda (max - mode) / range).
            let (min, mode, max) = (a[0], a[1], a[2]);
            let lambda = a.get(3).copied().unwrap_or(4.0);
            let range = max - min;
            if range == 0.0 {
                min
            } else {
                let alpha = 1.0 + lambda * (mode - min) / range;
                let beta = 1.0 + lambda * (max - mode) / range;
                let b: f64 = Beta::new(alpha, beta).map_err(|e| refused(&e))?.sample(rng);
                min + range * b
            }
        }
        K::Beta => Beta::new(a[0], a[1]).map_err(|e| refused(&e))?.sample(rng),
        K::Gamma => Gamma::new(a[0], a[1]).map_err(|e| refused(&e))?.sample(rng),
        K::ExponentialRate => {
            let e: f64 = Exp1.sample(rng);
            e / a[0]
        }
        K::ExponentialMean => {
            let e: f64 = Exp1.sample(rng);
            e * a[0]
        }
        K::Weibull => Weibull::new(a[1], a[0])
            .map_err(|e| refused(&e))?
            .sample(rng),
        K::Poisson => {
            if a[0] == 0.0 {
                0.0
            } else {
                Poisson::new(a[0]).map_err(|e| refused(&e))?.sample(rng)
            }
        }
        K::Binomial => {
            // Checked: a non-negative integer at most 2^53, so the cast is exact.
            let n = a[0] as u64;
            Binomial::new(n, a[1]).map_err(|e| refused(&e))?.sample(rng) as f64
        }
        K::Bernoulli => {
            if unit(rng) < a[0] {
                1.0
            } else {
                0.0
            }
        }
        K::Discrete => return Err(arity_error(kind, a.len())),
    };
    Ok(x)
}

/// The gamma function (Lanczos, g = 7, n = 9; relative error ~1e-15 for x >= 0.5).
fn gamma_fn(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x).
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma_fn(1.0 - x));
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * sum
}

/// The standard normal quantile function, by Wichura's algorithm AS 241 (PPND16): relative
/// error about 1e-16 over (0, 1).
// The coefficients are written as published (more digits than an f64 holds).
#[allow(clippy::excessive_precision)]
pub fn inverse_normal_cdf(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return if p == 0.0 {
            f64::NEG_INFINITY
        } else if p == 1.0 {
            f64::INFINITY
        } else {
            f64::NAN
        };
    }
    // Rational function num(x) / den(x), coefficients lowest order first.
    fn ratio(x: f64, num: &[f64; 8], den: &[f64; 8]) -> f64 {
        let n = num.iter().rev().fold(0.0, |acc, c| acc * x + c);
        let d = den.iter().rev().fold(0.0, |acc, c| acc * x + c);
        n / d
    }
    const A: [f64; 8] = [
        3.387_132_872_796_366_608,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        2.417_807_251_774_506_117_7e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        6.897_673_349_851_000_045_5e-1,
        1.481_039_764_274_800_745_9e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        2.965_605_718_285_048_912_3e-1,
        2.653_218_952_657_612_309_3e-2,
        1.242_660_947_388_078_438_6e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_9e-1,
        1.369_298_809_227_358_053_1e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return q * ratio(0.180_625 - q * q, &A, &B);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let x = if r <= 5.0 {
        ratio(r - 1.6, &C, &D)
    } else {
        ratio(r - 5.0, &E, &F)
    };
    if q < 0.0 { -x } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::{Purpose, Stream, run_key, site};
    use DistKind as K;

    fn dist(kind: DistKind, args: &[f64]) -> Distribution {
        Distribution::new(kind, args.iter().map(|&v| Expr::constant(v)).collect())
    }

    fn env() -> Env<'static> {
        Env {
            params: &[],
            state: &[],
            counts: &[],
            t: 0.0,
        }
    }

    fn message(kind: DistKind, args: &[f64]) -> (usize, String) {
        let e = Distribution::check(kind, args).expect_err("should be refused");
        (e.arg, e.message)
    }

    #[test]
    fn check_messages() {
        let cases: &[(DistKind, &[f64], usize, &str)] = &[
            (K::Normal, &[0.0, -1.0], 1, "sd must be >= 0, got -1"),
            (
                K::LogNormal,
                &[0.0, -0.5],
                1,
                "sigma must be >= 0, got -0.5",
            ),
            (
                K::Uniform,
                &[5.0, 3.0],
                1,
                "min must be <= max, got min 5 and max 3",
            ),
            (
                K::Bernoulli,
                &[1.5],
                0,
                "p must be between 0 and 1, got 1.5",
            ),
            (
                K::Binomial,
                &[10.0, -0.1],
                1,
                "p must be between 0 and 1, got -0.1",
            ),
            (
                K::Binomial,
                &[2.5, 0.5],
                0,
                "n must be a non-negative integer, got 2.5",
            ),
            (
                K::Binomial,
                &[-1.0, 0.5],
                0,
                "n must be a non-negative integer, got -1",
            ),
            (
                K::LogNormalInterval,
                &[3.0, 2.0],
                1,
                "p5 must be < p95, got p5 3 and p95 2",
            ),
            (
                K::LogNormalInterval,
                &[2.0, 2.0],
                1,
                "p5 must be < p95, got p5 2 and p95 2",
            ),
            (
                K::LogNormalInterval,
                &[0.0, 2.0],
                0,
                "p5 must be > 0, got 0",
            ),
            (K::Gamma, &[0.0, 1.0], 0, "shape must be > 0, got 0"),
            (K::Gamma, &[1.0, -2.0], 1, "scale must be > 0, got -2"),
            (K::Weibull, &[-1.0, 1.0], 0, "shape must be > 0, got -1"),
            (K::Beta, &[1.0, 0.0], 1, "beta must be > 0, got 0"),
            (K::ExponentialRate, &[0.0], 0, "rate must be > 0, got 0"),
            (K::ExponentialMean, &[-3.0], 0, "mean must be > 0, got -3"),
            (K::Poisson, &[-1.0], 0, "mean must be >= 0, got -1"),
            (
                K::Triangular,
                &[0.0, 5.0, 4.0],
                1,
                "mode must be between min and max, got mode 5 with min 0 and max 4",
            ),
            (
                K::Triangular,
                &[5.0, 5.0, 4.0],
                2,
                "min must be <= max, got min 5 and max 4",
            ),
            (
                K::Pert,
                &[0.0, 1.0, 4.0, -1.0],
                3,
                "lambda must be >= 0, got -1",
            ),
            (
                K::Normal,
                &[f64::NAN, 1.0],
                0,
                "mean must be a finite number, got NaN",
            ),
            (
                K::Fixed,
                &[f64::INFINITY],
                0,
                "value must be a finite number, got inf",
            ),
            (
                K::Discrete,
                &[1.0, 2.0, 1.0, -1.0],
                3,
                "weight 2 must be a finite number >= 0, got -1",
            ),
            (
                K::Discrete,
                &[1.0, 2.0, 0.0, 0.0],
                2,
                "the weights must have a positive sum, got 0",
            ),
            (
                K::Discrete,
                &[f64::NAN, 1.0],
                0,
                "value 1 must be a finite number, got NaN",
            ),
        ];
        for (kind, args, arg, text) in cases {
            assert_eq!(
                message(*kind, args),
                (*arg, text.to_string()),
                "{kind:?} {args:?}"
            );
        }
        // Arity problems are refused, never a panic.
        assert!(
            message(K::Discrete, &[1.0, 2.0, 3.0])
                .1
                .contains("as many weights as values")
        );
        assert!(message(K::Discrete, &[]).1.contains("at least one"));
        assert!(
            message(K::Normal, &[1.0])
                .1
                .contains("normal takes 2 argument(s) (mean, sd), got 1")
        );
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
            assert_eq!(Distribution::check(kind, args), Ok(()), "{kind:?} {args:?}");
        }
        for kind in [
            K::Fixed,
            K::Uniform,
            K::Normal,
            K::LogNormal,
            K::LogNormalInterval,
            K::Triangular,
            K::Pert,
            K::Beta,
            K::Gamma,
            K::ExponentialRate,
            K::ExponentialMean,
            K::Weibull,
            K::Poisson,
            K::Binomial,
            K::Bernoulli,
            K::Discrete,
        ] {
            assert!(DistKind::NAMES.contains(&kind.name()));
            assert!(!kind.arg_names().is_empty());
        }
    }

    /// Closed-form variances, to derive the tolerance of the sample-mean test.
    fn variance(kind: DistKind, a: &[f64]) -> f64 {
        let beta_var = |al: f64, be: f64| al * be / ((al + be).powi(2) * (al + be + 1.0));
        match kind {
            K::Fixed => 0.0,
            K::Uniform => (a[1] - a[0]).powi(2) / 12.0,
            K::Normal => a[1] * a[1],
            K::LogNormal => (a[1] * a[1]).exp_m1() * (2.0 * a[0] + a[1] * a[1]).exp(),
            K::LogNormalInterval => {
                let (mu, s) = interval_params(a[0], a[1]);
                (s * s).exp_m1() * (2.0 * mu + s * s).exp()
            }
            K::Triangular => {
                let (x, y, z) = (a[0], a[1], a[2]);
                (x * x + y * y + z * z - x * y - x * z - y * z) / 18.0
            }
            K::Pert => {
                let l = a.get(3).copied().unwrap_or(4.0);
                let r = a[2] - a[0];
                beta_var(1.0 + l * (a[1] - a[0]) / r, 1.0 + l * (a[2] - a[1]) / r) * r * r
            }
            K::Beta => beta_var(a[0], a[1]),
            K::Gamma => a[0] * a[1] * a[1],
            K::ExponentialRate => 1.0 / (a[0] * a[0]),
            K::ExponentialMean => a[0] * a[0],
            K::Weibull => {
                let g1 = gamma_fn(1.0 + 1.0 / a[0]);
                a[1] * a[1] * (gamma_fn(1.0 + 2.0 / a[0]) - g1 * g1)
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

    fn all_cases() -> Vec<(DistKind, Vec<f64>)> {
        vec![
            (K::Fixed, vec![9.0]),
            (K::Uniform, vec![2.0, 8.0]),
            (K::Normal, vec![3.0, 2.0]),
            (K::LogNormal, vec![1.0, 0.5]),
            (K::LogNormalInterval, vec![2.0, 50.0]),
            (K::Triangular, vec![0.0, 3.0, 12.0]),
            (K::Pert, vec![0.0, 3.0, 12.0]),
            (K::Pert, vec![0.0, 3.0, 12.0, 8.0]),
            (K::Beta, vec![2.0, 3.0]),
            (K::Gamma, vec![3.0, 2.0]),
            (K::Gamma, vec![0.5, 1.0]),
            (K::ExponentialRate, vec![0.5]),
            (K::ExponentialMean, vec![4.0]),
            (K::Weibull, vec![1.5, 3.0]),
            (K::Poisson, vec![7.0]),
            (K::Poisson, vec![40.0]),
            (K::Binomial, vec![20.0, 0.3]),
            (K::Bernoulli, vec![0.3]),
            (K::Discrete, vec![1.0, 2.0, 10.0, 1.0, 1.0, 2.0]),
        ]
    }

    #[test]
    fn sample_means_match_closed_forms() {
        let n = 100_000;
        for (case, (kind, args)) in all_cases().into_iter().enumerate() {
            let d = dist(kind, &args);
            let mean = d.mean().expect("closed-form mean");
            let sd = variance(kind, &args).sqrt();
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

    #[test]
    fn known_means() {
        let m = |kind, args: &[f64]| dist(kind, args).mean().unwrap();
        assert_eq!(m(K::Pert, &[0.0, 3.0, 12.0]), 4.0);
        assert_eq!(m(K::Discrete, &[1.0, 2.0, 10.0, 1.0, 1.0, 2.0]), 5.75);
        assert!((m(K::Weibull, &[1.0, 3.0]) - 3.0).abs() < 1e-12);
        assert!((gamma_fn(5.0) - 24.0).abs() < 1e-12);
        assert!((gamma_fn(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-14);
        // Non-constant arguments: no mean, no quantile.
        struct S;
        impl crate::expr::Scope for S {
            fn resolve(&self, _: &str) -> Result<crate::expr::Slot, crate::expr::ScopeError> {
                Ok(crate::expr::Slot::Param(0))
            }
            fn resolve_node(&self, _: &str) -> Result<u32, crate::expr::ScopeError> {
                Ok(0)
            }
        }
        let x = Expr::compile("x", crate::expr::Type::Number, &S).unwrap();
        let d = Distribution::new(K::Normal, vec![x, Expr::constant(1.0)]);
        assert_eq!(d.mean(), None);
        assert_eq!(d.quantile(0.5), None);
        // Invalid constant arguments: none either.
        assert_eq!(dist(K::Normal, &[0.0, -1.0]).mean(), None);
        // And sampling them is an error, not a panic.
        let mut rng = Stream::new(1, 2, 0);
        let e = dist(K::Normal, &[0.0, -1.0])
            .sample(&env(), &mut rng)
            .unwrap_err();
        assert_eq!(e.message, "sd must be >= 0, got -1");
        let e = dist(K::Discrete, &[1.0, 2.0, 0.0, 0.0])
            .sample(&env(), &mut rng)
            .unwrap_err();
        assert_eq!(e.arg, 2);
    }

    #[test]
    fn inverse_normal_is_accurate() {
        // Reference values of the standard normal quantile.
        let cases = [
            (0.5, 0.0),
            (0.975, 1.959_963_984_540_054),
            (0.95, 1.644_853_626_951_472_2),
            (0.841_344_746_068_542_9, 1.0),
            (0.001, -3.090_232_306_167_813_5),
            (1e-10, -6.361_340_902_404_056),
        ];
        for (p, z) in cases {
            let got = inverse_normal_cdf(p);
            assert!(
                (got - z).abs() <= 1e-9 * z.abs().max(1.0),
                "{p}: {got} vs {z}"
            );
            assert!(
                (inverse_normal_cdf(1.0 - p) + got).abs() < 1e-9 * z.abs().max(1.0) || p < 1e-9
            );
        }
        assert!(inverse_normal_cdf(f64::NAN).is_nan());
        assert_eq!(inverse_normal_cdf(0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn quantiles() {
        let q = |kind, args: &[f64], p| dist(kind, args).quantile(p).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9 * b.abs().max(1.0);
        assert_eq!(q(K::Fixed, &[9.0], 0.1), 9.0);
        assert!(close(q(K::Uniform, &[2.0, 8.0], 0.25), 3.5));
        assert!(close(
            q(K::Normal, &[3.0, 2.0], 0.975),
            3.0 + 2.0 * 1.959_963_984_540_054
        ));
        // The interval form reproduces its own p5 and p95.
        assert!(close(q(K::LogNormalInterval, &[2.0, 50.0], 0.05), 2.0));
        assert!(close(q(K::LogNormalInterval, &[2.0, 50.0], 0.95), 50.0));
        assert!(close(q(K::LogNormal, &[1.0, 0.5], 0.5), 1f64.exp()));
        // Triangular: at the mode's CDF value F(mode) = (mode - min) / (max - min).
        assert!(close(q(K::Triangular, &[0.0, 3.0, 12.0], 0.25), 3.0));
        assert!(close(q(K::ExponentialMean, &[4.0], 0.5), 4.0 * 2f64.ln()));
        assert!(close(q(K::ExponentialRate, &[0.5], 0.5), 2.0 * 2f64.ln()));
        assert!(close(
            q(K::Weibull, &[2.0, 3.0], 0.5),
            3.0 * 2f64.ln().sqrt()
        ));
        assert_eq!(q(K::Bernoulli, &[0.3], 0.7), 0.0);
        assert_eq!(q(K::Bernoulli, &[0.3], 0.71), 1.0);
        assert_eq!(q(K::Discrete, &[10.0, 1.0, 2.0, 1.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(q(K::Discrete, &[10.0, 1.0, 2.0, 1.0, 1.0, 2.0], 0.9), 10.0);
        assert_eq!(dist(K::Gamma, &[2.0, 1.0]).quantile(0.5), None);
        assert_eq!(dist(K::Normal, &[0.0, 1.0]).quantile(0.0), None);
        assert_eq!(dist(K::Normal, &[0.0, 1.0]).quantile(1.0), None);
    }

    #[test]
    fn quantiles_agree_with_samplers() {
        // The fraction of draws below the q-quantile is q, within 5 standard errors.
        let n = 50_000;
        for (kind, args) in all_cases() {
            for q in [0.1, 0.5, 0.9] {
                let d = dist(kind, &args);
                let Some(x) = d.quantile(q) else { continue };
                if matches!(kind, K::Fixed | K::Bernoulli | K::Discrete) {
                    continue; // atoms: P(X < x) is not q
                }
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
            assert_eq!(
                dist(kind, args).sample(&env(), &mut rng),
                Ok(2.0),
                "{kind:?}"
            );
        }
        assert_eq!(dist(K::Poisson, &[0.0]).sample(&env(), &mut rng), Ok(0.0));
        assert_eq!(
            dist(K::Binomial, &[5.0, 1.0]).sample(&env(), &mut rng),
            Ok(5.0)
        );
        // A zero weight is never drawn.
        let d = dist(K::Discrete, &[1.0, 2.0, 3.0, 0.0, 1.0, 0.0]);
        for _ in 0..1000 {
            assert_eq!(d.sample(&env(), &mut rng), Ok(2.0));
        }
    }

    /// The linear scan of `sample_discrete` for a uniform `u`, written out.
    fn scan_pick(values: &[f64], weights: &[f64], u: f64) -> f64 {
        let total: f64 = weights.iter().fold(0.0, |t, w| t + w);
        let target = u * total;
        let (mut acc, mut last) = (0.0, 0);
        for (i, &w) in weights.iter().enumerate() {
            if w > 0.0 {
                last = i;
                acc += w;
                if target < acc {
                    return values[i];
                }
            }
        }
        values[last]
    }

    /// The table of a constant `discrete` draws exactly what the linear scan over its
    /// weights draws, uniform for uniform: weights with zeros, weights too small to change
    /// the running sum, huge and tiny ones, one value.
    #[test]
    fn discrete_table_draws_what_the_scan_draws() {
        let mut g = Stream::new(9, 9, 0);
        let mut cases: Vec<Vec<f64>> = vec![
            vec![0.0, 1.0, 2.0, 3.0],
            vec![1.0, 1e-300, 1e300, 0.0, 5e-324, 1.0],
            vec![1e16, 1.0, 1.0, 1.0, 1e16],
            vec![0.0, 0.0, 7.0],
        ];
        for n in [1usize, 2, 5, 50, 1000] {
            cases.push(
                (0..n)
                    .map(|i| match unit(&mut g) {
                        u if u < 0.2 => 0.0,
                        u if u < 0.3 => u * 1e-17,
                        u => u * (i + 1) as f64,
                    })
                    .collect(),
            );
        }
        for weights in cases {
            let n = weights.len();
            let mut args: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
            args.extend(&weights);
            let fast = dist(K::Discrete, &args);
            assert!(fast.table.is_some(), "{weights:?}");
            let scan = Distribution {
                table: None,
                ..fast.clone()
            };
            // At the edges of [0, 1) too, where rounding decides.
            let table = fast.table.as_ref().unwrap();
            let values = &args[..n];
            for u in [
                0.0,
                5e-324,
                0.5,
                1.0 - f64::EPSILON / 2.0,
                1.0 - f64::EPSILON,
            ] {
                assert_eq!(
                    table.pick(u),
                    scan_pick(values, &weights, u),
                    "{weights:?} {u}"
                );
            }
            let mut a = Stream::new(run_key(5, n as u64), site(Purpose::Param, "d"), 0);
            let mut b = a.clone();
            for _ in 0..20_000 {
                assert_eq!(
                    fast.sample(&env(), &mut a),
                    scan.sample(&env(), &mut b),
                    "{weights:?}"
                );
            }
        }
    }
}
