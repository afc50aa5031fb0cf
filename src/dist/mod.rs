//! The probability distributions a scenario can name (`dist = "pert"` ...), in the manner of
//! rand_distr: one type per family, each in its own file, behind the [`Family`] trait (build
//! from checked arguments once, then `draw`, `mean`, `quantile`, `cdf`).
//!
//! A [`Distribution`] is a family with its arguments as compiled expressions. When they are
//! all constants (the usual case) they are checked once, when the scenario is loaded, and the
//! family's sampler (rand_distr's `Beta`, `Gamma` ...) is built once. Arguments that read
//! other parameters are evaluated, checked and the sampler built at each draw, since they can
//! differ from run to run. Both ways draw the same numbers from the same stream.
//!
//! **Adding a family**: a file `src/dist/<name>.rs` with a type implementing [`Family`] (its
//! [`Spec`] holds its one name and its argument keys), and one line in the `families!` list
//! below. The loader, the checks, the messages and `rungs` itself then know it.
//! [`special`] holds the special functions (gamma, incomplete gamma and beta, the normal's
//! CDF and quantile) the families' means, CDFs and quantiles use.

use std::fmt::Display;

use rand_distr::{Distribution as _, StandardUniform};

use crate::expr::{Env, Expr};
use special::normal_tails;

pub mod copula;
pub(crate) mod special;
#[cfg(test)]
mod tests;

/// The most arguments a family of numbers takes (pert: min, mode, max, lambda).
const MAX_ARGS: usize = 4;

/// Declares the families: for each, its [`DistKind`] variant and its type, `module::Type`
/// (the module is the file `src/dist/<module>.rs`). Generates `DistKind`, the [`Prepared`]
/// enum of built families and the dispatch between them.
macro_rules! families {
    ($($kind:ident => $module:ident::$ty:ident,)+) => {
        $(mod $module;)+

        /// Which family, as named by the scenario file's `dist` key.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum DistKind {
            $(#[doc = concat!("The family in `src/dist/", stringify!($module), ".rs`.")] $kind,)+
        }

        impl DistKind {
            /// Every family, in the order of the list.
            pub const ALL: &[DistKind] = &[$(DistKind::$kind),+];

            /// The `dist` names a scenario may use.
            pub const NAMES: &[&str] = &[$(<$module::$ty as Family>::SPEC.name),+];

            /// How the family is written in a scenario file.
            pub fn spec(self) -> &'static Spec {
                match self {
                    $(DistKind::$kind => &<$module::$ty as Family>::SPEC,)+
                }
            }

            /// Checks argument values of `form` and builds the family's sampler.
            fn prepare(self, form: usize, args: &[f64]) -> Result<Prepared, DistError> {
                match self {
                    $(DistKind::$kind => $module::$ty::new(form, args).map(Prepared::$kind),)+
                }
            }

            /// Evaluates `args` in `env`, checks them and draws.
            fn sample_exprs<R: rand::Rng + ?Sized>(
                self,
                form: usize,
                args: &[Expr],
                env: &Env<'_>,
                rng: &mut R,
            ) -> Result<f64, DistError> {
                match self {
                    $(DistKind::$kind => $module::$ty::sample_exprs(form, args, env, rng),)+
                }
            }
        }

        /// A family built from valid argument values: its sampler ready.
        #[derive(Clone, Debug)]
        enum Prepared {
            $($kind($module::$ty),)+
        }

        impl Prepared {
            #[inline]
            fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
                match self {
                    $(Prepared::$kind(d) => d.draw(rng),)+
                }
            }

            fn mean(&self) -> f64 {
                match self {
                    $(Prepared::$kind(d) => d.mean(),)+
                }
            }

            fn quantile(&self, p: f64) -> f64 {
                match self {
                    $(Prepared::$kind(d) => d.quantile(p),)+
                }
            }

            fn cdf(&self, x: f64) -> f64 {
                match self {
                    $(Prepared::$kind(d) => d.cdf(x),)+
                }
            }

            #[inline]
            fn at_score(&self, z: f64) -> f64 {
                match self {
                    $(Prepared::$kind(d) => d.at_score(z),)+
                }
            }

            fn precompute(&mut self) {
                match self {
                    $(Prepared::$kind(d) => d.precompute(),)+
                }
            }
        }
    };
}

