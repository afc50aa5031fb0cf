//! The probability distributions a scenario can name (`dist = "pert"` ...): their arguments
//! (compiled expressions), checks of those arguments, and sampling through rand_distr.

use crate::expr::{Env, Expr};

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
        todo!()
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
}

/// Invalid arguments: which argument and why, in plain words ("sd must be >= 0, got -1").
#[derive(Clone, Debug, PartialEq)]
pub struct DistError {
    /// Index into [`Distribution::args`] of the offending argument.
    pub arg: usize,
    /// Plain-words reason, including the value.
    pub message: String,
}

impl Distribution {
    /// Checks argument values (already evaluated, in `args` order). Used at load time for
    /// constant arguments and at run time for the rest.
    pub fn check(kind: DistKind, args: &[f64]) -> Result<(), DistError> {
        let _ = (kind, args);
        todo!()
    }

    /// Evaluates the arguments in `env`, checks them and draws one value.
    pub fn sample<R: rand::Rng + ?Sized>(
        &self,
        env: &Env<'_>,
        rng: &mut R,
    ) -> Result<f64, DistError> {
        let _ = (env, rng);
        todo!()
    }

    /// The distribution's mean, if all arguments are constant and it has a closed form.
    pub fn mean(&self) -> Option<f64> {
        todo!()
    }

    /// The `q`-quantile (0 < q < 1) if all arguments are constant and it is cheap to compute
    /// (used for tornado low/high values); `None` otherwise.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let _ = q;
        todo!()
    }
}