families! {
    Fixed => fixed::Fixed,
    Uniform => uniform::Uniform,
    Normal => normal::Normal,
    LogNormal => lognormal::LogNormal,
    Triangular => triangular::Triangular,
    Pert => pert::Pert,
    Beta => beta::Beta,
    Gamma => gamma::Gamma,
    Exponential => exponential::Exponential,
    Weibull => weibull::Weibull,
    Poisson => poisson::Poisson,
    Binomial => binomial::Binomial,
    Bernoulli => bernoulli::Bernoulli,
    Discrete => discrete::Discrete,
}

/// One argument key of a family.
#[derive(Debug)]
pub struct Arg {
    /// The key in the scenario file (`sd`).
    pub name: &'static str,
    /// The value when the key is absent (pert's `lambda`); `None`: the key is required.
    pub default: Option<f64>,
}

impl Arg {
    /// A key the file must give.
    pub const fn required(name: &'static str) -> Arg {
        Arg {
            name,
            default: None,
        }
    }

    /// A key with a default.
    pub const fn optional(name: &'static str, default: f64) -> Arg {
        Arg {
            name,
            default: Some(default),
        }
    }
}

/// One way of writing a family's arguments: its keys, in the order the family's `build`
/// reads them (lognormal has two: mu and sigma, or p5 and p95).
pub type Form = &'static [Arg];

/// How a family is written in a scenario file.
#[derive(Debug)]
pub struct Spec {
    /// The `dist` name.
    pub name: &'static str,
    /// Its forms. The loader takes the one whose keys the table gives, the first when it
    /// gives none.
    pub forms: &'static [Form],
    /// For a family of several forms: the message and hint when keys of two are given.
    pub mixed: (&'static str, &'static str),
    /// Each argument is a list of numbers, the lists of one length (discrete's values and
    /// weights); [`Distribution::args`] then holds the lists one after the other.
    pub lists: bool,
}

impl Spec {
    /// A family written one way, with numbers.
    pub const fn new(name: &'static str, form: &'static [Form]) -> Spec {
        Spec {
            name,
            forms: form,
            mixed: ("", ""),
            lists: false,
        }
    }
}

/// A family of distributions, built from valid argument values (and then ready to draw, as a
/// rand_distr distribution is once constructed).
pub(crate) trait Family: Sized {
    /// How the family is written: its one name and its argument keys.
    const SPEC: Spec;

    /// Builds the family from values of `form`'s arguments, in its order, which passed
    /// [`Family::check_values`]: checks what else they must satisfy (sd >= 0 ...), naming
    /// the first argument that fails.
    fn build(form: usize, args: Args<'_>) -> Result<Self, DistError>;

    /// The checks before `build`: by default, as many values as the form has keys, all
    /// finite. A family of lists checks its lists instead.
    fn check_values(form: usize, args: &[f64]) -> Result<(), DistError> {
        let form = Self::SPEC.forms[form];
        if args.len() != form.len() {
            return Err(arity_error(&Self::SPEC, form, args.len()));
        }
        for (i, (v, a)) in args.iter().zip(form).enumerate() {
            if !v.is_finite() {
                return Err(DistError::new(
                    i,
                    format!("{} must be a finite number, got {v}", a.name),
                ));
            }
        }
        Ok(())
    }

    /// Checks `args` (values of `form`'s arguments) and builds.
    fn new(form: usize, args: &[f64]) -> Result<Self, DistError> {
        Self::check_values(form, args)?;
        Self::build(
            form,
            Args {
                form: Self::SPEC.forms[form],
                values: args,
            },
        )
    }

    /// Draws one value.
    fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64;

    /// The mean, in closed form.
    fn mean(&self) -> f64;

    /// The p-quantile (the inverse CDF) for 0 < p < 1: the smallest x with P(X <= x) >= p.
    fn quantile(&self, p: f64) -> f64;

    /// P(X <= x).
    fn cdf(&self, x: f64) -> f64;

    /// Computes once what [`Family::at_score`] needs (the constants and table of a
    /// numeric inverse CDF), for a family that the copula of `[[correlations]]` draws.
    /// Default: nothing.
    fn precompute(&mut self) {}

    /// The value at standard normal score `z`: the quantile at P(Z <= z), as the Gaussian
    /// copula maps its correlated normals. By default [`Family::quantile`] of the normal
    /// CDF (kept inside (0, 1)); families override it with a closed form in z (normal,
    /// lognormal), a form that keeps the upper tail's digits (1 - p computed as P(Z > z)),
    /// or a fast numeric inverse (beta, pert, gamma: see `special::normal_score`).
    fn at_score(&self, z: f64) -> f64 {
        let (p, _) = normal_tails(z);
        self.quantile(p.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0))
    }

    /// Draws with arguments that are not constants: evaluates them in `env`, checks them,
    /// builds and draws (no allocation: the values go to a stack buffer).
    fn sample_exprs<R: rand::Rng + ?Sized>(
        form: usize,
        args: &[Expr],
        env: &Env<'_>,
        rng: &mut R,
    ) -> Result<f64, DistError> {
        let mut buffer = [0.0; MAX_ARGS];
        let Some(values) = buffer.get_mut(..args.len()) else {
            return Err(arity_error(&Self::SPEC, Self::SPEC.forms[form], args.len()));
        };
        for (slot, e) in values.iter_mut().zip(args) {
            *slot = e.eval(env);
        }
        Ok(Self::new(form, values)?.draw(rng))
    }
}

/// The wrong number of arguments for `form` (the loader prevents it; checked so that nothing
/// can panic).
fn arity_error(spec: &Spec, form: Form, got: usize) -> DistError {
    let names: Vec<&str> = form.iter().map(|a| a.name).collect();
    DistError::new(
        0,
        format!(
            "{} takes {} argument(s) ({}), got {got}",
            spec.name,
            form.len(),
            names.join(", ")
        ),
    )
}

/// The keys of gamma and weibull, and the check they share: both > 0.
pub(crate) const SHAPE_SCALE: Form = &[Arg::required("shape"), Arg::required("scale")];

/// The `shape` and `scale` of a [`SHAPE_SCALE`] family, if both are > 0.
pub(crate) fn shape_scale(a: &Args<'_>) -> Result<(f64, f64), DistError> {
    Ok((a.positive(0)?, a.positive(1)?))
}

/// A family's argument values with their names, for `build` to read and check.
#[derive(Clone, Copy)]
pub(crate) struct Args<'a> {
    form: Form,
    values: &'a [f64],
}

impl Args<'_> {
    /// The value of argument `i`.
    pub(crate) fn value(&self, i: usize) -> f64 {
        self.values[i]
    }

    /// Argument `i` is invalid: `message` says why.
    pub(crate) fn error(&self, i: usize, message: String) -> DistError {
        DistError::new(i, message)
    }

    /// Argument `i`, if it is > 0.
    pub(crate) fn positive(&self, i: usize) -> Result<f64, DistError> {
        self.value_if(i, |v| v > 0.0, "> 0")
    }

    /// Argument `i`, if it is >= 0.
    pub(crate) fn non_negative(&self, i: usize) -> Result<f64, DistError> {
        self.value_if(i, |v| v >= 0.0, ">= 0")
    }

    /// Argument `i`, if it is a probability.
    pub(crate) fn probability(&self, i: usize) -> Result<f64, DistError> {
        self.value_if(i, |v| (0.0..=1.0).contains(&v), "between 0 and 1")
    }

    fn value_if(&self, i: usize, ok: impl Fn(f64) -> bool, what: &str) -> Result<f64, DistError> {
        let v = self.values[i];
        if ok(v) {
            Ok(v)
        } else {
            Err(self.error(i, format!("{} must be {what}, got {v}", self.form[i].name)))
        }
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

impl DistError {
    fn new(arg: usize, message: String) -> Self {
        DistError { arg, message }
    }

    /// rand_distr refused arguments the checks passed (a case it treats more strictly than
    /// the spec): reported, never a panic.
    pub(crate) fn refused(name: &str, e: impl Display) -> Self {
        DistError::new(0, format!("{name} refused its arguments: {e}"))
    }
}

/// A uniform draw in [0, 1).
#[inline]
fn unit<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardUniform.sample(rng)
}

/// 1 where `x` is at or past a single point mass, else 0: the CDF of a distribution that
/// always gives `at`.
fn step(x: f64, at: f64) -> f64 {
    if x >= at { 1.0 } else { 0.0 }
}

/// A distribution with its arguments compiled.
#[derive(Clone, Debug)]
pub struct Distribution {
    kind: DistKind,
    /// Which of the family's [`Spec::forms`] the arguments are written in.
    form: usize,
    args: Vec<Expr>,
    /// The family built once, when every argument is a constant.
    prepared: Option<Prepared>,
}

impl Distribution {
    /// A distribution of `kind` written in its `form`, with compiled `args` in the form's
    /// order (for a family of lists, the lists one after the other). When every argument is
    /// a constant they are checked here, and the sampler built once: invalid constants are
    /// an error now, never at a draw.
    pub fn new(kind: DistKind, form: usize, args: Vec<Expr>) -> Result<Self, DistError> {
        let constants: Option<Vec<f64>> = args.iter().map(Expr::as_constant).collect();
        let prepared = match constants {
            Some(values) => Some(kind.prepare(form, &values)?),
            None => None,
        };
        Ok(Distribution {
            kind,
            form,
            args,
            prepared,
        })
    }

    /// Which family.
    pub fn kind(&self) -> DistKind {
        self.kind
    }

    /// The `dist` name.
    pub fn name(&self) -> &'static str {
        self.kind.spec().name
    }

    /// The arguments, in the order of the form they were written in.
    pub fn args(&self) -> &[Expr] {
        &self.args
    }

    /// Checks values of the arguments (in [`Distribution::args`] order), e.g. those they
    /// take with the parameters' values in the file.
    pub fn check(&self, values: &[f64]) -> Result<(), DistError> {
        self.kind.prepare(self.form, values).map(drop)
    }

    /// Draws one value: from the prepared sampler, or evaluating, checking the arguments in
    /// `env` and building the sampler for this draw.
    #[inline]
    pub fn sample<R: rand::Rng + ?Sized>(
        &self,
        env: &Env<'_>,
        rng: &mut R,
    ) -> Result<f64, DistError> {
        match &self.prepared {
            Some(p) => Ok(p.draw(rng)),
            None => self.kind.sample_exprs(self.form, &self.args, env, rng),
        }
    }

    /// The mean, if the arguments are constants (and it is finite).
    pub fn mean(&self) -> Option<f64> {
        let m = self.prepared.as_ref()?.mean();
        m.is_finite().then_some(m)
    }

    /// The `p`-quantile (0 < p < 1: the smallest x with P(X <= x) >= p), if the arguments
    /// are constants. Exact, or numeric with the error bound its family states.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        if !(p > 0.0 && p < 1.0) {
            return None;
        }
        let x = self.prepared.as_ref()?.quantile(p);
        x.is_finite().then_some(x)
    }

    /// P(X <= x), if the arguments are constants.
    pub fn cdf(&self, x: f64) -> Option<f64> {
        Some(self.prepared.as_ref()?.cdf(x))
    }

    /// Computes, once, what a marginal of the copula needs (the inverse CDF's constants and
    /// table: ~1 ms for a beta, pert or gamma); the loader calls it for each correlated
    /// parameter. Without it [`Marginal::at_score`] is still right, only slower.
    pub fn prepare_marginal(&mut self) {
        if let Some(p) = &mut self.prepared {
            p.precompute();
        }
    }

    /// The distribution as a marginal of the copula, if the arguments are constants (a
    /// cheap clone: the tables are shared).
    pub fn marginal(&self) -> Option<Marginal> {
        self.prepared.clone().map(Marginal)
    }
}

/// A distribution with constant arguments, ready to map standard normal scores to values:
/// a marginal of the Gaussian copula of `[[correlations]]`.
#[derive(Clone, Debug)]
pub struct Marginal(Prepared);

impl Marginal {
    /// The value whose CDF is P(Z <= z) for a standard normal Z: exact for uniform, normal,
    /// lognormal, triangular, exponential, weibull and the discrete families; numeric for
    /// beta, pert and gamma (relative error ~1e-12, see `special::normal_score`).
    #[inline]
    pub fn at_score(&self, z: f64) -> f64 {
        self.0.at_score(z)
    }
}
